//! Starting a Python process: every interpreter loupe runs (the debug adapter, the debuggee,
//! probes, pip) is spawned through [`spawn`] or [`spawn_in_pty`]. Without a [`Sandbox`] (the
//! interpreter probe, pip) the child inherits loupe's environment plus [`PythonProcess::env`];
//! with one, its environment is scrubbed and it confines itself between fork and exec. Either
//! way it runs in its own session and is killed when its handle is dropped.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

use super::run::Sandbox;

/// What to do with one of the child's standard streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdioMode {
    Inherit,
    Piped,
    Null,
}

impl StdioMode {
    fn to_stdio(self) -> Stdio {
        match self {
            StdioMode::Inherit => Stdio::inherit(),
            StdioMode::Piped => Stdio::piped(),
            StdioMode::Null => Stdio::null(),
        }
    }
}

/// A Python process to start.
#[derive(Debug, Clone)]
pub struct PythonProcess {
    /// The real interpreter (shims already resolved).
    pub interpreter: PathBuf,
    pub args: Vec<OsString>,
    pub cwd: Option<PathBuf>,
    /// Variables set on top of the inherited environment.
    pub env: BTreeMap<OsString, OsString>,
    /// Inherited variables to remove.
    pub remove_env: Vec<OsString>,
    pub stdin: StdioMode,
    pub stdout: StdioMode,
    pub stderr: StdioMode,
    /// The run's sandbox; `None` for loupe's own helpers (interpreter probe, pip).
    pub sandbox: Option<Arc<Sandbox>>,
    /// Where the PID namespace's init writes the program's wait status, when loupe's child is
    /// that init (set by [`super::supervise`]).
    pub status_fd: Option<i32>,
    /// Descriptors of loupe's to hand to the program as `(loupe's descriptor, the program's
    /// number)`, e.g. `loupe tool`'s result pipe as descriptor 3.
    pub pass_fds: Vec<(i32, i32)>,
}

impl PythonProcess {
    /// A process running `interpreter` with `args`, inheriting loupe's environment and working
    /// directory, with no stdin and both output streams piped.
    pub fn new(interpreter: impl Into<PathBuf>, args: impl IntoIterator<Item = impl Into<OsString>>) -> Self {
        PythonProcess {
            interpreter: interpreter.into(),
            args: args.into_iter().map(Into::into).collect(),
            cwd: None,
            env: BTreeMap::new(),
            remove_env: Vec::new(),
            stdin: StdioMode::Null,
            stdout: StdioMode::Piped,
            stderr: StdioMode::Piped,
            sandbox: None,
            status_fd: None,
            pass_fds: Vec::new(),
        }
    }
}

/// `PYTHONPATH` with `front` first (loupe's adapters) and then the program's own `rest`.
pub fn join_pythonpath(front: &[PathBuf], rest: Option<OsString>) -> anyhow::Result<OsString> {
    let mut parts: Vec<PathBuf> = front.to_vec();
    if let Some(rest) = rest.filter(|r| !r.is_empty()) {
        parts.extend(std::env::split_paths(&rest));
    }
    std::env::join_paths(parts).map_err(|e| anyhow::anyhow!("cannot build PYTHONPATH: {e}"))
}

/// Starts `process`. The child is killed if the returned handle is dropped.
///
/// The child gets its own session (and so its own process group, without a controlling
/// terminal): a Ctrl-C typed at loupe's terminal reaches loupe (which decides what to do with the
/// debuggee) instead of killing the debuggee behind its back, and nothing the child starts can
/// take loupe's terminal away — debugpy's launcher makes its debuggee the terminal's foreground
/// process group through /dev/tty, which would leave the TUI unable to read keys.
/// Errors name the interpreter and, when it is the cause, the missing working directory.
pub fn spawn(process: &PythonProcess) -> io::Result<tokio::process::Child> {
    let mut command = tokio::process::Command::from(command(process)?);
    command.kill_on_drop(true);
    command.spawn().map_err(|error| describe_spawn_error(process, error))
}

/// The command [`spawn`] runs, for callers that wait for it themselves (`loupe exec` reads the
/// child's resource usage). Its stdio is set from `process`; it is not killed on drop.
pub fn command(process: &PythonProcess) -> io::Result<std::process::Command> {
    let mut command = std::process::Command::new(&process.interpreter);
    command
        .args(&process.args)
        .stdin(process.stdin.to_stdio())
        .stdout(process.stdout.to_stdio())
        .stderr(process.stderr.to_stdio());
    if let Some(cwd) = &process.cwd {
        command.current_dir(cwd);
    }
    let confined = process.sandbox.as_ref().filter(|s| !s.is_off());
    match confined {
        Some(sandbox) => {
            command.env_clear().envs(sandbox.environment(process));
            let plan = sandbox.plan(process).map_err(|e| io::Error::other(format!("{e:#}")))?;
            #[cfg(unix)]
            // SAFETY: setsid and the plan only make system calls (see sandbox::child).
            unsafe {
                command.pre_exec(move || {
                    nix::unistd::setsid().map(drop).map_err(io::Error::from)?;
                    plan.apply()
                });
            }
        }
        None => {
            command.envs(&process.env);
            for name in &process.remove_env {
                command.env_remove(name);
            }
            #[cfg(unix)]
            // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
            unsafe {
                let pass_fds = process.pass_fds.clone();
                command.pre_exec(move || {
                    nix::unistd::setsid().map(drop).map_err(io::Error::from)?;
                    super::child::pass_descriptors(&pass_fds)
                });
            }
        }
    }
    Ok(command)
}

/// Starts `process` in the pseudo-terminal `pair` (for debuggers that talk to a terminal: pdb,
/// ipdb). The child is a session leader with the PTY as its controlling terminal, so like
/// [`spawn`] it is cut off from loupe's own terminal. `stdin`, `stdout` and `stderr` of `process`
/// are ignored: all three are the PTY.
pub fn spawn_in_pty(
    process: &PythonProcess,
    pair: &portable_pty::PtyPair,
) -> io::Result<Box<dyn portable_pty::Child + Send + Sync>> {
    if let Some(sandbox) = process.sandbox.as_ref().filter(|s| !s.is_off()) {
        return spawn_confined_in_pty(process, sandbox, pair.master.as_ref())
            .map_err(|e| describe_spawn_error(process, e));
    }
    let mut command = portable_pty::CommandBuilder::new(&process.interpreter);
    command.args(&process.args);
    for name in &process.remove_env {
        command.env_remove(name);
    }
    for (name, value) in &process.env {
        command.env(name, value);
    }
    if let Some(cwd) = &process.cwd {
        command.cwd(cwd);
    } else if let Ok(cwd) = std::env::current_dir() {
        // portable-pty would otherwise start the child in the home directory.
        command.cwd(cwd);
    }
    pair.slave.spawn_command(command).map_err(|error| {
        let error = io::Error::other(format!("{error:#}"));
        describe_spawn_error(process, error)
    })
}

/// portable-pty has no hook between fork and exec, so a confined child is started here on the
/// terminal's slave side, as portable-pty would (signals reset, new session, controlling
/// terminal), then confined.
fn spawn_confined_in_pty(
    process: &PythonProcess,
    sandbox: &Sandbox,
    master: &dyn portable_pty::MasterPty,
) -> io::Result<Box<dyn portable_pty::Child + Send + Sync>> {
    let slave_path = master.tty_name().ok_or_else(|| io::Error::other("the pseudo-terminal has no name"))?;
    let slave = std::fs::OpenOptions::new().read(true).write(true).custom_flags(libc::O_NOCTTY).open(&slave_path)?;
    let mut command = std::process::Command::new(&process.interpreter);
    command
        .args(&process.args)
        .env_clear()
        .envs(sandbox.environment(process))
        .stdin(slave.try_clone()?)
        .stdout(slave.try_clone()?)
        .stderr(slave);
    match &process.cwd {
        Some(cwd) => command.current_dir(cwd),
        None => command.current_dir(std::env::current_dir()?),
    };
    let plan = sandbox.plan(process).map_err(|e| io::Error::other(format!("{e:#}")))?;
    // SAFETY: only system calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            for signal in [libc::SIGCHLD, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGALRM] {
                libc::signal(signal, libc::SIG_DFL);
            }
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            if libc::ioctl(0, libc::TIOCSCTTY as _, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            plan.apply()
        });
    }
    let child = command.spawn()?;
    Ok(Box::new(child))
}

/// Adds to a spawn error the interpreter it was about and, because the OS reports a missing working
/// directory with the same "No such file or directory" as a missing executable, which of the two
/// is actually missing.
pub(super) fn describe_spawn_error(process: &PythonProcess, error: io::Error) -> io::Error {
    let interpreter = process.interpreter.display();
    if error.kind() == io::ErrorKind::NotFound {
        if let Some(cwd) = &process.cwd {
            if !cwd.is_dir() {
                return io::Error::new(
                    error.kind(),
                    format!(
                        "cannot start Python interpreter {interpreter}: working directory {} does \
                         not exist",
                        cwd.display()
                    ),
                );
            }
        }
    }
    let confined = process.sandbox.as_ref().is_some_and(|s| !s.is_off());
    let hint = match (error.kind(), confined) {
        (io::ErrorKind::PermissionDenied, true) => {
            " (is it an executable file? The sandbox also lets a program execute only the system's \
             files, the interpreter's installation and the project: if it is a wrapper or a script \
             whose interpreter lives elsewhere, pass the real interpreter with --python or allow that \
             directory with --allow-read)"
        }
        (io::ErrorKind::PermissionDenied, false) => " (is it an executable file?)",
        _ => "",
    };
    io::Error::new(error.kind(), format!("cannot start Python interpreter {interpreter}: {error}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real interpreter behind `python3` on PATH (not a shim: pyenv's is a shell script that
    /// costs 250 ms a start). Asked of Python itself: finding interpreters is pyenv's job, a layer
    /// above this one.
    fn python3() -> PathBuf {
        let output = std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("these tests need a python3 on PATH");
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    }

    #[tokio::test]
    async fn child_gets_args_cwd_extra_env_and_its_own_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let code = "import os; print(os.getcwd()); print(os.environ['LOUPE_SANDBOX_TEST']); \
                    print('PATH' in os.environ); print(os.getpgrp() == os.getpid())";
        let mut process = PythonProcess::new(python3(), ["-c", code]);
        process.cwd = Some(dir.path().to_path_buf());
        process.env.insert("LOUPE_SANDBOX_TEST".into(), "on top".into());
        let output = spawn(&process).unwrap().wait_with_output().await.unwrap();
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        let expected_cwd = dir.path().canonicalize().unwrap();
        assert_eq!(lines, [expected_cwd.to_str().unwrap(), "on top", "True", "True"]);
    }

    #[tokio::test]
    async fn errors_name_the_interpreter_or_the_missing_directory() {
        let process = PythonProcess::new("/nonexistent/python3", ["-c", "pass"]);
        let message = spawn(&process).unwrap_err().to_string();
        assert!(message.contains("/nonexistent/python3"), "{message}");

        let mut process = PythonProcess::new(python3(), ["-c", "pass"]);
        process.cwd = Some(PathBuf::from("/nonexistent/project"));
        let message = spawn(&process).unwrap_err().to_string();
        assert!(message.contains("working directory /nonexistent/project does not exist"), "{message}");
    }
}
