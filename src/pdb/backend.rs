//! The pdb/ipdb backend: [`Backend`] over the bridge's socket and the debuggee's terminal.
//!
//! State comes only from the bridge (stops, frames, values); control is typed into the terminal
//! like a user would, so the pdb transcript stays true. The configuration phase is the bridge's
//! entry stop, held back from the session: breakpoints are set there, then the stop is reported
//! (stop on entry) or the program continues.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use async_trait::async_trait;
use serde_json::json;
use tokio::net::UnixListener;
use tokio::sync::{mpsc, watch};

use super::channel::Channel;
use super::protocol::{
    bridge_hit_condition, BreakpointResult, BridgeEvent, BridgeFrame, BridgeVariable, CompletionResult, ScopeResult,
    StopReport, TypedBreakpoint, ValueResult, VariablesResult,
};
use crate::sandbox::PythonProcess;
use crate::session::{
    Backend, BackendEvent, BreakpointEdit, BreakpointSpec, BreakpointStatus, Capabilities, Completion, DebuggerReply,
    EvalContext, EvalResult, EventSink, ExceptionFilter, ExceptionInfo, Frame, FrameId, FunctionBreakpointRequest,
    Launcher, LineBreakpointRequest, OutputCategory, ProgramSpec, ResumeAction, Scope, ScopeKind, SessionEvent,
    StopInfo, StopReason, Target, ThreadId, ThreadInfo, VarRef, Variable,
};
use crate::session::{ProgramTerminal, TerminalSlot};

/// The bridge's modules (`loupe_pdb` is the entry; the rest split it by concern), written out
/// together into one directory on the debuggee's `PYTHONPATH`.
const BRIDGE: &[(&str, &str)] = &[
    ("loupe_pdb.py", include_str!("../../adapters/pdb/loupe_pdb.py")),
    ("loupe_pdb_channel.py", include_str!("../../adapters/pdb/loupe_pdb_channel.py")),
    ("loupe_pdb_values.py", include_str!("../../adapters/pdb/loupe_pdb_values.py")),
    ("loupe_pdb_breakpoints.py", include_str!("../../adapters/pdb/loupe_pdb_breakpoints.py")),
    ("loupe_pdb_bridge.py", include_str!("../../adapters/pdb/loupe_pdb_bridge.py")),
    ("loupe_pdb_debugger.py", include_str!("../../adapters/pdb/loupe_pdb_debugger.py")),
];
/// How long a pause waits for pdb to take the command typed before it.
const PAUSE_WAIT: Duration = Duration::from_secs(10);
/// How long the bridge may take to connect and say hello (importing IPython is slow).
const HELLO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a command typed for `debugger_command` may take to come back to the prompt.
const COMMAND_WAIT: Duration = Duration::from_secs(60);

/// Which debugger runs in the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Debugger {
    Pdb,
    Ipdb,
}

impl Debugger {
    pub fn name(self) -> &'static str {
        match self {
            Debugger::Pdb => "pdb",
            Debugger::Ipdb => "ipdb",
        }
    }
}

/// A program for pdb or ipdb to run.
#[derive(Debug, Clone)]
pub struct PdbSpec {
    pub program: ProgramSpec,
    pub debugger: Debugger,
}

pub struct PdbLauncher {
    pub spec: PdbSpec,
    pub terminal: TerminalSlot,
}

#[async_trait]
impl Launcher for PdbLauncher {
    async fn start(&self, events: EventSink) -> anyhow::Result<Box<dyn Backend>> {
        let backend = PdbBackend::start(&self.spec, events).await?;
        if let Ok(mut slot) = self.terminal.lock() {
            *slot = Some(backend.terminal());
        }
        Ok(Box::new(backend))
    }

    fn attached(&self) -> bool {
        false
    }

    fn absolute(&self, file: &Path) -> PathBuf {
        crate::session::absolute_source_path(file, self.spec.program.script())
    }

    fn program(&self) -> Option<&ProgramSpec> {
        Some(&self.spec.program)
    }

    fn with_args(&self, args: Vec<String>) -> Option<Box<dyn Launcher>> {
        let mut spec = self.spec.clone();
        spec.program.args = args;
        Some(Box::new(PdbLauncher { spec, terminal: self.terminal.clone() }))
    }
}

/// Where the program is, as far as the backend knows.
#[derive(Debug, Default)]
struct State {
    /// Set by `configuration_done`.
    configured: bool,
    /// The entry stop, seen before the session was configured.
    held_entry: Option<StopReport>,
    /// The current stop; None while the program runs.
    stop: Option<StopReport>,
    /// The code the bridge said the program exited with.
    exit_code: Option<i64>,
    /// A resume command was typed and the bridge has not said `running` yet: pdb may not have
    /// read it, and a SIGINT now would cancel it at the prompt instead of pausing the program.
    awaiting_running: bool,
}

/// The debugger's latest turn: back at its prompt, resumed, or stopped. `debugger_command` waits
/// for the next one after typing.
#[derive(Debug, Clone, Default)]
struct Turn {
    seq: u64,
    output: String,
    resumed: bool,
}

pub struct PdbBackend {
    channel: Channel,
    terminal: Arc<ProgramTerminal>,
    state: Arc<Mutex<State>>,
    events: EventSink,
    debugger: Debugger,
    stop_on_entry: bool,
    turns: watch::Receiver<Turn>,
    /// Keeps the socket's private directory until the backend goes.
    _socket_dir: tempfile::TempDir,
}

impl PdbBackend {
    pub async fn start(spec: &PdbSpec, events: EventSink) -> anyhow::Result<PdbBackend> {
        // No separate syntax check (a second Python start-up, ~40 ms): the bridge compiles the
        // program itself and stops post-mortem on a SyntaxError, with the line and column.
        spec.program.check()?;
        let socket_dir =
            tempfile::Builder::new().prefix("loupe-pdb-").tempdir().context("creating a socket directory")?;
        let socket_path = socket_dir.path().join("bridge.sock");
        let listener = UnixListener::bind(&socket_path)
            .with_context(|| format!("listening on {} for the pdb bridge", socket_path.display()))?;
        let process = bridge_process(spec, &socket_path)?;
        let terminal = Arc::new(ProgramTerminal::spawn(&process)?);

        let stream = {
            let mut exit = terminal.exit.clone();
            tokio::select! {
                accepted = tokio::time::timeout(HELLO_TIMEOUT, listener.accept()) => match accepted {
                    Ok(Ok((stream, _))) => stream,
                    Ok(Err(e)) => return Err(anyhow!("accepting the pdb bridge's connection: {e}")),
                    Err(_) => bail!("{} did not start within {}s: {}", spec.debugger.name(), HELLO_TIMEOUT.as_secs(), screen_tail(&terminal)),
                },
                _ = exit.wait_for(Option::is_some) => bail!(
                    "the program ended before {} could start: {}",
                    spec.debugger.name(),
                    screen_tail(&terminal)
                ),
            }
        };
        let (channel, mut bridge_events) = Channel::start(stream);
        match tokio::time::timeout(HELLO_TIMEOUT, bridge_events.recv()).await {
            Ok(Some(BridgeEvent::Hello { pid, python, debugger })) => {
                tracing::info!("{debugger} bridge up: pid {pid}, Python {python}");
                let _ = events.send(BackendEvent::Session(SessionEvent::Process {
                    name: program_name(spec),
                    pid: Some(i64::from(pid)),
                    child: false,
                }));
            }
            Ok(Some(BridgeEvent::Error { message })) => bail!("{message}"),
            Ok(Some(other)) => bail!("the pdb bridge began with {other:?} instead of hello"),
            Ok(None) => bail!("the pdb bridge hung up before saying hello: {}", screen_tail(&terminal)),
            Err(_) => bail!("the pdb bridge did not say hello within {}s", HELLO_TIMEOUT.as_secs()),
        }

        let state = Arc::new(Mutex::new(State::default()));
        let (turn_tx, turns) = watch::channel(Turn::default());
        let backend = PdbBackend {
            channel,
            terminal: Arc::clone(&terminal),
            state: Arc::clone(&state),
            events: events.clone(),
            debugger: spec.debugger,
            stop_on_entry: spec.program.stop_on_entry,
            turns,
            _socket_dir: socket_dir,
        };
        tokio::spawn(pump(bridge_events, terminal, state, events, turn_tx, spec.program.stop_on_entry));
        Ok(backend)
    }

    /// The debuggee's terminal (the TUI shows it as the console).
    pub fn terminal(&self) -> Arc<ProgramTerminal> {
        Arc::clone(&self.terminal)
    }

    fn lock(&self) -> anyhow::Result<std::sync::MutexGuard<'_, State>> {
        self.state.lock().map_err(|_| anyhow!("the pdb backend's state is broken"))
    }

    /// The current stop, or an error saying the program runs.
    fn current_stop(&self) -> anyhow::Result<StopReport> {
        self.lock()?.stop.clone().ok_or_else(|| anyhow!("the program is running"))
    }
}

/// The bridge's events, turned into the session's; then the end of the program.
async fn pump(
    mut bridge: mpsc::UnboundedReceiver<BridgeEvent>,
    terminal: Arc<ProgramTerminal>,
    state: Arc<Mutex<State>>,
    events: EventSink,
    turns: watch::Sender<Turn>,
    stop_on_entry: bool,
) {
    let next_turn = |output: String, resumed: bool| {
        turns.send_modify(|t| *t = Turn { seq: t.seq + 1, output, resumed });
    };
    while let Some(event) = bridge.recv().await {
        let Ok(mut s) = state.lock() else { break };
        match event {
            BridgeEvent::Stopped(report) => {
                next_turn(String::new(), true);
                if !report.hits.is_empty() {
                    let _ = events.send(BackendEvent::HitCounts(report.hits.clone()));
                }
                terminal.set_at_prompt(true);
                s.stop = Some(report.clone());
                // A command can end in a stop without `running` (jump, continue onto the entry
                // line's breakpoint).
                s.awaiting_running = false;
                if !s.configured {
                    s.held_entry = Some(report);
                    continue;
                }
                if report.reason == "entry" && !stop_on_entry {
                    // Configured before the entry stop arrived: carry on as configured.
                    s.stop = None;
                    s.awaiting_running = true;
                    drop(s);
                    if let Err(e) = terminal.type_command("continue") {
                        tracing::warn!("continuing from the entry stop: {e:#}");
                    }
                    continue;
                }
                let _ = events.send(stopped_event(&report));
            }
            BridgeEvent::Prompt { current, frames, output } => {
                next_turn(output, false);
                let configured = s.configured;
                if let Some(stop) = s.stop.as_mut() {
                    let moved = stop.current != current;
                    stop.current = current;
                    if !frames.is_empty() {
                        stop.frames = frames;
                    }
                    if moved && configured {
                        let thread = thread_id(stop);
                        let _ =
                            events.send(BackendEvent::Session(SessionEvent::FrameSelected { thread, index: current }));
                    }
                }
            }
            BridgeEvent::Running { output } => {
                next_turn(output, true);
                terminal.set_at_prompt(false);
                s.stop = None;
                s.awaiting_running = false;
                if s.configured {
                    let _ = events.send(BackendEvent::Session(SessionEvent::Continued { thread: None }));
                }
            }
            BridgeEvent::Breakpoints { added, changed, removed } => {
                let edits = added
                    .into_iter()
                    .map(adopted)
                    .chain(changed.into_iter().map(|c| BreakpointEdit::Changed {
                        backend_id: c.number,
                        condition: c.condition,
                        enabled: c.enabled,
                    }))
                    .chain(removed.into_iter().map(|backend_id| BreakpointEdit::Removed { backend_id }));
                for edit in edits {
                    let _ = events.send(BackendEvent::BreakpointEdited(edit));
                }
            }
            BridgeEvent::Output { category, text } => {
                let category = match category.as_str() {
                    "stderr" => OutputCategory::Stderr,
                    "console" => OutputCategory::Console,
                    _ => OutputCategory::Stdout,
                };
                let _ = events.send(BackendEvent::Session(SessionEvent::Output { category, text }));
            }
            BridgeEvent::Exited { code } => s.exit_code = Some(code),
            BridgeEvent::Error { message } => {
                let _ = events.send(BackendEvent::Session(SessionEvent::Problem(message)));
            }
            BridgeEvent::Hello { .. } => tracing::warn!("the pdb bridge said hello twice"),
        }
    }
    // The bridge is gone: the process is ending (or has ended).
    let status = match wait_exit(&terminal, Duration::from_secs(5)).await {
        Some(status) => Some(status),
        None => {
            terminal.kill();
            wait_exit(&terminal, Duration::from_secs(5)).await
        }
    };
    let said = state.lock().ok().and_then(|s| s.exit_code);
    let (code, signal) = match status {
        Some(status) if status.signal.is_some() => (status.code, status.signal),
        Some(status) => (said.unwrap_or(status.code), None),
        None => (said.unwrap_or(-1), None),
    };
    let _ = events.send(BackendEvent::Session(SessionEvent::Exited { code, signal }));
    let _ = events.send(BackendEvent::Session(SessionEvent::Terminated));
}

/// The process's exit status, once it has one (None after `timeout`).
async fn wait_exit(terminal: &ProgramTerminal, timeout: Duration) -> Option<crate::session::terminal::ExitStatus> {
    let mut exit = terminal.exit.clone();
    let status = tokio::time::timeout(timeout, exit.wait_for(Option::is_some)).await.ok()?.ok()?.clone();
    status
}

fn stopped_event(report: &StopReport) -> BackendEvent {
    // The bridge names reasons as DAP does.
    let reason = StopReason::from_dap(&report.reason);
    // As debugpy reports them: the exception's type as the text, its message as the description.
    let text = report.exception.as_ref().map(|e| e.type_name.clone());
    let description = report.exception.as_ref().map(|e| e.message.clone()).filter(|m| !m.is_empty());
    BackendEvent::Stopped {
        info: StopInfo {
            reason,
            thread: thread_id(report),
            all_threads_stopped: true,
            description,
            text,
            hit_breakpoints: Vec::new(),
        },
        hit_backend_ids: report.hit.clone(),
    }
}

/// A breakpoint typed at the prompt, as the session's.
fn adopted(b: TypedBreakpoint) -> BreakpointEdit {
    let spec =
        BreakpointSpec { condition: b.condition, temporary: b.temporary, ..BreakpointSpec::line(b.file, b.line) };
    BreakpointEdit::Added { backend_id: b.number, spec, enabled: b.enabled }
}

/// pdb debugs one thread; its id is the bridge's (or 1 when it did not say).
fn thread_id(report: &StopReport) -> ThreadId {
    if report.thread == 0 {
        1
    } else {
        report.thread
    }
}

#[async_trait]
impl Backend for PdbBackend {
    fn name(&self) -> &str {
        self.debugger.name()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            jump: true,
            set_variable: true,
            completions: true,
            exception_info: true,
            function_breakpoints: true,
            log_points: true,
            hit_conditions: true,
            counts_hits: true,
        }
    }

    async fn set_line_breakpoints(
        &self,
        file: &Path,
        breakpoints: &[LineBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>> {
        let list: Vec<_> = breakpoints
            .iter()
            .map(|b| {
                json!({ "line": b.line, "condition": b.condition, "hit_condition": b.hit_condition.map(bridge_hit_condition),
                        "log_message": b.log_message })
            })
            .collect();
        let results: Vec<BreakpointResult> =
            self.channel.request("set_breakpoints", json!({ "file": file, "breakpoints": list })).await?;
        Ok(results.into_iter().map(status).collect())
    }

    async fn set_function_breakpoints(
        &self,
        breakpoints: &[FunctionBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>> {
        let list: Vec<_> = breakpoints
            .iter()
            .map(|b| json!({ "name": b.name, "condition": b.condition, "hit_condition": b.hit_condition.map(bridge_hit_condition) }))
            .collect();
        let results: Vec<BreakpointResult> =
            self.channel.request("set_function_breakpoints", json!({ "breakpoints": list })).await?;
        Ok(results.into_iter().map(status).collect())
    }

    async fn set_exception_filters(&self, filters: &[ExceptionFilter]) -> anyhow::Result<()> {
        let names: Vec<&str> = filters
            .iter()
            .map(|f| match f {
                ExceptionFilter::Raised => "raised",
                ExceptionFilter::Uncaught => "uncaught",
                // The bridge decides what user code is as debugpy's justMyCode does.
                ExceptionFilter::UserUnhandled => "user-unhandled",
            })
            .collect();
        let _: serde_json::Value = self.channel.request("set_exception_filters", json!({ "filters": names })).await?;
        Ok(())
    }

    async fn configuration_done(&self) -> anyhow::Result<()> {
        let held = {
            let mut s = self.lock()?;
            s.configured = true;
            s.held_entry.take()
        };
        match held {
            // Not at the entry stop yet: the event pump finishes the job when it arrives.
            None => Ok(()),
            Some(report) if self.stop_on_entry => {
                let _ = self.events.send(stopped_event(&report));
                Ok(())
            }
            Some(_) => {
                {
                    let mut s = self.lock()?;
                    s.stop = None;
                    s.awaiting_running = true;
                }
                self.terminal.type_command("continue")
            }
        }
    }

    async fn resume(&self, _thread: ThreadId, action: ResumeAction) -> anyhow::Result<()> {
        let command = match action {
            ResumeAction::Continue => "continue",
            ResumeAction::Next => "next",
            ResumeAction::StepIn => "step",
            ResumeAction::StepOut => "return",
        };
        {
            let mut s = self.lock()?;
            if s.stop.is_none() {
                bail!("the program is running");
            }
            // Running from now on: a second command must not be typed into the program's input.
            s.stop = None;
            s.awaiting_running = true;
        }
        self.terminal.type_command(command)
    }

    async fn pause(&self, _thread: ThreadId) -> anyhow::Result<()> {
        // Wait until pdb has taken the last resume command (a SIGINT at its prompt would cancel
        // the command instead of pausing the program); a stop in the meantime is as good.
        let deadline = tokio::time::Instant::now() + PAUSE_WAIT;
        loop {
            {
                let s = self.lock()?;
                if s.stop.is_some() {
                    return Ok(());
                }
                if !s.awaiting_running {
                    break;
                }
            }
            if tokio::time::Instant::now() >= deadline {
                bail!(
                    "{} did not take the last command within {}s; not pausing",
                    self.debugger.name(),
                    PAUSE_WAIT.as_secs()
                );
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        self.terminal.signal(nix::sys::signal::Signal::SIGINT)
    }

    async fn debugger_command(&self, text: &str) -> anyhow::Result<DebuggerReply> {
        if text.contains(['\r', '\n']) {
            bail!("type one {} command at a time ({text:?} has a line break)", self.debugger.name());
        }
        self.current_stop()?;
        let mut turns = self.turns.clone();
        let before = turns.borrow_and_update().seq;
        self.terminal.type_command(text)?;
        let mut exit = self.terminal.exit.clone();
        tokio::select! {
            turn = tokio::time::timeout(COMMAND_WAIT, turns.wait_for(|t| t.seq > before)) => match turn {
                Ok(Ok(turn)) => Ok(DebuggerReply { output: turn.output.clone(), resumed: turn.resumed }),
                Ok(Err(_)) => Ok(DebuggerReply { output: String::new(), resumed: true }),
                Err(_) => bail!(
                    "{} did not come back to its prompt within {}s after {text:?}; it may be waiting for an answer \
                     (`clear` without a number asks for confirmation: answer in its terminal, or use `clear N`)",
                    self.debugger.name(),
                    COMMAND_WAIT.as_secs()
                ),
            },
            // `quit`, or a program that ended.
            _ = exit.wait_for(Option::is_some) => Ok(DebuggerReply { output: String::new(), resumed: true }),
        }
    }

    async fn jump(&self, _thread: ThreadId, file: &Path, line: i64) -> anyhow::Result<()> {
        let stop = self.current_stop()?;
        let top = stop.frames.first().ok_or_else(|| anyhow!("there is no frame to jump in"))?;
        if top.file.as_deref() != Some(file) {
            bail!("pdb can only jump within the file of the innermost frame ({})", describe_file(top));
        }
        self.terminal.type_command(&format!("jump {line}"))
    }

    async fn threads(&self) -> anyhow::Result<Vec<ThreadInfo>> {
        let id = self.lock()?.stop.as_ref().map(thread_id).unwrap_or(1);
        Ok(vec![ThreadInfo { id, name: "MainThread".into() }])
    }

    async fn stack_trace(&self, _thread: ThreadId, levels: Option<i64>) -> anyhow::Result<Vec<Frame>> {
        let stop = self.current_stop()?;
        let take = levels.and_then(|l| usize::try_from(l).ok()).filter(|l| *l > 0).unwrap_or(usize::MAX);
        Ok(stop
            .frames
            .iter()
            .take(take)
            .map(|f| Frame { id: f.id, function: f.name.clone(), file: f.file.clone(), line: f.line, column: 1 })
            .collect())
    }

    async fn scopes(&self, frame: FrameId) -> anyhow::Result<Vec<Scope>> {
        let scopes: Vec<ScopeResult> = self.channel.request("scopes", json!({ "frame": frame })).await?;
        Ok(scopes
            .into_iter()
            .map(|s| Scope {
                kind: match s.kind.as_str() {
                    "locals" => ScopeKind::Locals,
                    "globals" => ScopeKind::Globals,
                    _ => ScopeKind::Other,
                },
                name: s.name,
                variables: s.reference,
                expensive: false,
            })
            .collect())
    }

    async fn variables(&self, reference: VarRef) -> anyhow::Result<Vec<Variable>> {
        let result: VariablesResult =
            self.channel.request("variables", json!({ "ref": reference, "start": 0, "count": null })).await?;
        let shown = result.variables.len();
        let mut list: Vec<Variable> = result.variables.into_iter().map(variable).collect();
        if let Some(more) = result.total.and_then(|t| t.checked_sub(shown)).filter(|m| *m > 0) {
            // The bridge stops listing at 10,000 children; say how many were left out.
            list.push(Variable {
                name: "…".into(),
                value: format!("{more} more not listed: evaluate a slice to see them"),
                truncated: false,
                type_name: None,
                children: 0,
                evaluate_name: None,
                child_count: None,
                group: None,
            });
        }
        Ok(list)
    }

    async fn evaluate(
        &self,
        expression: &str,
        frame: Option<FrameId>,
        context: EvalContext,
    ) -> anyhow::Result<EvalResult> {
        let result: ValueResult = self
            .channel
            .request("evaluate", json!({ "expression": expression, "frame": frame, "context": context.as_dap() }))
            .await?;
        Ok(eval_result(result))
    }

    async fn set_variable(&self, reference: VarRef, name: &str, value: &str) -> anyhow::Result<EvalResult> {
        let result: ValueResult =
            self.channel.request("set_variable", json!({ "ref": reference, "name": name, "value": value })).await?;
        Ok(eval_result(result))
    }

    async fn completions(&self, frame: Option<FrameId>, text: &str, column: i64) -> anyhow::Result<Vec<Completion>> {
        let items: Vec<CompletionResult> =
            self.channel.request("completions", json!({ "text": text, "column": column, "frame": frame })).await?;
        Ok(items
            .into_iter()
            .map(|c| Completion { text: c.text.unwrap_or_else(|| c.label.clone()), label: c.label, kind: c.type_name })
            .collect())
    }

    async fn exception_info(&self, _thread: ThreadId) -> anyhow::Result<ExceptionInfo> {
        let stop = self.current_stop()?;
        let e = stop.exception.ok_or_else(|| anyhow!("the program is not stopped on an exception"))?;
        Ok(ExceptionInfo {
            exception_id: e.type_name,
            description: Some(e.message).filter(|m| !m.is_empty()),
            break_mode: "unhandled".into(),
            stack_trace: e.traceback,
        })
    }

    async fn write_stdin(&self, text: &str) -> anyhow::Result<()> {
        self.terminal.program_input(text.as_bytes())
    }

    async fn terminate(&self) -> anyhow::Result<()> {
        self.terminal.kill();
        Ok(())
    }

    async fn disconnect(&self, _terminate_debuggee: bool) -> anyhow::Result<()> {
        // loupe started this program; it does not outlive the session.
        self.terminal.kill();
        Ok(())
    }
}

fn status(r: BreakpointResult) -> BreakpointStatus {
    BreakpointStatus { backend_id: r.number, verified: r.verified, line: r.line, message: r.message }
}

fn variable(v: BridgeVariable) -> Variable {
    Variable {
        name: v.name,
        value: v.shown.value,
        truncated: v.shown.truncated,
        type_name: v.shown.type_name,
        children: v.shown.reference,
        evaluate_name: v.evaluate_name,
        child_count: v.count,
        group: None,
    }
}

fn eval_result(r: ValueResult) -> EvalResult {
    EvalResult { value: r.value, truncated: r.truncated, type_name: r.type_name, children: r.reference }
}

fn describe_file(frame: &BridgeFrame) -> String {
    frame.file.as_ref().map(|f| f.display().to_string()).unwrap_or_else(|| frame.name.clone())
}

fn program_name(spec: &PdbSpec) -> String {
    match &spec.program.target {
        Target::Program(p) => p.display().to_string(),
        Target::Module(m) => m.clone(),
    }
}

/// The command line that runs the program under the bridge, in the debuggee's environment.
fn bridge_process(pdb: &PdbSpec, socket: &Path) -> anyhow::Result<PythonProcess> {
    let bridge_dir = crate::adapters::install("pdb", BRIDGE)?;
    let mut args: Vec<String> = vec!["-m".into(), "loupe_pdb".into()];
    if pdb.debugger == Debugger::Ipdb {
        args.push("--ipdb".into());
    }
    let spec = &pdb.program;
    match &spec.target {
        Target::Program(p) => args.push(p.display().to_string()),
        Target::Module(m) => args.extend(["-m".to_string(), m.clone()]),
    }
    args.extend(spec.args.iter().cloned());
    let mut process = PythonProcess::new(&spec.interpreter.path, args);
    process.cwd = Some(spec.cwd.clone());
    process.sandbox = spec.sandbox.clone();
    for (name, value) in &spec.env {
        process.env.insert(name.into(), value.into());
    }
    let pythonpath = spec
        .env
        .get("PYTHONPATH")
        .map(Into::into)
        .or_else(|| std::env::var_os("PYTHONPATH").filter(|_| !spec.unset_env.iter().any(|u| u == "PYTHONPATH")));
    process.env.insert("PYTHONPATH".into(), crate::sandbox::join_pythonpath(&[bridge_dir], pythonpath)?);
    process.env.insert("LOUPE_PDB_SOCKET".into(), socket.into());
    process.env.insert("PYTHONBREAKPOINT".into(), "loupe_pdb.set_trace".into());
    process.env.insert("TERM".into(), "xterm-256color".into());
    process.remove_env = spec.unset_env.iter().filter(|n| *n != "PYTHONPATH").map(Into::into).collect();
    Ok(process)
}

/// The last non-empty lines of the debuggee's screen, for errors about a failed start.
fn screen_tail(terminal: &ProgramTerminal) -> String {
    let Ok(screen) = terminal.screen.lock() else { return String::new() };
    let contents = screen.screen().contents();
    let lines: Vec<&str> = contents.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(8)..].join("\n");
    if tail.is_empty() {
        "(it printed nothing)".into()
    } else {
        tail
    }
}
