//! [`Backend`] over DAP: one connection to the adapter for the main process, plus one per child
//! process that debugpy reports through `startDebugging`.
//!
//! Ids from different connections can collide (each pydevd counts from 1), so thread, frame and
//! variable ids are widened: `connection << 32 | id`. The main connection is number 0, so its ids
//! pass through unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use async_trait::async_trait;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

use super::client::{event_body, Client, DapError, Incoming};
use super::protocol::{Event, Request};
use super::types::{self as t};
use crate::session::{
    Backend, BackendEvent, BreakpointStatus, Capabilities, Completion, EvalContext, EvalResult, EventSink,
    ExceptionFilter, ExceptionInfo, Frame, FunctionBreakpointRequest, HitCondition, LineBreakpointRequest,
    OutputCategory, ResumeAction, Scope, ScopeKind, SessionEvent, StopInfo, StopReason, ThreadId, ThreadInfo, VarRef,
    Variable, VariableGroup,
};

/// How long `launch`/`attach` may take to answer after `configurationDone`.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the adapter may take, after `launch`/`attach`, to send `initialized` (debugpy sends
/// it once the debuggee's debug server has connected: well under a second normally).
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// `launch` or `attach`, with debugpy's configuration.
pub(crate) struct StartRequest {
    pub request: &'static str,
    pub arguments: Value,
    /// Turn on TCP_NODELAY inside the debuggee at its first stop (attach: loupe did not start
    /// the debuggee, so its `sitecustomize` is not there).
    pub nodelay_at_first_stop: bool,
}

/// Run inside a remote debuggee at its first stop: pydevd's socket to the adapter gets
/// TCP_NODELAY (see adapters/nodelay/sitecustomize.py for why). A fresh globals dict keeps the
/// user's namespace untouched; any failure is swallowed.
const NODELAY_INJECTION: &str = r#"exec("try:\n import pydevd, socket\n pydevd.get_global_debugger().writer.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\nexcept Exception:\n pass", {})"#;

/// The adapter process loupe started (none when attaching to a port), and its stderr tail.
pub(crate) struct AdapterProcess {
    pub child: Option<tokio::process::Child>,
    pub stderr_tail: Arc<Mutex<Vec<String>>>,
    /// The run's sandbox: with a network namespace of its own, loupe connects to the adapter
    /// for child processes from inside it.
    pub sandbox: Option<Arc<crate::sandbox::Sandbox>>,
}

/// The answer to `launch`/`attach`, which debugpy sends after `configurationDone`.
type StartResponse = oneshot::Receiver<Result<Value, DapError>>;

/// Starts a debuggee for a `runInTerminal` request; returns its pid.
/// The spawner hands a clone of the `mpsc::Sender<()>` to every task that forwards the program's
/// output and drops it at end of file, so the backend can tell when all output has arrived.
pub type TerminalSpawner =
    Arc<dyn Fn(&t::RunInTerminalArguments, EventSink, mpsc::Sender<()>) -> anyhow::Result<Option<u32>> + Send + Sync>;

/// How long to wait, after the program exits, for the rest of its output.
const OUTPUT_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

fn widen(connection: usize, id: i64) -> i64 {
    if id <= 0 {
        return id;
    }
    ((connection as i64) << 32) | id
}

/// An optional frame: the connection it belongs to (the main one when there is no frame).
fn narrow_frame(frame: Option<i64>) -> (usize, Option<i64>) {
    match frame.map(narrow) {
        Some((index, id)) => (index, Some(id)),
        None => (0, None),
    }
}

fn narrow(id: i64) -> (usize, i64) {
    if id <= 0 {
        return (0, id);
    }
    ((id >> 32) as usize, id & 0xffff_ffff)
}

struct Connection {
    client: Client,
    /// For children: their breakpoint ids mapped to the main connection's.
    breakpoint_ids: HashMap<i64, i64>,
    label: String,
}

/// What has been sent to the adapter, so children can be configured the same way.
#[derive(Default)]
struct Replay {
    files: HashMap<PathBuf, Vec<LineBreakpointRequest>>,
    /// The main connection's breakpoint ids per file, in request order.
    main_ids: HashMap<PathBuf, Vec<Option<i64>>>,
    functions: Vec<FunctionBreakpointRequest>,
    exception_filters: Vec<String>,
}

pub(crate) struct Shared {
    sink: EventSink,
    connections: Mutex<Vec<Option<Connection>>>,
    replay: Mutex<Replay>,
    terminal: Option<TerminalSpawner>,
    exception_filter_names: Mutex<Vec<String>>,
    /// Whether connections still need [`NODELAY_INJECTION`], and which ones have had it.
    nodelay_at_first_stop: bool,
    nodelay_done: Mutex<std::collections::HashSet<usize>>,
    /// Closed (recv gives `None`) once the program's stdout and stderr reached end of file.
    output_done: Mutex<Option<mpsc::Receiver<()>>>,
    /// The adapter's stderr tail, for explaining an unexpected end.
    pub(crate) adapter_stderr: Arc<Mutex<Vec<String>>>,
    finished: Mutex<bool>,
    sandbox: Option<Arc<crate::sandbox::Sandbox>>,
}

/// A DAP debug session with debugpy.
pub struct DapBackend {
    shared: Arc<Shared>,
    caps: t::Capabilities,
    start_response: tokio::sync::Mutex<Option<StartResponse>>,
    /// Processes to keep alive (and kill on drop): the adapter.
    _adapter: Mutex<Option<tokio::process::Child>>,
    /// The launched program's stdin, when loupe started it with a pipe.
    pub(crate) program_stdin: Option<ProgramStdin>,
}

/// Where the `runInTerminal` spawner leaves the program's stdin pipe.
pub type ProgramStdin = Arc<tokio::sync::Mutex<Option<tokio::process::ChildStdin>>>;

impl DapBackend {
    /// Runs the DAP start-up on `client` as the main connection: initialize, send the launch
    /// or attach request, wait for `initialized`.
    pub(crate) async fn start(
        client: Client,
        incoming: mpsc::UnboundedReceiver<Incoming>,
        sink: EventSink,
        start: StartRequest,
        terminal: Option<TerminalSpawner>,
        adapter: AdapterProcess,
    ) -> anyhow::Result<DapBackend> {
        let StartRequest { request, arguments, nodelay_at_first_stop } = start;
        let AdapterProcess { child: adapter, stderr_tail: adapter_stderr, sandbox } = adapter;
        let shared = Arc::new(Shared {
            sink,
            connections: Mutex::new(Vec::new()),
            replay: Mutex::new(Replay::default()),
            terminal,
            exception_filter_names: Mutex::new(Vec::new()),
            output_done: Mutex::new(None),
            nodelay_at_first_stop,
            nodelay_done: Mutex::new(Default::default()),
            adapter_stderr,
            finished: Mutex::new(false),
            sandbox,
        });
        let (caps, pending, _) =
            shared.clone().open_connection(client, incoming, request, arguments, "main".into()).await?;
        if let Ok(mut names) = shared.exception_filter_names.lock() {
            *names = caps.exception_breakpoint_filters.iter().map(|f| f.filter.clone()).collect();
        }
        Ok(DapBackend {
            shared,
            caps,
            start_response: tokio::sync::Mutex::new(Some(pending)),
            _adapter: Mutex::new(adapter),
            program_stdin: None,
        })
    }

    fn client(&self, connection: usize) -> anyhow::Result<Client> {
        self.shared.client(connection)
    }

    fn main(&self) -> anyhow::Result<Client> {
        self.client(0)
    }

    fn all_clients(&self) -> Vec<(usize, Client)> {
        self.shared.all_clients()
    }
}

impl Shared {
    fn client(&self, connection: usize) -> anyhow::Result<Client> {
        let conns = self.connections.lock().map_err(|_| anyhow!("internal lock poisoned"))?;
        conns.get(connection).and_then(|c| c.as_ref()).map(|c| c.client.clone()).ok_or_else(|| match connection {
            0 => anyhow!("the debug adapter connection is closed"),
            _ => anyhow!("that process is no longer being debugged"),
        })
    }

    fn all_clients(&self) -> Vec<(usize, Client)> {
        self.connections
            .lock()
            .map(|c| c.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (i, c.client.clone()))).collect())
            .unwrap_or_default()
    }

    fn emit(&self, event: BackendEvent) {
        let _ = self.sink.send(event);
    }

    fn emit_session(&self, event: SessionEvent) {
        self.emit(BackendEvent::Session(event));
    }

    /// Registers a connection, starts its event pump, and runs initialize + launch/attach up to
    /// the `initialized` event.
    async fn open_connection(
        self: Arc<Self>,
        client: Client,
        incoming: mpsc::UnboundedReceiver<Incoming>,
        request: &str,
        arguments: Value,
        label: String,
    ) -> anyhow::Result<(t::Capabilities, StartResponse, usize)> {
        let index = {
            let mut conns = self.connections.lock().map_err(|_| anyhow!("internal lock poisoned"))?;
            conns.push(Some(Connection { client: client.clone(), breakpoint_ids: HashMap::new(), label }));
            conns.len() - 1
        };
        let (initialized_tx, initialized_rx) = oneshot::channel();
        tokio::spawn(self.clone().pump(index, incoming, Some(initialized_tx)));

        let caps = client
            .request::<t::Initialize>(&t::InitializeArguments::loupe("debugpy"))
            .await
            .context("initializing the debug adapter")?;
        let pending = client.send_raw(request, arguments)?;
        // debugpy answers launch/attach only after configurationDone, but reports failures (bad
        // arguments, unreachable debuggee) as an early error response: watch for both.
        let (response_tx, mut response) = oneshot::channel();
        tokio::spawn(async move {
            let _ = response_tx.send(pending.wait_raw(Duration::from_secs(24 * 3600)).await);
        });
        let ready = async {
            tokio::select! {
                r = initialized_rx => {
                    r.map_err(|_| anyhow!("the debug adapter closed before it was ready{}", self.stderr_hint()))?;
                    Ok(())
                }
                r = &mut response => {
                    match r {
                        Ok(Err(e)) => Err(anyhow!("{e}{}", self.stderr_hint())),
                        _ => bail!("the debug adapter accepted {request} without sending `initialized`"),
                    }
                }
            }
        };
        match tokio::time::timeout(READY_TIMEOUT, ready).await {
            Ok(r) => r.map(|()| (caps, response, index)),
            Err(_) => bail!(
                "the debug adapter answered `initialize` but neither sent `initialized` nor answered `{request}` \
                 within {} s{}",
                READY_TIMEOUT.as_secs(),
                self.stderr_hint()
            ),
        }
    }

    fn stderr_hint(&self) -> String {
        let lines = self.adapter_stderr.lock().map(|l| l.clone()).unwrap_or_default();
        if lines.is_empty() {
            String::new()
        } else {
            format!("\nadapter output:\n  {}", lines.join("\n  "))
        }
    }

    /// Routes one connection's events and reverse requests until it closes.
    async fn pump(
        self: Arc<Self>,
        index: usize,
        mut incoming: mpsc::UnboundedReceiver<Incoming>,
        mut initialized: Option<oneshot::Sender<()>>,
    ) {
        let main = index == 0;
        while let Some(message) = incoming.recv().await {
            match message {
                Incoming::Event(e) if e.event == "initialized" => {
                    if let Some(tx) = initialized.take() {
                        let _ = tx.send(());
                    }
                }
                Incoming::Event(e) if main && e.event == "exited" => {
                    // Deliver the program's last output before its exit.
                    let done = self.output_done.lock().ok().and_then(|mut d| d.take());
                    if let Some(mut done) = done {
                        let _ = tokio::time::timeout(OUTPUT_DRAIN_TIMEOUT, done.recv()).await;
                    }
                    self.on_event(index, e)
                }
                Incoming::Event(e) if e.event == "stopped" && self.needs_nodelay(index) => {
                    self.inject_nodelay(index, &e).await;
                    self.on_event(index, e)
                }
                Incoming::Event(e) => self.on_event(index, e),
                Incoming::ReverseRequest(r) => self.clone().on_reverse_request(index, r),
                Incoming::Problem(p) => self.emit_session(SessionEvent::Problem(p)),
                Incoming::Closed(reason) => {
                    let finished = self.finished.lock().map(|f| *f).unwrap_or(true);
                    if main && !finished {
                        let why = reason.unwrap_or_else(|| "it exited".into());
                        self.emit_session(SessionEvent::Problem(format!(
                            "the debug adapter connection ended unexpectedly ({why}){}",
                            self.stderr_hint()
                        )));
                        self.emit_session(SessionEvent::Terminated);
                    }
                    if let Ok(mut conns) = self.connections.lock() {
                        if let Some(slot) = conns.get_mut(index) {
                            *slot = None;
                        }
                    }
                    return;
                }
            }
        }
    }

    fn on_event(&self, index: usize, event: Event) {
        let main = index == 0;
        match event.event.as_str() {
            "stopped" => {
                let body: t::StoppedEventBody = event_body(&event);
                let hit = self.map_hit_ids(index, &body.hit_breakpoint_ids);
                let info = StopInfo {
                    reason: StopReason::from_dap(&body.reason),
                    thread: widen(index, body.thread_id.unwrap_or(0)),
                    all_threads_stopped: body.all_threads_stopped,
                    description: body.description,
                    text: body.text,
                    hit_breakpoints: Vec::new(),
                };
                self.emit(BackendEvent::Stopped { info, hit_backend_ids: hit });
            }
            "continued" => {
                let body: t::ContinuedEventBody = event_body(&event);
                self.emit_session(SessionEvent::Continued { thread: Some(widen(index, body.thread_id)) });
            }
            "output" => {
                let body: t::OutputEventBody = event_body(&event);
                // When loupe started the program, its stdout and stderr come through loupe's own
                // pipes; what debugpy reports as stdout is then the debugger's (logpoints).
                let own_pipes = self.terminal.is_some();
                let category = match body.category.as_deref() {
                    Some("telemetry") => return,
                    Some("stdout") if !own_pipes => OutputCategory::Stdout,
                    Some("stderr") if !own_pipes => OutputCategory::Stderr,
                    _ => OutputCategory::Console,
                };
                self.emit_session(SessionEvent::Output { category, text: body.output });
            }
            "thread" => {
                let body: t::ThreadEventBody = event_body(&event);
                self.emit_session(SessionEvent::Thread {
                    thread: widen(index, body.thread_id),
                    name: None,
                    started: body.reason == "started",
                });
            }
            "process" => {
                let body: t::ProcessEventBody = event_body(&event);
                self.emit_session(SessionEvent::Process { name: body.name, pid: body.system_process_id, child: !main });
            }
            "exited" if main => {
                let body: t::ExitedEventBody = event_body(&event);
                let (code, signal) = exit_status(body.exit_code);
                self.emit_session(SessionEvent::Exited { code, signal });
            }
            "exited" => {
                let body: t::ExitedEventBody = event_body(&event);
                let label = self.label(index);
                self.emit_session(SessionEvent::Output {
                    category: OutputCategory::Console,
                    text: format!("{label} exited with code {}\n", body.exit_code),
                });
            }
            "terminated" if main => {
                if let Ok(mut f) = self.finished.lock() {
                    *f = true;
                }
                self.emit_session(SessionEvent::Terminated);
            }
            "terminated" => {}
            "breakpoint" if main => {
                let body: t::BreakpointEventBody = event_body(&event);
                self.emit(BackendEvent::BreakpointUpdate { status: status_of(&body.breakpoint) });
            }
            other => tracing::debug!("ignoring DAP event {other} from connection {index}"),
        }
    }

    fn needs_nodelay(&self, index: usize) -> bool {
        self.nodelay_at_first_stop && self.nodelay_done.lock().map(|mut d| d.insert(index)).unwrap_or(false)
    }

    /// Speeds up every later message from this debuggee; costs two stalled round trips once.
    async fn inject_nodelay(&self, index: usize, stopped: &Event) {
        let Ok(client) = self.client(index) else { return };
        let body: t::StoppedEventBody = event_body(stopped);
        let Some(thread_id) = body.thread_id else { return };
        let args = t::StackTraceArguments { thread_id, start_frame: None, levels: Some(1) };
        let Some(frame) =
            client.request::<t::StackTrace>(&args).await.ok().and_then(|b| b.stack_frames.first().cloned())
        else {
            return;
        };
        let args = t::EvaluateArguments {
            expression: NODELAY_INJECTION.into(),
            frame_id: Some(frame.id),
            context: "watch".into(),
        };
        match client.request::<t::Evaluate>(&args).await {
            Ok(_) => tracing::debug!("TCP_NODELAY set inside the debuggee of {}", client.name()),
            Err(e) => tracing::debug!("could not set TCP_NODELAY inside the debuggee: {e}"),
        }
    }

    fn label(&self, index: usize) -> String {
        self.connections
            .lock()
            .ok()
            .and_then(|c| c.get(index).and_then(|c| c.as_ref().map(|c| c.label.clone())))
            .unwrap_or_else(|| format!("process {index}"))
    }

    fn map_hit_ids(&self, index: usize, ids: &[i64]) -> Vec<i64> {
        if index == 0 {
            return ids.to_vec();
        }
        let conns = match self.connections.lock() {
            Ok(c) => c,
            Err(_) => return Vec::new(),
        };
        let Some(Some(conn)) = conns.get(index) else { return Vec::new() };
        ids.iter().filter_map(|id| conn.breakpoint_ids.get(id).copied()).collect()
    }

    fn on_reverse_request(self: Arc<Self>, index: usize, request: Request) {
        let Ok(client) = self.client(index) else { return };
        match request.command.as_str() {
            "runInTerminal" => {
                let args: t::RunInTerminalArguments =
                    serde_json::from_value(request.arguments.clone()).unwrap_or_default();
                let (done_tx, done_rx) = mpsc::channel(1);
                if let Ok(mut d) = self.output_done.lock() {
                    *d = Some(done_rx);
                }
                let result = match &self.terminal {
                    Some(spawn) => spawn(&args, self.sink.clone(), done_tx)
                        .map(|pid| pid.map(|p| json!({ "processId": p })).unwrap_or_else(|| json!({})))
                        .map_err(|e| format!("{e:#}")),
                    None => Err("loupe cannot run a terminal for this session".into()),
                };
                if let Err(e) = &result {
                    self.emit_session(SessionEvent::Problem(format!("could not start the program: {e}")));
                }
                client.respond(&request, result);
            }
            "startDebugging" => {
                client.respond(&request, Ok(json!({})));
                let args: t::StartDebuggingArguments =
                    serde_json::from_value(request.arguments.clone()).unwrap_or_default();
                tokio::spawn(async move {
                    if let Err(e) = self.clone().attach_child(args).await {
                        self.emit_session(SessionEvent::Problem(format!("could not debug a child process: {e:#}")));
                    }
                });
            }
            other => {
                tracing::debug!("unsupported reverse request {other}");
                client.respond(&request, Err(format!("loupe does not support {other}")));
            }
        }
    }

    /// Opens a session for a child process and configures it like the main one.
    async fn attach_child(self: Arc<Self>, args: t::StartDebuggingArguments) -> anyhow::Result<()> {
        let configuration = Value::Object(args.configuration);
        let host = configuration.pointer("/connect/host").and_then(Value::as_str).unwrap_or("127.0.0.1").to_string();
        let port = configuration
            .pointer("/connect/port")
            .and_then(Value::as_u64)
            .ok_or_else(|| anyhow!("startDebugging without a connect port"))?;
        let pid = configuration.get("subProcessId").and_then(Value::as_i64);
        let label = pid.map(|p| format!("child process {p}")).unwrap_or_else(|| "child process".into());
        let stream = match self.sandbox.as_ref().and_then(|s| s.network()) {
            Some(network) => network.connect(&host, port as u16).await,
            None => tokio::net::TcpStream::connect((host.as_str(), port as u16)).await.map_err(Into::into),
        }
        .with_context(|| format!("connecting to the adapter at {host}:{port} for {label}"))?;
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        let (client, incoming) = Client::start(reader, writer, &label);
        let request = if args.request.is_empty() { "attach".to_string() } else { args.request.clone() };
        let (_caps, pending, index) =
            self.clone().open_connection(client.clone(), incoming, &request, configuration, label).await?;
        // Replay the main connection's configuration.
        let (files, functions, filters) = {
            let r = self.replay.lock().map_err(|_| anyhow!("internal lock poisoned"))?;
            let files: Vec<_> = r
                .files
                .iter()
                .map(|(f, reqs)| (f.clone(), reqs.clone(), r.main_ids.get(f).cloned().unwrap_or_default()))
                .collect();
            (files, r.functions.clone(), r.exception_filters.clone())
        };
        for (file, reqs, main_ids) in files {
            let body = client.request::<t::SetBreakpoints>(&set_breakpoints_args(&file, &reqs)).await?;
            if let Ok(mut conns) = self.connections.lock() {
                if let Some(Some(conn)) = conns.get_mut(index) {
                    for (child, main) in body.breakpoints.iter().zip(main_ids) {
                        if let (Some(c), Some(m)) = (child.id, main) {
                            conn.breakpoint_ids.insert(c, m);
                        }
                    }
                }
            }
        }
        if !functions.is_empty() {
            client.request::<t::SetFunctionBreakpoints>(&function_breakpoints_args(&functions)).await?;
        }
        client.request::<t::SetExceptionBreakpoints>(&t::SetExceptionBreakpointsArguments { filters }).await?;
        client.request::<t::ConfigurationDone>(&t::Empty {}).await?;
        match tokio::time::timeout(START_TIMEOUT, pending).await {
            Ok(Ok(Err(e))) => Err(e.into()),
            _ => Ok(()),
        }
    }
}

/// debugpy's launcher reports a signal death as `returncode & 0xFF` (SIGKILL → 247). Codes that
/// stand for the usual fatal signals are reported as the signal, with the shell's `128 + N` code.
/// 255 (SIGHUP) is left alone: `sys.exit(-1)` gives the same number and is far more common.
fn exit_status(code: i64) -> (i64, Option<String>) {
    const FATAL: &[(i64, &str)] = &[
        (2, "SIGINT"),
        (3, "SIGQUIT"),
        (4, "SIGILL"),
        (6, "SIGABRT"),
        (7, "SIGBUS"),
        (8, "SIGFPE"),
        (9, "SIGKILL"),
        (11, "SIGSEGV"),
        (13, "SIGPIPE"),
        (15, "SIGTERM"),
        (24, "SIGXCPU"),
        (25, "SIGXFSZ"),
    ];
    if cfg!(unix) {
        if let Some((n, name)) = FATAL.iter().find(|(n, _)| 256 - n == code || -n == code) {
            return (128 + n, Some((*name).to_string()));
        }
    }
    (code, None)
}

/// debugpy groups dunder, callable and protected members under pseudo-variables with no value
/// and no type ("special variables", "function variables", "class variables", ...).
fn group_of(v: &t::Variable) -> Option<VariableGroup> {
    let is_group = v.value.is_empty()
        && v.type_name.as_deref().unwrap_or("").is_empty()
        && v.variables_reference > 0
        && v.name.ends_with(" variables");
    match v.name.as_str() {
        _ if !is_group => None,
        "special variables" => Some(VariableGroup::Special),
        _ => Some(VariableGroup::Members),
    }
}

fn status_of(b: &t::Breakpoint) -> BreakpointStatus {
    BreakpointStatus { backend_id: b.id, verified: b.verified, line: b.line, message: b.message.clone() }
}

fn set_breakpoints_args(file: &Path, reqs: &[LineBreakpointRequest]) -> t::SetBreakpointsArguments {
    t::SetBreakpointsArguments {
        source: t::Source {
            name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
            path: Some(file.to_string_lossy().into_owned()),
            source_reference: None,
        },
        breakpoints: reqs
            .iter()
            .map(|r| t::SourceBreakpoint {
                line: r.line,
                condition: r.condition.clone(),
                hit_condition: r.hit_condition.map(dap_hit_condition),
                log_message: r.log_message.clone(),
            })
            .collect(),
        source_modified: false,
    }
}

fn function_breakpoints_args(functions: &[FunctionBreakpointRequest]) -> t::SetFunctionBreakpointsArguments {
    t::SetFunctionBreakpointsArguments {
        breakpoints: functions
            .iter()
            .map(|f| t::FunctionBreakpoint {
                name: f.name.clone(),
                condition: f.condition.clone(),
                hit_condition: f.hit_condition.map(dap_hit_condition),
            })
            .collect(),
    }
}

/// DAP's `hitCondition` is free text the adapter interprets; debugpy reads `==N`, `>=N` and `%N`.
fn dap_hit_condition(condition: HitCondition) -> String {
    match condition {
        HitCondition::Eq(n) => format!("=={n}"),
        HitCondition::Ge(n) => format!(">={n}"),
        HitCondition::Mod(n) => format!("%{n}"),
    }
}

fn dap_err(e: DapError) -> anyhow::Error {
    anyhow::Error::new(e)
}

#[async_trait]
impl Backend for DapBackend {
    fn name(&self) -> &str {
        "debugpy"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            jump: self.caps.supports_goto_targets_request,
            set_variable: self.caps.supports_set_variable,
            completions: self.caps.supports_completions_request,
            exception_info: self.caps.supports_exception_info_request,
            function_breakpoints: self.caps.supports_function_breakpoints,
            log_points: self.caps.supports_log_points,
            hit_conditions: self.caps.supports_hit_conditional_breakpoints,
            counts_hits: false,
        }
    }

    async fn set_line_breakpoints(
        &self,
        file: &Path,
        breakpoints: &[LineBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>> {
        let args = set_breakpoints_args(file, breakpoints);
        let body = self.main()?.request::<t::SetBreakpoints>(&args).await.map_err(dap_err)?;
        let statuses: Vec<BreakpointStatus> = body.breakpoints.iter().map(status_of).collect();
        if let Ok(mut r) = self.shared.replay.lock() {
            r.files.insert(file.to_path_buf(), breakpoints.to_vec());
            r.main_ids.insert(file.to_path_buf(), statuses.iter().map(|s| s.backend_id).collect());
        }
        for (index, client) in self.all_clients().into_iter().skip(1) {
            match client.request::<t::SetBreakpoints>(&args).await {
                Ok(child) => {
                    if let Ok(mut conns) = self.shared.connections.lock() {
                        if let Some(Some(conn)) = conns.get_mut(index) {
                            for (c, m) in child.breakpoints.iter().zip(&statuses) {
                                if let (Some(c), Some(m)) = (c.id, m.backend_id) {
                                    conn.breakpoint_ids.insert(c, m);
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!("setting breakpoints in {}: {e}", client.name()),
            }
        }
        Ok(statuses)
    }

    async fn set_function_breakpoints(
        &self,
        breakpoints: &[FunctionBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>> {
        let args = function_breakpoints_args(breakpoints);
        if let Ok(mut r) = self.shared.replay.lock() {
            r.functions = breakpoints.to_vec();
        }
        let mut statuses = Vec::new();
        for (index, client) in self.all_clients() {
            let body = client.request::<t::SetFunctionBreakpoints>(&args).await;
            if index == 0 {
                statuses = body.map_err(dap_err)?.breakpoints.iter().map(status_of).collect();
            }
        }
        Ok(statuses)
    }

    async fn set_exception_filters(&self, filters: &[ExceptionFilter]) -> anyhow::Result<()> {
        let available = self.shared.exception_filter_names.lock().map(|n| n.clone()).unwrap_or_default();
        let mut names = Vec::new();
        for f in filters {
            let name = match f {
                ExceptionFilter::Raised => "raised",
                ExceptionFilter::Uncaught => "uncaught",
                ExceptionFilter::UserUnhandled => "userUnhandled",
            };
            if !available.iter().any(|a| a == name) {
                bail!("debugpy does not offer the {name:?} exception filter (it has: {})", available.join(", "));
            }
            names.push(name.to_string());
        }
        if let Ok(mut r) = self.shared.replay.lock() {
            r.exception_filters = names.clone();
        }
        let args = t::SetExceptionBreakpointsArguments { filters: names };
        for (index, client) in self.all_clients() {
            let r = client.request::<t::SetExceptionBreakpoints>(&args).await;
            if index == 0 {
                r.map_err(dap_err)?;
            }
        }
        Ok(())
    }

    async fn configuration_done(&self) -> anyhow::Result<()> {
        let main = self.main()?;
        main.request::<t::ConfigurationDone>(&t::Empty {}).await.map_err(dap_err)?;
        if let Some(response) = self.start_response.lock().await.take() {
            match tokio::time::timeout(START_TIMEOUT, response).await {
                Ok(Ok(Ok(_))) => {}
                Ok(Ok(Err(e))) => bail!("{e}{}", self.shared.stderr_hint()),
                Ok(Err(_)) => bail!("the debug adapter went away while starting{}", self.shared.stderr_hint()),
                Err(_) => bail!("the debug adapter did not finish starting within {} s", START_TIMEOUT.as_secs()),
            }
        }
        Ok(())
    }

    async fn resume(&self, thread: ThreadId, action: ResumeAction) -> anyhow::Result<()> {
        let (index, id) = narrow(thread);
        let client = self.client(index)?;
        let args = t::ThreadArguments { thread_id: id };
        match action {
            ResumeAction::Continue => client.request::<t::Continue>(&args).await.map(drop),
            ResumeAction::Next => client.request::<t::Next>(&args).await.map(drop),
            ResumeAction::StepIn => client.request::<t::StepIn>(&args).await.map(drop),
            ResumeAction::StepOut => client.request::<t::StepOut>(&args).await.map(drop),
        }
        .map_err(dap_err)
    }

    async fn pause(&self, thread: ThreadId) -> anyhow::Result<()> {
        let (index, id) = narrow(thread);
        self.client(index)?.request::<t::Pause>(&t::ThreadArguments { thread_id: id }).await.map_err(dap_err)?;
        Ok(())
    }

    async fn jump(&self, thread: ThreadId, file: &Path, line: i64) -> anyhow::Result<()> {
        let (index, id) = narrow(thread);
        let client = self.client(index)?;
        let source = t::Source { name: None, path: Some(file.to_string_lossy().into_owned()), source_reference: None };
        let targets =
            client.request::<t::GotoTargets>(&t::GotoTargetsArguments { source, line }).await.map_err(dap_err)?;
        let target = targets
            .targets
            .first()
            .ok_or_else(|| anyhow!("cannot jump to {}:{line}: no code there", file.display()))?;
        client.request::<t::Goto>(&t::GotoArguments { thread_id: id, target_id: target.id }).await.map_err(dap_err)?;
        Ok(())
    }

    async fn threads(&self) -> anyhow::Result<Vec<ThreadInfo>> {
        let mut out = Vec::new();
        for (index, client) in self.all_clients() {
            let body = match client.request::<t::Threads>(&t::Empty {}).await {
                Ok(b) => b,
                Err(e) if index == 0 => return Err(dap_err(e)),
                Err(_) => continue,
            };
            let prefix = if index == 0 { String::new() } else { format!("[{}] ", client.name()) };
            out.extend(
                body.threads
                    .into_iter()
                    .map(|th| ThreadInfo { id: widen(index, th.id), name: format!("{prefix}{}", th.name) }),
            );
        }
        Ok(out)
    }

    async fn stack_trace(&self, thread: ThreadId, levels: Option<i64>) -> anyhow::Result<Vec<Frame>> {
        let (index, id) = narrow(thread);
        let body = self
            .client(index)?
            .request::<t::StackTrace>(&t::StackTraceArguments { thread_id: id, start_frame: None, levels })
            .await
            .map_err(dap_err)?;
        Ok(body
            .stack_frames
            .into_iter()
            .map(|f| Frame {
                id: widen(index, f.id),
                function: f.name,
                file: f.source.and_then(|s| s.path).map(PathBuf::from),
                line: f.line,
                column: f.column,
            })
            .collect())
    }

    async fn scopes(&self, frame: i64) -> anyhow::Result<Vec<Scope>> {
        let (index, id) = narrow(frame);
        let body =
            self.client(index)?.request::<t::Scopes>(&t::ScopesArguments { frame_id: id }).await.map_err(dap_err)?;
        Ok(body
            .scopes
            .into_iter()
            .map(|s| {
                let kind = match (s.presentation_hint.as_deref(), s.name.as_str()) {
                    (Some("locals"), _) | (_, "Locals") => ScopeKind::Locals,
                    (_, "Globals") => ScopeKind::Globals,
                    _ => ScopeKind::Other,
                };
                Scope { name: s.name, kind, variables: widen(index, s.variables_reference), expensive: s.expensive }
            })
            .collect())
    }

    async fn variables(&self, reference: VarRef) -> anyhow::Result<Vec<Variable>> {
        let (index, id) = narrow(reference);
        let body = self
            .client(index)?
            .request::<t::Variables>(&t::VariablesArguments { variables_reference: id, start: None, count: None })
            .await
            .map_err(dap_err)?;
        Ok(body
            .variables
            .into_iter()
            .map(|v| Variable {
                group: group_of(&v),
                name: v.name,
                value: v.value,
                truncated: false,
                type_name: v.type_name.filter(|t| !t.is_empty()),
                children: widen(index, v.variables_reference),
                evaluate_name: v.evaluate_name,
                child_count: match (v.named_variables, v.indexed_variables) {
                    (None, None) => None,
                    (n, i) => Some(n.unwrap_or(0) + i.unwrap_or(0)),
                },
            })
            .collect())
    }

    async fn evaluate(&self, expression: &str, frame: Option<i64>, context: EvalContext) -> anyhow::Result<EvalResult> {
        let (index, frame_id) = narrow_frame(frame);
        let body = self
            .client(index)?
            .request::<t::Evaluate>(&t::EvaluateArguments {
                expression: expression.to_string(),
                frame_id,
                context: context.as_dap().into(),
            })
            .await
            .map_err(dap_err)?;
        Ok(EvalResult {
            value: body.result,
            truncated: false,
            type_name: body.type_name.filter(|t| !t.is_empty()),
            children: widen(index, body.variables_reference),
        })
    }

    async fn set_variable(&self, reference: VarRef, name: &str, value: &str) -> anyhow::Result<EvalResult> {
        let (index, id) = narrow(reference);
        let body = self
            .client(index)?
            .request::<t::SetVariable>(&t::SetVariableArguments {
                variables_reference: id,
                name: name.into(),
                value: value.into(),
            })
            .await
            .map_err(dap_err)?;
        Ok(EvalResult {
            value: body.value,
            truncated: false,
            type_name: body.type_name,
            children: widen(index, body.variables_reference.unwrap_or(0)),
        })
    }

    async fn completions(&self, frame: Option<i64>, text: &str, column: i64) -> anyhow::Result<Vec<Completion>> {
        let (index, frame_id) = narrow_frame(frame);
        let body = self
            .client(index)?
            .request::<t::Completions>(&t::CompletionsArguments { frame_id, text: text.into(), column })
            .await
            .map_err(dap_err)?;
        Ok(body
            .targets
            .into_iter()
            .map(|c| Completion { text: c.text.unwrap_or_else(|| c.label.clone()), label: c.label, kind: c.kind })
            .collect())
    }

    async fn exception_info(&self, thread: ThreadId) -> anyhow::Result<ExceptionInfo> {
        let (index, id) = narrow(thread);
        let body = self
            .client(index)?
            .request::<t::ExceptionInfo>(&t::ThreadArguments { thread_id: id })
            .await
            .map_err(dap_err)?;
        Ok(ExceptionInfo {
            exception_id: body.exception_id,
            description: body.description,
            break_mode: body.break_mode,
            stack_trace: body.details.and_then(|d| d.stack_trace),
        })
    }

    async fn write_stdin(&self, text: &str) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let Some(slot) = &self.program_stdin else {
            bail!("the program's input is not connected to loupe (attached sessions read input where they run)");
        };
        let mut stdin = slot.lock().await;
        let pipe = stdin.as_mut().ok_or_else(|| anyhow!("the program has not started or its input is closed"))?;
        let written = async {
            pipe.write_all(text.as_bytes()).await?;
            pipe.flush().await
        };
        if let Err(e) = written.await {
            *stdin = None;
            bail!("writing to the program's input: {e}");
        }
        Ok(())
    }

    async fn terminate(&self) -> anyhow::Result<()> {
        let main = self.main()?;
        if self.caps.supports_terminate_request
            && main.request_with_timeout::<t::Terminate>(&t::Empty {}, Duration::from_secs(5)).await.is_ok()
        {
            return Ok(());
        }
        self.disconnect(true).await
    }

    async fn disconnect(&self, terminate_debuggee: bool) -> anyhow::Result<()> {
        if let Ok(mut f) = self.shared.finished.lock() {
            *f = true;
        }
        let main = self.main()?;
        let args = t::DisconnectArguments { restart: false, terminate_debuggee };
        match main.request_with_timeout::<t::Disconnect>(&args, Duration::from_secs(5)).await {
            Ok(_) | Err(DapError::Closed { .. }) => Ok(()),
            Err(e) => Err(dap_err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_widen_and_narrow() {
        assert_eq!(widen(0, 7), 7);
        assert_eq!(narrow(widen(3, 7)), (3, 7));
        assert_eq!(narrow(0), (0, 0));
    }

    #[test]
    fn hit_conditions_are_written_as_debugpy_reads_them() {
        assert_eq!(dap_hit_condition(HitCondition::Eq(3)), "==3");
        assert_eq!(dap_hit_condition(HitCondition::Ge(2)), ">=2");
        assert_eq!(dap_hit_condition(HitCondition::Mod(4)), "%4");
    }

    #[test]
    fn signal_exit_codes_are_recognised() {
        assert_eq!(exit_status(247), (137, Some("SIGKILL".into())));
        assert_eq!(exit_status(255), (255, None));
        assert_eq!(exit_status(3), (3, None));
    }
}
