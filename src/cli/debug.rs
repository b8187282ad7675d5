//! `loupe run` and `loupe attach`: from arguments (and launch.json) to a debugpy session driven
//! by the batch runner.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};

use super::args::{AttachArgs, BackendKind, RunArgs, SessionArgs};
use crate::batch::{self, Command, JsonLines, Outcome, Runner};
use crate::config::launch_json::{self, LaunchConfig, PathMapping, RequestKind};
use crate::dap::debugpy::{AttachSpec, DebugpyLauncher, DebugpySpec, LaunchSpec};
use crate::dap::provision;
use crate::pdb::{Debugger, PdbLauncher, PdbSpec};
use crate::pyenv::interpreter;
use crate::sandbox::{Sandbox, StdioMode};
use crate::session::TerminalSlot;
use crate::session::{BreakpointSpec, Launcher, ProgramSpec, Session, Target};
use crate::tui::app::SessionFacts;
use crate::tui::TuiOptions;

pub async fn run(args: RunArgs) -> anyhow::Result<u8> {
    require_terminal_or_batch(&args.session)?;
    let breakpoints = parse_breakpoints(&args.session.breakpoints)?;
    let loaded = load_config(args.session.config.as_deref())?;
    let config = loaded.as_ref().map(|(c, _)| c);
    if let Some(c) = config.filter(|c| c.request == RequestKind::Attach) {
        let (host, port) = c.connect.clone().ok_or_else(|| anyhow!("configuration {:?} has no connect", c.name))?;
        let spec = AttachSpec {
            host,
            port,
            path_mappings: c.path_mappings.clone(),
            just_my_code: !args.session.all_code && c.just_my_code.unwrap_or(true),
            project_dir: attach_project_dir(
                args.cwd.as_deref(),
                c.cwd.as_deref(),
                loaded.as_ref().map(|(_, w)| w.as_path()),
            )?,
        };
        return debug(DebugpySpec::Attach(spec), &args.session, breakpoints, false).await;
    }
    let workspace = loaded.as_ref().map(|(_, w)| w.as_path());
    let program = program_spec(&args, config, workspace).await?;
    super::test_cmd::require_pytest(&program.target, &program.interpreter, &program.cwd).await?;
    let failures = !args.no_stop_on_failure && crate::session::is_test_runner(&program.target);
    match args.backend {
        BackendKind::Debugpy => {
            let mut progress = |line: &str| note!("loupe: {line}");
            let debugpy = provision::ensure_debugpy(&program.interpreter, &mut progress).await?;
            tracing::info!("debugpy {}: {debugpy:?}", debugpy.version());
            let spec = LaunchSpec {
                program,
                just_my_code: !args.session.all_code && config.and_then(|c| c.just_my_code).unwrap_or(true),
                debugpy,
                // Interactive: the terminal is loupe's, so the program reads its input from the console.
                stdin: if args.session.batch { StdioMode::Inherit } else { StdioMode::Piped },
            };
            debug(DebugpySpec::Launch(Box::new(spec)), &args.session, breakpoints, failures).await
        }
        BackendKind::Pdb => debug_pdb(program, Debugger::Pdb, &args.session, breakpoints, failures).await,
        BackendKind::Ipdb => debug_pdb(program, Debugger::Ipdb, &args.session, breakpoints, failures).await,
    }
}

/// The same program under pdb or ipdb in a pseudo-terminal.
async fn debug_pdb(
    spec: ProgramSpec,
    debugger: Debugger,
    session_args: &SessionArgs,
    breakpoints: Vec<BreakpointSpec>,
    failures: bool,
) -> anyhow::Result<u8> {
    let facts = (!session_args.batch).then(|| {
        // Unlike debugpy's (`-m NAME`), pdb's status bar leaves a module's name out.
        let shown = spec.script().map(|p| p.display().to_string()).unwrap_or_default();
        launched_facts(debugger.name(), &spec, shown)
    });
    let terminal: TerminalSlot = Default::default();
    let launcher = PdbLauncher { spec: PdbSpec { program: spec, debugger }, terminal: terminal.clone() };
    if session_args.batch {
        forward_stdin(terminal.clone());
    }
    drive(Box::new(launcher), facts, session_args, breakpoints, Some(terminal), failures).await
}

/// Batch mode: loupe's own stdin is the program's input. The program reads its terminal, so
/// what arrives is typed there (held while pdb's prompt is up).
fn forward_stdin(terminal: TerminalSlot) {
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin().lock();
        let mut buf = [0u8; 8192];
        while let Ok(n) = stdin.read(&mut buf) {
            if n == 0 {
                break;
            }
            // The program may not have started yet: wait for its terminal.
            let current = loop {
                match terminal.lock().ok().and_then(|t| t.clone()) {
                    Some(t) => break t,
                    None => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            };
            if let Err(e) = current.program_input(&buf[..n]) {
                tracing::warn!("passing input to the program: {e:#}");
                break;
            }
        }
    });
}

pub async fn attach(args: AttachArgs) -> anyhow::Result<u8> {
    require_terminal_or_batch(&args.session)?;
    let breakpoints = parse_breakpoints(&args.session.breakpoints)?;
    let config = load_config(args.session.config.as_deref())?.map(|(c, _)| c);
    if let Some(c) = config.as_ref().filter(|c| c.request != RequestKind::Attach) {
        bail!("configuration {:?} is a launch configuration; use `loupe run --config {:?}`", c.name, c.name);
    }
    let (host, port) = match (args.pid, &args.address, config.as_ref().and_then(|c| c.connect.clone())) {
        (Some(pid), _, _) => {
            let mut progress = |line: &str| note!("loupe: {line}");
            ("127.0.0.1".to_string(), crate::dap::inject::inject(pid, &mut progress).await?)
        }
        (None, Some(a), _) => parse_address(a)?,
        (None, None, Some(hp)) => hp,
        (None, None, None) => bail!("attach needs HOST:PORT, --pid PID, or --config NAME with a connect section"),
    };
    let mut path_mappings = config.as_ref().map(|c| c.path_mappings.clone()).unwrap_or_default();
    for m in &args.path_maps {
        path_mappings.push(parse_path_map(m)?);
    }
    if !is_loopback(&host) {
        note!(
            "loupe: warning: {host} is not a loopback address. debugpy has no authentication: anyone who can \
             reach {host}:{port} can run code in the debuggee. Prefer an SSH tunnel or a port bound to 127.0.0.1."
        );
    }
    let just_my_code = !args.session.all_code && config.as_ref().and_then(|c| c.just_my_code).unwrap_or(true);
    let project_dir = attach_project_dir(args.cwd.as_deref(), config.as_ref().and_then(|c| c.cwd.as_deref()), None)?;
    let spec = AttachSpec { host, port, path_mappings, just_my_code, project_dir };
    debug(DebugpySpec::Attach(spec), &args.session, breakpoints, false).await
}

/// Where an attached session's local copy of the program is: `--cwd`, else the configuration's
/// `cwd`, else its workspace, else the current directory.
fn attach_project_dir(flag: Option<&Path>, config: Option<&Path>, workspace: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = match flag.or(config).or(workspace) {
        Some(d) => std::path::absolute(d)?,
        None => std::env::current_dir().context("reading the current directory")?,
    };
    if !dir.is_dir() {
        bail!("--cwd {}: not a directory", dir.display());
    }
    Ok(normalize(&dir))
}

/// The interactive interface draws on a terminal; without one, batch mode is the way.
fn require_terminal_or_batch(session: &SessionArgs) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    let on_terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    if !session.batch && !on_terminal {
        bail!(
            "the interactive interface needs a terminal (stdin and stdout are not one here); add --batch \
             (with -ex COMMAND ...) to debug with JSON Lines output"
        );
    }
    if !session.batch && !session.commands.is_empty() {
        bail!("-ex commands run in batch mode: add --batch (the interactive console accepts the same commands)");
    }
    if session.batch && session.theme.is_some() {
        bail!("--theme is for the interactive interface; it has no effect with --batch");
    }
    Ok(())
}

/// Parses every `--break` before anything starts, so a typo costs nothing.
fn parse_breakpoints(specs: &[String]) -> anyhow::Result<Vec<BreakpointSpec>> {
    specs
        .iter()
        .map(|s| match batch::parse_break(s, false) {
            Ok(Command::Break(b)) => Ok(b),
            Ok(_) => unreachable!("parse_break returns breaks"),
            Err(e) => Err(anyhow!("--break {s:?}: {e}")),
        })
        .collect()
}

/// The named configuration and its workspace (the directory holding `.vscode/`).
fn load_config(name: Option<&str>) -> anyhow::Result<Option<(LaunchConfig, PathBuf)>> {
    let Some(name) = name else { return Ok(None) };
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let workspace = cwd.ancestors().find(|d| launch_json::launch_json_path(d).is_file()).ok_or_else(|| {
        anyhow!("--config {name:?}: no .vscode/launch.json in {} or any directory above it", cwd.display())
    })?;
    Ok(Some((launch_json::load(workspace, name)?, workspace.to_path_buf())))
}

async fn program_spec(
    args: &RunArgs,
    config: Option<&LaunchConfig>,
    workspace: Option<&Path>,
) -> anyhow::Result<ProgramSpec> {
    let cwd_now = std::env::current_dir().context("reading the current directory")?;
    let (target, program_args) = match (&args.module, args.program.split_first(), config) {
        (Some(m), _, _) => (Target::Module(m.clone()), args.program.clone()),
        (None, Some((script, rest)), _) => (Target::Program(std::path::absolute(script)?), rest.to_vec()),
        (None, None, Some(c)) => match (&c.program, &c.module) {
            (Some(p), _) => (Target::Program(p.clone()), c.args.clone()),
            (None, Some(m)) => (Target::Module(m.clone()), c.args.clone()),
            (None, None) => bail!("configuration {:?} has neither program nor module", c.name),
        },
        (None, None, None) => bail!("nothing to run: give a SCRIPT, -m MODULE or --config NAME"),
    };
    target.check()?;
    let cwd = match (&args.cwd, config.and_then(|c| c.cwd.clone())) {
        (Some(c), _) => std::path::absolute(c)?,
        (None, Some(c)) => c,
        // VS Code runs a configuration without `cwd` in the workspace folder.
        (None, None) => workspace.map(Path::to_path_buf).unwrap_or_else(|| cwd_now.clone()),
    };
    if !cwd.is_dir() {
        bail!("working directory {} does not exist", cwd.display());
    }
    let mut env: BTreeMap<String, String> = config.map(|c| c.env.clone()).unwrap_or_default();
    // `--env NAME` (no value) passes loupe's own variable through the sandbox: a sandbox rule.
    for (k, v) in args.env.iter().filter_map(|pair| pair.split_once('=')) {
        if k.is_empty() {
            bail!("--env {k}={v:?}: expected NAME=VALUE or NAME");
        }
        env.insert(k.to_string(), v.to_string());
    }
    let requested = args.python.clone().or_else(|| config.and_then(|c| c.python.clone())).or_else(|| {
        // The interpreter chosen for this project in the TUI's Environment pane.
        let start = match &target {
            Target::Program(p) => p.clone(),
            Target::Module(_) => cwd.clone(),
        };
        let (saved, _) = crate::tui::persist::Persisted::load(&crate::tui::persist::project_root(&start));
        saved
            .interpreter
            .filter(|p| p.exists())
            .inspect(|p| tracing::info!("the project's chosen interpreter: {}", p.display()))
    });
    let interpreter = interpreter::resolve(requested.as_deref(), &cwd_now).await?;
    tracing::info!("interpreter: {} ({})", interpreter.path.display(), interpreter.version);
    let sandbox = debug_sandbox(args, &target, &cwd)?;
    let test_run = crate::session::is_test_runner(&target);
    Ok(ProgramSpec {
        target,
        args: program_args,
        cwd,
        env,
        unset_env: config.map(|c| c.unset_env.clone()).unwrap_or_default(),
        // The interactive interface stops at the first line (as pudb does) so breakpoints can be
        // set in the source before anything runs; a test run goes straight to its failures (the
        // tests overlay shows the tests meanwhile).
        stop_on_entry: args.stop_on_entry
            || (!args.session.batch && !test_run)
            || config.is_some_and(|c| c.stop_on_entry),
        interpreter,
        sandbox,
    })
}

/// The sandbox of a debugging session (`None` with `--sandbox off`): the flags on top of the
/// config file, the script's directory and the working directory readable.
fn debug_sandbox(args: &RunArgs, target: &Target, cwd: &Path) -> anyhow::Result<Option<Arc<Sandbox>>> {
    if args.sandbox.timeout.is_some() || args.sandbox.max_output.is_some() {
        bail!(
            "--timeout and --max-output are for `loupe exec` and `loupe tool`; a debugging session lasts until \
             you end it (use --cpu to bound the program's CPU time)"
        );
    }
    let passthrough: Vec<String> = args.env.iter().filter(|e| !e.contains('=')).cloned().collect();
    let overrides = args.sandbox.with_config_file(&passthrough)?;
    let mut project = vec![cwd.to_path_buf()];
    let script = match target {
        Target::Program(script) => Some(script.clone()),
        Target::Module(_) => None,
    };
    project.extend(script.as_deref().and_then(Path::parent).map(Path::to_path_buf));
    let sandbox = crate::sandbox::for_debugging(&overrides, project, script)?;
    if let Some(s) = &sandbox {
        tracing::info!("sandbox: {}", s.enforced().summary());
        for missing in &s.enforced().not_enforced {
            tracing::warn!("sandbox: not enforced: {missing}");
        }
    }
    Ok(sandbox)
}

/// The status bar's sandbox text.
fn sandbox_summary(sandbox: Option<&Arc<Sandbox>>) -> String {
    sandbox.map(|s| s.enforced().summary()).unwrap_or_else(|| "sandbox: off".into())
}

async fn debug(
    spec: DebugpySpec,
    session_args: &SessionArgs,
    breakpoints: Vec<BreakpointSpec>,
    failures: bool,
) -> anyhow::Result<u8> {
    let facts_and_root = (!session_args.batch).then(|| tui_facts(&spec));
    let launcher = DebugpyLauncher { spec, nodelay: !session_args.stock_debugpy };
    drive(Box::new(launcher), facts_and_root, session_args, breakpoints, None, failures).await
}

/// Starts the session and hands it to the TUI (with its facts) or to the batch runner. With
/// `failures` (a test runner), each failing test stops where it failed.
async fn drive(
    launcher: Box<dyn Launcher>,
    facts_and_root: Option<(SessionFacts, PathBuf, Option<PathBuf>)>,
    session_args: &SessionArgs,
    breakpoints: Vec<BreakpointSpec>,
    terminal: Option<TerminalSlot>,
    failures: bool,
) -> anyhow::Result<u8> {
    let mut session = Session::start(launcher).await?;
    if failures {
        // Still configuring: in force before the first test runs. A `catch` command replaces it.
        if let Err(e) = session.set_exception_filters(crate::session::TEST_FAILURE_FILTERS).await {
            note!("loupe: warning: failing tests will not stop: {} refused the filter: {e:#}", session.backend_name());
        }
    }
    if let Some((facts, project_root, initial_file)) = facts_and_root {
        let options = TuiOptions {
            facts,
            breakpoints,
            theme: session_args.theme.clone(),
            config: None,
            project_root,
            initial_file,
            terminal,
        };
        return crate::tui::run(session, options).await;
    }
    let mut out = JsonLines::new(Box::new(std::io::stdout()));
    for b in breakpoints {
        match session.add_breakpoint(b).await {
            Ok(b) => out.result("break", serde_json::json!({ "breakpoint": batch::output::breakpoint(&b) })),
            Err(e) => out.error("break", &format!("{e:#}")),
        }
    }
    let outcome = Runner::new(session, out).run(&session_args.commands).await;
    match outcome {
        Outcome::Exited(code) => Ok(code.clamp(0, 255) as u8),
        Outcome::Detached => Ok(0),
        Outcome::Failed(why) => Err(anyhow!(why)),
    }
}

/// What the TUI's status bar shows, the project whose breakpoints it keeps, and the file to show
/// before the first stop.
fn tui_facts(spec: &DebugpySpec) -> (SessionFacts, PathBuf, Option<PathBuf>) {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match spec {
        DebugpySpec::Launch(launch) => {
            let shown = match &launch.program.target {
                Target::Program(p) => p.display().to_string(),
                Target::Module(m) => format!("-m {m}"),
            };
            launched_facts("debugpy", &launch.program, shown)
        }
        DebugpySpec::Attach(a) => {
            let facts = SessionFacts {
                backend: format!("debugpy attach {}:{}", a.host, a.port),
                interpreter: String::new(),
                interpreter_path: None,
                program: String::new(),
                sandbox: None,
                attached: true,
                ..SessionFacts::default()
            };
            let root = a.path_mappings.first().map(|m| m.local_root.clone()).unwrap_or(cwd);
            (facts, crate::tui::persist::project_root(&root), None)
        }
    }
}

/// [`tui_facts`] for a program loupe launches, shown in the status bar as `shown`.
fn launched_facts(backend: &str, spec: &ProgramSpec, shown: String) -> (SessionFacts, PathBuf, Option<PathBuf>) {
    let file = spec.script().map(Path::to_path_buf);
    let facts = SessionFacts {
        backend: backend.into(),
        interpreter: format!("Python {}", spec.interpreter.version),
        interpreter_path: Some(spec.interpreter.path.clone()),
        program: shown,
        sandbox: Some(sandbox_summary(spec.sandbox.as_ref())),
        sandbox_notes: spec.sandbox.as_ref().map(|s| s.enforced().notes.clone()).unwrap_or_default(),
        attached: false,
        test_args: matches!(&spec.target, Target::Module(m) if m == "pytest" || m == "py.test")
            .then(|| spec.args.clone()),
    };
    let root = crate::tui::persist::project_root(file.as_deref().unwrap_or(&spec.cwd));
    (facts, root, file)
}

fn parse_address(text: &str) -> anyhow::Result<(String, u16)> {
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => (h.trim_start_matches('[').trim_end_matches(']').to_string(), p),
        None => ("127.0.0.1".to_string(), text),
    };
    let port: u16 = port
        .parse()
        .map_err(|_| anyhow!("bad address {text:?}: expected HOST:PORT with PORT a number from 1 to 65535"))?;
    if port == 0 || host.is_empty() {
        bail!("bad address {text:?}: expected HOST:PORT");
    }
    Ok((host, port))
}

fn parse_path_map(text: &str) -> anyhow::Result<PathMapping> {
    let (local, remote) = text
        .split_once('=')
        .filter(|(l, r)| !l.is_empty() && !r.is_empty())
        .ok_or_else(|| anyhow!("--path-map {text:?}: expected LOCAL=REMOTE, e.g. --path-map .=/app"))?;
    let local_root = std::path::absolute(Path::new(local)).with_context(|| format!("--path-map {text:?}"))?;
    if !local_root.is_dir() {
        bail!("--path-map {text:?}: local directory {} does not exist", local_root.display());
    }
    Ok(PathMapping { local_root: normalize(&local_root), remote_root: remote.to_string() })
}

/// `a/./b/../c` → `a/c`, without touching the file system (symlinks are left as the user wrote them).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(parse_address("127.0.0.1:5678").unwrap(), ("127.0.0.1".into(), 5678));
        assert_eq!(parse_address("5678").unwrap(), ("127.0.0.1".into(), 5678));
        assert_eq!(parse_address("[::1]:5678").unwrap(), ("::1".into(), 5678));
        assert!(parse_address("host:http").is_err());
        assert!(is_loopback("::1") && is_loopback("localhost") && !is_loopback("10.0.0.2"));
    }
}
