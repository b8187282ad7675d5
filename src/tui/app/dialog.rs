//! Modal dialogs: search, go to line, breakpoint editing, watch editing, setting a value, and the
//! whole-value viewer. Each holds only what it needs to render and to submit.

use crate::session::{BreakpointId, VarRef};

use super::input::TextInput;
use super::quick_open::QuickOpen;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    Search(TextInput),
    GotoLine(TextInput),
    /// Open a file by a few letters of its name.
    QuickOpen(QuickOpen),
    Breakpoint(BreakpointForm),
    /// Add (index None) or edit a watch.
    Watch {
        index: Option<usize>,
        input: TextInput,
    },
    SetValue {
        parent: VarRef,
        name: String,
        input: TextInput,
    },
    /// The whole of a value; `text` is None while it loads.
    Value {
        title: String,
        text: Option<String>,
        scroll: u16,
    },
}

impl Dialog {
    pub fn title(&self) -> String {
        match self {
            Dialog::Search(_) => "Search".into(),
            Dialog::GotoLine(_) => "Go to line".into(),
            Dialog::QuickOpen(q) if q.partial => "Open file (the first files found)".into(),
            Dialog::QuickOpen(_) => "Open file".into(),
            Dialog::Breakpoint(f) => match f.id {
                Some(id) => format!("Breakpoint {id} at {}", f.location),
                None => format!("New breakpoint at {}", f.location),
            },
            Dialog::Watch { index: None, .. } => "Add watch".into(),
            Dialog::Watch { .. } => "Edit watch".into(),
            Dialog::SetValue { name, .. } => format!("Set {name}"),
            Dialog::Value { title, .. } => title.clone(),
        }
    }
}

/// The breakpoint editor: condition, hit condition and log message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakpointForm {
    /// None: a new breakpoint at `file:line`.
    pub id: Option<BreakpointId>,
    pub location: String,
    pub file: std::path::PathBuf,
    pub line: i64,
    pub fields: [TextInput; 3],
    pub focus: usize,
    pub error: Option<String>,
}

impl BreakpointForm {
    pub const LABELS: [&'static str; 3] = ["Condition", "Hit condition (== N, >= N, % N)", "Log message"];
}
