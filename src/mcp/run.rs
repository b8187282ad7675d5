//! `run_python` and `profile_script`: one program each, run to its end in the sandbox by the
//! supervisor `loupe exec` uses (captured output, wall-clock limit, which limit ended it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use rmcp::schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::server::truncated;
use crate::profile::{folded, svg, CallTree, Function, Profile};
use crate::pyenv::interpreter::{self, SearchContext};
use crate::sandbox::supervise::{self, LimitHit, Outcome, OutputMode};
use crate::sandbox::{self, Policy, PolicyOverrides, Purpose, PythonProcess, RunOptions, Sandbox};

/// Wall-clock limit of a tool's program when the request gives none, seconds.
const DEFAULT_TIMEOUT: f64 = 30.0;

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RunPython {
    /// Python source to run (as `python -c`). Give this or `script`.
    pub code: Option<String>,
    /// Path of a Python script to run. Give this or `code`.
    pub script: Option<PathBuf>,
    /// Arguments for the program (its sys.argv[1:]).
    #[serde(default)]
    pub args: Vec<String>,
    /// Text the program reads on its standard input (default: none).
    pub stdin: Option<String>,
    /// Wall-clock limit in seconds (default 30).
    pub timeout: Option<f64>,
    /// Memory limit in MB (default 512).
    pub memory_mb: Option<u64>,
    /// Allow network access (default false: the program has no network).
    #[serde(default)]
    pub network: bool,
    /// Working directory (default: the server's; writable by the program).
    pub cwd: Option<PathBuf>,
    /// Python interpreter: a path or command name (default: as `loupe exec` chooses).
    pub python: Option<PathBuf>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RunResult {
    /// The program's exit code (none when a signal ended it).
    pub exit_code: Option<i32>,
    /// The signal that ended the program, e.g. SIGKILL.
    pub signal: Option<String>,
    pub stdout: String,
    pub stderr: String,
    /// The sandbox limit that ended the run: timeout, cpu, memory, processes, output, file_size.
    pub limit_hit: Option<String>,
    /// Wall time in milliseconds.
    pub wall_ms: u64,
    pub cpu_ms: u64,
    pub max_rss_kb: u64,
    /// Whether stdout or stderr was cut (the text says where).
    pub output_truncated: bool,
}

impl From<Outcome> for RunResult {
    fn from(o: Outcome) -> Self {
        let (stdout, cut_out) = truncated(o.stdout);
        let (stderr, cut_err) = truncated(o.stderr);
        RunResult {
            exit_code: o.exit_code,
            signal: o.signal,
            stdout,
            stderr,
            limit_hit: o.limit_hit.map(limit_name),
            wall_ms: o.duration_ms,
            cpu_ms: o.cpu_ms,
            max_rss_kb: o.max_rss_kb,
            output_truncated: cut_out || cut_err,
        }
    }
}

fn limit_name(limit: LimitHit) -> String {
    serde_json::to_value(limit).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// What the sandbox of a tool's program is made from.
struct Confinement {
    timeout: Option<f64>,
    memory_mb: Option<u64>,
    network: bool,
    cwd: PathBuf,
    /// Directories the program may write besides its working directory.
    writable: Vec<PathBuf>,
    /// loupe's own files the program must read (the profile runner).
    loupe_read: Vec<PathBuf>,
}

impl Confinement {
    /// The `loupe exec` policy (config file included) with the request's limits on top.
    fn sandbox(self, script: Option<&Path>) -> anyhow::Result<Arc<Sandbox>> {
        let timeout = positive_timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let requested = PolicyOverrides {
            timeout: Some(timeout),
            memory: self.memory_mb,
            allow_network: self.network.then_some(true),
            allow_write: self.writable,
            ..Default::default()
        };
        let overrides = sandbox::policy::config_file_overrides()?.merged_with(requested);
        let policy = Policy::resolve(&overrides, Purpose::Exec)?;
        let mut project = vec![self.cwd];
        project.extend(script.and_then(Path::parent).map(Path::to_path_buf));
        Sandbox::new(
            policy,
            RunOptions {
                project,
                share_network: false,
                loupe_read: self.loupe_read,
                script: script.map(Path::to_path_buf),
            },
        )
    }
}

/// A request's time limit, which must be a positive number of seconds.
pub(super) fn positive_timeout(seconds: f64) -> anyhow::Result<f64> {
    if !(seconds > 0.0 && seconds.is_finite()) {
        bail!("timeout must be a positive number of seconds, got {seconds}");
    }
    Ok(seconds)
}

/// The working directory a request names (default: the server's), which must exist.
pub(super) fn working_directory(requested: Option<&Path>) -> anyhow::Result<PathBuf> {
    let cwd = match requested {
        Some(c) => std::path::absolute(c)?,
        None => std::env::current_dir().context("reading the current directory")?,
    };
    if !cwd.is_dir() {
        bail!("working directory {} does not exist", cwd.display());
    }
    Ok(cwd)
}

/// An existing script, as an absolute path.
pub fn existing_script(script: &Path) -> anyhow::Result<PathBuf> {
    let path = std::path::absolute(script).with_context(|| format!("script {}", script.display()))?;
    if !path.is_file() {
        bail!("script not found: {} (give the path of a Python file)", script.display());
    }
    Ok(path)
}

/// Runs `process` in `sandbox` on a blocking thread (the supervisor waits with system calls).
async fn supervise(sandbox: Arc<Sandbox>, process: PythonProcess, stdin: Option<String>) -> anyhow::Result<Outcome> {
    tokio::task::spawn_blocking(move || {
        // The program's standard input is a file holding the request's text (never loupe's own
        // stdin, which is the protocol channel).
        let input = tempfile::tempfile().context("creating the program's standard input")?;
        {
            use std::io::{Seek, Write};
            let mut file = &input;
            file.write_all(stdin.unwrap_or_default().as_bytes())?;
            file.rewind()?;
        }
        supervise::run_with(&sandbox, &process, OutputMode::Capture, |command| {
            command.stdin(input);
            Ok(())
        })
    })
    .await
    .context("the program's supervisor stopped unexpectedly")?
}

pub async fn run_python(request: RunPython) -> anyhow::Result<RunResult> {
    let cwd = working_directory(request.cwd.as_deref())?;
    let (mut args, script) = match (&request.code, &request.script) {
        (Some(code), None) => (vec!["-c".to_string(), code.clone()], None),
        (None, Some(script)) => {
            let path = existing_script(script)?;
            (vec![path.display().to_string()], Some(path))
        }
        (Some(_), Some(_)) => bail!("give either `code` or `script`, not both"),
        (None, None) => bail!("nothing to run: give `code` (Python source) or `script` (a file's path)"),
    };
    args.extend(request.args.iter().cloned());
    let interpreter = interpreter::locate(request.python.as_deref(), &cwd, &SearchContext::from_env())?;
    let confinement = Confinement {
        timeout: request.timeout,
        memory_mb: request.memory_mb,
        network: request.network,
        cwd: cwd.clone(),
        writable: Vec::new(),
        loupe_read: Vec::new(),
    };
    let sandbox = confinement.sandbox(script.as_deref())?;
    let mut process = PythonProcess::new(interpreter, args);
    process.cwd = Some(cwd);
    process.sandbox = Some(sandbox.clone());
    Ok(supervise(sandbox, process, request.stdin).await?.into())
}

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Time in the function itself.
    #[default]
    SelfTime,
    /// Time in the function and everything it called.
    Cumulative,
    Calls,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ProfileScript {
    /// Path of the Python script to profile.
    pub script: PathBuf,
    /// Arguments for the script.
    #[serde(default)]
    pub args: Vec<String>,
    /// How many functions to return (default 20).
    pub top: Option<usize>,
    /// Order of the functions (default self_time).
    #[serde(default)]
    pub sort: SortBy,
    /// Write the flamegraph as SVG to this path.
    pub svg: Option<PathBuf>,
    /// Write folded stacks (`a;b;c NANOSECONDS` per line) to this path.
    pub folded: Option<PathBuf>,
    /// Wall-clock limit in seconds (default 30).
    pub timeout: Option<f64>,
    /// Memory limit in MB (default 512).
    pub memory_mb: Option<u64>,
    /// Working directory (default: the server's).
    pub cwd: Option<PathBuf>,
    /// Python interpreter (default: as `loupe profile` chooses).
    pub python: Option<PathBuf>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ProfiledFunction {
    pub function: String,
    pub file: String,
    pub line: u32,
    /// All calls, recursive ones included.
    pub calls: u64,
    pub self_seconds: f64,
    pub cumulative_seconds: f64,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct ProfileResult {
    /// The program's run: exit code, output, the limit that ended it, wall time.
    pub run: RunResult,
    /// Total time in functions (seconds), the sum of every function's self time.
    pub total_seconds: f64,
    pub functions: Vec<ProfiledFunction>,
    /// The SVG written, when asked for.
    pub svg: Option<PathBuf>,
    /// The folded stacks written, when asked for.
    pub folded: Option<PathBuf>,
}

pub async fn profile_script(request: ProfileScript) -> anyhow::Result<ProfileResult> {
    let cwd = working_directory(request.cwd.as_deref())?;
    let script = existing_script(&request.script)?;
    let interpreter = interpreter::locate(request.python.as_deref(), &cwd, &SearchContext::from_env())?;
    let temp = tempfile::tempdir().context("creating a temporary directory for the profile")?;
    let pstats = temp.path().join("profile.prof");
    let runner = crate::adapters::profile_runner()?;
    let confinement = Confinement {
        timeout: request.timeout,
        memory_mb: request.memory_mb,
        network: false,
        cwd: cwd.clone(),
        writable: vec![temp.path().to_path_buf()],
        loupe_read: vec![runner.clone()],
    };
    let sandbox = confinement.sandbox(Some(&script))?;
    let mut args = vec!["-m".to_string(), "loupe_profile".into(), pstats.display().to_string()];
    args.push(script.display().to_string());
    args.extend(request.args.iter().cloned());
    let mut process = PythonProcess::new(interpreter, args);
    process.cwd = Some(cwd.clone());
    process.sandbox = Some(sandbox.clone());
    process.env.insert("PYTHONPATH".into(), sandbox::join_pythonpath(&[runner], None)?);
    let run: RunResult = supervise(sandbox, process, None).await?.into();
    if !pstats.is_file() {
        bail!(
            "cProfile wrote no profile: the program ended (exit code {:?}, signal {:?}, limit {:?}) before it could \
             be saved; its stderr: {}",
            run.exit_code,
            run.signal,
            run.limit_hit,
            run.stderr.trim()
        );
    }
    let profile = Profile::load(&pstats)?;
    let functions = top_functions(&profile, request.sort, request.top.unwrap_or(20));
    let name = script.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let outputs = (request.svg.clone(), request.folded.clone());
    let profile_for_files = profile.clone();
    // Building the call tree and drawing are CPU work: off the async threads.
    tokio::task::spawn_blocking(move || write_outputs(&profile_for_files, &name, &cwd, outputs.0, outputs.1))
        .await
        .context("writing the flamegraph stopped unexpectedly")??;
    Ok(ProfileResult {
        run,
        total_seconds: profile.total_self_time(),
        functions,
        svg: request.svg.map(|p| std::path::absolute(&p).unwrap_or(p)),
        folded: request.folded.map(|p| std::path::absolute(&p).unwrap_or(p)),
    })
}

fn top_functions(profile: &Profile, sort: SortBy, top: usize) -> Vec<ProfiledFunction> {
    let mut functions: Vec<_> = profile.functions.iter().collect();
    let key = |f: &Function| match sort {
        SortBy::SelfTime => f.figures.self_time,
        SortBy::Cumulative => f.figures.cumulative_time,
        SortBy::Calls => f.figures.calls,
    };
    functions.sort_by(|a, b| key(b).total_cmp(&key(a)));
    functions
        .into_iter()
        .take(top)
        .map(|f| ProfiledFunction {
            function: f.key.name.clone(),
            file: f.key.file.clone(),
            line: f.key.line,
            calls: crate::profile::calls::whole(f.figures.calls),
            self_seconds: f.figures.self_time,
            cumulative_seconds: f.figures.cumulative_time,
        })
        .collect()
}

fn write_outputs(
    profile: &Profile,
    name: &str,
    base: &Path,
    svg_path: Option<PathBuf>,
    folded_path: Option<PathBuf>,
) -> anyhow::Result<()> {
    if svg_path.is_none() && folded_path.is_none() {
        return Ok(());
    }
    let tree = CallTree::build(profile);
    if let Some(path) = folded_path {
        std::fs::write(&path, folded::write(profile, &tree)).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = svg_path {
        let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let titles = svg::Titles::for_profile(name, profile, &tree);
        svg::write(profile, &tree, &titles, false, Some(base), std::io::BufWriter::new(file))?;
    }
    Ok(())
}
