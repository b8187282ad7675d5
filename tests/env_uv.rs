//! `loupe env` with uv as the installer, against real uv (the `uv` package from PyPI, installed
//! into .venv-test by scripts/setup-test-env.sh) and real environments: one made by `uv venv`
//! (no pip) where uv installs and uninstalls and pip is refused with the ways out; a pip
//! environment where `auto` takes uv when it is found and pip when it is not; and a failing install
//! reported in one line with uv's own reason.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where uv is (the test environment's bin directory).
fn uv_dir() -> PathBuf {
    let dir = common::repo().join(".venv-test/bin");
    assert!(dir.join("uv").exists(), "uv is missing from .venv-test: run scripts/setup-test-env.sh");
    dir
}

/// `loupe env ARGS` with a PATH that has uv (`with_uv`) or not, and a home without one, so only
/// what the test gives is found. Returns exit code, stdout, stderr.
fn env(args: &[&str], cwd: &Path, with_uv: bool) -> (Option<i32>, String, String) {
    let home = tempfile::tempdir().unwrap();
    let mut path = String::from("/usr/local/bin:/usr/bin:/bin");
    if with_uv {
        path = format!("{}:{path}", uv_dir().display());
    }
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("env")
        .args(args)
        .current_dir(cwd)
        .env("PATH", path)
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", common::repo().join("target/test-cache"))
        .env("UV_CACHE_DIR", common::repo().join("target/test-cache/uv"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .expect("run loupe");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

fn has_pip(venv: &Path) -> bool {
    std::fs::read_dir(venv.join("lib")).unwrap().flatten().any(|d| d.path().join("site-packages/pip").exists())
}

#[test]
fn a_uv_environment_without_pip_installs_and_uninstalls_through_uv() {
    let dir = tempfile::tempdir().unwrap();
    let base = common::python();
    let (code, stdout, stderr) = env(&["create", "v", "--python", base.to_str().unwrap()], dir.path(), true);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("with uv"), "{stdout}");
    let venv = dir.path().join("v");
    assert!(!has_pip(&venv), "uv makes it without pip unless asked");
    let python = venv.join("bin/python");
    let python = python.to_str().unwrap();

    let (code, stdout, stderr) = env(&["install", "--python", python, "six==1.16.0"], dir.path(), true);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "installed six 1.16.0");
    assert!(
        stderr.contains("resolved 1 package") && stderr.contains("installed six==1.16.0"),
        "uv's progress: {stderr}"
    );
    let (code, stdout, _) = env(&["show", "--python", python], dir.path(), true);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("six"), "{stdout}");
    let (code, stdout, stderr) = env(&["check", "--python", python], dir.path(), true);
    assert_eq!(code, Some(0), "{stdout}{stderr}");

    // pip asked for by name: refused, with both ways out.
    let (code, _, stderr) = env(&["install", "--installer", "pip", "--python", python, "attrs"], dir.path(), true);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("pip is not installed") && stderr.contains("ensurepip"), "{stderr}");
    assert!(stderr.contains("--installer uv") && stderr.contains("uv made this environment"), "{stderr}");

    let (code, stdout, stderr) = env(&["uninstall", "--python", python, "six"], dir.path(), true);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "removed six 1.16.0");
    assert!(!has_pip(&venv), "nothing put pip there");

    // --with-pip seeds it.
    let (code, _, stderr) = env(&["create", "w", "--with-pip", "--python", base.to_str().unwrap()], dir.path(), true);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(has_pip(&dir.path().join("w")));
}

#[test]
fn auto_takes_uv_when_found_and_pip_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(common::python()).args(["-m", "venv"]).arg(dir.path().join("p")).status().unwrap();
    assert!(status.success());
    let python = dir.path().join("p/bin/python");
    let python = python.to_str().unwrap();
    // uv on PATH: uv installs (its progress lines), into the pip environment.
    let (code, stdout, stderr) = env(&["install", "--python", python, "six==1.16.0"], dir.path(), true);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "installed six 1.16.0");
    assert!(stderr.contains("resolved 1 package"), "uv ran: {stderr}");
    // No uv anywhere: pip uninstalls (its own progress line).
    let (code, stdout, stderr) = env(&["uninstall", "--python", python, "six"], dir.path(), false);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "removed six 1.16.0");
    assert!(stderr.contains("uninstalling six"), "pip ran: {stderr}");
    // uv asked for and not there: said, with the fix.
    let (code, _, stderr) = env(&["install", "--installer", "uv", "--python", python, "six"], dir.path(), false);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("uv was not found") && stderr.contains("--installer pip"), "{stderr}");
}

#[test]
fn a_failing_uv_install_is_one_line_with_uvs_reason_and_nothing_installed() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = env(&["create", "v", "--python", common::python().to_str().unwrap()], dir.path(), true);
    assert_eq!(code, Some(0), "{stderr}");
    let python = dir.path().join("v/bin/python");
    let (code, stdout, stderr) =
        env(&["install", "--python", python.to_str().unwrap(), "six==0.0.0.1"], dir.path(), true);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout.trim(), "nothing changed");
    let line = stderr.lines().find(|l| l.contains("uv failed")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("No solution found") && line.contains("six==0.0.0.1"), "{line}");
}
