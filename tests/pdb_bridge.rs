//! The pdb bridge (`adapters/pdb/loupe_pdb.py`) is tested in Python, against the real pdb and ipdb
//! in a real pseudo-terminal (`tests/pdb_bridge/`). These tests run that suite once per
//! interpreter, each in its own test so a failure names the Python it happened on:
//!
//! - the test interpreter (`LOUPE_TEST_PYTHON`, or `.venv-test` made by `scripts/setup-test-env.sh`), with
//!   ipdb, so the ipdb tests run there too;
//! - the oldest and newest CPython the bridge supports, 3.8 and 3.13, from pyenv.
//!
//! A missing interpreter fails its test with the command that installs it: skipping would hide
//! the versions the bridge has to work on.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A hang guard, not a timing assertion: each suite takes seconds.
const HANG_GUARD: Duration = Duration::from_secs(300);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn bridge_on_the_test_interpreter_with_ipdb() {
    let python = match std::env::var_os("LOUPE_TEST_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => repo().join(".venv-test/bin/python"),
    };
    assert!(
        python.exists(),
        "no test interpreter at {}: run `scripts/setup-test-env.sh` (it creates .venv-test with ipdb), \
         or set LOUPE_TEST_PYTHON to a Python with ipdb installed",
        python.display()
    );
    run_suite(&python, true);
}

#[test]
fn bridge_on_python_3_8() {
    run_suite(&pyenv_python("3.8"), false);
}

#[test]
fn bridge_on_python_3_13() {
    run_suite(&pyenv_python("3.13"), false);
}

fn pyenv_root() -> PathBuf {
    match std::env::var_os("PYENV_ROOT") {
        Some(root) => PathBuf::from(root),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".pyenv"),
    }
}

/// The newest `<pyenv root>/versions/<minor>.N` that has a `bin/python3`.
fn pyenv_python(minor: &str) -> PathBuf {
    let versions = pyenv_root().join("versions");
    let mut found: Vec<(Vec<u64>, PathBuf)> = std::fs::read_dir(&versions)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let patch = name.strip_prefix(minor)?.strip_prefix('.')?;
                    let numbers =
                        format!("{minor}.{patch}").split('.').map(str::parse).collect::<Result<Vec<u64>, _>>().ok()?;
                    let python = entry.path().join("bin/python3");
                    python.exists().then_some((numbers, python))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    match found.pop() {
        Some((_, python)) => python,
        None => panic!(
            "CPython {minor} is not installed under {}: the pdb bridge must work on it. \
             Install it with `pyenv install {minor}` (or set PYENV_ROOT to the pyenv that has it).",
            versions.display()
        ),
    }
}

/// Runs `python -m unittest discover -s tests/pdb_bridge -v`; fails with its output.
fn run_suite(python: &Path, ipdb: bool) {
    let version = Command::new(python)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&[o.stdout, o.stderr].concat()).trim().to_string())
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    println!("pdb bridge tests with {} ({version}){}", python.display(), if ipdb { ", ipdb included" } else { "" });

    let mut command = Command::new(python);
    command
        .args(["-m", "unittest", "discover", "-s", "tests/pdb_bridge", "-v"])
        .current_dir(repo())
        .env_remove("PYTHONPATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if ipdb {
        command.env("LOUPE_TEST_IPDB", "1");
    } else {
        command.env_remove("LOUPE_TEST_IPDB");
    }
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let output = Arc::new(Mutex::new(Vec::new()));
    let readers = [collect(child.stdout.take(), &output), collect(child.stderr.take(), &output)];
    let status = wait_or_kill(&mut child);
    for reader in readers {
        let _ = reader.join();
    }
    let text = String::from_utf8_lossy(&output.lock().unwrap()).into_owned();
    match status {
        Some(status) if status.success() => println!("{}", last_lines(&text, 3)),
        Some(status) => panic!("the pdb bridge tests failed on {version} ({status}):\n{text}"),
        None => panic!(
            "the pdb bridge tests on {version} did not finish within {}s (killed); output so far:\n{text}",
            HANG_GUARD.as_secs()
        ),
    }
}

fn collect(stream: Option<impl Read + Send + 'static>, into: &Arc<Mutex<Vec<u8>>>) -> JoinHandle<()> {
    let into = Arc::clone(into);
    std::thread::spawn(move || {
        let Some(mut stream) = stream else { return };
        let mut buffer = [0u8; 8192];
        while let Ok(n) = stream.read(&mut buffer) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&buffer[..n]);
        }
    })
}

/// The exit status, or None after killing a suite that outlived the hang guard.
fn wait_or_kill(child: &mut Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for the test suite") {
            return Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
