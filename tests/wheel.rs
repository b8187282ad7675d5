//! loupe as a Python tool: pip builds the checkout's wheel (maturin, `bindings = "bin"`), a fresh
//! virtual environment installs it, and the `loupe` it puts on PATH is the crate's version and
//! works on its own (the adapters it writes into debuggees, the compiled line tracer among them,
//! are embedded in the binary).
//!
//! The wheel is built with the `dev` profile into this test run's own target directory, so cargo
//! reuses what `cargo test` just compiled and only links the binary again (a release build from
//! scratch takes many minutes on a 2-core machine). It is still the real route: pip's PEP 517 build
//! through maturin, then `pip install` of the wheel file into a new venv.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{python, repo, Run};

/// The maturin that `scripts/setup-test-env.sh` installs into `.venv-test`, or one on PATH.
fn maturin_dir() -> Option<PathBuf> {
    let venv = python().parent().map(Path::to_path_buf)?;
    if venv.join("maturin").is_file() {
        return Some(venv);
    }
    which::which("maturin").ok().and_then(|m| m.parent().map(Path::to_path_buf))
}

/// The target directory `cargo test` built loupe into (`<target>/debug/loupe`).
fn target_dir() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_loupe"));
    exe.parent().and_then(Path::parent).expect("loupe's target directory").to_path_buf()
}

/// Runs `command` to its end, its output captured (pip, venv and loupe's own quick commands).
fn run(command: &mut Command) -> Run {
    let out = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    Run { code: out.status.code(), lines: Vec::new(), stdout: text(out.stdout), stderr: text(out.stderr) }
}

#[test]
fn pip_builds_a_wheel_whose_loupe_runs_from_a_fresh_venv() {
    let Some(maturin) = maturin_dir() else {
        eprintln!(
            "\n*** SKIPPED: maturin is not installed (run scripts/setup-test-env.sh, which puts it in .venv-test) ***\n"
        );
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let dist = work.path().join("dist");
    let started = Instant::now();

    // pip's own build (PEP 517 through maturin), without build isolation so no network is needed.
    let path = std::env::join_paths(
        std::iter::once(maturin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let build = run(Command::new(python())
        .args(["-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-cache-dir", "--quiet", "-w"])
        .arg(&dist)
        .arg(repo())
        .env("PATH", &path)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("MATURIN_PEP517_ARGS", "--profile dev"));
    assert_eq!(build.code, Some(0), "pip wheel failed\n{build}");
    let wheel = std::fs::read_dir(&dist)
        .expect("dist")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .unwrap_or_else(|| panic!("no wheel in {}\n{build}", dist.display()));
    let name = wheel.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with(&format!("loupe-{}-", env!("CARGO_PKG_VERSION"))),
        "the wheel's version is not the crate's: {name}"
    );
    let built = started.elapsed();

    // A fresh venv that has never seen the checkout, and pip installing the wheel file into it.
    let venv = work.path().join("venv");
    let made = run(Command::new(python()).args(["-m", "venv"]).arg(&venv));
    assert_eq!(made.code, Some(0), "python -m venv failed\n{made}");
    let install = run(Command::new(venv.join("bin/python"))
        .args(["-m", "pip", "install", "--no-index", "--no-deps", "--quiet", "--disable-pip-version-check"])
        .arg(&wheel));
    assert_eq!(install.code, Some(0), "pip install of {name} failed\n{install}");
    let loupe = venv.join("bin/loupe");
    assert!(loupe.is_file(), "the wheel put no loupe in {}", venv.join("bin").display());

    let version = run(Command::new(&loupe).arg("--version"));
    assert_eq!(version.code, Some(0), "{version}");
    assert_eq!(version.stdout.trim(), format!("loupe {}", env!("CARGO_PKG_VERSION")));

    // Real work from the installed copy, outside the checkout and with an empty cache: running
    // code in the sandbox, and a pdb session, whose bridge the binary writes out from itself.
    let outside = work.path().join("elsewhere");
    std::fs::create_dir_all(&outside).expect("dir");
    let script = outside.join("sum.py");
    std::fs::write(&script, "total = 0\nfor i in range(4):\n    total += i\nprint('total', total)\n").expect("script");
    let isolated = |command: &mut Command| {
        command
            .current_dir(&outside)
            .env("XDG_CACHE_HOME", work.path().join("cache"))
            .env("XDG_STATE_HOME", work.path().join("state"))
            .env_remove("LOUPE_LOG");
    };
    let mut exec = Command::new(&loupe);
    exec.args(["exec", "--python"]).arg(venv.join("bin/python")).args(["-c", "print(6*7)"]);
    isolated(&mut exec);
    let exec = run(&mut exec);
    assert_eq!((exec.code, exec.stdout.trim()), (Some(0), "42"), "{exec}");

    let mut debug = Command::new(&loupe);
    debug.args(["run", "--batch", "--backend", "pdb", "--python"]).arg(venv.join("bin/python")).args([
        "-ex",
        "break sum.py:4",
        "-ex",
        "print total",
        "-ex",
        "continue",
        "sum.py",
    ]);
    isolated(&mut debug);
    let debug = common::run_guarded(debug.stdout(Stdio::piped()).stderr(Stdio::piped()));
    assert_eq!(debug.code, Some(0), "{debug}");
    let printed: Vec<_> = debug.results("print").iter().map(|r| r["value"].clone()).collect();
    assert_eq!(printed, vec![serde_json::json!("6")], "{debug}");

    // The compiled line callbacks ship inside the binary: `--lines` from the installed copy
    // writes them out and uses them (the Python ones would say so in a note).
    let mut lines = Command::new(&loupe);
    lines
        .args(["profile", "--lines", "--function", "<module>", "--no-tui", "--python"])
        .arg(venv.join("bin/python"))
        .arg("sum.py");
    isolated(&mut lines);
    let lines = run(&mut lines);
    assert_eq!(lines.code, Some(0), "{lines}");
    assert!(lines.stdout.contains("total += i"), "{lines}");
    assert!(!lines.stderr.contains("Python callbacks"), "the compiled line callbacks did not load\n{lines}");
    eprintln!("wheel built in {built:.1?}; whole test {:.1?}", started.elapsed());
}
