//! `loupe tool FILE.py --args JSON`: load FILE in the sandbox, call its `run(args)`, print the
//! envelope (`{"ok":true,"data":...}` or `{"ok":false,"error":{"message":...,"type":...}}`).
//! The runner (`adapters/tool/loupe_tool_runner.py`) writes the envelope on a descriptor of its
//! own, so the tool's prints are kept apart: they go to loupe's stderr.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde_json::{json, Value};

use super::exec::{limit_detail, limit_name};
use super::sandbox_args::SandboxArgs;
use crate::pyenv::interpreter::{self, SearchContext};
use crate::sandbox::supervise::{self, LimitHit, OutputMode};
use crate::sandbox::{Policy, Purpose, PythonProcess, RunOptions, Sandbox};

const RUNNER: &str = include_str!("../../adapters/tool/loupe_tool_runner.py");
/// The descriptor the runner writes the envelope to.
const RESULT_FD: i32 = 3;
/// A result larger than this is refused rather than held.
const MAX_RESULT_BYTES: u64 = 64 * 1024 * 1024;

/// Exit codes: the tool's error envelope, and arguments loupe refused before starting anything.
const EXIT_TOOL_ERROR: u8 = 1;
const EXIT_BAD_ARGS: u8 = 2;

#[derive(Debug, Args, Clone)]
pub struct ToolArgs {
    #[command(flatten)]
    pub sandbox: SandboxArgs,
    /// The Python file defining `run(args)`.
    #[arg(value_name = "FILE.py")]
    pub file: PathBuf,
    /// The arguments, as JSON (default: null).
    #[arg(long = "args", value_name = "JSON", default_value = "null")]
    pub args: String,
    /// Python interpreter (path or command name; pyenv shims are resolved).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Environment variable (repeatable): NAME passes loupe's own value through, NAME=VALUE sets it.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
}

fn error_envelope(kind: &str, message: impl Into<String>) -> Value {
    json!({ "ok": false, "error": { "message": message.into(), "type": kind } })
}

pub fn run(args: &ToolArgs) -> anyhow::Result<u8> {
    let parsed: Result<Value, _> = serde_json::from_str(&args.args);
    if let Err(e) = parsed {
        super::stdout::print_line(error_envelope("ArgsError", format!("--args is not JSON: {e}")))?;
        return Ok(EXIT_BAD_ARGS);
    }
    let file = std::path::absolute(&args.file)?;
    if !file.is_file() {
        super::stdout::print_line(error_envelope("MissingFile", format!("{} is not a file", args.file.display())))?;
        return Ok(EXIT_BAD_ARGS);
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let overrides = args.sandbox.with_config_file(&args.env)?;
    let policy = Policy::resolve(&overrides, Purpose::Exec)?;
    let interpreter = interpreter::locate(args.python.as_deref(), &cwd, &SearchContext::from_env())?;
    let project: Vec<PathBuf> = file.parent().map(|p| p.to_path_buf()).into_iter().collect();
    let sandbox =
        Sandbox::new(policy, RunOptions { project, script: Some(file.to_path_buf()), ..RunOptions::default() })?;

    let mut process =
        PythonProcess::new(interpreter, ["-c".to_string(), RUNNER.to_string(), file.display().to_string()]);
    process.cwd = Some(cwd);
    process.sandbox = Some(sandbox.clone());
    process.env.insert("LOUPE_TOOL_RESULT_FD".into(), RESULT_FD.to_string().into());

    // Close-on-exec: no other process may inherit a write end (the tool would never see the end
    // of its arguments); the program gets its ends through stdin and dup2.
    let (args_read, args_write) = cloexec_pipe().context("creating the arguments pipe")?;
    let (result_read, result_write) = cloexec_pipe().context("creating the result pipe")?;
    let json_args = args.args.clone();
    let writer = std::thread::spawn(move || {
        let mut pipe = std::fs::File::from(args_write);
        // A tool that exits early closes the pipe: nothing to report then.
        let _ = pipe.write_all(json_args.as_bytes());
    });
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::fs::File::from(result_read).take(MAX_RESULT_BYTES).read_to_string(&mut text);
        text
    });
    process.pass_fds.push((result_write.as_raw_fd(), RESULT_FD));
    let outcome = supervise::run_with(&sandbox, &process, OutputMode::Capture, |cmd| {
        cmd.stdin(args_read);
        Ok(())
    });
    // Our copy of the write end must go, or the reader never sees the end.
    drop(result_write);
    let outcome = outcome?;
    let _ = writer.join();
    let result = reader.join().unwrap_or_default();

    let mut printed = std::io::stderr();
    let _ = printed.write_all(outcome.stdout.as_bytes());
    let _ = printed.write_all(outcome.stderr.as_bytes());

    let envelope = match outcome.limit_hit {
        Some(limit) => error_envelope(
            limit_type(limit),
            format!("the tool was stopped: {} limit ({})", limit_name(limit), limit_detail(&sandbox, limit)),
        ),
        None => match serde_json::from_str::<Value>(result.trim()) {
            // Python's MemoryError under the sandbox's RLIMIT_AS is the memory limit.
            Ok(v) if v.pointer("/error/type") == Some(&json!("MemoryError")) => error_envelope(
                limit_type(LimitHit::Memory),
                format!("the tool ran out of memory: {}", limit_detail(&sandbox, LimitHit::Memory)),
            ),
            Ok(v) if v.get("ok").is_some_and(Value::is_boolean) => v,
            _ => {
                let how = match (&outcome.signal, outcome.exit_code) {
                    (Some(s), _) => format!("was killed by {s}"),
                    (None, Some(c)) => format!("exited with code {c}"),
                    (None, None) => "ended".into(),
                };
                error_envelope(
                    "NoResult",
                    format!("the tool {how} without a result (did it call os._exit, or close descriptor {RESULT_FD}?)"),
                )
            }
        },
    };
    super::stdout::print_line(&envelope)?;
    Ok(if envelope["ok"] == Value::Bool(true) { 0 } else { EXIT_TOOL_ERROR })
}

fn cloexec_pipe() -> nix::Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
}

fn limit_type(limit: LimitHit) -> &'static str {
    match limit {
        LimitHit::Timeout => "Timeout",
        LimitHit::Cpu => "CpuLimit",
        LimitHit::Memory => "MemoryLimit",
        LimitHit::Processes => "ProcessLimit",
        LimitHit::Output => "OutputLimit",
        LimitHit::FileSize => "FileSizeLimit",
    }
}
