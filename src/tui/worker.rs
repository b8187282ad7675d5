//! The session's own task. It owns the [`Session`], runs the UI's requests one at a time and
//! forwards the session's events, so the UI never waits on the backend: a key press while the
//! program runs (pause, quit) is handled at once.
//!
//! Inspection requests carry the stop `epoch` they were made for. Variable references die with
//! the stop that made them, so a request from an older stop is dropped rather than sent.

use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use crate::session::{
    Breakpoint, BreakpointId, BreakpointSpec, Completion, EvalContext, EvalResult, ExceptionFilter, ExceptionInfo,
    Frame, FrameId, HitCondition, Phase, ResumeAction, Scope, Session, SessionEvent, ThreadId, ThreadInfo, VarRef,
    VariablePage,
};

/// What an evaluation is for, so its answer goes to the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalPurpose {
    Console,
    /// The watch with this index.
    Watch(usize),
    /// The whole-value viewer.
    Viewer,
}

#[derive(Debug, Clone)]
pub enum Request {
    /// End the configuration phase: the program runs.
    Start,
    Resume {
        thread: ThreadId,
        action: ResumeAction,
    },
    Pause {
        thread: Option<ThreadId>,
    },
    RunToLine {
        thread: ThreadId,
        file: PathBuf,
        line: i64,
    },
    Jump {
        thread: ThreadId,
        file: PathBuf,
        line: i64,
    },
    Restart,
    Terminate,
    /// Analyse the project now and whenever its files change (in the background).
    Analyze {
        project: PathBuf,
        program: Option<PathBuf>,
        interpreter: Option<PathBuf>,
    },
    /// Install `packages` with pip into `interpreter`'s environment (in the background).
    Install {
        interpreter: PathBuf,
        packages: Vec<String>,
    },
    /// Read the environment of `interpreter` and find every interpreter (in the background).
    LoadEnvironment {
        interpreter: PathBuf,
        project: PathBuf,
    },
    /// Collect the tests of the pytest run with these arguments (in the background: pytest runs).
    CollectTests {
        args: Vec<String>,
    },
    /// Start the pytest run again with these arguments (one test, one file, or all of them).
    RunTests {
        args: Vec<String>,
    },
    /// List the project's Python files for quick open (in the background: a directory walk).
    ProjectFiles {
        project: PathBuf,
    },
    /// Leave: a launched program is ended, an attached one keeps running.
    Quit,
    AddBreakpoint {
        spec: BreakpointSpec,
        enabled: bool,
    },
    /// A saved breakpoint set again at start-up: no notice unless it had to move (or failed),
    /// since the Breakpoints pane lists them all.
    RestoreBreakpoint {
        spec: BreakpointSpec,
        enabled: bool,
    },
    RemoveBreakpoint(BreakpointId),
    SetBreakpointEnabled {
        id: BreakpointId,
        enabled: bool,
    },
    UpdateBreakpoint {
        id: BreakpointId,
        condition: Option<String>,
        hit: Option<HitCondition>,
        log: Option<String>,
    },
    SetExceptionFilters(Vec<ExceptionFilter>),
    Threads {
        epoch: u64,
    },
    Stack {
        epoch: u64,
        thread: ThreadId,
    },
    Scopes {
        epoch: u64,
        frame: FrameId,
    },
    Variables {
        epoch: u64,
        reference: VarRef,
        start: usize,
        count: usize,
    },
    Evaluate {
        epoch: u64,
        expression: String,
        frame: Option<FrameId>,
        purpose: EvalPurpose,
    },
    SetVariable {
        epoch: u64,
        reference: VarRef,
        name: String,
        value: String,
    },
    Completions {
        epoch: u64,
        frame: Option<FrameId>,
        text: String,
        column: i64,
    },
    ExceptionInfo {
        epoch: u64,
        thread: ThreadId,
    },
    /// Which pytest test an exception stop belongs to.
    CurrentTest {
        epoch: u64,
        thread: ThreadId,
    },
    Stdin(String),
    /// Keys typed into the debugger's own terminal (pdb, ipdb); handled by the event loop, which
    /// owns that terminal, not by the worker.
    TerminalInput(Vec<u8>),
    /// Scroll the debugger's terminal back (positive) or forward through its history.
    TerminalScroll(isize),
}

#[derive(Debug, Clone)]
pub enum Update {
    Event(SessionEvent),
    /// The session's phase after a request or event changed it.
    Phase(Phase),
    /// Every user breakpoint, after any change.
    Breakpoints(Vec<Breakpoint>),
    Threads {
        epoch: u64,
        threads: Vec<ThreadInfo>,
    },
    Stack {
        epoch: u64,
        thread: ThreadId,
        frames: Vec<Frame>,
    },
    Scopes {
        epoch: u64,
        frame: FrameId,
        scopes: Vec<Scope>,
    },
    Variables {
        epoch: u64,
        reference: VarRef,
        page: VariablePage,
    },
    Evaluated {
        epoch: u64,
        expression: String,
        purpose: EvalPurpose,
        result: Result<EvalResult, String>,
    },
    VariableSet {
        epoch: u64,
        reference: VarRef,
        name: String,
        result: Result<EvalResult, String>,
    },
    Completions {
        epoch: u64,
        text: String,
        items: Vec<Completion>,
    },
    ExceptionInfo {
        epoch: u64,
        info: ExceptionInfo,
    },
    /// The failing test at an exception stop (None outside a pytest run).
    CurrentTest {
        epoch: u64,
        test: Option<crate::session::CurrentTest>,
    },
    /// Something a request did, for the status line and the console ("breakpoint 3 at
    /// demo.py:22 if n > 5").
    Notice(String),
    /// A request failed; `what` names it for the user.
    Failed {
        what: String,
        message: String,
    },
    /// The Analysis overlay's data (again after every change).
    Analysis(std::sync::Arc<super::app::AnalysisSnapshot>),
    /// How many tests pytest has collected so far.
    TestsProgress(usize),
    /// pytest's collection, or why it failed.
    Tests(Result<crate::session::test_collect::Collection, String>),
    /// What pip is doing.
    InstallProgress(String),
    /// pip is done: what changed, or why it failed (with what changed anyway).
    Installed(Result<String, String>),
    /// The Environment overlay's data.
    Environment(std::sync::Arc<super::app::EnvSnapshot>),
    /// The project's Python files for quick open, and whether the walk stopped early.
    ProjectFiles {
        files: Vec<PathBuf>,
        partial: bool,
    },
    /// A restart (or a run of other tests) is done: phases from here on are the new run's.
    Restarted,
    /// The worker is done: the session ended or the user quit.
    Finished,
}

/// Starts the worker; the UI sends on the returned sender and receives on the receiver.
pub fn spawn(session: Session) -> (mpsc::UnboundedSender<Request>, mpsc::UnboundedReceiver<Update>) {
    let (request_tx, request_rx) = mpsc::unbounded_channel();
    let (update_tx, update_rx) = mpsc::unbounded_channel();
    let analysis_refresh = std::sync::Arc::new(tokio::sync::Notify::new());
    tokio::spawn(Worker { session, updates: update_tx, epoch: 0, analysis_refresh }.run(request_rx));
    (request_tx, update_rx)
}

struct Worker {
    session: Session,
    updates: mpsc::UnboundedSender<Update>,
    /// Stops seen so far.
    epoch: u64,
    /// Tells the analysis task to ask the interpreter again and re-analyse (after an install).
    analysis_refresh: std::sync::Arc<tokio::sync::Notify>,
}

impl Worker {
    async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        self.send(Update::Breakpoints(self.session.breakpoints().cloned().collect()));
        self.send(Update::Phase(self.session.phase().clone()));
        let mut backend_gone = false;
        loop {
            tokio::select! {
                request = requests.recv() => {
                    let Some(request) = request else { break };
                    if self.handle(request).await {
                        break;
                    }
                }
                // Both receivers are cancel-safe; the processing happens outside `select!`.
                event = self.session.wait_event(), if !backend_gone => match event {
                    Some(pending) => {
                        if let Some(event) = self.session.process_event(pending).await {
                            self.forward(event);
                        }
                    }
                    None => {
                        backend_gone = true;
                        self.send(Update::Phase(Phase::Terminated));
                    }
                },
            }
        }
        self.send(Update::Finished);
    }

    fn send(&self, update: Update) {
        let _ = self.updates.send(update);
    }

    fn forward(&mut self, event: SessionEvent) {
        if matches!(event, SessionEvent::Stopped(_)) {
            self.epoch += 1;
        }
        let breakpoints_changed = matches!(
            event,
            SessionEvent::BreakpointChanged(_) | SessionEvent::BreakpointRemoved(_) | SessionEvent::Stopped(_)
        );
        self.send(Update::Event(event));
        self.send(Update::Phase(self.session.phase().clone()));
        if breakpoints_changed {
            // Hit counts and temporaries change at stops.
            self.send(Update::Breakpoints(self.session.breakpoints().cloned().collect()));
        }
    }

    /// Runs one request; true when the worker should end.
    async fn handle(&mut self, request: Request) -> bool {
        if let Some(epoch) = request_epoch(&request) {
            if epoch != self.epoch {
                tracing::debug!("dropping a request for stop {epoch} (now at {})", self.epoch);
                return false;
            }
        }
        let epoch = self.epoch;
        let s = &mut self.session;
        let (what, result): (&str, anyhow::Result<Option<Update>>) = match request {
            Request::Start => ("start", s.configuration_done().await.map(|()| None)),
            Request::Resume { thread, action } => ("resume", s.resume(thread, action).await.map(|()| None)),
            Request::Pause { thread } => {
                let thread = match thread {
                    Some(t) => Some(t),
                    None => s.threads().await.ok().and_then(|t| t.first().map(|t| t.id)),
                };
                match thread {
                    Some(t) => ("pause", s.pause(t).await.map(|()| None)),
                    None => ("pause", Err(anyhow::anyhow!("the program has no threads to pause"))),
                }
            }
            Request::RunToLine { thread, file, line } => {
                ("run to line", s.run_to_line(thread, &file, line).await.map(|()| None))
            }
            Request::Jump { thread, file, line } => ("jump", s.jump(thread, &file, line).await.map(|()| None)),
            Request::Restart => ("restart", s.restart().await.map(|()| None)),
            Request::RunTests { args } => ("run tests", s.restart_with_args(args).await.map(|()| None)),
            Request::CollectTests { args } => {
                let Some(mut program) = s.program().cloned() else {
                    let why = "loupe did not start this program, so it cannot collect its tests".to_string();
                    let _ = self.updates.send(Update::Tests(Err(why)));
                    return false;
                };
                program.args = args;
                let updates = self.updates.clone();
                tokio::spawn(async move {
                    let progress = |seen| drop(updates.send(Update::TestsProgress(seen)));
                    let result = crate::session::test_collect::collect(&program, progress).await;
                    let _ = updates.send(Update::Tests(result.map_err(|e| format!("{e:#}"))));
                });
                ("collect tests", Ok(None))
            }
            Request::Analyze { project, program, interpreter } => {
                let refresh = self.analysis_refresh.clone();
                tokio::spawn(super::analysis_task::run(project, program, interpreter, refresh, self.updates.clone()));
                ("analysis", Ok(None))
            }
            Request::Install { interpreter, packages } => {
                let (updates, refresh) = (self.updates.clone(), self.analysis_refresh.clone());
                tokio::spawn(async move {
                    let result = install(&interpreter, &packages, &updates).await;
                    let _ = updates.send(Update::Installed(result));
                    refresh.notify_one();
                });
                ("install", Ok(None))
            }
            Request::LoadEnvironment { interpreter, project } => {
                // Slow (a probe the first time, a directory walk): never in the session's way.
                let updates = self.updates.clone();
                tokio::spawn(async move {
                    let snapshot = load_environment(&interpreter, &project).await;
                    let _ = updates.send(Update::Environment(std::sync::Arc::new(snapshot)));
                });
                ("environment", Ok(None))
            }
            Request::ProjectFiles { project } => {
                let updates = self.updates.clone();
                tokio::task::spawn_blocking(move || {
                    let (files, partial) = super::app::project_python_files(&project);
                    let _ = updates.send(Update::ProjectFiles { files, partial });
                });
                ("project files", Ok(None))
            }
            Request::Terminate => ("stop", s.terminate().await.map(|()| None)),
            Request::Quit => {
                let attached = s.attached();
                if !matches!(s.phase(), Phase::Exited { .. } | Phase::Terminated) {
                    let _ = s.disconnect(!attached).await;
                }
                return true;
            }
            // Breakpoint changes answer with a notice naming what happened (where a breakpoint
            // went, which one a toggle removed), so no change is silent.
            Request::AddBreakpoint { spec, enabled } => {
                ("break", add_breakpoint(s, spec, enabled).await.map(|b| Some(Update::Notice(b.describe()))))
            }
            Request::RestoreBreakpoint { spec, enabled } => (
                "break",
                add_breakpoint(s, spec, enabled).await.map(|b| b.moved_note().map(|_| Update::Notice(b.describe()))),
            ),
            Request::RemoveBreakpoint(id) => {
                let what = s.breakpoint(id).map(removed_text).unwrap_or_else(|| format!("breakpoint {id} removed"));
                ("delete", s.remove_breakpoint(id).await.map(|()| Some(Update::Notice(what))))
            }
            Request::SetBreakpointEnabled { id, enabled } => {
                ("enable", s.set_breakpoint_enabled(id, enabled).await.map(|b| Some(Update::Notice(b.describe()))))
            }
            Request::UpdateBreakpoint { id, condition, hit, log } => {
                ("edit breakpoint", s.update_breakpoint(id, condition, hit, log).await.map(|_| None))
            }
            Request::SetExceptionFilters(filters) => ("catch", s.set_exception_filters(&filters).await.map(|()| None)),
            Request::Threads { .. } => {
                ("threads", s.threads().await.map(|threads| Some(Update::Threads { epoch, threads })))
            }
            Request::Stack { thread, .. } => {
                ("stack", s.stack_trace(thread, None).await.map(|frames| Some(Update::Stack { epoch, thread, frames })))
            }
            Request::Scopes { frame, .. } => {
                ("scopes", s.scopes(frame).await.map(|scopes| Some(Update::Scopes { epoch, frame, scopes })))
            }
            Request::Variables { reference, start, count, .. } => (
                "variables",
                s.variables(reference, start, count)
                    .await
                    .map(|page| Some(Update::Variables { epoch, reference, page })),
            ),
            Request::Evaluate { expression, frame, purpose, .. } => {
                let context = match purpose {
                    EvalPurpose::Console => EvalContext::Repl,
                    EvalPurpose::Watch(_) => EvalContext::Watch,
                    EvalPurpose::Viewer => EvalContext::Clipboard,
                };
                let result = s.evaluate(&expression, frame, context).await.map_err(|e| format!("{e:#}"));
                ("evaluate", Ok(Some(Update::Evaluated { epoch, expression, purpose, result })))
            }
            Request::SetVariable { reference, name, value, .. } => {
                let result = s.set_variable(reference, &name, &value).await.map_err(|e| format!("{e:#}"));
                ("set", Ok(Some(Update::VariableSet { epoch, reference, name, result })))
            }
            Request::Completions { frame, text, column, .. } => (
                "completions",
                s.completions(frame, &text, column).await.map(|items| Some(Update::Completions { epoch, text, items })),
            ),
            Request::ExceptionInfo { thread, .. } => (
                "exception info",
                s.exception_info(thread).await.map(|info| Some(Update::ExceptionInfo { epoch, info })),
            ),
            Request::CurrentTest { thread, .. } => {
                let top = s.stack_trace(thread, Some(1)).await.ok().and_then(|frames| frames.into_iter().next());
                let test = match top {
                    Some(top) => s.current_test(top.id).await,
                    None => None,
                };
                ("current test", Ok(Some(Update::CurrentTest { epoch, test })))
            }
            Request::Stdin(text) => ("input", s.write_stdin(&text).await.map(|()| None)),
            Request::TerminalInput(_) | Request::TerminalScroll(_) => {
                tracing::warn!("terminal input reached the worker; the event loop handles it");
                return false;
            }
        };
        if result.is_ok() && matches!(what, "restart" | "run tests") {
            self.send(Update::Restarted);
        }
        match result {
            Ok(Some(update)) => self.send(update),
            Ok(None) => {}
            Err(e) => self.send(Update::Failed { what: what.to_string(), message: format!("{e:#}") }),
        }
        // Requests change the phase (resume → running) and breakpoints; tell the UI.
        self.send(Update::Phase(self.session.phase().clone()));
        if matches!(what, "break" | "delete" | "enable" | "edit breakpoint" | "restart" | "run to line") {
            self.send(Update::Breakpoints(self.session.breakpoints().cloned().collect()));
        }
        false
    }
}

/// "breakpoint at demo.py:31 removed" (where it was, which is what the user pointed at).
/// Sets a breakpoint, disabled at once when it was saved disabled.
async fn add_breakpoint(s: &mut Session, spec: BreakpointSpec, enabled: bool) -> anyhow::Result<Breakpoint> {
    let added = s.add_breakpoint(spec).await?;
    if enabled {
        return Ok(added);
    }
    s.set_breakpoint_enabled(added.id, false).await
}

pub(crate) fn removed_text(b: &Breakpoint) -> String {
    let place = match (b.file(), b.line()) {
        (Some(file), Some(line)) => {
            format!("{}:{line}", file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
        }
        _ => b.spec.location.to_string(),
    };
    format!("breakpoint {} at {place} removed", b.id)
}

/// The installer (uv or pip) for the Environment overlay's one-key installs, progress sent as it
/// comes.
async fn install(
    interpreter: &Path,
    packages: &[String],
    updates: &mpsc::UnboundedSender<Update>,
) -> Result<String, String> {
    use crate::pyenv::installer;
    use crate::pyenv::pip::{self, PipEvent};
    let facts = crate::pyenv::facts::facts(interpreter).await.map_err(|e| format!("{e:#}"))?;
    let installer = installer::configured()
        .and_then(|choice| installer::choose(choice, interpreter, &facts))
        .map_err(|e| format!("{e:#}"))?;
    let mut args = vec!["install".to_string()];
    args.extend(packages.iter().cloned());
    let progress = |event: PipEvent| {
        if let Some(text) = event.summary() {
            let _ = updates.send(Update::InstallProgress(text));
        }
    };
    let outcome = pip::run(interpreter, &facts, &installer, &args, progress, std::future::pending())
        .await
        .map_err(|e| format!("{e:#}"))?;
    match outcome.failure {
        None => Ok(outcome.change.to_string()),
        Some(failure) => Err(format!("{failure} ({})", outcome.change)),
    }
}

async fn load_environment(interpreter: &Path, project: &Path) -> super::app::EnvSnapshot {
    use crate::pyenv::{discover, environment, facts};
    let environment = environment::load(interpreter).await.map_err(|e| format!("{e:#}"));
    let mut interpreters = discover::discover(&discover::DiscoverContext::from_env(project));
    facts::fill_versions(&mut interpreters).await;
    let installer = match &environment {
        Ok(env) => crate::pyenv::installer::configured()
            .and_then(|choice| crate::pyenv::installer::choose(choice, interpreter, &env.facts))
            .map(|installer| installer.name())
            .map_err(|e| format!("{e:#}")),
        Err(e) => Err(e.clone()),
    };
    super::app::EnvSnapshot { environment, interpreters, installer }
}

fn request_epoch(request: &Request) -> Option<u64> {
    match request {
        Request::Threads { epoch }
        | Request::Stack { epoch, .. }
        | Request::Scopes { epoch, .. }
        | Request::Variables { epoch, .. }
        | Request::Evaluate { epoch, .. }
        | Request::SetVariable { epoch, .. }
        | Request::Completions { epoch, .. }
        | Request::ExceptionInfo { epoch, .. }
        | Request::CurrentTest { epoch, .. } => Some(*epoch),
        _ => None,
    }
}
