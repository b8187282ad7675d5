//! `loupe env` against real interpreters (pyenv's CPythons), real virtual environments, real
//! `pip install` from the registry, and metadata broken on purpose. `env check` is compared with
//! `pip check` itself on the same environment.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{python, Loupe, Run};
use serde_json::Value;

fn env(args: &[&str], cwd: &Path) -> Run {
    let mut all = vec!["env"];
    all.extend_from_slice(args);
    Loupe::new(all).cwd(cwd).run()
}

/// `loupe env ...` in text mode (the common runner reads JSON Lines): exit code, stdout, stderr.
/// The cache is the one `Loupe` runs share, so caching is part of what is tested.
fn env_text(args: &[&str], cwd: &Path) -> (Option<i32>, String, String) {
    let state = tempfile::tempdir().unwrap();
    // pip installs here, whether or not uv is on this machine (tests/env_uv.rs tests uv).
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir(config.path().join("loupe")).unwrap();
    std::fs::write(config.path().join("loupe/config.toml"), "[env]\ninstaller = \"pip\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("env")
        .args(args)
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", common::repo().join("target/test-cache"))
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .expect("run loupe");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {run}"))
}

/// A virtual environment made by the real `python -m venv` (pip included when `with_pip`).
fn make_venv(dir: &Path, with_pip: bool) -> PathBuf {
    let mut command = Command::new(base_python());
    command.args(["-m", "venv"]);
    if !with_pip {
        command.arg("--without-pip");
    }
    let status = command.arg(dir).status().expect("run python -m venv");
    assert!(status.success(), "python -m venv {}", dir.display());
    dir.join("bin/python")
}

/// The interpreter the test venv was made from (a real installation, not a venv).
fn base_python() -> PathBuf {
    let cfg = std::fs::read_to_string(python().parent().unwrap().parent().unwrap().join("pyvenv.cfg")).unwrap();
    let home = cfg.lines().find_map(|l| l.strip_prefix("home = ")).expect("home in pyvenv.cfg");
    PathBuf::from(home.trim()).join("python3")
}

fn pip(venv_python: &Path, args: &[&str]) -> std::process::Output {
    let output = Command::new(venv_python)
        .args(["-m", "pip", "--disable-pip-version-check", "--no-input"])
        .args(args)
        .output()
        .expect("run pip");
    output
}

#[test]
fn list_finds_pyenv_versions_and_the_projects_venv_without_running_them() {
    let project = tempfile::tempdir().unwrap();
    make_venv(&project.path().join(".venv"), false);
    let run = env(&["list", "--json"], project.path());
    assert_eq!(run.code, Some(0), "{run}");
    let list = json_of(&run);
    let interpreters = list["interpreters"].as_array().unwrap();
    let venv = &interpreters[0];
    assert_eq!(venv["kind"], "venv", "the project's venv comes first: {run}");
    assert_eq!(venv["path"], project.path().join(".venv/bin/python3").to_str().unwrap());
    let base_version =
        String::from_utf8(Command::new(base_python()).arg("--version").output().unwrap().stdout).unwrap();
    assert_eq!(Some(base_version.trim().trim_start_matches("Python ")), venv["version"].as_str(), "{run}");
    for minor in ["3.8.", "3.13."] {
        assert!(
            interpreters
                .iter()
                .any(|i| i["kind"] == "pyenv" && i["version"].as_str().is_some_and(|v| v.starts_with(minor))),
            "pyenv's CPython {minor}x is listed: {run}"
        );
    }
    // No shim is ever listed, and every entry has a version.
    assert!(interpreters.iter().all(|i| !i["path"].as_str().unwrap().contains("/shims/")), "{run}");
    assert!(interpreters.iter().all(|i| i["version"].is_string()), "{run}");
}

#[test]
fn a_venv_whose_base_python_was_removed_is_reported() {
    let project = tempfile::tempdir().unwrap();
    let venv = project.path().join("venv");
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/python-base/bin/python3.12", venv.join("bin/python3")).unwrap();
    std::fs::write(venv.join("pyvenv.cfg"), "home = /nonexistent/python-base/bin\nversion = 3.12.1\n").unwrap();
    let run = env(&["list", "--json"], project.path());
    let list = json_of(&run);
    let entry = list["interpreters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["prefix"] == venv.to_str().unwrap())
        .unwrap_or_else(|| panic!("the broken venv is listed: {run}"));
    assert!(entry["problem"].as_str().unwrap().contains("/nonexistent/python-base/bin no longer exists"), "{run}");
    let (_, stdout, _) = env_text(&["list"], project.path());
    assert!(stdout.contains("✗ its base interpreter"), "{stdout}");
}

#[test]
fn show_reads_packages_from_metadata() {
    let run = env(&["show", "--python", python().to_str().unwrap(), "--json"], &common::repo());
    assert_eq!(run.code, Some(0), "{run}");
    let shown = json_of(&run);
    assert_eq!(shown["interpreter"]["path"], python().to_str().unwrap());
    assert_eq!(shown["interpreter"]["virtualenv"], true);
    let site = shown["site_packages"][0].as_str().unwrap();
    assert!(site.ends_with("site-packages"), "{run}");
    let packages = shown["packages"].as_array().unwrap();
    let debugpy = packages.iter().find(|p| p["name"] == "debugpy").expect("debugpy is installed in .venv-test");
    assert_eq!(debugpy["version"], "1.8.22");
    assert_eq!(debugpy["installer"], "pip");
    assert_eq!(debugpy["requested"], true);
    assert_eq!(debugpy["location"], site);
    let ipython = packages.iter().find(|p| p["name"].as_str().unwrap().eq_ignore_ascii_case("ipython")).unwrap();
    assert_eq!(ipython["requested"], false, "installed as ipdb's dependency");
    // The same set pip itself lists.
    let pip_list = pip(&python(), &["list", "--format=json"]);
    let pip_list: Value = serde_json::from_slice(&pip_list.stdout).unwrap();
    let mut theirs: Vec<(String, String)> = pip_list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_lowercase().replace('_', "-"), p["version"].as_str().unwrap().into()))
        .collect();
    let mut ours: Vec<(String, String)> = packages
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_lowercase().replace('_', "-"), p["version"].as_str().unwrap().into()))
        .collect();
    theirs.sort();
    ours.sort();
    assert_eq!(ours, theirs);
    assert_eq!(shown["problems"], serde_json::json!([]));
}

#[test]
fn check_prints_what_pip_check_prints_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let venv_python = make_venv(&dir.path().join("venv"), true);
    // Requirements broken with --no-deps: bleach 6.0.0 without webencodings and with a six older
    // than it needs; requests 2.31.0 without three of its dependencies and with an idna outside
    // `idna<4,>=2.5`.
    for args in [
        &["install", "--no-deps", "bleach==6.0.0", "requests==2.31.0"][..],
        &["install", "--no-deps", "six==1.8.0", "idna==2.0"][..],
    ] {
        let out = pip(&venv_python, args);
        assert!(out.status.success(), "pip {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let python = venv_python.to_str().unwrap();
    let pip_check = pip(&venv_python, &["check"]);
    let (code, stdout, stderr) = env_text(&["check", "--python", python], dir.path());
    assert_eq!(code, pip_check.status.code(), "exit code: {stderr}");
    assert_eq!(stdout, String::from_utf8_lossy(&pip_check.stdout), "loupe's stdout against pip check's");
    assert!(stdout.lines().count() >= 6, "{stdout}");

    let run = env(&["check", "--python", python, "--json"], dir.path());
    assert_eq!(run.code, Some(1), "problems give exit code 1: {run}");
    let kinds: Vec<String> =
        json_of(&run)["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap().into()).collect();
    assert!(kinds.contains(&"missing_dependency".into()) && kinds.contains(&"version_conflict".into()), "{run}");

    // Metadata broken by hand: reported on stderr (pip has no line for it), not skipped, and not
    // hidden by the cache of the directory's previous contents, which the runs above filled.
    let site = json_of(&env(&["show", "--python", python, "--json"], dir.path()))["site_packages"][0]
        .as_str()
        .unwrap()
        .to_string();
    let broken = Path::new(&site).join("broken_pkg-1.0.dist-info");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("METADATA"), "Metadata-Version: 2.1\nName: broken_pkg\n").unwrap();
    let (code, _, stderr) = env_text(&["check", "--python", python], dir.path());
    assert_eq!(code, Some(1));
    assert!(stderr.contains("broken metadata") && stderr.contains("has no Version field"), "{stderr}");
}

#[test]
fn a_metadata_file_deleted_between_two_runs_is_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let venv_python = make_venv(&dir.path().join("venv"), true);
    let python = venv_python.to_str().unwrap();
    let show = || json_of(&env(&["show", "--python", python, "--json"], dir.path()));
    let first = show();
    let pip_entry = first["packages"].as_array().unwrap().iter().find(|p| p["name"] == "pip").expect("pip listed");
    let location = PathBuf::from(pip_entry["location"].as_str().unwrap());
    let dist_info = std::fs::read_dir(&location)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("pip-")
                && p.extension().is_some_and(|e| e == "dist-info")
        })
        .expect("pip's dist-info");
    let site_mtime = || std::fs::metadata(&location).unwrap().modified().unwrap();
    let before = site_mtime();
    // Warm: a second run reads the cache.
    assert_eq!(show()["packages"], first["packages"]);
    std::fs::remove_file(dist_info.join("METADATA")).unwrap();
    assert_eq!(site_mtime(), before, "site-packages itself did not change, only pip's dist-info");
    let after = show();
    let names: Vec<&str> = after["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert!(!names.contains(&"pip"), "pip's metadata is gone, so is pip: {names:?}");
    let problems = after["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p["kind"] == "broken_metadata" && p["message"].as_str().unwrap().contains("METADATA")),
        "{problems:#?}"
    );
}

#[test]
fn list_finds_a_venv_of_any_name_in_and_above_the_current_directory() {
    let project = tempfile::tempdir().unwrap();
    make_venv(&project.path().join("v"), false);
    let nested = project.path().join("src/pkg");
    std::fs::create_dir_all(&nested).unwrap();
    make_venv(&nested.join("tools-env"), false);
    let run = env(&["list", "--json"], &nested);
    assert_eq!(run.code, Some(0), "{run}");
    let paths: Vec<String> = json_of(&run)["interpreters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "venv")
        .map(|i| i["path"].as_str().unwrap().to_string())
        .collect();
    let expected = [nested.join("tools-env/bin/python3"), project.path().join("v/bin/python3")];
    let expected: Vec<String> = expected.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(paths[..2], expected[..], "nearest first: {run}");
}

#[test]
fn a_bad_interpreter_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = env_text(&["show", "--python", "/nonexistent/python3"], dir.path());
    assert_eq!(code, Some(125), "{stderr}");
    assert!(stderr.contains("/nonexistent/python3") && stderr.contains("does not exist"), "{stderr}");
    let (_, _, stderr) = env_text(&["show", "--python", "2.5"], dir.path());
    assert!(stderr.contains("no Python 2.5 found"), "{stderr}");
    // A file that is not Python.
    let fake = dir.path().join("python3");
    std::fs::write(&fake, "#!/bin/sh\necho not python >&2\nexit 3\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, stderr) = env_text(&["check", "--python", fake.to_str().unwrap()], dir.path());
    assert_eq!(code, Some(125), "{stderr}");
    assert!(stderr.contains("does not run") && stderr.contains("not python"), "{stderr}");
}

#[test]
fn create_install_export_import_and_uninstall_with_real_pip() {
    let dir = tempfile::tempdir().unwrap();
    let base = base_python();
    let (code, stdout, stderr) = env_text(&["create", "v1", "--python", base.to_str().unwrap()], dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with(&format!("created {}", dir.path().join("v1").display())), "{stdout}");
    let v1 = dir.path().join("v1/bin/python");
    let (code, stdout, stderr) = env_text(&["install", "--python", v1.to_str().unwrap(), "six==1.16.0"], dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "installed six 1.16.0");
    assert!(stderr.contains("collecting six==1.16.0") && stderr.contains("installing six"), "progress: {stderr}");

    let (code, _, stderr) = env_text(&["export", "--python", v1.to_str().unwrap(), "-o", "export.json"], dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    let export: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("export.json")).unwrap()).unwrap();
    assert!(export["packages"].as_array().unwrap().iter().any(|p| p["name"] == "six" && p["version"] == "1.16.0"));
    let (_, requirements, _) =
        env_text(&["export", "--python", v1.to_str().unwrap(), "--format", "requirements"], dir.path());
    assert!(requirements.lines().any(|l| l == "six==1.16.0") && !requirements.contains("pip=="), "{requirements}");

    // Recreated elsewhere from the export.
    let (code, stdout, stderr) =
        env_text(&["import", "export.json", "--create", "v2", "--python", base.to_str().unwrap()], dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("six 1.16.0"), "{stdout}");
    let v2 = dir.path().join("v2/bin/python");
    let shown = json_of(&env(&["show", "--python", v2.to_str().unwrap(), "--json"], dir.path()));
    assert!(shown["packages"].as_array().unwrap().iter().any(|p| p["name"] == "six" && p["version"] == "1.16.0"));

    let (code, stdout, stderr) = env_text(&["uninstall", "--python", v2.to_str().unwrap(), "six"], dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout.trim(), "removed six 1.16.0");
    // An existing directory is never overwritten.
    let (code, _, stderr) = env_text(&["create", "v1"], dir.path());
    assert_eq!(code, Some(125));
    assert!(stderr.contains("already exists"), "{stderr}");
}

#[test]
fn bad_requirements_install_nothing_and_point_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let venv_python = make_venv(&dir.path().join("venv"), false);
    std::fs::write(dir.path().join("requirements.txt"), "six==1.16.0\n# fine\nattrs >= \n").unwrap();
    let (code, _, stderr) = env_text(
        &["install", "--python", venv_python.to_str().unwrap(), "-r", "requirements.txt", "ok-package", "bad=="],
        dir.path(),
    );
    assert_eq!(code, Some(125));
    assert!(stderr.contains("nothing was installed"), "{stderr}");
    assert!(stderr.contains("requirements.txt:3: invalid requirement \"attrs >=\""), "{stderr}");
    assert!(stderr.contains("invalid requirement \"bad==\""), "{stderr}");
    // A venv without pip: said, with the fix.
    let (code, _, stderr) = env_text(&["install", "--python", venv_python.to_str().unwrap(), "six"], dir.path());
    assert_eq!(code, Some(125));
    assert!(stderr.contains("pip is not installed") && stderr.contains("ensurepip"), "{stderr}");
}

#[test]
fn an_unreachable_index_is_explained_and_ctrl_c_stops_pip() {
    let dir = tempfile::tempdir().unwrap();
    let venv_python = make_venv(&dir.path().join("venv"), true);
    // Nothing listens on this port: pip cannot connect.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let loupe = |index: String| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
        command
            .args(["env", "install", "--installer", "pip", "--python", venv_python.to_str().unwrap(), "six"])
            .current_dir(dir.path())
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env("PIP_INDEX_URL", index)
            .env("PIP_RETRIES", "0")
            .env("PIP_TIMEOUT", "60")
            .env("PIP_DEFAULT_TIMEOUT", "60");
        command
    };
    let output = loupe(format!("http://127.0.0.1:{closed_port}/simple")).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not be reached") || stderr.contains("no release matches"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "nothing changed");

    // An index that accepts and never answers: pip waits; Ctrl-C (SIGINT) stops it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let (connected, pip_connected) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        while let Ok((stream, _)) = silent.accept() {
            kept.push(stream);
            let _ = connected.send(());
        }
    });
    let mut child = loupe(format!("http://127.0.0.1:{port}/simple"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    pip_connected.recv_timeout(std::time::Duration::from_secs(60)).expect("pip asks the index");
    let started = std::time::Instant::now();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut rest).unwrap();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(rest.contains("cancelled"), "{rest}");
    assert_eq!(stdout.trim(), "nothing changed", "what was done is said");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "stopped without waiting for pip's timeout");
}

#[test]
fn the_interpreter_chosen_for_a_project_is_what_loupe_run_uses() {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join(".git")).unwrap();
    let script = project.path().join("which.py");
    std::fs::write(&script, "import sys\nprint(sys.version_info[:2])\n").unwrap();
    let chosen = json_of(&env(&["list", "--json"], project.path()))["interpreters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "pyenv" && i["version"].as_str().is_some_and(|v| v.starts_with("3.13.")))
        .map(|i| i["path"].as_str().unwrap().to_string())
        .expect("pyenv's CPython 3.13");
    let state = tempfile::tempdir().unwrap();
    let projects = state.path().join("loupe/projects");
    std::fs::create_dir_all(&projects).unwrap();
    let name: String =
        project.path().to_string_lossy().chars().map(|c| if matches!(c, '/' | '\\' | ':') { '%' } else { c }).collect();
    std::fs::write(projects.join(format!("{name}.json")), serde_json::json!({ "interpreter": chosen }).to_string())
        .unwrap();
    let run = Loupe::new(["run", "--batch", "--backend", "pdb", script.to_str().unwrap()])
        .cwd(project.path())
        .env("XDG_STATE_HOME", state.path())
        .run();
    assert_eq!(run.output("stdout"), "(3, 13)\n", "{run}");
}

#[test]
fn installs_run_confined_network_on_and_the_home_directory_unreadable() {
    // A local package whose setup.py (run by pip) tries to read a "secret" in the real home
    // directory; the install policy lets pip work but hides the rest of the home.
    let Some(home) = dirs_home() else { return eprintln!("SKIPPED: no home directory to hide") };
    let secret_dir = tempfile::tempdir_in(&home).unwrap();
    let secret = secret_dir.path().join("secret.txt");
    std::fs::write(&secret, "hunter2").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let venv_python = make_venv(&dir.path().join("venv"), true);
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(
        pkg.join("setup.py"),
        format!(
            "from setuptools import setup\ntry:\n    open({secret:?}).read()\n    raise SystemExit('THE SECRET WAS READABLE')\n\
             except PermissionError:\n    pass\nsetup(name='probe-pkg', version='1.0', py_modules=[])\n",
            secret = secret.display().to_string()
        ),
    )
    .unwrap();
    let (code, stdout, stderr) =
        env_text(&["install", "--python", venv_python.to_str().unwrap(), "--", "./pkg"], dir.path());
    assert!(!stderr.contains("THE SECRET WAS READABLE"), "{stderr}");
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("installed probe-pkg 1.0"), "{stdout}");
}

fn dirs_home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from).filter(|h| h.is_dir())
}
