//! Shared helpers for integration tests: the Python to use, running the real `loupe` binary in
//! batch mode, and reading its JSON Lines.
//!
//! Tests run the real thing: real CPython, real debugpy (installed by `scripts/setup-test-env.sh` into
//! `.venv-test`, or named by `LOUPE_TEST_PYTHON`). Every run has a generous hang guard (not a
//! timing assertion): a wedged debugger fails the test with the output so far instead of hanging CI.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod bandit;
pub mod pty;
pub mod svg;

pub const HANG_GUARD: Duration = Duration::from_secs(120);

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The interpreter with debugpy that tests debug with.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("LOUPE_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv-test/bin/python");
    assert!(
        venv.exists(),
        "no test interpreter: run `scripts/setup-test-env.sh` (it creates .venv-test with debugpy), or set LOUPE_TEST_PYTHON"
    );
    venv
}

/// A file under tests/programs.
pub fn program(name: &str) -> PathBuf {
    repo().join("tests/programs").join(name)
}

/// The result of one loupe run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub lines: Vec<Value>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Every object with `"type":"event"` and this event name.
    pub fn events(&self, event: &str) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["type"] == "event" && l["event"] == event).collect()
    }

    pub fn stops(&self) -> Vec<&Value> {
        self.events("stopped")
    }

    /// Stop lines as (line, reason).
    pub fn stop_lines(&self) -> Vec<(i64, String)> {
        self.stops()
            .iter()
            .map(|s| (s["line"].as_i64().unwrap_or(-1), s["reason"].as_str().unwrap_or("").to_string()))
            .collect()
    }

    pub fn results(&self, command: &str) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["type"] == "result" && l["command"] == command).collect()
    }

    pub fn result(&self, command: &str) -> &Value {
        self.results(command).first().copied().unwrap_or_else(|| panic!("no {command} result in:\n{self}"))
    }

    /// (function, line) of each frame of the first `stack` result, top first.
    pub fn stack_functions_and_lines(&self) -> Vec<(Value, Value)> {
        let frames = self.result("stack")["frames"].as_array().cloned().unwrap_or_default();
        frames.iter().map(|f| (f["function"].clone(), f["line"].clone())).collect()
    }

    pub fn errors(&self) -> Vec<&Value> {
        self.lines.iter().filter(|l| l["type"] == "error").collect()
    }

    /// All program output of one category, joined.
    pub fn output(&self, category: &str) -> String {
        self.events("output").iter().filter(|e| e["category"] == category).filter_map(|e| e["text"].as_str()).collect()
    }

    pub fn exit_code(&self) -> Option<i64> {
        self.events("exited").first().and_then(|e| e["exit_code"].as_i64())
    }

    /// A local's value from a locals result.
    pub fn local<'a>(result: &'a Value, name: &str) -> Option<&'a Value> {
        result["variables"].as_array()?.iter().find(|v| v["name"] == name)
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "exit status: {:?}", self.code)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout)?;
        writeln!(f, "--- stderr ---\n{}", self.stderr)
    }
}

/// A loupe command with an isolated state and cache directory.
pub struct Loupe {
    command: Command,
    /// What loupe reads on its stdin (then end of file); none: /dev/null.
    input: Option<Vec<u8>>,
    _home: tempfile::TempDir,
}

impl Loupe {
    pub fn new<I, S>(args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let home = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
        command
            .args(args)
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("XDG_CACHE_HOME", shared_cache())
            .env_remove("LOUPE_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Loupe { command, input: None, _home: home }
    }

    /// `loupe run --batch --python <test python> [extra...]`, the usual start.
    pub fn batch<I, S>(extra: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut args: Vec<std::ffi::OsString> =
            vec!["run".into(), "--batch".into(), "--python".into(), python().into()];
        args.extend(extra.into_iter().map(|s| s.as_ref().to_owned()));
        Loupe::new(args)
    }

    /// [`Loupe::batch`] on a given backend (`debugpy`, `pdb`, `ipdb`).
    pub fn batch_on<I, S>(backend: &str, extra: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut args: Vec<std::ffi::OsString> = vec!["--backend".into(), backend.into()];
        args.extend(extra.into_iter().map(|s| s.as_ref().to_owned()));
        Loupe::batch(args)
    }

    pub fn cwd(mut self, dir: &Path) -> Self {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Gives loupe `input` on its stdin, followed by end of file.
    pub fn stdin(mut self, input: &[u8]) -> Self {
        self.command.stdin(Stdio::piped());
        self.input = Some(input.to_vec());
        self
    }

    pub fn run(mut self) -> Run {
        run_guarded_with(&mut self.command, self.input.as_deref())
    }
}

/// One cache directory for all tests of this build: the nodelay adapter is written there.
fn shared_cache() -> PathBuf {
    let dir = repo().join("target/test-cache");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs `command` to completion, killing it if it outlives [`HANG_GUARD`].
pub fn run_guarded(command: &mut Command) -> Run {
    run_guarded_with(command, None)
}

/// [`run_guarded`], writing `input` to the piped stdin first.
fn run_guarded_with(command: &mut Command, input: Option<&[u8]>) -> Run {
    let mut child = command.spawn().expect("start loupe");
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        use std::io::Write;
        stdin.write_all(input).expect("write loupe's stdin");
    }
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    let lines = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\nfull output:\n{stdout}")))
        .collect();
    let run = Run { code: status.and_then(|s| s.code()), lines, stdout, stderr };
    assert!(status.is_some(), "loupe hung for {HANG_GUARD:?} and was killed\n{run}");
    run
}

/// One test per backend for a scenario `fn NAME(backend: &str)`: `NAME::debugpy`, `NAME::pdb`,
/// `NAME::ipdb` (or the backends listed), so every backend passes the same assertions.
#[macro_export]
macro_rules! on_backends {
    ($name:ident) => {
        $crate::on_backends!($name: debugpy, pdb, ipdb);
    };
    ($name:ident: $($backend:ident),+) => {
        mod $name {
            $(
                #[test]
                fn $backend() {
                    super::$name(stringify!($backend))
                }
            )+
        }
    };
}

/// Copies a directory tree (without `__pycache__`), e.g. a test project from tests/programs into
/// a temporary directory where pytest may write its caches.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "__pycache__" {
                copy_tree(&path, &to.join(entry.file_name()));
            }
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}
