//! Plain data the session hands to front ends.

use std::path::PathBuf;

pub type ThreadId = i64;
pub type FrameId = i64;
/// A handle to a value's children; 0 means the value has none.
pub type VarRef = i64;

/// Why the debuggee stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    Breakpoint,
    Step,
    Exception,
    Pause,
    Entry,
    Goto,
    FunctionBreakpoint,
    Other(String),
}

impl StopReason {
    pub fn from_dap(reason: &str) -> Self {
        match reason {
            "breakpoint" => StopReason::Breakpoint,
            "step" => StopReason::Step,
            "exception" => StopReason::Exception,
            "pause" => StopReason::Pause,
            "entry" => StopReason::Entry,
            "goto" => StopReason::Goto,
            "function breakpoint" => StopReason::FunctionBreakpoint,
            other => StopReason::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            StopReason::Breakpoint => "breakpoint",
            StopReason::Step => "step",
            StopReason::Exception => "exception",
            StopReason::Pause => "pause",
            StopReason::Entry => "entry",
            StopReason::Goto => "goto",
            StopReason::FunctionBreakpoint => "function breakpoint",
            StopReason::Other(s) => s,
        }
    }
}

/// A stop, as reported to front ends.
#[derive(Debug, Clone)]
pub struct StopInfo {
    pub reason: StopReason,
    pub thread: ThreadId,
    pub all_threads_stopped: bool,
    pub description: Option<String>,
    /// For exceptions: the exception text.
    pub text: Option<String>,
    /// loupe breakpoint ids that caused this stop.
    pub hit_breakpoints: Vec<super::BreakpointId>,
}

/// Which stream a piece of output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputCategory {
    Stdout,
    Stderr,
    /// Messages from the debugger itself (logpoints, adapter notices).
    Console,
}

impl OutputCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            OutputCategory::Stdout => "stdout",
            OutputCategory::Stderr => "stderr",
            OutputCategory::Console => "console",
        }
    }
}

/// Everything that happens on its own, as one stream.
#[derive(Debug, Clone)]
pub enum SessionEvent {
    Stopped(StopInfo),
    Continued {
        thread: Option<ThreadId>,
    },
    Output {
        category: OutputCategory,
        text: String,
    },
    Thread {
        thread: ThreadId,
        name: Option<String>,
        started: bool,
    },
    /// A debuggee process (the main one, or a child started by subprocess/multiprocessing).
    Process {
        name: String,
        pid: Option<i64>,
        child: bool,
    },
    /// A breakpoint's verification, line or message changed.
    BreakpointChanged(super::Breakpoint),
    /// A breakpoint was removed outside loupe's own commands (`clear` typed at pdb's prompt).
    BreakpointRemoved(super::BreakpointId),
    /// The main debuggee process ended. `signal` is set when it was killed by one.
    Exited {
        code: i64,
        signal: Option<String>,
    },
    /// The debug session is over; no more events follow (until a restart).
    Terminated,
    /// Something went wrong in the backend that the user should know about.
    Problem(String),
    /// Something the backend worked out on its own that the user should know about (a path
    /// mapping it inferred); shown in the status line, and as a `notice` event in batch mode.
    Notice(String),
    /// The debugger's own prompt selected another frame of the stopped thread (pdb's `up` or
    /// `down` typed in its terminal); `index` counts from the innermost frame.
    FrameSelected {
        thread: ThreadId,
        index: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadInfo {
    pub id: ThreadId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub id: FrameId,
    pub function: String,
    /// Absolute local path (after path mapping), when the frame has a file.
    pub file: Option<PathBuf>,
    pub line: i64,
    pub column: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Locals,
    Globals,
    Other,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub name: String,
    pub kind: ScopeKind,
    pub variables: VarRef,
    pub expensive: bool,
}

/// One variable or child value. `value` is capped (see [`super::values`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub value: String,
    /// True when `value` was cut to the cap; evaluate `evaluate_name` to see all of it.
    pub truncated: bool,
    pub type_name: Option<String>,
    pub children: VarRef,
    pub evaluate_name: Option<String>,
    /// How many children the backend says it has, when known.
    pub child_count: Option<i64>,
    /// Set when this is a grouping node rather than a value.
    pub group: Option<VariableGroup>,
}

/// Grouping nodes some backends put among variables (debugpy's "special variables", ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableGroup {
    /// Dunder attributes: rarely wanted, hidden from flat listings.
    Special,
    /// Functions, classes, protected members: flattened into listings.
    Members,
}

/// A page of children.
#[derive(Debug, Clone)]
pub struct VariablePage {
    pub variables: Vec<Variable>,
    pub start: usize,
    /// Total children known to loupe (the backend may itself cap what it sends).
    pub total: usize,
}

impl VariablePage {
    pub fn has_more(&self) -> bool {
        self.start + self.variables.len() < self.total
    }
}

/// Where an expression is evaluated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalContext {
    Repl,
    Watch,
    Hover,
    /// The whole value, for a viewer or the clipboard: capped at [`super::values::MAX_FULL_VALUE_CHARS`].
    Clipboard,
}

impl EvalContext {
    pub fn as_dap(self) -> &'static str {
        match self {
            EvalContext::Repl => "repl",
            EvalContext::Watch => "watch",
            EvalContext::Hover => "hover",
            EvalContext::Clipboard => "clipboard",
        }
    }
}

#[derive(Debug, Clone)]
pub struct EvalResult {
    pub value: String,
    pub truncated: bool,
    pub type_name: Option<String>,
    pub children: VarRef,
}

#[derive(Debug, Clone)]
pub struct Completion {
    pub label: String,
    pub text: String,
    pub kind: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ExceptionInfo {
    pub exception_id: String,
    pub description: Option<String>,
    pub break_mode: String,
    pub stack_trace: Option<String>,
}

/// Exception breakpoint filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExceptionFilter {
    /// Every raised exception.
    Raised,
    /// Exceptions nobody catches.
    Uncaught,
    /// Exceptions that leave user code (debugpy's `userUnhandled`).
    UserUnhandled,
}

/// How execution resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeAction {
    Continue,
    Next,
    StepIn,
    StepOut,
}

/// What a backend can do.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    pub jump: bool,
    pub set_variable: bool,
    pub completions: bool,
    pub exception_info: bool,
    pub function_breakpoints: bool,
    pub log_points: bool,
    pub hit_conditions: bool,
    /// The backend applies hit conditions itself, so a breakpoint waiting for a later hit never
    /// stops the program (and never ends a step early), and reports hit counts
    /// ([`super::BackendEvent::HitCounts`]).
    pub counts_hits: bool,
}
