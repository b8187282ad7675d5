//! The user's TUI settings: `config.toml` in loupe's config directory (theme, mouse, key
//! bindings). The format is documented in `docs/CONFIG.md`.
//!
//! Reading it never fails. A missing file means the defaults; every problem (a TOML syntax
//! error, an unknown setting or action, a key that is not a key, a value of the wrong type)
//! becomes a warning naming the file, the line and the setting, and everything else in the file
//! still applies. Unknown settings are warnings rather than silently ignored so that typos show.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::keymap::{Action, KeyCombo, Keymap};

/// Top-level tables that belong to other parts of loupe (or will): accepted and ignored here.
const OTHER_SECTIONS: &[&str] = &["debug", "sandbox", "profile"];

#[derive(Clone, Debug)]
pub struct Config {
    /// A built-in theme name, a name in the themes directory, or a path (made absolute relative
    /// to the config file's directory). `None`: the default theme.
    pub theme: Option<String>,
    pub keymap: Keymap,
    /// Capture the mouse (clicks, wheel). Off leaves the terminal's own selection working.
    pub mouse: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config { theme: None, keymap: Keymap::default(), mouse: true }
    }
}

/// `$XDG_CONFIG_HOME/loupe/config.toml`, else `~/.config/loupe/config.toml`; `None` when there
/// is neither (no home directory: better no config than one read from a shared temp directory).
pub fn default_path() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME").is_some_and(|v| Path::new(&v).is_absolute());
    let home = dirs::home_dir().is_some_and(|h| h.is_absolute());
    (xdg || home).then(|| crate::paths::config_dir().join("config.toml"))
}

/// Reads the config at `path`. A missing file is silently the defaults; anything else that goes
/// wrong is a warning and the defaults for whatever could not be read.
pub fn load(path: &Path) -> (Config, Vec<String>) {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), Vec::new()),
        Err(e) => {
            (Config::default(), vec![format!("{}: cannot be read ({e}); using the default settings", shown(path))])
        }
    }
}

/// Reads a config from `text`; `origin` is the file it came from, for messages and for themes
/// given as relative paths.
pub fn parse(text: &str, origin: &Path) -> (Config, Vec<String>) {
    let mut reader = Reader { text, origin: shown(origin), warnings: Vec::new() };
    let mut config = Config::default();
    let document = match DeTable::parse(text) {
        Ok(document) => document,
        Err(e) => {
            let place = match e.span() {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    format!(" line {line}, column {column}")
                }
                None => String::new(),
            };
            // One line: the console shows each warning as a line.
            let message = e.message().trim().replace('\n', " ");
            let warning = format!("{}{place}: not valid TOML: {message}; using the default settings", reader.origin);
            return (config, vec![warning]);
        }
    };
    for (key, value) in in_file_order(document.get_ref()) {
        let name = key.get_ref().as_ref();
        match name {
            "theme" => match value.get_ref() {
                DeValue::String(theme) if theme.trim().is_empty() => {
                    reader.warn(value, "theme", "is empty; using the default theme".into())
                }
                DeValue::String(theme) => config.theme = Some(theme_reference(theme, origin)),
                other => reader.warn(value, "theme", format!("expected a theme name in quotes, found {}", kind(other))),
            },
            "mouse" => match value.get_ref() {
                DeValue::Boolean(on) => config.mouse = *on,
                other => reader.warn(value, "mouse", format!("expected true or false, found {}", kind(other))),
            },
            "keys" => match value.get_ref() {
                DeValue::Table(keys) => config.keymap = reader.keys(keys),
                other => reader.warn(
                    value,
                    "keys",
                    format!("expected a table of action = keys (a [keys] section), found {}", kind(other)),
                ),
            },
            _ if OTHER_SECTIONS.contains(&name) => {}
            _ => reader.warn(key, name, "unknown setting (loupe knows theme, mouse and [keys]); ignored".to_string()),
        }
    }
    (config, reader.finish())
}

/// One `[keys]` entry that could be read.
struct Binding<'a> {
    action: Action,
    combos: Vec<KeyCombo>,
    key: &'a Spanned<std::borrow::Cow<'a, str>>,
}

struct Reader<'t> {
    text: &'t str,
    /// The file as shown in messages (`~/…`).
    origin: String,
    /// With the line each is about: conflicts are found after the whole table was read, and
    /// the user reads the file top to bottom.
    warnings: Vec<(usize, String)>,
}

impl Reader<'_> {
    /// Records `message` about setting `name`, placed at `at`'s line.
    fn warn<T>(&mut self, at: &Spanned<T>, name: &str, message: String) {
        let (line, _) = line_column(self.text, at.span().start);
        self.warnings.push((line, format!("{} line {line}: {name}: {message}", self.origin)));
    }

    /// The warnings in file order.
    fn finish(mut self) -> Vec<String> {
        self.warnings.sort_by_key(|(line, _)| *line);
        self.warnings.into_iter().map(|(_, w)| w).collect()
    }

    /// The keymap the `[keys]` table makes: the defaults, with each listed action's keys
    /// replaced by the listed ones.
    ///
    /// Conflicts: a key listed for two actions goes to the one later in the file, and a listed
    /// key that is another action's default is taken from that action; both are warnings naming
    /// the two actions (the second is silenced by giving the other action its own list).
    fn keys(&mut self, table: &DeTable<'_>) -> Keymap {
        let mut bindings: Vec<Binding<'_>> = Vec::new();
        for (key, value) in in_file_order(table) {
            let name = key.get_ref().as_ref();
            let setting = format!("keys.{name}");
            let Some(action) = Action::from_name(name) else {
                let message = unknown_action(name);
                self.warn(key, &setting, message);
                continue;
            };
            if let Some(combos) = self.combos(&setting, value) {
                bindings.push(Binding { action, combos, key });
            }
        }

        let mut keymap = Keymap::default();
        // Clear every listed action first, so that a key moved from one listed action to another
        // is not mistaken for a conflict with the defaults.
        for binding in &bindings {
            keymap.bind(binding.action, &[]);
        }
        for (i, binding) in bindings.iter().enumerate() {
            for (combo, previous) in keymap.bind(binding.action, &binding.combos) {
                let setting = format!("keys.{}", binding.action.name());
                let earlier = bindings[..i].iter().rev().find(|b| b.action == previous);
                let message = match earlier {
                    Some(earlier) => {
                        let (line, _) = line_column(self.text, earlier.key.span().start);
                        format!(
                            "\"{combo}\" is also bound to {previous} (line {line}); the later binding wins, so \
                             \"{combo}\" does {}",
                            binding.action
                        )
                    }
                    None => {
                        let left: Vec<String> = keymap.keys_for(previous).iter().map(|k| k.to_string()).collect();
                        let left = if left.is_empty() { "no key".to_string() } else { left.join(", ") };
                        format!(
                            "\"{combo}\" is {previous}'s default key; it now does {} and {previous} keeps {left} \
                             (set keys.{previous} too to silence this)",
                            binding.action
                        )
                    }
                };
                self.warn(binding.key, &setting, message);
            }
        }
        keymap
    }

    /// The keys of one `[keys]` entry: a string or a list of strings. `None` (and warnings) when
    /// any of it cannot be read, so that the action keeps its defaults rather than half a list.
    fn combos(&mut self, setting: &str, value: &Spanned<DeValue<'_>>) -> Option<Vec<KeyCombo>> {
        let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
            DeValue::String(_) => vec![value],
            DeValue::Array(array) => array.iter().collect(),
            other => {
                self.warn(
                    value,
                    setting,
                    format!(
                        "expected a key in quotes or a list of them (like \"n\" or [\"n\", \"F10\"]), found {}; \
                         keeping the default keys",
                        kind(other)
                    ),
                );
                return None;
            }
        };
        let mut combos = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match item.get_ref() {
                DeValue::String(text) => match text.parse::<KeyCombo>() {
                    Ok(combo) => combos.push(combo),
                    Err(e) => {
                        self.warn(item, setting, format!("{text:?} is not a key: {e}; keeping the default keys"));
                        ok = false;
                    }
                },
                other => {
                    self.warn(
                        item,
                        setting,
                        format!("expected a key in quotes, found {}; keeping the default keys", kind(other)),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(combos)
    }
}

/// A table's entries in the order they appear in the file (the parser sorts them by name).
fn in_file_order<'a, 'i>(
    table: &'a DeTable<'i>,
) -> Vec<(&'a Spanned<std::borrow::Cow<'i, str>>, &'a Spanned<DeValue<'i>>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// The message for an unknown action name, with the likeliest meant one when there is one.
fn unknown_action(name: &str) -> String {
    let known: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    let closest = known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d);
    let hint = match closest {
        Some((_, k)) => format!(" (did you mean \"{k}\"?)"),
        None => String::new(),
    };
    format!("unknown action {name:?}{hint}; known actions: {}", known.join(", "))
}

/// Levenshtein distance by characters: enough to spot `step_ovr` for `step_over`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// What a value is, for "expected …, found …" messages.
fn kind(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("the string {s:?}"),
        DeValue::Integer(i) => format!("the number {}", i.as_str()),
        DeValue::Float(x) => format!("the number {}", x.as_str()),
        DeValue::Boolean(b) => format!("{b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

/// The theme setting as the theme loader should see it: names pass through; a relative path
/// (one with a `/` or ending in `.toml`) is relative to the config file, as a reader expects of
/// a path written in a config file, and `~/` is the home directory.
fn theme_reference(theme: &str, origin: &Path) -> String {
    let theme = theme.trim();
    let looks_like_path = theme.contains('/') || theme.ends_with(".toml");
    if !looks_like_path {
        return theme.to_string();
    }
    if let Some(rest) = theme.strip_prefix("~/") {
        if let Some(home) = dirs::home_dir() {
            return home.join(rest).to_string_lossy().into_owned();
        }
    }
    let path = Path::new(theme);
    match origin.parent() {
        Some(dir) if path.is_relative() && !dir.as_os_str().is_empty() => dir.join(path).to_string_lossy().into_owned(),
        _ => theme.to_string(),
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `path` for messages, with the home directory written `~`.
fn shown(path: &Path) -> String {
    if let Some(home) = dirs::home_dir().filter(|h| h.is_absolute()) {
        if let Ok(rest) = path.strip_prefix(&home) {
            return Path::new("~").join(rest).display().to_string();
        }
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::default_keys_markdown;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 9), (2, 3));
        assert_eq!(line_column(text, 8), (2, 2)); // inside 'é': backs off to its start
        assert_eq!(line_column(text, 999), (3, 1));
    }

    #[test]
    fn unknown_actions_suggest_the_closest_name() {
        assert!(unknown_action("step_ovr").contains("did you mean \"step_over\""));
        assert!(!unknown_action("frobnicate").contains("did you mean"));
        assert!(unknown_action("frobnicate").contains("step_over"));
    }

    #[test]
    fn theme_paths_are_relative_to_the_config_file() {
        let origin = Path::new("/etc/loupe/config.toml");
        assert_eq!(theme_reference("light", origin), "light");
        assert_eq!(theme_reference("themes/solar.toml", origin), "/etc/loupe/themes/solar.toml");
        assert_eq!(theme_reference("/abs/solar.toml", origin), "/abs/solar.toml");
    }

    /// `docs/CONFIG.md` must list the real defaults. Run with `LOUPE_UPDATE_DOCS=1` to rewrite
    /// the table after changing them.
    #[test]
    fn docs_key_table_matches_the_defaults() {
        const BEGIN: &str = "<!-- keys:begin (generated by keymap::default_keys_markdown; see config.rs tests) -->\n";
        const END: &str = "<!-- keys:end -->";
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CONFIG.md");
        let docs = std::fs::read_to_string(&path).expect("docs/CONFIG.md exists");
        let start = docs.find(BEGIN).expect("docs/CONFIG.md has the keys:begin marker") + BEGIN.len();
        let end = docs[start..].find(END).expect("docs/CONFIG.md has the keys:end marker") + start;
        let expected = format!("\n{}", default_keys_markdown());
        if docs[start..end] != expected {
            if std::env::var_os("LOUPE_UPDATE_DOCS").is_some() {
                let updated = format!("{}{}{}", &docs[..start], expected, &docs[end..]);
                std::fs::write(&path, updated).expect("docs/CONFIG.md is writable");
            } else {
                panic!(
                    "docs/CONFIG.md's key table is out of date; run `LOUPE_UPDATE_DOCS=1 cargo test --lib \
                     docs_key_table` to regenerate it. Expected:\n{expected}"
                );
            }
        }
    }
}
