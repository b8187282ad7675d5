//! `loupe exec`: run Python code in the sandbox without a debugger. stdin is passed through,
//! stdout and stderr are streamed (or captured into one JSON object with `--json`), and loupe
//! exits with the program's exit code.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;

use super::sandbox_args::SandboxArgs;
use crate::pyenv::interpreter::{self, SearchContext};
use crate::sandbox::supervise::{self, OutputMode};
use crate::sandbox::{Policy, Purpose, PythonProcess, RunOptions, Sandbox, StdioMode};

#[derive(Debug, Args, Clone)]
pub struct ExecArgs {
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// Python interpreter (path or command name; pyenv shims are resolved).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Program passed in as a string (like `python -c`); positional arguments become sys.argv[1:].
    #[arg(short = 'c', value_name = "CODE")]
    pub code: Option<String>,
    /// Working directory (default: the current directory); writable unless --sandbox strict.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Environment variable (repeatable): NAME passes loupe's own value through, NAME=VALUE sets it.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
    /// Print one JSON object (exit code, signal, output, usage, limit hit, what was enforced).
    #[arg(long)]
    pub json: bool,
    /// SCRIPT [ARGS], or `-` to read the program from stdin.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "SCRIPT [ARGS] | -")]
    pub program: Vec<String>,
}

pub fn run(args: &ExecArgs) -> anyhow::Result<u8> {
    let cwd_now = std::env::current_dir().context("reading the current directory")?;
    let cwd = super::working_directory(args.cwd.as_deref(), &cwd_now)?;
    let (python_args, script) = python_arguments(args.code.as_deref(), &args.program)?;
    let overrides = args.sandbox.with_config_file(&args.env)?;
    let policy = Policy::resolve(&overrides, Purpose::Exec)?;
    let interpreter = interpreter::locate(args.python.as_deref(), &cwd_now, &SearchContext::from_env())?;

    let mut project = vec![cwd.clone()];
    project.extend(script.as_deref().and_then(Path::parent).map(Path::to_path_buf));
    let sandbox = Sandbox::new(
        policy,
        RunOptions { project, share_network: false, loupe_read: Vec::new(), script: script.clone() },
    )?;
    let mut process = PythonProcess::new(interpreter, python_args);
    process.cwd = Some(cwd);
    process.stdin = StdioMode::Inherit;
    process.sandbox = Some(sandbox.clone());
    if sandbox.is_off() {
        for rule in &sandbox.policy().env {
            if let Some(v) = &rule.value {
                process.env.insert(rule.name.clone().into(), v.into());
            }
        }
    }
    if !args.json {
        // (With --json the notes are in the report's "enforced".)
        for text in &sandbox.enforced().notes {
            note!("loupe: note: {text}");
        }
    }
    let mode = if args.json { OutputMode::Capture } else { OutputMode::Stream };
    let outcome = supervise::run(&sandbox, &process, mode)?;
    if args.json {
        let mut value = serde_json::to_value(&outcome)?;
        value["enforced"] = serde_json::to_value(sandbox.enforced())?;
        super::stdout::print_line(serde_json::to_string(&value)?)?;
    } else if let Some(limit) = outcome.limit_hit {
        note!("loupe: the program was stopped: {} limit ({})", limit_name(limit), limit_detail(&sandbox, limit));
    }
    Ok(outcome.shell_code())
}

/// The interpreter's arguments for `-c CODE`, `SCRIPT ARGS` or `-`, and the script (if any).
fn python_arguments(code: Option<&str>, program: &[String]) -> anyhow::Result<(Vec<String>, Option<PathBuf>)> {
    match (code, program.split_first()) {
        (Some(code), _) => {
            let mut a = vec!["-c".to_string(), code.to_string()];
            a.extend(program.iter().cloned());
            Ok((a, None))
        }
        (None, Some((first, rest))) if first == "-" => {
            let mut a = vec!["-".to_string()];
            a.extend(rest.iter().cloned());
            Ok((a, None))
        }
        (None, Some((script, rest))) => {
            let path = std::path::absolute(script).with_context(|| format!("script {script}"))?;
            if !path.is_file() {
                bail!("script not found: {script} (give a Python file, -c CODE, or - to read the program from stdin)");
            }
            let mut a = vec![path.display().to_string()];
            a.extend(rest.iter().cloned());
            Ok((a, Some(path)))
        }
        (None, None) => bail!("nothing to run: give a SCRIPT, -c CODE, or - to read the program from stdin"),
    }
}

pub(super) fn limit_name(limit: supervise::LimitHit) -> &'static str {
    use supervise::LimitHit::*;
    match limit {
        Timeout => "wall-clock",
        Cpu => "CPU time",
        Memory => "memory",
        Processes => "process",
        Output => "output",
        FileSize => "file size",
    }
}

pub(super) fn limit_detail(sandbox: &Sandbox, limit: supervise::LimitHit) -> String {
    use supervise::LimitHit::*;
    let p = sandbox.policy();
    let show = |v: Option<u64>, unit: &str| v.map(|v| format!("{v} {unit}")).unwrap_or_else(|| "no limit".into());
    match limit {
        Timeout => p.timeout.map(|t| format!("{t} s, --timeout")).unwrap_or_default(),
        Cpu => format!("{}, --cpu", show(p.cpu, "s")),
        Memory => format!("{}, --memory", show(p.memory_mb, "MB")),
        Processes => format!("{}, --max-procs", show(p.max_procs, "processes")),
        Output => format!("{}, --max-output", show(p.max_output_mb, "MB")),
        FileSize => format!("{}, --max-file-size", show(p.max_file_size_mb, "MB")),
    }
}
