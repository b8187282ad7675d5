//! Running the real `loupe exec` / `loupe tool` binary for the sandbox tests, each run inside an
//! outer guard: a cgroup of its own (process and memory limits, when the machine has them) and a
//! timeout, so that if containment ever failed the machine and the test session survive.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod nobody;

/// Generous: a guard, not a timing assertion.
pub const GUARD_TIMEOUT: Duration = Duration::from_secs(90);
const GUARD_PIDS: u64 = 400;
const GUARD_MEMORY: u64 = 3 * 1024 * 1024 * 1024;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn hostile(name: &str) -> PathBuf {
    repo().join("tests/programs/hostile").join(name)
}

/// The interpreter the tests run (the real one behind any pyenv shim is resolved by loupe).
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("LOUPE_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv-test/bin/python");
    assert!(venv.exists(), "no test interpreter: run `scripts/setup-test-env.sh`, or set LOUPE_TEST_PYTHON");
    venv
}

/// Says loudly that a protection could not be tested here, instead of passing silently.
pub fn missing(what: &str) {
    eprintln!("\n!!! SANDBOX MECHANISM MISSING ON THIS MACHINE: {what}\n!!! this check was NOT run\n");
}

/// A guard cgroup (one per controller that is writable here), removed on drop after killing
/// anything left in it.
pub struct Guard {
    dirs: Vec<PathBuf>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Guard {
    pub fn new() -> Guard {
        let name = format!("loupe-test-guard-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let membership = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let mut dirs = Vec::new();
        for (controller, file, limit) in
            [("pids", "pids.max", GUARD_PIDS), ("memory", "memory.limit_in_bytes", GUARD_MEMORY)]
        {
            let own = membership
                .lines()
                .filter_map(|l| {
                    let mut parts = l.splitn(3, ':');
                    parts.next();
                    parts.next().zip(parts.next())
                })
                .find(|(c, _)| c.split(',').any(|c| c == controller))
                .map(|(_, p)| p.trim_start_matches('/').to_string());
            let Some(own) = own else { continue };
            let dir = Path::new("/sys/fs/cgroup").join(controller).join(own).join(&name);
            if std::fs::create_dir(&dir).is_ok() && std::fs::write(dir.join(file), limit.to_string()).is_ok() {
                dirs.push(dir);
            } else {
                let _ = std::fs::remove_dir(&dir);
            }
        }
        if dirs.is_empty() {
            eprintln!("!!! no guard cgroup could be created: the sandbox tests run with the timeout guard only");
        }
        Guard { dirs }
    }

    fn procs_files(&self) -> Vec<std::fs::File> {
        self.dirs
            .iter()
            .filter_map(|d| std::fs::OpenOptions::new().write(true).open(d.join("cgroup.procs")).ok())
            .collect()
    }

    /// The guard's cgroups and every cgroup under them (loupe creates its run's cgroup inside
    /// the one it is in), deepest first.
    fn all_dirs(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            if let Ok(entries) = std::fs::read_dir(dir) {
                for e in entries.flatten() {
                    if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                        walk(&e.path(), out);
                    }
                }
            }
            out.push(dir.to_path_buf());
        }
        let mut out = Vec::new();
        for d in &self.dirs {
            walk(d, &mut out);
        }
        out
    }

    fn pids(&self) -> Vec<i32> {
        self.all_dirs()
            .iter()
            .flat_map(|d| {
                std::fs::read_to_string(d.join("cgroup.procs"))
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    pub fn kill_all(&self) {
        for _ in 0..20 {
            let mut any = false;
            for pid in self.pids() {
                any = true;
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            if !any {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Processes left in the guard (after loupe returned: none is the point).
    pub fn leftover(&self) -> usize {
        let mut pids = self.pids();
        pids.sort();
        pids.dedup();
        pids.len()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.kill_all();
        for dir in self.all_dirs() {
            for _ in 0..100 {
                if std::fs::remove_dir(&dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// One run of the loupe binary.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Processes still in the guard cgroup right after loupe exited.
    pub leftover: usize,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("loupe did not print one JSON object ({e}):\n{}", self.describe()))
    }

    pub fn describe(&self) -> String {
        let cut = |s: &str| s.chars().take(3000).collect::<String>();
        format!("exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}", self.code, cut(&self.stdout), cut(&self.stderr))
    }
}

/// Runs `loupe ARGS` in `cwd` with `env` added, stdin from `stdin` (or nothing), inside a
/// guard.
pub fn loupe(args: &[&str], cwd: &Path, env: &[(&str, &str)], stdin: Option<Stdio>, input: Option<&[u8]>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.args(args).current_dir(cwd);
    command.env("LOUPE_TEST_PYTHON_UNUSED", "1");
    for (k, v) in env {
        command.env(k, v);
    }
    guarded(command, stdin, input)
}

/// Runs `command` (loupe, or something that starts it) inside a guard, stdin from `stdin` (or
/// `input`, or nothing).
pub fn guarded(mut command: Command, stdin: Option<Stdio>, input: Option<&[u8]>) -> Run {
    let guard = Guard::new();
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    match (stdin, input) {
        (Some(s), _) => command.stdin(s),
        (None, Some(_)) => command.stdin(Stdio::piped()),
        (None, None) => command.stdin(Stdio::null()),
    };
    let files = guard.procs_files();
    let fds: Vec<i32> = files.iter().map(std::os::fd::AsRawFd::as_raw_fd).collect();
    unsafe {
        command.pre_exec(move || {
            for fd in &fds {
                libc::write(*fd, b"0".as_ptr().cast(), 1);
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("starting loupe");
    drop(files);
    if let (Some(bytes), Some(mut pipe)) = (input, child.stdin.take()) {
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > GUARD_TIMEOUT {
            guard.kill_all();
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // loupe has exited: whatever is still in the guard escaped its sandbox.
    std::thread::sleep(Duration::from_millis(100));
    let leftover = guard.leftover();
    guard.kill_all();
    let run = Run {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
        leftover,
    };
    assert!(status.is_some(), "loupe did not finish within the guard's {GUARD_TIMEOUT:?}:\n{}", run.describe());
    run
}

/// `loupe exec --json --python PYTHON ARGS...` in `cwd`.
pub fn exec_json(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> (Run, Value) {
    let python = python();
    let mut full = vec!["exec", "--json", "--python", python.to_str().unwrap()];
    full.extend_from_slice(args);
    let run = loupe(&full, cwd, env, None, None);
    let json = run.json();
    (run, json)
}

/// What `loupe sandbox check --json` says is enforced here.
pub fn check() -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_loupe")).args(["sandbox", "check", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether `mechanism` ("network", "filesystem", "process_tree", "syscalls") is enforced in
/// `enforced`; says so loudly when not.
pub fn enforced(report: &Value, mechanism: &str) -> bool {
    let on = report[mechanism]["enforced"] == Value::Bool(true);
    if !on {
        missing(&format!("{mechanism}: {}", report[mechanism]["detail"]));
    }
    on
}

/// A TCP and a UDP listener on the host's 127.0.0.1, for `hostile/net_connect.py`.
pub struct HostListeners {
    tcp: std::net::TcpListener,
    udp: std::net::UdpSocket,
}

impl HostListeners {
    pub fn new() -> HostListeners {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        tcp.set_nonblocking(true).unwrap();
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        udp.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        HostListeners { tcp, udp }
    }

    /// The TCP and UDP ports, as `net_connect.py` takes them.
    pub fn ports(&self) -> (String, String) {
        (self.tcp.local_addr().unwrap().port().to_string(), self.udp.local_addr().unwrap().port().to_string())
    }

    /// What `net_connect.py` printed shows a network of its own, and nothing reached the host.
    pub fn assert_untouched(&self, run: &Run, json: &Value) {
        let stdout = json["stdout"].as_str().unwrap();
        let tcp_port = self.ports().0;
        assert!(!stdout.contains("TCP CONNECTED"), "{}", run.describe());
        assert!(stdout.contains(&format!("tcp refused ('127.0.0.1', {tcp_port}) ConnectionRefusedError")), "{stdout}");
        assert!(stdout.contains("tcp refused ('1.1.1.1', 53) OSError 101"), "network unreachable: {stdout}");
        assert!(self.tcp.accept().is_err(), "the host's listener got a connection");
        let mut buf = [0u8; 64];
        assert!(self.udp.recv_from(&mut buf).is_err(), "a datagram reached the host");
    }
}
