//! Starting debugpy sessions: launch through `python -m debugpy.adapter` over stdio, or attach
//! to a `python -m debugpy --listen` port.
//!
//! loupe asks debugpy to start the program through `runInTerminal`, so the program is spawned
//! by loupe (through the sandbox, with its stdin, stdout and stderr kept apart) rather than by the
//! adapter. The debuggee gets a `sitecustomize` that turns off Nagle's algorithm on debugpy's
//! socket (see `adapters/nodelay/sitecustomize.py`): stock debugpy stalls ~43 ms per message.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use async_trait::async_trait;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

use super::backend::{AdapterProcess, DapBackend, ProgramStdin, StartRequest, TerminalSpawner};
use super::client::Client;
use super::pathmap::PathMap;
use super::provision::{self, DebugpySource};
use super::types::RunInTerminalArguments;
use crate::config::launch_json::PathMapping;
use crate::pyenv::interpreter::Interpreter;
use crate::sandbox::{self, PythonProcess, Sandbox, StdioMode};
use crate::session::{Backend, BackendEvent, EventSink, Launcher, OutputCategory, ProgramSpec, SessionEvent, Target};

const NODELAY_SITECUSTOMIZE: &str = include_str!("../../adapters/nodelay/sitecustomize.py");
const ATTACH_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// `sys.exit(N)` is how a program ends, not a crash: with the `uncaught` filter on (the session's
/// default) pydevd would stop at every non-zero `SystemExit`, where pdb and Python itself do not.
/// An empty list breaks on no exit code (older debugpy versions ignore the setting and stop on
/// non-zero codes, as VS Code does).
const NO_SYSTEM_EXIT_BREAKS: [i64; 0] = [];

/// A program for debugpy to launch: the program, and what only debugpy has.
#[derive(Debug, Clone)]
pub struct LaunchSpec {
    pub program: ProgramSpec,
    pub just_my_code: bool,
    pub debugpy: DebugpySource,
    /// What the program's stdin is connected to (debugpy's launcher hands it on; pdb's program
    /// always reads its terminal, so this is not part of [`ProgramSpec`]).
    pub stdin: StdioMode,
}

/// A debugpy listening on a port, maybe in a container.
#[derive(Debug, Clone)]
pub struct AttachSpec {
    pub host: String,
    pub port: u16,
    pub path_mappings: Vec<PathMapping>,
    pub just_my_code: bool,
    /// Where the local copy of the program is: paths the debuggee reports that no mapping
    /// covers are matched against the files under it (`dap::pathmap`).
    pub project_dir: PathBuf,
}

#[derive(Debug, Clone)]
pub enum DebugpySpec {
    Launch(Box<LaunchSpec>),
    Attach(AttachSpec),
}

/// Starts debugpy sessions (and starts them again for restart).
pub struct DebugpyLauncher {
    pub spec: DebugpySpec,
    /// Apply the TCP_NODELAY fix inside the debuggee (off only to measure stock debugpy): through
    /// `sitecustomize` when launching, by evaluating a one-liner at the first stop when attaching.
    pub nodelay: bool,
}

#[async_trait]
impl Launcher for DebugpyLauncher {
    async fn start(&self, events: EventSink) -> anyhow::Result<Box<dyn Backend>> {
        match &self.spec {
            DebugpySpec::Launch(spec) => Ok(Box::new(launch(spec, self.nodelay, events).await?)),
            DebugpySpec::Attach(spec) => Ok(Box::new(attach(spec, self.nodelay, events).await?)),
        }
    }

    fn attached(&self) -> bool {
        matches!(self.spec, DebugpySpec::Attach(_))
    }

    fn absolute(&self, file: &Path) -> PathBuf {
        let program = match &self.spec {
            DebugpySpec::Launch(spec) => spec.program.script(),
            DebugpySpec::Attach(_) => None,
        };
        crate::session::absolute_source_path(file, program)
    }

    fn program(&self) -> Option<&crate::session::ProgramSpec> {
        match &self.spec {
            DebugpySpec::Launch(spec) => Some(&spec.program),
            DebugpySpec::Attach(_) => None,
        }
    }

    fn with_args(&self, args: Vec<String>) -> Option<Box<dyn Launcher>> {
        let DebugpySpec::Launch(spec) = &self.spec else { return None };
        let mut spec = spec.clone();
        spec.program.args = args;
        Some(Box::new(DebugpyLauncher { spec: DebugpySpec::Launch(spec), nodelay: self.nodelay }))
    }
}

async fn launch(launch: &LaunchSpec, nodelay: bool, events: EventSink) -> anyhow::Result<DapBackend> {
    let spec = &launch.program;
    spec.check()?;
    if let Some(script) = spec.script() {
        check_syntax(&spec.interpreter, script, spec.sandbox.as_ref()).await?;
    }
    let mut pythonpath: Vec<PathBuf> = Vec::new();
    if nodelay {
        pythonpath.push(nodelay_dir()?);
    }
    if let Some(dir) = provision::debuggee_pythonpath(&launch.debugpy) {
        pythonpath.push(dir);
    }
    let adapter_pythonpath = sandbox::join_pythonpath(&pythonpath, std::env::var_os("PYTHONPATH"))?;

    let mut env = BTreeMap::new();
    env.insert(OsString::from("PYTHONPATH"), adapter_pythonpath);
    let mut adapter = sandbox::spawn(&PythonProcess {
        interpreter: spec.interpreter.path.clone(),
        remove_env: Vec::new(),
        args: vec!["-m".into(), "debugpy.adapter".into()],
        cwd: Some(spec.cwd.clone()),
        env,
        stdin: StdioMode::Piped,
        stdout: StdioMode::Piped,
        stderr: StdioMode::Piped,
        sandbox: spec.sandbox.clone(),
        status_fd: None,
        pass_fds: Vec::new(),
    })
    .with_context(|| format!("starting the debug adapter with {}", spec.interpreter.path.display()))?;
    let stdin = adapter.stdin.take().ok_or_else(|| anyhow!("adapter stdin missing"))?;
    let stdout = adapter.stdout.take().ok_or_else(|| anyhow!("adapter stdout missing"))?;
    let stderr_tail = Arc::new(Mutex::new(Vec::new()));
    if let Some(stderr) = adapter.stderr.take() {
        collect_tail(stderr, stderr_tail.clone());
    }
    let (client, incoming) = Client::start(stdout, stdin, "debugpy");

    // The program's own environment: the user's settings, then our path entries in front of
    // any PYTHONPATH they set.
    let mut program_env: serde_json::Map<String, Value> =
        spec.env.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let user_pythonpath = spec.env.get("PYTHONPATH").map(OsString::from).or_else(|| std::env::var_os("PYTHONPATH"));
    let program_pythonpath = sandbox::join_pythonpath(&pythonpath, user_pythonpath)?;
    program_env.insert("PYTHONPATH".into(), Value::String(program_pythonpath.to_string_lossy().into_owned()));
    // debugpy's launcher removes variables whose value is null.
    for name in &spec.unset_env {
        program_env.insert(name.clone(), Value::Null);
    }
    // pydevd warns about frozen modules in every child process; the warning is noise here.
    program_env.entry("PYDEVD_DISABLE_FILE_VALIDATION").or_insert_with(|| Value::String("1".into()));
    program_env.insert("LOUPE_NODELAY".into(), Value::String(if nodelay { "1" } else { "0" }.into()));

    let mut arguments = json!({
        "name": "loupe",
        "type": "debugpy",
        "request": "launch",
        "args": spec.args,
        "cwd": spec.cwd,
        "env": program_env,
        "python": [spec.interpreter.path],
        "console": "integratedTerminal",
        "stopOnEntry": spec.stop_on_entry,
        "justMyCode": launch.just_my_code,
        "subProcess": true,
        "redirectOutput": false,
        "showReturnValue": true,
        "breakOnSystemExit": NO_SYSTEM_EXIT_BREAKS,
    });
    match &spec.target {
        Target::Program(p) => arguments["program"] = json!(p),
        Target::Module(m) => arguments["module"] = json!(m),
    }
    let program_stdin: ProgramStdin = Arc::default();
    let terminal = terminal_spawner(launch.stdin, program_stdin.clone(), spec.sandbox.clone());
    let start = StartRequest { request: "launch", arguments, nodelay_at_first_stop: false, paths: PathMap::off() };
    let adapter = AdapterProcess { child: Some(adapter), stderr_tail, sandbox: spec.sandbox.clone() };
    let mut backend = DapBackend::start(client, incoming, events, start, Some(terminal), adapter).await?;
    if launch.stdin == StdioMode::Piped {
        backend.program_stdin = Some(program_stdin);
    }
    Ok(backend)
}

async fn attach(spec: &AttachSpec, nodelay: bool, events: EventSink) -> anyhow::Result<DapBackend> {
    let address = format!("{}:{}", spec.host, spec.port);
    let stream = match tokio::time::timeout(
        ATTACH_CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect((spec.host.as_str(), spec.port)),
    )
    .await
    {
        Err(_) => bail!(
            "no answer from {address} within {} s: check the address, and that the port is published from the container",
            ATTACH_CONNECT_TIMEOUT.as_secs()
        ),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => bail!(
            "nothing is listening at {address}: start the program with `python -m debugpy --listen {address} --wait-for-client SCRIPT`"
        ),
        Ok(Err(e)) => bail!("cannot connect to {address}: {e}"),
        Ok(Ok(s)) => s,
    };
    stream.set_nodelay(true).context("setting TCP_NODELAY")?;
    let (reader, writer) = stream.into_split();
    let (client, incoming) = Client::start(reader, writer, &format!("debugpy@{address}"));
    let mappings: Vec<Value> =
        spec.path_mappings.iter().map(|m| json!({ "localRoot": m.local_root, "remoteRoot": m.remote_root })).collect();
    let arguments = json!({
        "name": "loupe attach",
        "type": "debugpy",
        "request": "attach",
        "connect": { "host": spec.host, "port": spec.port },
        "pathMappings": mappings,
        "justMyCode": spec.just_my_code,
        "subProcess": true,
        "breakOnSystemExit": NO_SYSTEM_EXIT_BREAKS,
    });
    let paths = PathMap::inferring(spec.project_dir.clone(), spec.path_mappings.clone());
    let start = StartRequest { request: "attach", arguments, nodelay_at_first_stop: nodelay, paths };
    let adapter = AdapterProcess { child: None, stderr_tail: Arc::new(Mutex::new(Vec::new())), sandbox: None };
    let backend = DapBackend::start(client, incoming, events, start, None, adapter)
        .await
        .with_context(|| format!("attaching to debugpy at {address}"))?;
    // Before the session sends any breakpoint: they need the debuggee's paths.
    backend.infer_from_program().await;
    Ok(backend)
}

/// Reports a syntax error as CPython's compiler sees it, before any adapter is started.
async fn check_syntax(
    interpreter: &Interpreter,
    program: &Path,
    run_sandbox: Option<&Arc<Sandbox>>,
) -> anyhow::Result<()> {
    const CHECK: &str = "import sys, json\n\
        path = sys.argv[1]\n\
        try:\n    compile(open(path, 'rb').read(), path, 'exec')\n\
        except SyntaxError as e:\n    print(json.dumps({'line': e.lineno, 'column': e.offset, 'message': e.msg, 'text': (e.text or '').rstrip()}))\n\
        except (ValueError, OSError) as e:\n    print(json.dumps({'line': None, 'column': None, 'message': str(e), 'text': ''}))\n";
    let child = sandbox::spawn(&PythonProcess {
        interpreter: interpreter.path.clone(),
        remove_env: Vec::new(),
        args: vec!["-c".into(), CHECK.into(), program.into()],
        cwd: None,
        env: BTreeMap::new(),
        stdin: StdioMode::Null,
        stdout: StdioMode::Piped,
        stderr: StdioMode::Null,
        sandbox: run_sandbox.cloned(),
        status_fd: None,
        pass_fds: Vec::new(),
    })?;
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .map_err(|_| anyhow!("checking {} for syntax errors took over 30 s", program.display()))??;
    let text = String::from_utf8_lossy(&output.stdout);
    if let Ok(error) = serde_json::from_str::<Value>(text.trim()) {
        let line = error["line"].as_i64().map(|l| format!(":{l}")).unwrap_or_default();
        let column = error["column"].as_i64().map(|c| format!(":{c}")).unwrap_or_default();
        let message = error["message"].as_str().unwrap_or("invalid syntax");
        let source =
            error["text"].as_str().filter(|t| !t.is_empty()).map(|t| format!("\n    {}", t.trim())).unwrap_or_default();
        bail!("{}{line}{column}: SyntaxError: {message}{source}", program.display());
    }
    Ok(())
}

/// The directory holding the nodelay `sitecustomize.py`, written into loupe's cache so the
/// binary works wherever it is installed.
fn nodelay_dir() -> anyhow::Result<PathBuf> {
    crate::adapters::install("nodelay", &[("sitecustomize.py", NODELAY_SITECUSTOMIZE)])
}

/// Keeps the last lines a process wrote (for error messages) and logs them all.
fn collect_tail<R: AsyncRead + Unpin + Send + 'static>(reader: R, tail: Arc<Mutex<Vec<String>>>) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::debug!(target: "loupe::dap::adapter", "{line}");
            if let Ok(mut t) = tail.lock() {
                if t.len() == 20 {
                    t.remove(0);
                }
                t.push(line);
            }
        }
    });
}

/// Runs debugpy's launcher (which then starts the program) when the adapter asks.
fn terminal_spawner(
    stdin: StdioMode,
    program_stdin: ProgramStdin,
    run_sandbox: Option<Arc<Sandbox>>,
) -> TerminalSpawner {
    Arc::new(move |args: &RunInTerminalArguments, sink: EventSink, done: mpsc::Sender<()>| {
        let (program, rest) = args.args.split_first().ok_or_else(|| anyhow!("runInTerminal without a command"))?;
        let mut env = BTreeMap::new();
        for (k, v) in args.env.iter().flatten() {
            if let Some(v) = v.as_str() {
                env.insert(OsString::from(k), OsString::from(v));
            }
        }
        let mut child = sandbox::spawn(&PythonProcess {
            interpreter: PathBuf::from(program),
            remove_env: Vec::new(),
            args: rest.iter().map(OsString::from).collect(),
            cwd: (!args.cwd.is_empty()).then(|| PathBuf::from(&args.cwd)),
            env,
            stdin,
            stdout: StdioMode::Piped,
            stderr: StdioMode::Piped,
            sandbox: run_sandbox.clone(),
            status_fd: None,
            pass_fds: Vec::new(),
        })?;
        if let Some(out) = child.stdout.take() {
            forward_output(out, OutputCategory::Stdout, sink.clone(), done.clone());
        }
        if let Some(err) = child.stderr.take() {
            forward_output(err, OutputCategory::Stderr, sink.clone(), done);
        }
        let pid = child.id();
        if let Some(pipe) = child.stdin.take() {
            // Nobody writes before the program exists, so the slot is free here.
            if let Ok(mut slot) = program_stdin.try_lock() {
                *slot = Some(pipe);
            }
        }
        tokio::spawn(async move {
            let status = child.wait().await;
            tracing::debug!("debugpy launcher ended: {status:?}");
        });
        Ok(pid)
    })
}

/// Streams a pipe as output events, never splitting a UTF-8 character across two events.
fn forward_output<R: AsyncRead + Unpin + Send + 'static>(
    mut reader: R,
    category: OutputCategory,
    sink: EventSink,
    done: mpsc::Sender<()>,
) {
    tokio::spawn(async move {
        let _done = done;
        let mut buf = vec![0u8; 64 * 1024];
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let n = match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            pending.extend_from_slice(&buf[..n]);
            let cut = utf8_prefix_len(&pending);
            if cut == 0 {
                continue;
            }
            let text = String::from_utf8_lossy(&pending[..cut]).into_owned();
            pending.drain(..cut);
            let _ = sink.send(BackendEvent::Session(SessionEvent::Output { category, text }));
        }
        if !pending.is_empty() {
            let text = String::from_utf8_lossy(&pending).into_owned();
            let _ = sink.send(BackendEvent::Session(SessionEvent::Output { category, text }));
        }
    });
}

/// The length of `bytes` without a trailing incomplete UTF-8 sequence (invalid bytes elsewhere
/// are left for lossy decoding).
fn utf8_prefix_len(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_incomplete_utf8_for_later() {
        let text = "héllo".as_bytes();
        assert_eq!(utf8_prefix_len(&text[..2]), 1);
        assert_eq!(utf8_prefix_len(text), text.len());
        assert_eq!(utf8_prefix_len(b"\xffabc"), 4);
    }
}
