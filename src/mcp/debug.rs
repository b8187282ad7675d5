//! `debug_script`: a batch debugging session (`loupe run --batch`) whose JSON Lines are collected
//! into the tool's result instead of printed. The program runs in the debugging sandbox; the
//! session has a wall-clock limit, past which it is ended (and the program with it).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use rmcp::schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::run::{existing_script, positive_timeout, working_directory};
use crate::batch::{self, JsonLines, Outcome, Runner};
use crate::dap::debugpy::{DebugpyLauncher, DebugpySpec, LaunchSpec};
use crate::dap::provision;
use crate::pdb::{Debugger, PdbLauncher, PdbSpec};
use crate::pyenv::interpreter;
use crate::sandbox::{PolicyOverrides, StdioMode};
use crate::session::{Launcher, ProgramSpec, Session, Target};

/// How long a session may last when the request does not say, seconds.
const DEFAULT_TIMEOUT: f64 = 60.0;

/// Most transcript entries a result carries (a loop of `step`s can make many).
const TRANSCRIPT_LIMIT: usize = 2000;

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// The standard library's pdb in a pseudo-terminal (nothing to install).
    #[default]
    Pdb,
    /// debugpy over the Debug Adapter Protocol (installed into loupe's cache when missing).
    Debugpy,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct Breakpoint {
    /// The file (relative to the working directory, or absolute) or a function name.
    pub file: String,
    /// The line; leave it out to break on the function named by `file`.
    pub line: Option<u32>,
    /// Stop only when this Python expression is true there.
    pub condition: Option<String>,
    /// Stop only on some hits: `>= 3`, `== 2` or `% 5` (a bare number means `>=`).
    pub hits: Option<String>,
}

impl Breakpoint {
    /// The same breakpoint in the batch language (`break FILE:LINE if COND hits OP N`); a
    /// relative file is the session's working directory's.
    fn command(&self, cwd: &Path) -> String {
        let mut text = match self.line {
            Some(line) => format!("{}:{line}", cwd.join(&self.file).display()),
            None => self.file.clone(),
        };
        if let Some(c) = &self.condition {
            text.push_str(&format!(" if {c}"));
        }
        if let Some(h) = &self.hits {
            let h = h.trim();
            let h = if h.starts_with(|c: char| c.is_ascii_digit()) { format!(">= {h}") } else { h.to_string() };
            text.push_str(&format!(" hits {h}"));
        }
        text
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DebugScript {
    /// Path of the Python script to debug.
    pub script: PathBuf,
    /// Arguments for the script.
    #[serde(default)]
    pub args: Vec<String>,
    /// Breakpoints set before the program starts.
    #[serde(default)]
    pub breakpoints: Vec<Breakpoint>,
    /// Batch commands run in order, as `loupe run --batch -ex` takes them: `locals`, `print EXPR`,
    /// `next`, `step`, `finish`, `continue`, `stack`, `until LINE`, `break ...`, `watch EXPR`,
    /// `quit` (docs/BATCH.md). A command that needs a stop runs the program to its first one;
    /// after the last command the program runs to its end.
    #[serde(default)]
    pub commands: Vec<String>,
    /// Debugger backend (default pdb).
    #[serde(default)]
    pub backend: Backend,
    /// Wall-clock limit of the whole session in seconds (default 60).
    pub timeout: Option<f64>,
    /// Working directory (default: the server's).
    pub cwd: Option<PathBuf>,
    /// Python interpreter (default: as `loupe run` chooses).
    pub python: Option<PathBuf>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct DebugResult {
    /// The program's exit code, when it exited.
    pub exit_code: Option<i64>,
    /// Why the session ended without an exit code (timeout, the debugger failed).
    pub ended: Option<String>,
    /// Every result, stop, output and error of the session, in order (docs/BATCH.md shapes).
    pub transcript: Vec<Value>,
    /// Whether the transcript was cut (at 2000 entries).
    pub transcript_truncated: bool,
    pub wall_ms: u64,
}

/// Where the batch runner's JSON Lines go: a buffer the tool reads afterwards.
#[derive(Clone, Default)]
struct Collector(Arc<Mutex<Vec<u8>>>);

impl Write for Collector {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("transcript lock poisoned"))?.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Collector {
    fn entries(&self) -> Vec<Value> {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }
}

pub async fn debug_script(request: DebugScript) -> anyhow::Result<DebugResult> {
    let started = Instant::now();
    let timeout = positive_timeout(request.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
    let cwd = working_directory(request.cwd.as_deref())?;
    let mut breakpoints = Vec::new();
    for b in &request.breakpoints {
        let text = b.command(&cwd);
        match batch::parse_break(&text, false) {
            Ok(batch::Command::Break(spec)) => breakpoints.push(spec),
            Ok(_) => bail!("breakpoint {text:?}: not a breakpoint"),
            Err(message) => bail!("breakpoint {text:?}: {message}"),
        }
    }
    let launcher = launcher(&request, cwd).await?;
    let collector = Collector::default();
    let session = async {
        let mut session = Session::start(launcher).await?;
        let mut out = JsonLines::new(Box::new(collector.clone()));
        for b in breakpoints {
            match session.add_breakpoint(b).await {
                Ok(b) => out.result("break", serde_json::json!({ "breakpoint": batch::output::breakpoint(&b) })),
                Err(e) => out.error("break", &format!("{e:#}")),
            }
        }
        anyhow::Ok(Runner::new(session, out).run(&request.commands).await)
    };
    // Past the limit the session (debugger and program) is dropped, which ends them.
    let (exit_code, ended) = match tokio::time::timeout(Duration::from_secs_f64(timeout), session).await {
        Ok(Ok(Outcome::Exited(code))) => (Some(code), None),
        Ok(Ok(Outcome::Detached)) => (None, Some("the session ended before the program did (quit)".to_string())),
        Ok(Ok(Outcome::Failed(why))) => (None, Some(format!("the debugger failed: {why}"))),
        Ok(Err(e)) => return Err(e.context("starting the debugging session")),
        Err(_) => (None, Some(format!("timeout: the session was ended after {timeout} s"))),
    };
    let mut transcript = collector.entries();
    let transcript_truncated = transcript.len() > TRANSCRIPT_LIMIT;
    transcript.truncate(TRANSCRIPT_LIMIT);
    for entry in &mut transcript {
        if let Some(Value::String(text)) = entry.get_mut("text") {
            let (cut, _) = super::server::truncated(std::mem::take(text));
            *text = cut;
        }
    }
    Ok(DebugResult {
        exit_code,
        ended,
        transcript,
        transcript_truncated,
        wall_ms: started.elapsed().as_millis() as u64,
    })
}

/// The program (in the debugging sandbox) under the requested backend.
async fn launcher(request: &DebugScript, cwd: PathBuf) -> anyhow::Result<Box<dyn Launcher>> {
    let script = existing_script(&cwd.join(&request.script))?;
    let interpreter = interpreter::resolve(request.python.as_deref(), &cwd).await?;
    let overrides = crate::sandbox::policy::config_file_overrides()?.merged_with(PolicyOverrides::default());
    let project = vec![cwd.clone(), script.parent().map(Path::to_path_buf).unwrap_or_else(|| cwd.clone())];
    let sandbox = crate::sandbox::for_debugging(&overrides, project, Some(script.clone()))?;
    let program = ProgramSpec {
        target: Target::Program(script),
        args: request.args.clone(),
        cwd,
        env: BTreeMap::new(),
        unset_env: Vec::new(),
        stop_on_entry: false,
        interpreter,
        sandbox,
    };
    Ok(match request.backend {
        Backend::Pdb => {
            Box::new(PdbLauncher { spec: PdbSpec { program, debugger: Debugger::Pdb }, terminal: Default::default() })
        }
        Backend::Debugpy => {
            let mut progress = |line: &str| tracing::info!("debugpy: {line}");
            let debugpy = provision::ensure_debugpy(&program.interpreter, &mut progress).await?;
            let spec = LaunchSpec { program, just_my_code: true, debugpy, stdin: StdioMode::Null };
            Box::new(DebugpyLauncher { spec: DebugpySpec::Launch(Box::new(spec)), nodelay: true })
        }
    })
}
