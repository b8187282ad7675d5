//! Runs one confined process to completion for `loupe exec` and `loupe tool`: output streamed
//! or captured within the output cap (never held without bound), the wall-clock limit, resource
//! usage from `wait4`, and which limit (if any) ended the run.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;

use super::{command, PythonProcess, Sandbox};

/// Which limit ended the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitHit {
    Timeout,
    Cpu,
    Memory,
    Processes,
    Output,
    FileSize,
}

/// Where the program's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// Written through to loupe's own stdout and stderr as it comes.
    Stream,
    /// Kept (up to the cap) for the result.
    Capture,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub signal: Option<String>,
    pub stdout: String,
    pub stderr: String,
    pub duration_ms: u64,
    pub cpu_ms: u64,
    pub max_rss_kb: u64,
    pub limit_hit: Option<LimitHit>,
}

impl Outcome {
    /// The exit code a shell would report: the program's, or 128 + the signal.
    pub fn shell_code(&self) -> u8 {
        match (self.exit_code, &self.signal) {
            (Some(c), _) => c.clamp(0, 255) as u8,
            (None, Some(s)) => 128u8.saturating_add(
                s.parse::<nix::sys::signal::Signal>().map(|s| s as i32).unwrap_or(9).clamp(0, 127) as u8,
            ),
            (None, None) => 1,
        }
    }
}

/// Shared by the two output pumps: bytes so far against the cap.
struct OutputBudget {
    used: AtomicU64,
    cap: Option<u64>,
    exceeded: AtomicBool,
}

/// Runs `process` (stdout and stderr are piped by this function) in `sandbox`.
pub fn run(sandbox: &Arc<Sandbox>, process: &PythonProcess, mode: OutputMode) -> anyhow::Result<Outcome> {
    run_with(sandbox, process, mode, |_| Ok(()))
}

/// [`run`] with a hook that may change the command before it starts (an extra descriptor).
pub fn run_with(
    sandbox: &Arc<Sandbox>,
    process: &PythonProcess,
    mode: OutputMode,
    customize: impl FnOnce(&mut std::process::Command) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    let policy = sandbox.policy();
    let mut process = process.clone();
    process.stdout = super::StdioMode::Piped;
    process.stderr = super::StdioMode::Piped;
    // With a PID namespace, loupe's child is its init, which reports the program's status here.
    let status_pipe = if sandbox.pid_namespace_from_loupe() {
        Some(nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)?)
    } else {
        None
    };
    process.status_fd = status_pipe.as_ref().map(|(_, write)| write.as_raw_fd());
    let mut cmd = command(&process).with_context(|| format!("preparing {}", process.interpreter.display()))?;
    customize(&mut cmd)?;
    let started = Instant::now();
    let spawned = match &status_pipe {
        Some(_) => in_new_pid_namespace(|| cmd.spawn()),
        None => cmd.spawn(),
    };
    let mut child = spawned.map_err(|error| super::process::describe_spawn_error(&process, error))?;
    let pid = child.id() as libc::pid_t;
    let status_read = status_pipe.map(|(read, _)| read);

    let budget = Arc::new(OutputBudget {
        used: AtomicU64::new(0),
        cap: policy.max_output_mb.map(|m| m * 1024 * 1024),
        exceeded: AtomicBool::new(false),
    });
    let stdout_buf = Arc::new(Mutex::new(Vec::new()));
    let stderr_buf = Arc::new(Mutex::new(Vec::new()));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut pumps = Vec::new();
    if let Some(out) = child.stdout.take() {
        pumps.push(pump(
            out,
            Box::new(std::io::stdout()),
            mode,
            budget.clone(),
            stdout_buf.clone(),
            pid,
            done_tx.clone(),
        ));
    }
    if let Some(err) = child.stderr.take() {
        pumps.push(pump(
            err,
            Box::new(std::io::stderr()),
            mode,
            budget.clone(),
            stderr_buf.clone(),
            pid,
            done_tx.clone(),
        ));
    }
    drop(done_tx);
    // The program is starting: the next run's network namespace is made meanwhile.
    if let Some(namespace) = sandbox.network() {
        namespace.tend_pool();
    }
    // The standard library's Child is not used to wait: wait4 gives the resource usage.
    std::mem::forget(child);

    let deadline = policy.timeout.map(|t| started + Duration::from_secs_f64(t));
    let mut timed_out = false;
    let (status, usage) = match wait_until(pid, deadline)? {
        Some(ended) => ended,
        None => {
            timed_out = true;
            kill_run(pid, sandbox);
            wait_until(pid, None)?.context("waiting for the program after the timeout")?
        }
    };
    // init wrote the program's status before it exited (not when it was killed).
    let status = status_read.and_then(|pipe| read_status(&pipe)).unwrap_or(status);
    let duration_ms = started.elapsed().as_millis() as u64;
    // Whatever the program left behind holds its pipes open; the PID namespace (or the cgroup)
    // ends it, so output ends soon. Do not wait forever for an escaped process.
    if !sandbox.ends_with_program() {
        sandbox.kill_all();
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while done_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).is_ok() {}
    for p in pumps {
        if p.is_finished() {
            let _ = p.join();
        }
    }

    let status = std::process::ExitStatus::from_raw(status);
    let signal = status.signal();
    let cpu_ms = timeval_ms(usage.ru_utime) + timeval_ms(usage.ru_stime);
    let mut stdout = String::from_utf8_lossy(&stdout_buf.lock().map(|b| b.clone()).unwrap_or_default()).into_owned();
    let mut stderr = String::from_utf8_lossy(&stderr_buf.lock().map(|b| b.clone()).unwrap_or_default()).into_owned();
    let output_cut = budget.exceeded.load(Ordering::Relaxed);
    if output_cut && mode == OutputMode::Capture {
        let note = format!("\n[loupe: output cut at {} MB (--max-output)]\n", policy.max_output_mb.unwrap_or(0));
        stderr.push_str(&note);
    }
    let limit_hit = if output_cut {
        Some(LimitHit::Output)
    } else if timed_out {
        Some(LimitHit::Timeout)
    } else if signal == Some(libc::SIGXCPU)
        || (signal == Some(libc::SIGKILL) && policy.cpu.is_some_and(|c| cpu_ms + 50 >= c * 1000))
    {
        Some(LimitHit::Cpu)
    } else if !status.success() && (sandbox.hit_memory_limit() || last_line_is(&stderr, "MemoryError")) {
        Some(LimitHit::Memory)
    } else if sandbox.hit_process_limit() {
        Some(LimitHit::Processes)
    } else if signal == Some(libc::SIGXFSZ) || (!status.success() && stderr.contains("[Errno 27] File too large")) {
        Some(LimitHit::FileSize)
    } else {
        None
    };
    if mode == OutputMode::Stream {
        stdout.clear();
        stderr.clear();
    }
    Ok(Outcome {
        exit_code: status.code(),
        signal: signal.map(signal_name),
        stdout,
        stderr,
        duration_ms,
        cpu_ms,
        max_rss_kb: usage.ru_maxrss.max(0) as u64,
        limit_hit,
    })
}

/// Runs `spawn` with the calling thread's new processes going to a new PID namespace, so the
/// child it forks is that namespace's init; the thread's own setting is restored afterwards. If
/// the namespace cannot be made here, the child makes its own (see [`super::child`]).
fn in_new_pid_namespace<T>(spawn: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let own = std::fs::File::open("/proc/thread-self/ns/pid");
    // SAFETY: plain system call; it changes where this thread's children go, nothing else.
    let unshared = own.is_ok() && unsafe { libc::unshare(libc::CLONE_NEWPID) } == 0;
    let result = spawn();
    if let (true, Ok(own)) = (unshared, &own) {
        // SAFETY: as above: back to this thread's own PID namespace for its later children.
        if unsafe { libc::setns(own.as_raw_fd(), libc::CLONE_NEWPID) } != 0 {
            tracing::warn!("cannot restore the PID namespace for children: {}", std::io::Error::last_os_error());
        }
    }
    result
}

/// The program's wait status as init reported it, if it did.
fn read_status(pipe: &OwnedFd) -> Option<i32> {
    let mut raw = [0u8; 4];
    // SAFETY: reading into a local buffer from a descriptor we own.
    let got = unsafe { libc::read(pipe.as_raw_fd(), raw.as_mut_ptr().cast(), raw.len()) };
    (got == 4).then(|| i32::from_ne_bytes(raw))
}

/// Waits for `pid` to end, until `deadline` (`None` when it passed first): its wait status and
/// resource usage. A pidfd makes the wait a `poll` with a timeout on this thread; kernels before
/// 5.3 have none, and are polled every 2 ms instead.
fn wait_until(pid: libc::pid_t, deadline: Option<Instant>) -> anyhow::Result<Option<(i32, libc::rusage)>> {
    if let Some(deadline) = deadline {
        // SAFETY: pidfd_open only reads its arguments; the result is a new descriptor we own.
        let raw = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
        if raw >= 0 {
            // SAFETY: a descriptor just returned to us.
            let pidfd = unsafe { OwnedFd::from_raw_fd(raw) };
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let mut poll = libc::pollfd { fd: pidfd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
                let millis = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
                // SAFETY: one valid pollfd.
                let ready = unsafe { libc::poll(&mut poll, 1, millis) };
                if ready > 0 {
                    break;
                }
                if ready == 0 && Instant::now() >= deadline {
                    return Ok(None);
                }
                if ready < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                    return Err(std::io::Error::last_os_error()).context("waiting for the program (poll)");
                }
            }
        } else {
            loop {
                if let Some(ended) = reap(pid, libc::WNOHANG)? {
                    return Ok(Some(ended));
                }
                if Instant::now() >= deadline {
                    return Ok(None);
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
    reap(pid, 0)?.map(Some).context("the program vanished before it could be waited for")
}

/// `wait4(pid, options)`: the status and usage once `pid` has ended (`None` with WNOHANG while it
/// runs).
fn reap(pid: libc::pid_t, options: i32) -> anyhow::Result<Option<(i32, libc::rusage)>> {
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: waiting for our own child.
        let r = unsafe { libc::wait4(pid, &mut status, options, &mut usage) };
        if r == pid {
            return Ok(Some((status, usage)));
        }
        if r == 0 {
            return Ok(None);
        }
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() != Some(libc::EINTR) {
            return Err(error).context("waiting for the program (wait4)");
        }
    }
}

/// Ends the run: the keeper (its PID namespace goes with it), then anything left in the cgroup.
fn kill_run(pid: libc::pid_t, sandbox: &Sandbox) {
    // SAFETY: plain system calls; the pid is our unreaped child, so it cannot have been reused.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::kill(-pid, libc::SIGKILL);
    }
    sandbox.kill_all();
}

fn pump(
    mut from: impl Read + Send + 'static,
    mut to: Box<dyn Write + Send>,
    mode: OutputMode,
    budget: Arc<OutputBudget>,
    keep: Arc<Mutex<Vec<u8>>>,
    pid: libc::pid_t,
    done: mpsc::Sender<()>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let _done = done;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let before = budget.used.fetch_add(n as u64, Ordering::Relaxed);
            let allowed = match budget.cap {
                Some(cap) => cap.saturating_sub(before).min(n as u64) as usize,
                None => n,
            };
            let chunk = &buf[..allowed];
            match mode {
                OutputMode::Stream => {
                    if let Err(e) = to.write_all(chunk).and_then(|()| to.flush()) {
                        if e.kind() == std::io::ErrorKind::BrokenPipe {
                            // Whoever read loupe's output has gone (`loupe exec … | head`): the
                            // program's end of this pipe closes too, so the program learns it as
                            // it would without loupe (EPIPE: Python's BrokenPipeError) instead of
                            // running on, its output discarded, until a limit stops it.
                            break;
                        }
                    }
                }
                OutputMode::Capture => {
                    if let Ok(mut k) = keep.lock() {
                        k.extend_from_slice(chunk);
                    }
                }
            }
            // Past the cap: stop the program once, then keep draining (and dropping) until the
            // pipe closes.
            if allowed < n && !budget.exceeded.swap(true, Ordering::Relaxed) {
                {
                    if mode == OutputMode::Stream {
                        let mut err = std::io::stderr();
                        let _ = writeln!(err, "\nloupe: output cut at the --max-output limit; the program was stopped");
                    }
                    // SAFETY: plain system calls on our own child.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                        libc::kill(-pid, libc::SIGKILL);
                    }
                }
            }
        }
    })
}

fn timeval_ms(t: libc::timeval) -> u64 {
    (t.tv_sec.max(0) as u64) * 1000 + (t.tv_usec.max(0) as u64) / 1000
}

fn last_line_is(text: &str, prefix: &str) -> bool {
    text.lines().rev().find(|l| !l.trim().is_empty()).is_some_and(|l| l.trim_start().starts_with(prefix))
}

/// `SIGKILL` for 9, and so on.
pub fn signal_name(signal: i32) -> String {
    nix::sys::signal::Signal::try_from(signal)
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|_| format!("signal {signal}"))
}
