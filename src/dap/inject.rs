//! `loupe attach --pid N`: debugpy injected into a running local Python process
//! (`python -m debugpy --listen 127.0.0.1:PORT --pid N`, which drives gdb to run code in it),
//! then attached to like any debugpy port.
//!
//! Injection needs ptrace rights over the process and gdb; each missing piece is refused up front
//! with what to do, rather than left to gdb's own messages.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};

use super::provision;
use crate::pyenv::interpreter;
use crate::sandbox::{self, PythonProcess};

/// gdb attaching, loading symbols and running the bootstrap takes a few seconds on a busy machine.
const INJECT_TIMEOUT: Duration = Duration::from_secs(60);

/// Injects debugpy into process `pid`; returns the loopback port it listens on.
pub async fn inject(pid: u32, progress: &mut (dyn FnMut(&str) + Send)) -> anyhow::Result<u16> {
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !proc_dir.exists() {
        bail!("--pid {pid}: no such process");
    }
    check_ptrace_scope(pid, read_ptrace_scope())?;
    if !on_path("gdb") {
        bail!(
            "--pid {pid}: injecting debugpy needs gdb, which is not on PATH (install it, e.g. `apt-get install gdb`), \
             or start the program with `python -m debugpy --listen 127.0.0.1:5678 SCRIPT` and attach to the port"
        );
    }
    let python = target_interpreter(pid, &proc_dir)?;
    let interp = interpreter::probe(&python, Path::new("/"))
        .await
        .with_context(|| format!("--pid {pid}: probing its interpreter {}", python.display()))?;
    let debugpy = provision::ensure_debugpy(&interp, progress).await?;
    let port = free_port()?;
    let mut env = BTreeMap::new();
    if let Some(dir) = provision::debuggee_pythonpath(&debugpy) {
        env.insert(OsString::from("PYTHONPATH"), sandbox::join_pythonpath(&[dir], std::env::var_os("PYTHONPATH"))?);
    }
    progress(&format!("injecting debugpy into process {pid} with gdb"));
    // Unconfined: the injector must see and ptrace the target, which a PID namespace would hide.
    let mut injector = PythonProcess::new(
        interp.path.clone(),
        [
            "-m".to_string(),
            "debugpy".into(),
            "--listen".into(),
            format!("127.0.0.1:{port}"),
            "--pid".into(),
            pid.to_string(),
        ],
    );
    injector.env = env;
    let child = sandbox::spawn(&injector)
        .with_context(|| format!("starting debugpy's injector with {}", interp.path.display()))?;
    let output = tokio::time::timeout(INJECT_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| anyhow!("--pid {pid}: injecting debugpy took over {} s", INJECT_TIMEOUT.as_secs()))??;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = text.lines().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
        bail!("--pid {pid}: debugpy's injection failed ({}):\n  {}", output.status, tail.join("\n  "));
    }
    Ok(port)
}

/// Yama's `ptrace_scope` (absent without Yama: then ordinary ptrace rules apply).
fn read_ptrace_scope() -> Option<u8> {
    std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope").ok().and_then(|s| s.trim().parse().ok())
}

fn check_ptrace_scope(pid: u32, scope: Option<u8>) -> anyhow::Result<()> {
    let root = is_root();
    match scope {
        None | Some(0) => Ok(()),
        // 1: only a process's ancestors may trace it, unless they hold CAP_SYS_PTRACE.
        Some(1) if root => Ok(()),
        Some(1) => bail!(
            "--pid {pid}: kernel.yama.ptrace_scope is 1, so only the process's parent may trace it. Run loupe as \
             root, or allow it with `sudo sysctl kernel.yama.ptrace_scope=0`, or start the program under debugpy \
             (`python -m debugpy --listen 127.0.0.1:5678 SCRIPT`) and attach to its port"
        ),
        Some(2) if root => Ok(()),
        Some(2) => bail!(
            "--pid {pid}: kernel.yama.ptrace_scope is 2: only root may trace processes. Run loupe as root, or start \
             the program under debugpy and attach to its port"
        ),
        Some(n) => bail!(
            "--pid {pid}: kernel.yama.ptrace_scope is {n}: tracing is disabled on this machine until reboot. Start \
             the program under debugpy (`python -m debugpy --listen 127.0.0.1:5678 SCRIPT`) and attach to its port"
        ),
    }
}

/// The interpreter the process runs: its `argv[0]` when that is a file (a virtual
/// environment's `python`, whose site-packages may hold debugpy), else `/proc/N/exe`.
fn target_interpreter(pid: u32, proc_dir: &Path) -> anyhow::Result<PathBuf> {
    let cmdline =
        std::fs::read(proc_dir.join("cmdline")).with_context(|| format!("--pid {pid}: reading its command line"))?;
    let argv0 = cmdline.split(|b| *b == 0).next().map(|b| PathBuf::from(String::from_utf8_lossy(b).into_owned()));
    let cwd = std::fs::read_link(proc_dir.join("cwd")).ok();
    let from_argv0 = argv0.filter(|a| a.components().count() > 1).map(|a| match &cwd {
        Some(c) if a.is_relative() => c.join(a),
        _ => a,
    });
    let exe =
        std::fs::read_link(proc_dir.join("exe")).with_context(|| format!("--pid {pid}: reading its executable"))?;
    let chosen = from_argv0.filter(|p| p.is_file()).unwrap_or(exe);
    let name = chosen.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !name.starts_with("python") {
        bail!("--pid {pid}: the process runs {}, not a Python interpreter", chosen.display());
    }
    Ok(chosen)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// A loopback port free now (debugpy binds it a moment later; a race with another program is
/// possible but reported as a failed injection).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ptrace_scope_refusals_say_what_to_do() {
        assert!(check_ptrace_scope(1, None).is_ok());
        assert!(check_ptrace_scope(1, Some(0)).is_ok());
        let three = check_ptrace_scope(1, Some(3)).unwrap_err().to_string();
        assert!(three.contains("ptrace_scope is 3") && three.contains("debugpy --listen"), "{three}");
        if !is_root() {
            assert!(check_ptrace_scope(1, Some(1)).unwrap_err().to_string().contains("sysctl"));
        }
    }

    #[test]
    fn a_missing_process_is_refused() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let err = rt.block_on(inject(u32::MAX - 1, &mut |_| {})).unwrap_err().to_string();
        assert!(err.contains("no such process"), "{err}");
    }
}
