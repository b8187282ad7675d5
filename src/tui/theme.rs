//! Colour themes: what every screen element ([`Role`]) looks like, and which syntax colours the
//! source pane uses.
//!
//! A theme is a small TOML file (the format is documented at the top of `themes/dark.toml`).
//! The built-in themes are compiled into the binary, so an installed loupe needs no data files;
//! users add their own under `$XDG_CONFIG_HOME/loupe/themes/NAME.toml` or pass a path.
//! Under `NO_COLOR`, [`Theme::without_color`] keeps only text attributes (bold, reversed, ...).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use ratatui::style::{Color, Modifier, Style};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use syntect::highlighting::{
    Color as SyntectColor, FontStyle, ScopeSelectors, StyleModifier, Theme as SyntectTheme, ThemeItem,
};
use toml::Spanned;

/// Declares [`Role`] together with its list and its snake_case key in theme files, so the three
/// can never drift apart.
macro_rules! roles {
    ($($(#[doc = $doc:literal])* $variant:ident => $key:literal,)*) => {
        /// A kind of screen element whose look the theme decides.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Role {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Role {
            /// Every role, in declaration order (which is also the index into a theme's table).
            pub const ALL: &'static [Role] = &[$(Role::$variant,)*];

            /// The role's key in a theme file's `[roles]` table.
            pub fn key(self) -> &'static str {
                match self {
                    $(Role::$variant => $key,)*
                }
            }
        }
    };
}

roles! {
    /// Ordinary text; its background (if any) paints the source pane.
    Text => "text",
    /// Secondary text: hints, placeholders, the ellipsis of a cut line.
    Dim => "dim",
    Border => "border",
    BorderFocused => "border_focused",
    Title => "title",
    TitleFocused => "title_focused",
    /// The selected row of a list pane.
    Selection => "selection",
    /// The line the program is stopped at.
    CurrentLine => "current_line",
    /// The `▶` in the source gutter (and the current frame in the stack).
    CurrentLineMarker => "current_line_marker",
    LineNumber => "line_number",
    Breakpoint => "breakpoint",
    BreakpointDisabled => "breakpoint_disabled",
    BreakpointUnverified => "breakpoint_unverified",
    Conditional => "conditional",
    Logpoint => "logpoint",
    SearchMatch => "search_match",
    Stdout => "stdout",
    Stderr => "stderr",
    ConsoleInfo => "console_info",
    Error => "error",
    Prompt => "prompt",
    StatusBar => "status_bar",
    StatusRunning => "status_running",
    StatusStopped => "status_stopped",
    StatusExited => "status_exited",
    /// A variable whose value changed since the last stop.
    Changed => "changed",
    Key => "key",
    VarName => "var_name",
    VarType => "var_type",
    VarValue => "var_value",
    /// The source pane's cursor line while the pane has focus.
    CursorLine => "cursor_line",
    /// A breakpoint with a hit count condition (`== 3`, `>= 10`).
    HitCondition => "hit_condition",
}

impl Role {
    fn index(self) -> usize {
        self as usize
    }

    fn from_key(key: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.key() == key)
    }

    /// The look of a role a theme file leaves out. Only the 16 ANSI colours are used, so the
    /// fallback adapts to the terminal's own palette whatever its background.
    fn fallback_style(self) -> Style {
        let fg = |c: Color| Style::default().fg(c);
        let bold = Modifier::BOLD;
        match self {
            Role::Text | Role::Stdout | Role::VarValue | Role::Title => Style::default(),
            Role::Dim | Role::Border | Role::LineNumber | Role::BreakpointDisabled | Role::VarType => {
                fg(Color::DarkGray)
            }
            Role::BreakpointUnverified => fg(Color::Gray),
            Role::BorderFocused => fg(Color::Cyan),
            Role::TitleFocused | Role::Key | Role::Prompt => fg(Color::Cyan).add_modifier(bold),
            Role::Selection | Role::CursorLine | Role::StatusBar => Style::default().add_modifier(Modifier::REVERSED),
            Role::CurrentLine => Style::default().add_modifier(bold),
            Role::CurrentLineMarker | Role::Changed => fg(Color::Yellow).add_modifier(bold),
            Role::Breakpoint | Role::Stderr => fg(Color::Red),
            Role::Error => fg(Color::Red).add_modifier(bold),
            Role::Conditional => fg(Color::Yellow),
            Role::HitCondition => fg(Color::Magenta),
            Role::Logpoint | Role::ConsoleInfo | Role::VarName => fg(Color::Blue),
            Role::SearchMatch => Style::default().fg(Color::Black).bg(Color::Yellow),
            Role::StatusRunning => Style::default().fg(Color::Black).bg(Color::Green).add_modifier(bold),
            Role::StatusStopped => Style::default().fg(Color::Black).bg(Color::Yellow).add_modifier(bold),
            Role::StatusExited => Style::default().fg(Color::White).bg(Color::Red).add_modifier(bold),
        }
    }

    /// Under NO_COLOR, roles told apart only by colour would vanish; these attributes keep them
    /// visible (used only when the theme gives the role no attribute of its own).
    fn no_color_fallback(self) -> Modifier {
        match self {
            Role::Selection | Role::CursorLine | Role::StatusBar => Modifier::REVERSED,
            // Not reversed: a match on the (reversed) cursor line must still show.
            Role::SearchMatch => Modifier::UNDERLINED | Modifier::BOLD,
            Role::CurrentLine
            | Role::CurrentLineMarker
            | Role::Error
            | Role::Changed
            | Role::TitleFocused
            | Role::StatusRunning
            | Role::StatusStopped
            | Role::StatusExited => Modifier::BOLD,
            Role::Dim | Role::LineNumber | Role::BreakpointDisabled => Modifier::DIM,
            _ => Modifier::empty(),
        }
    }
}

/// Built-in themes: (name, TOML text), embedded so an installed binary needs no data files.
const BUILTINS: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
];

const BUILTIN_NAMES: &[&str] = &["dark", "light", "high-contrast"];

/// A loaded theme: one style per role, plus the syntax colours (None: no highlighting).
#[derive(Clone, Debug)]
pub struct Theme {
    name: String,
    styles: Vec<Style>,
    syntax: Option<Arc<SyntectTheme>>,
    color: bool,
}

impl Theme {
    /// Loads a theme by built-in name, by path to a `.toml` file, or by the name of a file in
    /// the user's theme directory (`<config dir>/loupe/themes/NAME.toml`).
    pub fn load(name: &str) -> anyhow::Result<Theme> {
        if let Some(text) = builtin_text(name) {
            return Theme::parse(text, &format!("built-in theme {name}"), name);
        }
        if looks_like_path(name) {
            return Theme::load_file(Path::new(name));
        }
        match user_theme_path(name) {
            Some(path) if path.is_file() => Theme::load_file(&path),
            other => Err(unknown_theme_error(name, other.as_deref())),
        }
    }

    /// Loads a theme file; its name defaults to the file's stem.
    pub fn load_file(path: &Path) -> anyhow::Result<Theme> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read theme {}", path.display()))?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "custom".into());
        Theme::parse(&text, &path.display().to_string(), &stem)
    }

    pub fn builtin_names() -> &'static [&'static str] {
        BUILTIN_NAMES
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The embedded dark theme. Cannot fail: a unit test proves every built-in parses, and
    /// should that ever break the ANSI fallback styles are used instead of panicking.
    pub fn default_dark() -> Theme {
        builtin_text("dark")
            .and_then(|text| Theme::parse(text, "built-in theme dark", "dark").ok())
            .unwrap_or_else(Theme::fallback)
    }

    /// The same theme without any colour (for NO_COLOR): only text attributes remain, and
    /// syntax highlighting is off.
    pub fn without_color(self) -> Theme {
        let styles = Role::ALL
            .iter()
            .map(|&role| {
                let kept = self.styles[role.index()].add_modifier;
                let kept = if kept.is_empty() { role.no_color_fallback() } else { kept };
                Style::default().add_modifier(kept)
            })
            .collect();
        Theme { name: self.name, styles, syntax: None, color: false }
    }

    pub fn has_color(&self) -> bool {
        self.color
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles.get(role.index()).copied().unwrap_or_default()
    }

    /// The syntax colours for the source pane; None when highlighting is off.
    pub fn syntax_theme(&self) -> Option<&Arc<SyntectTheme>> {
        self.syntax.as_ref()
    }

    /// Every role at its ANSI fallback, no syntax colours.
    fn fallback() -> Theme {
        Theme {
            name: "dark".into(),
            styles: Role::ALL.iter().map(|r| r.fallback_style()).collect(),
            syntax: None,
            color: true,
        }
    }

    /// Parses theme TOML. `origin` names the source in errors ("themes/x.toml:3:1: ...").
    pub fn parse(text: &str, origin: &str, default_name: &str) -> anyhow::Result<Theme> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| located(origin, text, e.span(), e.message()))?;
        let at = |span: std::ops::Range<usize>, message: String| located(origin, text, Some(span), &message);

        let mut theme = match &file.base {
            Some(base) => {
                let Some(base_text) = builtin_text(base.get_ref()) else {
                    return Err(at(
                        base.span(),
                        format!(
                            "`base` must name a built-in theme ({}), not {:?}",
                            BUILTIN_NAMES.join(", "),
                            base.get_ref()
                        ),
                    ));
                };
                // Built-ins never name a base, so this cannot recurse further.
                Theme::parse(base_text, &format!("built-in theme {}", base.get_ref()), base.get_ref())?
            }
            None => Theme::fallback(),
        };
        theme.name = file.name.clone().unwrap_or_else(|| default_name.to_string());

        for (key, spec) in &file.roles {
            let Some(role) = Role::from_key(key.get_ref()) else {
                return Err(at(
                    key.span(),
                    format!("unknown role `{}`; the roles are: {}", key.get_ref(), role_keys()),
                ));
            };
            theme.styles[role.index()] = spec.to_style();
        }

        if let Some(syntax) = syntax_theme_from(&file, &theme).map_err(|(span, message)| at(span, message))? {
            theme.syntax = Some(Arc::new(syntax));
        } else if file.syntax.is_some() || !file.syntax_scopes.is_empty() {
            theme.syntax = None;
        }
        Ok(theme)
    }
}

/// Builds the syntax colours: a syntect built-in named by `syntax`, with `[syntax_scopes]`
/// layered on top. `Ok(None)` when the file says nothing about syntax (keep the base's), or
/// says `syntax = "none"` with no scopes. Errors carry the span of the offending key.
fn syntax_theme_from(
    file: &ThemeFile,
    theme: &Theme,
) -> Result<Option<SyntectTheme>, (std::ops::Range<usize>, String)> {
    let named = match &file.syntax {
        None => None,
        Some(name) if name.get_ref() == "none" => None,
        Some(name) => match crate::tui::highlight::syntect_themes().themes.get(name.get_ref()) {
            Some(t) => Some(t.clone()),
            None => {
                let known: Vec<&str> =
                    crate::tui::highlight::syntect_themes().themes.keys().map(|k| k.as_str()).collect();
                return Err((
                    name.span(),
                    format!("unknown syntax theme {:?}; use \"none\" or one of: {}", name.get_ref(), known.join(", ")),
                ));
            }
        },
    };
    if file.syntax_scopes.is_empty() {
        return Ok(named);
    }
    let mut base = match named {
        Some(t) => t,
        None if file.syntax.is_none() => theme.syntax.as_deref().cloned().unwrap_or_else(scopes_only_theme),
        None => scopes_only_theme(),
    };
    let mut overrides = Vec::with_capacity(file.syntax_scopes.len());
    for (selector, spec) in &file.syntax_scopes {
        let scope = ScopeSelectors::from_str(selector.get_ref())
            .map_err(|e| (selector.span(), format!("bad scope selector {:?}: {e}", selector.get_ref())))?;
        overrides.push(ThemeItem { scope, style: spec.to_syntect() });
    }
    // syntect keeps the first of equally specific rules, so overrides go in front.
    overrides.append(&mut base.scopes);
    base.scopes = overrides;
    Ok(Some(base))
}

/// A syntect theme with no rules of its own. Its default foreground is fully transparent, which
/// the highlighter reads as "no colour": unmatched text takes the `text` role's colour.
fn scopes_only_theme() -> SyntectTheme {
    let mut t = SyntectTheme::default();
    t.settings.foreground = Some(SyntectColor { r: 0, g: 0, b: 0, a: 0 });
    t
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

fn looks_like_path(name: &str) -> bool {
    name.contains(std::path::MAIN_SEPARATOR) || name.contains('/') || name.ends_with(".toml")
}

/// Where a user theme called `name` would live.
pub fn user_theme_path(name: &str) -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("loupe").join("themes").join(format!("{name}.toml")))
}

fn unknown_theme_error(name: &str, looked_at: Option<&Path>) -> anyhow::Error {
    let where_ = match looked_at {
        Some(p) => format!("no user theme at {}", p.display()),
        None => "no config directory to look for user themes in".to_string(),
    };
    anyhow!("unknown theme {name:?}: the built-in themes are {}; {where_}", BUILTIN_NAMES.join(", "))
}

fn role_keys() -> String {
    Role::ALL.iter().map(|r| r.key()).collect::<Vec<_>>().join(", ")
}

/// An error pointing at a place in a theme file: `origin:line:column: message`.
fn located(origin: &str, text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> anyhow::Error {
    let message = message.trim();
    match span {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            anyhow!("{origin}:{line}:{column}: {message}")
        }
        None => anyhow!("{origin}: {message}"),
    }
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = crate::tui::highlight::floor_char_boundary(text, at);
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The TOML file, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: Option<String>,
    base: Option<Spanned<String>>,
    syntax: Option<Spanned<String>>,
    #[serde(default)]
    syntax_scopes: BTreeMap<Spanned<String>, StyleSpec>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, StyleSpec>,
}

/// `{ fg = "#rrggbb", bg = "red", bold = true, ... }`
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<ColorSpec>,
    bg: Option<ColorSpec>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
    #[serde(default)]
    dim: bool,
}

impl StyleSpec {
    fn modifiers(&self) -> Modifier {
        let mut m = Modifier::empty();
        for (on, flag) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
            (self.dim, Modifier::DIM),
        ] {
            if on {
                m |= flag;
            }
        }
        m
    }

    fn to_style(&self) -> Style {
        let mut style = Style::default().add_modifier(self.modifiers());
        if let Some(ColorSpec(c)) = self.fg {
            style = style.fg(c);
        }
        if let Some(ColorSpec(c)) = self.bg {
            style = style.bg(c);
        }
        style
    }

    /// For a syntax scope only the foreground and bold/italic/underline count: the background
    /// always comes from the roles, so highlighting never fights the cursor or exec line.
    fn to_syntect(&self) -> StyleModifier {
        let mut font = FontStyle::empty();
        if self.bold {
            font |= FontStyle::BOLD;
        }
        if self.italic {
            font |= FontStyle::ITALIC;
        }
        if self.underline {
            font |= FontStyle::UNDERLINE;
        }
        StyleModifier {
            foreground: self.fg.and_then(|ColorSpec(c)| rgb_of(c)).map(|(r, g, b)| SyntectColor { r, g, b, a: 0xff }),
            background: None,
            font_style: Some(font),
        }
    }
}

/// Syntect needs true colours; named ANSI colours in a syntax table are mapped to their xterm
/// defaults.
fn rgb_of(c: Color) -> Option<(u8, u8, u8)> {
    Some(match c {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Black => (0, 0, 0),
        Color::Red => (205, 0, 0),
        Color::Green => (0, 205, 0),
        Color::Yellow => (205, 205, 0),
        Color::Blue => (0, 0, 238),
        Color::Magenta => (205, 0, 205),
        Color::Cyan => (0, 205, 205),
        Color::Gray => (229, 229, 229),
        Color::DarkGray => (127, 127, 127),
        Color::LightRed => (255, 0, 0),
        Color::LightGreen => (0, 255, 0),
        Color::LightYellow => (255, 255, 0),
        Color::LightBlue => (92, 92, 255),
        Color::LightMagenta => (255, 0, 255),
        Color::LightCyan => (0, 255, 255),
        Color::White => (255, 255, 255),
        Color::Reset | Color::Indexed(_) => return None,
    })
}

/// A colour in a theme file: `"#rrggbb"`, `"#rgb"`, an ANSI name (`"red"`, `"light_blue"`,
/// `"dark_gray"`), `"default"` for the terminal's own, or a palette index 0-255.
#[derive(Clone, Copy)]
struct ColorSpec(Color);

const COLOR_NAMES: &[(&str, Color)] = &[
    ("default", Color::Reset),
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("grey", Color::Gray),
    ("dark_gray", Color::DarkGray),
    ("dark_grey", Color::DarkGray),
    ("light_red", Color::LightRed),
    ("light_green", Color::LightGreen),
    ("light_yellow", Color::LightYellow),
    ("light_blue", Color::LightBlue),
    ("light_magenta", Color::LightMagenta),
    ("light_cyan", Color::LightCyan),
    ("white", Color::White),
];

fn parse_color(text: &str) -> Result<Color, String> {
    if let Some(hex) = text.strip_prefix('#') {
        return parse_hex(hex).ok_or_else(|| format!("bad colour {text:?}: expected #rrggbb or #rgb"));
    }
    let normal = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    if let Some((_, c)) = COLOR_NAMES.iter().find(|(n, _)| *n == normal) {
        return Ok(*c);
    }
    if let Ok(index) = normal.parse::<u8>() {
        return Ok(Color::Indexed(index));
    }
    let names: Vec<&str> = COLOR_NAMES.iter().map(|(n, _)| *n).collect();
    Err(format!("unknown colour {text:?}: use \"#rrggbb\", a palette index 0-255, or one of {}", names.join(", ")))
}

fn parse_hex(hex: &str) -> Option<Color> {
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |s: &str| u8::from_str_radix(s, 16).ok();
    match hex.len() {
        6 => Some(Color::Rgb(channel(&hex[0..2])?, channel(&hex[2..4])?, channel(&hex[4..6])?)),
        3 => {
            let spread = |s: &str| channel(s).map(|v| v * 17);
            Some(Color::Rgb(spread(&hex[0..1])?, spread(&hex[1..2])?, spread(&hex[2..3])?))
        }
        _ => None,
    }
}

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ColorVisitor;
        impl Visitor<'_> for ColorVisitor {
            type Value = ColorSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a colour: \"#rrggbb\", a name like \"red\", or a palette index 0-255")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ColorSpec, E> {
                parse_color(v).map(ColorSpec).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ColorSpec, E> {
                u8::try_from(v)
                    .map(|i| ColorSpec(Color::Indexed(i)))
                    .map_err(|_| E::custom(format!("palette index {v} is out of range 0-255")))
            }
        }
        deserializer.deserialize_any(ColorVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_has_syntax_colours() {
        for name in Theme::builtin_names() {
            let theme = Theme::load(name).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert_eq!(theme.name(), *name);
            assert!(theme.has_color());
            assert!(theme.syntax_theme().is_some(), "{name} has no syntax colours");
        }
        assert_eq!(BUILTINS.len(), BUILTIN_NAMES.len());
    }

    #[test]
    fn builtins_set_every_role_explicitly() {
        for (name, text) in BUILTINS {
            let file: ThemeFile = toml::from_str(text).expect("parses");
            for role in Role::ALL {
                assert!(file.roles.keys().any(|k| k.get_ref() == role.key()), "{name} leaves out {}", role.key());
            }
        }
    }

    #[test]
    fn default_dark_is_the_dark_builtin() {
        let theme = Theme::default_dark();
        assert_eq!(theme.name(), "dark");
        assert_eq!(theme.style(Role::Breakpoint), Theme::load("dark").expect("dark").style(Role::Breakpoint));
        assert!(theme.syntax_theme().is_some());
    }

    #[test]
    fn high_contrast_paints_pure_black_with_white_text() {
        let theme = Theme::load("high-contrast").expect("loads");
        let text = theme.style(Role::Text);
        assert_eq!(text.bg, Some(Color::Rgb(0, 0, 0)));
        assert_eq!(text.fg, Some(Color::Rgb(255, 255, 255)));
        assert!(theme.style(Role::CurrentLineMarker).add_modifier.contains(Modifier::BOLD));
    }

    /// WCAG contrast ratio of two colours.
    fn contrast((r1, g1, b1): (u8, u8, u8), (r2, g2, b2): (u8, u8, u8)) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let lum = |r, g, b| 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
        let (a, b) = (lum(r1, g1, b1), lum(r2, g2, b2));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn high_contrast_means_seven_to_one_everywhere() {
        let theme = Theme::load("high-contrast").expect("loads");
        let black = (0, 0, 0);
        for &role in Role::ALL {
            let style = theme.style(role);
            let (Some(fg), bg) = (style.fg.and_then(rgb_of), style.bg.and_then(rgb_of)) else { continue };
            let ratio = contrast(fg, bg.unwrap_or(black));
            assert!(ratio >= 7.0, "{role:?}: {ratio:.1}:1");
        }
        let syntax = theme.syntax_theme().expect("syntax");
        for item in &syntax.scopes {
            let Some(c) = item.style.foreground else { continue };
            for bg in [black, (0, 0, 0x5f)] {
                let ratio = contrast((c.r, c.g, c.b), bg);
                assert!(ratio >= 7.0, "{:?} on {bg:?}: {ratio:.1}:1", item.scope);
            }
        }
    }

    #[test]
    fn colours_parse_in_every_spelling() {
        assert_eq!(parse_color("#ff8000"), Ok(Color::Rgb(255, 128, 0)));
        assert_eq!(parse_color("#f80"), Ok(Color::Rgb(255, 136, 0)));
        assert_eq!(parse_color("Light-Blue"), Ok(Color::LightBlue));
        assert_eq!(parse_color("dark_grey"), Ok(Color::DarkGray));
        assert_eq!(parse_color("208"), Ok(Color::Indexed(208)));
        assert!(parse_color("#12345").is_err());
        assert!(parse_color("#gg0000").is_err());
        assert!(parse_color("mauve").unwrap_err().contains("light_cyan"));
    }

    #[test]
    fn missing_roles_fall_back_and_base_is_inherited() {
        let theme =
            Theme::parse("name = \"mine\"\n[roles]\nbreakpoint = { fg = \"#010203\" }\n", "t", "x").expect("parses");
        assert_eq!(theme.name(), "mine");
        assert_eq!(theme.style(Role::Breakpoint).fg, Some(Color::Rgb(1, 2, 3)));
        assert_eq!(theme.style(Role::Error), Role::Error.fallback_style());
        assert!(theme.syntax_theme().is_none());

        let based = Theme::parse("base = \"light\"\n[roles]\nerror = { fg = \"red\" }\n", "t", "x").expect("parses");
        let light = Theme::load("light").expect("light");
        assert_eq!(based.name(), "x");
        assert_eq!(based.style(Role::Error), Style::default().fg(Color::Red));
        assert_eq!(based.style(Role::Text), light.style(Role::Text));
        assert!(based.syntax_theme().is_some());
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let unknown = Theme::parse("name = \"t\"\n[roles]\ntext = {}\nbreakpont = { fg = \"red\" }\n", "t.toml", "t")
            .expect_err("unknown role");
        let msg = format!("{unknown:#}");
        assert!(msg.starts_with("t.toml:4:1: unknown role `breakpont`"), "{msg}");
        assert!(msg.contains("breakpoint"), "{msg}");

        let colour = Theme::parse("[roles]\n\ntext = { fg = \"#12\" }\n", "t.toml", "t").expect_err("bad colour");
        assert!(format!("{colour:#}").starts_with("t.toml:3:"), "{colour:#}");
        assert!(format!("{colour:#}").contains("#rrggbb"), "{colour:#}");

        let field = Theme::parse("[roles]\ntext = { colour = \"red\" }\n", "t.toml", "t").expect_err("bad field");
        assert!(format!("{field:#}").starts_with("t.toml:2:"), "{field:#}");

        let syntax = Theme::parse("\nsyntax = \"nope\"\n", "t.toml", "t").expect_err("bad syntax");
        assert!(format!("{syntax:#}").starts_with("t.toml:2:10: unknown syntax theme"), "{syntax:#}");
        assert!(format!("{syntax:#}").contains("InspiredGitHub"), "{syntax:#}");

        let toml = Theme::parse("[roles\n", "t.toml", "t").expect_err("bad toml");
        assert!(format!("{toml:#}").starts_with("t.toml:1:"), "{toml:#}");
    }

    #[test]
    fn unknown_theme_lists_the_builtins_and_the_user_directory() {
        let err = Theme::load("no-such-theme-anywhere").expect_err("unknown");
        let msg = format!("{err:#}");
        for name in Theme::builtin_names() {
            assert!(msg.contains(name), "{msg}");
        }
        if let Some(path) = user_theme_path("no-such-theme-anywhere") {
            assert!(msg.contains(&path.display().to_string()), "{msg}");
        }
    }

    #[test]
    fn no_color_keeps_only_attributes_and_turns_off_syntax() {
        for name in Theme::builtin_names() {
            let theme = Theme::load(name).expect("loads").without_color();
            assert!(!theme.has_color());
            assert!(theme.syntax_theme().is_none());
            for &role in Role::ALL {
                let s = theme.style(role);
                assert_eq!((s.fg, s.bg, s.underline_color), (None, None, None), "{name} {role:?}");
            }
            // What only colour told apart must stay visible.
            for role in [Role::Selection, Role::CursorLine, Role::SearchMatch, Role::CurrentLine] {
                assert!(!theme.style(role).add_modifier.is_empty(), "{name} {role:?} vanishes under NO_COLOR");
            }
        }
    }

    #[test]
    fn scope_overrides_win_over_the_base_syntax_theme() {
        let theme = Theme::parse(
            "syntax = \"base16-ocean.dark\"\n[syntax_scopes]\n\"keyword\" = { fg = \"#123456\" }\n",
            "t",
            "t",
        )
        .expect("parses");
        let syntax = theme.syntax_theme().expect("syntax");
        let first = &syntax.scopes[0];
        assert_eq!(first.style.foreground, Some(SyntectColor { r: 0x12, g: 0x34, b: 0x56, a: 0xff }));
        assert!(syntax.scopes.len() > 1);
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncdé\nx", 0), (1, 1));
        assert_eq!(line_column("ab\ncdé\nx", 3), (2, 1));
        assert_eq!(line_column("ab\ncdé\nx", 8), (3, 1));
        assert_eq!(line_column("ab\ncdé\nx", 6), (2, 3), "inside é");
        assert_eq!(line_column("ab\ncdé\nx", 7), (2, 4));
        assert_eq!(line_column("é", 1), (1, 1));
    }
}
