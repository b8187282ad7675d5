//! Which key does what: the actions the TUI knows and the keys bound to them. A key itself, in
//! normal form and as text (`"Ctrl-Shift-F5"`), is `combo.rs`.
//!
//! The defaults serve two habits at once: VS Code's function keys (F5 continue, F10 step over…)
//! and pudb's single letters (n, s, c, r, b…). No combination is bound twice, so every key
//! press means exactly one thing. [`Keymap::bind`] replaces an action's keys and takes a key
//! away from whichever action had it, keeping that invariant for user configs too.
//! Every incoming event is normalised like the bound keys before lookup (see [`KeyCombo::new`]).

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

mod combo;

pub use combo::{KeyCombo, KeyParseError};
use combo::{CTRL, SHIFT};

/// Something a key can do. The TUI decides what each means in the current context (the focused
/// pane, whether the program runs).
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
    QuickOpen,
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
    Environment,
    Analysis,
    Tests,
    Cancel,
}

/// The sections of the help overlay and of the key table in `docs/CONFIG.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    Running,
    Stepping,
    Breakpoints,
    Navigation,
    Panes,
    VariablesAndWatches,
    Other,
}

impl Group {
    /// Every group, in the order the help shows them.
    pub const ALL: &'static [Group] = &[
        Group::Running,
        Group::Stepping,
        Group::Breakpoints,
        Group::Navigation,
        Group::Panes,
        Group::VariablesAndWatches,
        Group::Other,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::Running => "Running",
            Group::Stepping => "Stepping",
            Group::Breakpoints => "Breakpoints",
            Group::Navigation => "Navigation",
            Group::Panes => "Panes",
            Group::VariablesAndWatches => "Variables & watches",
            Group::Other => "Other",
        }
    }

    /// The group's actions, in declaration order.
    pub fn actions(self) -> impl Iterator<Item = Action> {
        Action::ALL.iter().copied().filter(move |a| a.group() == self)
    }
}

impl Action {
    /// Every action, in declaration order (`ALL[a as usize] == a`; a unit test checks it, and the
    /// keymap relies on it to index its table).
    pub const ALL: &'static [Action] = &[
        Action::Continue,
        Action::Stop,
        Action::Restart,
        Action::Pause,
        Action::ToggleBreakpoint,
        Action::EditBreakpoint,
        Action::StepOver,
        Action::StepInto,
        Action::StepOut,
        Action::RunToCursor,
        Action::Jump,
        Action::FrameUp,
        Action::FrameDown,
        Action::Quit,
        Action::Help,
        Action::Search,
        Action::SearchNext,
        Action::SearchPrev,
        Action::GotoLine,
        Action::QuickOpen,
        Action::NextPane,
        Action::PrevPane,
        Action::FocusSource,
        Action::FocusVariables,
        Action::FocusStack,
        Action::FocusBreakpoints,
        Action::FocusConsole,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Expand,
        Action::Collapse,
        Action::Activate,
        Action::Delete,
        Action::ToggleEnabled,
        Action::AddWatch,
        Action::EditWatch,
        Action::ViewValue,
        Action::Environment,
        Action::Analysis,
        Action::Tests,
        Action::Cancel,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// The action's name in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Action::Continue => "continue",
            Action::Stop => "stop",
            Action::Restart => "restart",
            Action::Pause => "pause",
            Action::ToggleBreakpoint => "toggle_breakpoint",
            Action::EditBreakpoint => "edit_breakpoint",
            Action::StepOver => "step_over",
            Action::StepInto => "step_into",
            Action::StepOut => "step_out",
            Action::RunToCursor => "run_to_cursor",
            Action::Jump => "jump",
            Action::FrameUp => "frame_up",
            Action::FrameDown => "frame_down",
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Search => "search",
            Action::SearchNext => "search_next",
            Action::SearchPrev => "search_prev",
            Action::GotoLine => "goto_line",
            Action::QuickOpen => "quick_open",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::FocusSource => "focus_source",
            Action::FocusVariables => "focus_variables",
            Action::FocusStack => "focus_stack",
            Action::FocusBreakpoints => "focus_breakpoints",
            Action::FocusConsole => "focus_console",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Expand => "expand",
            Action::Collapse => "collapse",
            Action::Activate => "activate",
            Action::Delete => "delete",
            Action::ToggleEnabled => "toggle_enabled",
            Action::AddWatch => "add_watch",
            Action::EditWatch => "edit_watch",
            Action::ViewValue => "view_value",
            Action::Environment => "environment",
            Action::Analysis => "analysis",
            Action::Tests => "tests",
            Action::Cancel => "cancel",
        }
    }

    /// The action named `name` in the config file (exact, snake_case).
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// One short line for the help overlay and the docs.
    pub fn description(self) -> &'static str {
        match self {
            Action::Continue => "continue (or start; after the end, run again)",
            Action::Stop => "stop the program",
            Action::Restart => "restart the program",
            Action::Pause => "pause the running program",
            Action::ToggleBreakpoint => "toggle a breakpoint on the cursor line",
            Action::EditBreakpoint => "edit a breakpoint: condition, hit count, log message",
            Action::StepOver => "step over: run to the next line",
            Action::StepInto => "step into the call on this line",
            Action::StepOut => "step out: finish the current function",
            Action::RunToCursor => "run to the cursor line",
            Action::Jump => "jump to the cursor line, skipping the code between",
            Action::FrameUp => "select the caller's frame (up the stack)",
            Action::FrameDown => "select the callee's frame (down the stack)",
            Action::Quit => "quit loupe",
            Action::Help => "show or close this help",
            Action::Search => "search the source",
            Action::SearchNext => "next search match",
            Action::SearchPrev => "previous search match",
            Action::GotoLine => "go to a line of the source",
            Action::QuickOpen => "open a file by a few letters of its name",
            Action::NextPane => "focus the next pane",
            Action::PrevPane => "focus the previous pane",
            Action::FocusSource => "focus the source",
            Action::FocusVariables => "focus the variables",
            Action::FocusStack => "focus the call stack",
            Action::FocusBreakpoints => "focus the breakpoints",
            Action::FocusConsole => "focus the console (Python prompt)",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::Expand => "expand the selected variable",
            Action::Collapse => "collapse the selected variable",
            Action::Activate => "open: edit a value, select a frame, show a breakpoint",
            Action::Delete => "delete the breakpoint or watch under the cursor",
            Action::ToggleEnabled => "enable or disable the breakpoint under the cursor",
            Action::AddWatch => "add a watch expression",
            Action::EditWatch => "edit the selected watch",
            Action::ViewValue => "view the selected value in full",
            Action::Environment => "show the environment: packages, problems, interpreters",
            Action::Analysis => "show the analyzer's findings for the project (Enter opens one)",
            Action::Tests => "list pytest's tests and how they last ended (Enter debugs one)",
            Action::Cancel => "cancel; dismiss a message or completions",
        }
    }

    pub fn group(self) -> Group {
        use Action::*;
        match self {
            Continue | Stop | Restart | Pause | RunToCursor | Jump => Group::Running,
            StepOver | StepInto | StepOut | FrameUp | FrameDown => Group::Stepping,
            ToggleBreakpoint | EditBreakpoint | Delete | ToggleEnabled => Group::Breakpoints,
            Search | SearchNext | SearchPrev | GotoLine | QuickOpen | Up | Down | PageUp | PageDown | Top | Bottom => {
                Group::Navigation
            }
            NextPane | PrevPane | FocusSource | FocusVariables | FocusStack | FocusBreakpoints | FocusConsole => {
                Group::Panes
            }
            Expand | Collapse | Activate | AddWatch | EditWatch | ViewValue => Group::VariablesAndWatches,
            Quit | Help | Environment | Analysis | Tests | Cancel => Group::Other,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The built-in bindings, in the order the help lists them.
const DEFAULTS: &[(Action, &[KeyCombo])] = {
    use Action::*;
    use KeyCode::{BackTab, Char, End, Enter, Esc, Home, Left, Right, Tab, F};
    const fn f(n: u8) -> KeyCombo {
        KeyCombo::plain(F(n))
    }
    const fn c(ch: char) -> KeyCombo {
        KeyCombo::char(ch)
    }
    const fn ctrl(ch: char) -> KeyCombo {
        KeyCombo::with(CTRL, Char(ch))
    }
    const fn shift(code: KeyCode) -> KeyCombo {
        KeyCombo::with(SHIFT, code)
    }
    const fn key(code: KeyCode) -> KeyCombo {
        KeyCombo::plain(code)
    }
    &[
        (Continue, &[f(5), c('c')]),
        (Stop, &[shift(F(5))]),
        (Restart, &[KeyCombo::with(CTRL.union(SHIFT), F(5)), c('R')]),
        (Pause, &[f(6), c('p'), ctrl('c')]),
        (ToggleBreakpoint, &[f(9), c('b')]),
        (EditBreakpoint, &[c('B')]),
        (StepOver, &[f(10), c('n')]),
        (StepInto, &[f(11), c('s')]),
        (StepOut, &[shift(F(11)), c('r'), c('f')]),
        (RunToCursor, &[c('t')]),
        (Jump, &[c('J')]),
        (FrameUp, &[c('u')]),
        (FrameDown, &[c('d')]),
        (Quit, &[c('q')]),
        (Help, &[c('?'), f(1)]),
        (Search, &[c('/'), ctrl('f')]),
        (SearchNext, &[c('.'), f(3)]),
        (SearchPrev, &[c(','), shift(F(3))]),
        (GotoLine, &[c('L'), ctrl('g')]),
        (QuickOpen, &[ctrl('p')]),
        (NextPane, &[key(Tab)]),
        (PrevPane, &[key(BackTab)]),
        (FocusSource, &[c('1')]),
        (FocusVariables, &[c('2')]),
        (FocusStack, &[c('3')]),
        (FocusBreakpoints, &[c('4')]),
        (FocusConsole, &[c('5'), c('!')]),
        (Action::Up, &[key(KeyCode::Up), c('k')]),
        (Action::Down, &[key(KeyCode::Down), c('j')]),
        (Action::PageUp, &[key(KeyCode::PageUp)]),
        (Action::PageDown, &[key(KeyCode::PageDown)]),
        (Top, &[key(Home), c('g')]),
        (Bottom, &[key(End), c('G')]),
        (Expand, &[key(Right), c('l')]),
        (Collapse, &[key(Left), c('h')]),
        (Activate, &[key(Enter)]),
        (Action::Delete, &[key(KeyCode::Delete), c('x')]),
        (ToggleEnabled, &[c(' '), c('e')]),
        (AddWatch, &[c('w')]),
        (EditWatch, &[c('W')]),
        (ViewValue, &[c('v')]),
        (Environment, &[c('E')]),
        (Analysis, &[c('A')]),
        (Tests, &[c('T')]),
        (Cancel, &[key(Esc)]),
    ]
};

/// The keys bound to each action, and the reverse index lookups use. Every combination belongs
/// to at most one action.
#[derive(Clone, Debug)]
pub struct Keymap {
    /// Each action's keys in binding order, indexed by `Action as usize`.
    keys: Vec<Vec<KeyCombo>>,
    by_combo: HashMap<KeyCombo, Action>,
}

impl Default for Keymap {
    /// The built-in bindings (listed in `docs/CONFIG.md`).
    fn default() -> Keymap {
        let mut keymap = Keymap::empty();
        for (action, combos) in DEFAULTS {
            keymap.bind(*action, combos);
        }
        keymap
    }
}

impl Keymap {
    /// A keymap with nothing bound.
    pub fn empty() -> Keymap {
        Keymap { keys: vec![Vec::new(); Action::ALL.len()], by_combo: HashMap::new() }
    }

    /// The action `key` triggers, if any. `typing` says a text prompt has the focus: then a
    /// printable character without Ctrl or Alt is text, never an action, while function keys,
    /// arrows, Ctrl and Alt combinations, Esc, Enter, Tab and the like map as usual.
    pub fn lookup(&self, key: &KeyEvent, typing: bool) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let combo = KeyCombo::from_event(key);
        if typing && combo.is_text() {
            return None;
        }
        self.action_for(combo)
    }

    /// The action bound to `combo` (normalised first, so any spelling of the key works).
    pub fn action_for(&self, combo: KeyCombo) -> Option<Action> {
        self.by_combo.get(&KeyCombo::new(combo.code, combo.modifiers)).copied()
    }

    /// The keys that trigger `action`, in binding order (the first is the one hints show).
    pub fn keys_for(&self, action: Action) -> Vec<KeyCombo> {
        self.keys.get(action.index()).cloned().unwrap_or_default()
    }

    /// How messages name the keys for `action` under this keymap ("F6 or p"), so hints follow
    /// the user's remapping; an unbound action is named by its config name.
    pub fn hint(&self, action: Action) -> String {
        let keys: Vec<String> = self.keys_for(action).iter().take(2).map(|k| k.to_string()).collect();
        if keys.is_empty() {
            format!("{} (unbound)", action.name())
        } else {
            keys.join(" or ")
        }
    }

    /// Replaces `action`'s keys with `combos` (normalised, duplicates dropped; empty unbinds).
    /// A combination another action had is taken from it; the result lists each such
    /// `(combination, previous action)` so the caller can say so.
    pub fn bind(&mut self, action: Action, combos: &[KeyCombo]) -> Vec<(KeyCombo, Action)> {
        for old in std::mem::take(&mut self.keys[action.index()]) {
            self.by_combo.remove(&old);
        }
        let mut taken = Vec::new();
        let mut keys: Vec<KeyCombo> = Vec::with_capacity(combos.len());
        for combo in combos {
            let combo = KeyCombo::new(combo.code, combo.modifiers);
            if keys.contains(&combo) {
                continue;
            }
            if let Some(previous) = self.by_combo.insert(combo, action) {
                self.keys[previous.index()].retain(|k| *k != combo);
                taken.push((combo, previous));
            }
            keys.push(combo);
        }
        self.keys[action.index()] = keys;
        taken
    }

    /// Every action with its keys, in declaration order.
    pub fn bindings(&self) -> impl Iterator<Item = (Action, &[KeyCombo])> {
        Action::ALL.iter().map(|a| (*a, self.keys[a.index()].as_slice()))
    }
}

/// The default key table as Markdown, one table per help group: the text `docs/CONFIG.md`
/// carries between its `keys:begin`/`keys:end` markers (a unit test keeps the two in step).
pub fn default_keys_markdown() -> String {
    let keymap = Keymap::default();
    let mut out = String::new();
    for group in Group::ALL {
        out.push_str(&format!("### {}\n\n", group.title()));
        out.push_str("| Action | Default keys | What it does |\n");
        out.push_str("|---|---|---|\n");
        for action in group.actions() {
            let keys = keymap.keys_for(action);
            let keys = if keys.is_empty() {
                "(unbound)".to_string()
            } else {
                keys.iter().map(|k| markdown_code(&k.to_string())).collect::<Vec<_>>().join(" ")
            };
            out.push_str(&format!("| `{}` | {} | {} |\n", action.name(), keys, action.description()));
        }
        out.push('\n');
    }
    out
}

/// `text` as inline code that survives inside a Markdown table cell.
fn markdown_code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn all_lists_every_action_in_declaration_order() {
        for (i, action) in Action::ALL.iter().enumerate() {
            assert_eq!(action.index(), i, "{action:?} is out of place in Action::ALL");
        }
        // The last variant's index + 1 is the variant count, so nothing is missing either.
        assert_eq!(Action::ALL.len(), Action::Cancel as usize + 1);
        let names: HashSet<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), Action::ALL.len(), "two actions share a config name");
    }

    #[test]
    fn every_action_has_a_default_key_and_a_group() {
        let keymap = Keymap::default();
        for action in Action::ALL {
            assert!(!keymap.keys_for(*action).is_empty(), "{action:?} has no default key");
            assert!(Group::ALL.contains(&action.group()));
        }
        let grouped: usize = Group::ALL.iter().map(|g| g.actions().count()).sum();
        assert_eq!(grouped, Action::ALL.len());
    }

    #[test]
    fn no_two_default_actions_share_a_key() {
        let mut seen: HashMap<KeyCombo, Action> = HashMap::new();
        for (action, combos) in DEFAULTS {
            for combo in *combos {
                if let Some(other) = seen.insert(*combo, *action) {
                    panic!("{combo} is bound to both {other:?} and {action:?}");
                }
            }
        }
        // And building the keymap took nothing from anyone.
        let mut keymap = Keymap::empty();
        for (action, combos) in DEFAULTS {
            assert!(keymap.bind(*action, combos).is_empty());
        }
    }

    #[test]
    fn default_combos_are_in_normal_form() {
        for (action, combos) in DEFAULTS {
            for combo in *combos {
                assert_eq!(KeyCombo::new(combo.code, combo.modifiers), *combo, "{action:?}: {combo:?}");
            }
        }
    }

    #[test]
    fn bind_takes_a_key_from_its_previous_action() {
        let mut keymap = Keymap::default();
        let n = KeyCombo::char('n');
        let taken = keymap.bind(Action::SearchNext, &[n, n]);
        assert_eq!(taken, vec![(n, Action::StepOver)]);
        assert_eq!(keymap.keys_for(Action::SearchNext), vec![n]);
        assert_eq!(keymap.keys_for(Action::StepOver), vec![KeyCombo::plain(KeyCode::F(10))]);
        assert_eq!(keymap.action_for(n), Some(Action::SearchNext));
        // The old keys of the rebound action are free now.
        assert_eq!(keymap.action_for(KeyCombo::char('.')), None);
    }

    #[test]
    fn markdown_escapes_table_breakers() {
        assert_eq!(markdown_code("|"), "`\\|`");
        assert_eq!(markdown_code("`"), "`` ` ``");
    }
}
