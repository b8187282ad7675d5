//! What a debugger backend provides. Backends translate their protocol into these calls and
//! events; nothing above the session sees a backend type.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::breakpoints::{BreakpointSpec, HitCondition};
use super::program::ProgramSpec;

use super::model::*;

/// A line breakpoint as sent to a backend (loupe's registry keeps ids, enablement and temporaries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineBreakpointRequest {
    pub line: i64,
    pub condition: Option<String>,
    /// Each backend writes it in its own syntax.
    pub hit_condition: Option<HitCondition>,
    pub log_message: Option<String>,
}

/// A function breakpoint as sent to a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionBreakpointRequest {
    pub name: String,
    pub condition: Option<String>,
    pub hit_condition: Option<HitCondition>,
}

/// The backend's answer for one breakpoint, in request order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BreakpointStatus {
    /// The backend's id, used in later updates and stop reports.
    pub backend_id: Option<i64>,
    pub verified: bool,
    /// Where the backend actually put it (it may move a breakpoint to the next line with code).
    pub line: Option<i64>,
    pub message: Option<String>,
}

/// Events in backend terms; the session turns them into [`SessionEvent`]s.
#[derive(Debug, Clone)]
pub enum BackendEvent {
    /// A stop; `hit_backend_ids` are the backend's breakpoint ids.
    Stopped {
        info: StopInfo,
        hit_backend_ids: Vec<i64>,
    },
    /// The backend changed a breakpoint on its own (verified later, moved).
    BreakpointUpdate {
        status: BreakpointStatus,
    },
    /// A breakpoint made, changed or removed in the backend's own interface (a `break` typed at
    /// pdb's prompt); the session adopts it.
    BreakpointEdited(BreakpointEdit),
    /// How often each breakpoint was reached with its condition true, by backend id, from a
    /// backend that [`Capabilities::counts_hits`] (sent before the stop it belongs to).
    HitCounts(Vec<(i64, u64)>),
    Session(SessionEvent),
}

/// What a command typed at the backend's own prompt did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DebuggerReply {
    /// What the debugger printed in answer (without the echoed command and the next prompt).
    pub output: String,
    /// The command resumed the program: a stop or the end follows as events.
    pub resumed: bool,
}

/// See [`BackendEvent::BreakpointEdited`].
#[derive(Debug, Clone)]
pub enum BreakpointEdit {
    Added { backend_id: i64, spec: BreakpointSpec, enabled: bool },
    Changed { backend_id: i64, condition: Option<String>, enabled: bool },
    Removed { backend_id: i64 },
}

pub type EventSink = mpsc::UnboundedSender<BackendEvent>;

/// A running debugger backend, in its configuration phase until [`Backend::configuration_done`].
#[async_trait]
pub trait Backend: Send + Sync {
    /// `debugpy`, `pdb`, ...
    fn name(&self) -> &str;
    fn capabilities(&self) -> Capabilities;

    /// Replaces every line breakpoint in `file`.
    async fn set_line_breakpoints(
        &self,
        file: &Path,
        breakpoints: &[LineBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>>;
    /// Replaces every function breakpoint.
    async fn set_function_breakpoints(
        &self,
        breakpoints: &[FunctionBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>>;
    async fn set_exception_filters(&self, filters: &[ExceptionFilter]) -> anyhow::Result<()>;
    /// Ends the configuration phase: the program runs.
    async fn configuration_done(&self) -> anyhow::Result<()>;

    async fn resume(&self, thread: ThreadId, action: ResumeAction) -> anyhow::Result<()>;
    async fn pause(&self, thread: ThreadId) -> anyhow::Result<()>;
    /// Sets the next statement of the top frame of `thread`.
    async fn jump(&self, thread: ThreadId, file: &Path, line: i64) -> anyhow::Result<()>;

    async fn threads(&self) -> anyhow::Result<Vec<ThreadInfo>>;
    async fn stack_trace(&self, thread: ThreadId, levels: Option<i64>) -> anyhow::Result<Vec<Frame>>;
    async fn scopes(&self, frame: FrameId) -> anyhow::Result<Vec<Scope>>;
    /// All children of `reference` that the backend will give (the session pages them).
    async fn variables(&self, reference: VarRef) -> anyhow::Result<Vec<Variable>>;
    async fn evaluate(
        &self,
        expression: &str,
        frame: Option<FrameId>,
        context: EvalContext,
    ) -> anyhow::Result<EvalResult>;
    async fn set_variable(&self, reference: VarRef, name: &str, value: &str) -> anyhow::Result<EvalResult>;
    async fn completions(&self, frame: Option<FrameId>, text: &str, column: i64) -> anyhow::Result<Vec<Completion>>;
    async fn exception_info(&self, thread: ThreadId) -> anyhow::Result<ExceptionInfo>;

    /// Sends text to the program's standard input (for programs that read it while debugged).
    async fn write_stdin(&self, _text: &str) -> anyhow::Result<()> {
        anyhow::bail!("the {} backend cannot write to this program's input", self.name())
    }

    /// Types a command at the backend's own debugger prompt (pdb's), as a user would.
    async fn debugger_command(&self, _text: &str) -> anyhow::Result<DebuggerReply> {
        anyhow::bail!("the {} backend has no debugger prompt of its own: use loupe's commands", self.name())
    }

    /// Ends the debuggee (and its children).
    async fn terminate(&self) -> anyhow::Result<()>;
    /// Leaves the debuggee running (attach) or ends it (`terminate_debuggee`).
    async fn disconnect(&self, terminate_debuggee: bool) -> anyhow::Result<()>;
}

/// Starts a backend; kept by the session so restart can start the same program again.
#[async_trait]
pub trait Launcher: Send + Sync {
    /// Starts the backend and returns it in its configuration phase. Events go to `events`.
    async fn start(&self, events: EventSink) -> anyhow::Result<Box<dyn Backend>>;
    /// True when loupe attached to a program it did not start: it cannot restart it, and leaving
    /// should detach rather than end it.
    fn attached(&self) -> bool;
    /// A file path as the user gave it, made absolute the way the backend expects.
    fn absolute(&self, file: &Path) -> PathBuf;
    /// The program loupe starts, when it starts one: its interpreter and sandbox also tell which
    /// lines of a file have code (see `placement.rs`).
    fn program(&self) -> Option<&ProgramSpec> {
        None
    }
    /// The same launcher with the program's arguments replaced (the tests overlay runs one test
    /// of a pytest run this way); None when loupe does not start the program.
    fn with_args(&self, _args: Vec<String>) -> Option<Box<dyn Launcher>> {
        None
    }
}

/// A source path as the user typed it (`demo.py`), made absolute: relative to the working
/// directory when that file exists, else next to `program` (`break demo.py:3` typed from
/// elsewhere), else relative to the working directory anyway.
pub fn absolute_source_path(file: &Path, program: Option<&Path>) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    if absolute.exists() || file.is_absolute() {
        return absolute;
    }
    program.and_then(Path::parent).map(|dir| dir.join(file)).filter(|candidate| candidate.exists()).unwrap_or(absolute)
}
