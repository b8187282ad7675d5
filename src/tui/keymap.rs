//! TEMPORARY stub
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Continue,
    Stop,
    Restart,
    Pause,
    ToggleBreakpoint,
    EditBreakpoint,
    StepOver,
    StepInto,
    StepOut,
    RunToCursor,
    Jump,
    FrameUp,
    FrameDown,
    Quit,
    Help,
    Search,
    SearchNext,
    SearchPrev,
    GotoLine,
    NextPane,
    PrevPane,
    FocusSource,
    FocusVariables,
    FocusStack,
    FocusBreakpoints,
    FocusConsole,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Expand,
    Collapse,
    Activate,
    Delete,
    ToggleEnabled,
    AddWatch,
    EditWatch,
    ViewValue,
    Cancel,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}
#[derive(Clone, Debug, Default)]
pub struct Keymap;
impl Keymap {
    pub fn lookup(&self, key: &KeyEvent, _typing: bool) -> Option<Action> {
        Some(match key.code {
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Char('n') => Action::StepOver,
            KeyCode::Char('c') => Action::Continue,
            _ => return None,
        })
    }
    pub fn keys_for(&self, _a: Action) -> Vec<KeyCombo> {
        vec![]
    }
}
