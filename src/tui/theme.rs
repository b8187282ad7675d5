//! TEMPORARY stub (helper writes the real one)
use ratatui::style::{Color, Modifier, Style};
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Text,
    Dim,
    Border,
    BorderFocused,
    Title,
    TitleFocused,
    Selection,
    CurrentLine,
    CurrentLineMarker,
    LineNumber,
    Breakpoint,
    BreakpointDisabled,
    BreakpointUnverified,
    Conditional,
    Logpoint,
    SearchMatch,
    Stdout,
    Stderr,
    ConsoleInfo,
    Error,
    Prompt,
    StatusBar,
    StatusRunning,
    StatusStopped,
    StatusExited,
    Changed,
    Key,
    VarName,
    VarType,
    VarValue,
}
#[derive(Clone, Debug)]
pub struct Theme;
impl Theme {
    pub fn load(_name: &str) -> anyhow::Result<Theme> {
        Ok(Theme)
    }
    pub fn builtin_names() -> &'static [&'static str] {
        &["dark"]
    }
    pub fn name(&self) -> &str {
        "dark"
    }
    pub fn default_dark() -> Theme {
        Theme
    }
    pub fn without_color(self) -> Theme {
        self
    }
    pub fn has_color(&self) -> bool {
        true
    }
    pub fn style(&self, role: Role) -> Style {
        match role {
            Role::Selection => Style::default().add_modifier(Modifier::REVERSED),
            Role::Error => Style::default().fg(Color::Red),
            _ => Style::default(),
        }
    }
}
