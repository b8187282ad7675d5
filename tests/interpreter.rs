//! Finding and probing Python interpreters: pyenv shims resolved from a fake pyenv tree whose
//! versions are the machine's real interpreter, the real interpreter's probe, virtual
//! environments kept as such, and the errors a user sees for interpreters that are missing or not
//! Python.
//!
//! Environment inputs go through `SearchContext`, never through the process environment, because
//! the tests in this file run in parallel threads of one process.

use std::ffi::OsString;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use loupe::pyenv::interpreter::{locate, probe, resolve, resolve_shim_with, resolve_with, SearchContext};

/// The machine's real `python3`, shims resolved (so tests do not pay pyenv's start-up cost).
fn real_python3() -> PathBuf {
    let cwd = std::env::current_dir().expect("current directory");
    locate(Some(Path::new("python3")), &cwd, &SearchContext::from_env()).expect("these tests need a python3 on PATH")
}

fn write_executable(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A pyenv root in a temporary directory:
///
/// ```text
/// root/shims/python3                    a shim script, as `pyenv rehash` writes it
/// root/versions/{3.11.7,3.11.10,3.12.1,3.13.0rc1}/bin/python3 -> the real python3
/// root/versions/2.7.18/bin/python2      (no python3: a version that lacks the executable)
/// system/python3                        what pyenv calls the "system" Python
/// project/sub/deeper                    directories for .python-version files
/// ```
struct FakePyenv {
    _dir: tempfile::TempDir,
    root: PathBuf,
    shim: PathBuf,
    system_python: PathBuf,
    project: PathBuf,
}

impl FakePyenv {
    fn new() -> Self {
        Self::with_shim_script(|root| {
            format!(
                "#!/usr/bin/env bash\nset -e\nexport PYENV_ROOT=\"{}\"\nexec \"{}/libexec/pyenv\" \
                 exec \"${{0##*/}}\" \"$@\"\n",
                root.display(),
                root.display()
            )
        })
    }

    fn with_shim_script(script: impl Fn(&Path) -> String) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("pyenv");
        let real = real_python3();
        for version in ["3.11.7", "3.11.10", "3.12.1", "3.13.0rc1"] {
            let bin = root.join("versions").join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            symlink(&real, bin.join("python3")).unwrap();
        }
        let python2_bin = root.join("versions/2.7.18/bin");
        std::fs::create_dir_all(&python2_bin).unwrap();
        symlink(&real, python2_bin.join("python2")).unwrap();

        let shim = root.join("shims").join("python3");
        write_executable(&shim, &script(&root));

        let system_python = dir.path().join("system").join("python3");
        std::fs::create_dir_all(system_python.parent().unwrap()).unwrap();
        symlink(&real, &system_python).unwrap();

        let project = dir.path().join("project");
        std::fs::create_dir_all(project.join("sub/deeper")).unwrap();
        FakePyenv { _dir: dir, root, shim, system_python, project }
    }

    /// PATH with the shims first, as `pyenv init` sets it, then the "system" directory.
    fn context(&self, pyenv_version: Option<&str>) -> SearchContext {
        let path = std::env::join_paths([self.root.join("shims"), self.system_python.parent().unwrap().to_path_buf()])
            .unwrap();
        SearchContext {
            path: Some(path),
            virtual_env: None,
            pyenv_root: Some(self.root.clone()),
            pyenv_version: pyenv_version.map(str::to_string),
        }
    }

    fn version_python(&self, version: &str) -> PathBuf {
        self.root.join("versions").join(version).join("bin/python3")
    }

    fn resolve_from(&self, cwd: &Path, pyenv_version: Option<&str>) -> Option<PathBuf> {
        resolve_shim_with(&self.shim, cwd, &self.context(pyenv_version))
    }
}

#[test]
fn shim_without_any_version_setting_is_the_system_python() {
    let pyenv = FakePyenv::new();
    assert_eq!(pyenv.resolve_from(&pyenv.project, None), Some(pyenv.system_python.clone()));
}

#[test]
fn shim_uses_the_global_version_file() {
    let pyenv = FakePyenv::new();
    std::fs::write(pyenv.root.join("version"), "3.12.1\n").unwrap();
    assert_eq!(pyenv.resolve_from(&pyenv.project, None), Some(pyenv.version_python("3.12.1")));
}

#[test]
fn nearest_python_version_file_wins_over_farther_ones_and_the_global_one() {
    let pyenv = FakePyenv::new();
    std::fs::write(pyenv.root.join("version"), "3.12.1\n").unwrap();
    std::fs::write(pyenv.project.join(".python-version"), "3.11.7\n").unwrap();
    std::fs::write(pyenv.project.join("sub/.python-version"), "3.11.10\n").unwrap();

    let deeper = pyenv.project.join("sub/deeper");
    assert_eq!(pyenv.resolve_from(&deeper, None), Some(pyenv.version_python("3.11.10")));
    assert_eq!(pyenv.resolve_from(&pyenv.project, None), Some(pyenv.version_python("3.11.7")));
}

#[test]
fn pyenv_version_variable_overrides_version_files() {
    let pyenv = FakePyenv::new();
    std::fs::write(pyenv.project.join(".python-version"), "3.11.7\n").unwrap();
    assert_eq!(pyenv.resolve_from(&pyenv.project, Some("3.12.1")), Some(pyenv.version_python("3.12.1")));
}

#[test]
fn first_version_in_a_list_that_has_the_executable_wins() {
    let pyenv = FakePyenv::new();
    // 2.7.18 has no python3, so the shim falls through to the next version.
    assert_eq!(pyenv.resolve_from(&pyenv.project, Some("2.7.18:3.11.7")), Some(pyenv.version_python("3.11.7")));
    std::fs::write(
        pyenv.project.join(".python-version"),
        "# pinned for the CI matrix\n\n2.7.18   extra words are ignored\n3.12.1\n3.11.7\n",
    )
    .unwrap();
    assert_eq!(pyenv.resolve_from(&pyenv.project, None), Some(pyenv.version_python("3.12.1")));
}

#[test]
fn version_prefixes_pick_the_highest_installed_release() {
    let pyenv = FakePyenv::new();
    // 3.11.10 beats 3.11.7 numerically, not as text.
    assert_eq!(pyenv.resolve_from(&pyenv.project, Some("3.11")), Some(pyenv.version_python("3.11.10")));
    assert_eq!(pyenv.resolve_from(&pyenv.project, Some("python-3.12.1")), Some(pyenv.version_python("3.12.1")));
    // Release candidates are not picked by a prefix (as `pyenv latest`), only by their full name.
    assert_eq!(pyenv.resolve_from(&pyenv.project, Some("3.13")), Some(pyenv.system_python.clone()));
    assert_eq!(pyenv.resolve_from(&pyenv.project, Some("3.13.0rc1")), Some(pyenv.version_python("3.13.0rc1")));
}

#[test]
fn uninstalled_version_and_empty_local_file_fall_back_to_the_system_python() {
    let pyenv = FakePyenv::new();
    assert_eq!(pyenv.resolve_from(&pyenv.project, Some("3.99.1")), Some(pyenv.system_python.clone()));
    // An empty .python-version stops the search (pyenv reads it and gets "system").
    std::fs::write(pyenv.root.join("version"), "3.12.1\n").unwrap();
    std::fs::write(pyenv.project.join(".python-version"), "").unwrap();
    assert_eq!(pyenv.resolve_from(&pyenv.project, None), Some(pyenv.system_python.clone()));
}

#[test]
fn path_traversal_in_a_version_file_is_ignored() {
    let pyenv = FakePyenv::new();
    std::fs::write(pyenv.project.join(".python-version"), "../../system\n").unwrap();
    assert_eq!(pyenv.resolve_from(&pyenv.project, None), Some(pyenv.system_python.clone()));
}

#[test]
fn shim_root_comes_from_the_script_or_the_directory_layout() {
    // A shim script that does not name its root is still recognised by the layout around it.
    let pyenv = FakePyenv::with_shim_script(|_| "#!/bin/sh\nexit 1\n".to_string());
    let context = SearchContext { pyenv_root: None, ..pyenv.context(Some("3.12.1")) };
    assert_eq!(resolve_shim_with(&pyenv.shim, &pyenv.project, &context), Some(pyenv.version_python("3.12.1")));

    // A shim elsewhere that names its root in its script.
    let pyenv = FakePyenv::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let moved_shim = elsewhere.path().join("shims/python3");
    write_executable(&moved_shim, &std::fs::read_to_string(&pyenv.shim).unwrap());
    let context = SearchContext { pyenv_root: None, ..pyenv.context(Some("3.11.7")) };
    assert_eq!(resolve_shim_with(&moved_shim, &pyenv.project, &context), Some(pyenv.version_python("3.11.7")));
}

#[test]
fn files_that_are_not_shims_are_left_alone() {
    let pyenv = FakePyenv::new();
    let context = pyenv.context(Some("3.12.1"));
    assert_eq!(resolve_shim_with(&pyenv.system_python, &pyenv.project, &context), None);

    // A directory called `shims` that belongs to no pyenv root.
    let unrelated = tempfile::tempdir().unwrap();
    let not_a_shim = unrelated.path().join("tools/shims/python3");
    write_executable(&not_a_shim, "#!/bin/sh\n");
    let context = SearchContext { pyenv_root: None, ..context };
    assert_eq!(resolve_shim_with(&not_a_shim, &pyenv.project, &context), None);
}

#[test]
fn locating_a_command_name_on_path_resolves_the_shim() {
    let pyenv = FakePyenv::new();
    let context = pyenv.context(Some("3.11.7"));
    assert_eq!(locate(Some(Path::new("python3")), &pyenv.project, &context).unwrap(), pyenv.version_python("3.11.7"));
    // The default (no --python) looks for python3 first.
    assert_eq!(locate(None, &pyenv.project, &context).unwrap(), pyenv.version_python("3.11.7"));
}

#[test]
fn relative_paths_are_taken_from_cwd() {
    let pyenv = FakePyenv::new();
    let context = pyenv.context(None);
    let cwd = pyenv.system_python.parent().unwrap().parent().unwrap();
    assert_eq!(locate(Some(Path::new("system/python3")), cwd, &context).unwrap(), cwd.join("system/python3"));
}

/// Runs the real pyenv shim (when this machine has pyenv) with several `PYENV_VERSION` values and
/// checks that the resolver picks the interpreter the shim actually runs.
#[test]
fn resolver_agrees_with_the_real_pyenv_shim() {
    let context = SearchContext::from_env();
    let Some(shim) = context
        .pyenv_root
        .clone()
        .or_else(|| dirs::home_dir().map(|home| home.join(".pyenv")))
        .map(|root| root.join("shims/python3"))
        .filter(|shim| shim.is_file())
    else {
        eprintln!("no pyenv on this machine; nothing to compare with");
        return;
    };
    let cwd = tempfile::tempdir().unwrap();
    let installed: Vec<String> = std::fs::read_dir(shim.parent().unwrap().with_file_name("versions"))
        .map(|entries| entries.flatten().filter_map(|entry| entry.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    let mut settings: Vec<Option<String>> = vec![None, Some("system".into())];
    settings.extend(installed.iter().map(|version| Some(version.clone())));
    settings
        .extend(installed.iter().filter_map(|version| version.rsplit_once('.').map(|(prefix, _)| Some(prefix.into()))));

    let mut compared = 0;
    for setting in settings {
        let mut shim_run = Command::new(&shim);
        shim_run.args(["-c", "import sys; print(sys.executable)"]).current_dir(cwd.path());
        match &setting {
            Some(version) => shim_run.env("PYENV_VERSION", version),
            None => shim_run.env_remove("PYENV_VERSION"),
        };
        let output = shim_run.output().unwrap();
        if !output.status.success() {
            continue; // pyenv itself cannot run python3 with this setting.
        }
        let pyenv_answer = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        let context = SearchContext { pyenv_version: setting.clone(), ..context.clone() };
        let ours = resolve_shim_with(&shim, cwd.path(), &context)
            .unwrap_or_else(|| panic!("shim not resolved for PYENV_VERSION={setting:?}"));
        assert_eq!(ours, pyenv_answer, "PYENV_VERSION={setting:?}: pyenv runs {pyenv_answer:?}, loupe picked {ours:?}");
        compared += 1;
    }
    assert!(compared > 0, "pyenv could not run python3 with any setting");
}

#[tokio::test]
async fn probes_the_real_python3() {
    let cwd = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let interpreter = resolve(Some(Path::new("python3")), cwd.path()).await.expect("python3 resolves");
    let elapsed = started.elapsed();
    eprintln!("resolve(python3) took {elapsed:?}: {interpreter:?}");

    assert_ne!(
        interpreter.path.parent().and_then(Path::file_name),
        Some(std::ffi::OsStr::new("shims")),
        "the shim should have been resolved"
    );
    assert!(interpreter.version_tuple >= (3, 8, 0));
    let (major, minor, micro) = interpreter.version_tuple;
    assert_eq!(interpreter.version, format!("{major}.{minor}.{micro}"));
    assert!(!interpreter.implementation.is_empty());
    assert!(interpreter.prefix.is_absolute());

    // The same answer as asking python3 directly (through the shim, if it is one).
    let output = Command::new("python3")
        .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.prefix)"])
        .current_dir(cwd.path())
        .output()
        .unwrap();
    let expected = String::from_utf8_lossy(&output.stdout);
    let mut expected = expected.lines();
    assert_eq!(expected.next(), Some(interpreter.version.as_str()));
    assert_eq!(expected.next().map(PathBuf::from), Some(interpreter.prefix));
}

#[tokio::test]
async fn virtual_environment_path_is_kept_not_followed_to_the_base_interpreter() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let status = Command::new(real_python3())
        .args([OsString::from("-m"), "venv".into(), "--without-pip".into()])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(status.success());

    // Through VIRTUAL_ENV, as after `source venv/bin/activate`.
    let context = SearchContext { virtual_env: Some(venv.clone()), ..SearchContext::default() };
    let interpreter = resolve_with(None, dir.path(), &context).await.unwrap();
    assert_eq!(interpreter.path, venv.join("bin/python"));
    assert!(interpreter.is_virtualenv());
    assert_eq!(interpreter.prefix, venv.canonicalize().unwrap());
    assert_eq!(interpreter.debugpy, None);

    // Through a relative --python.
    let interpreter =
        resolve_with(Some(Path::new("venv/bin/python")), dir.path(), &SearchContext::default()).await.unwrap();
    assert_eq!(interpreter.path, dir.path().join("venv/bin/python"));
    assert!(interpreter.is_virtualenv());
}

async fn error_for(requested: &Path, context: &SearchContext) -> String {
    let cwd = tempfile::tempdir().unwrap();
    match resolve_with(Some(requested), cwd.path(), context).await {
        Ok(interpreter) => panic!("{requested:?} resolved to {interpreter:?}"),
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn missing_interpreters_are_reported_with_what_to_do() {
    let message = error_for(Path::new("loupe-no-such-python"), &SearchContext::from_env()).await;
    assert!(message.contains("'loupe-no-such-python' not found on PATH"), "{message}");
    assert!(message.contains("--python"), "{message}");

    let message = error_for(Path::new("/nonexistent/bin/python"), &SearchContext::default()).await;
    assert!(message.contains("does not exist"), "{message}");

    let context = SearchContext { virtual_env: Some(PathBuf::from("/nonexistent/venv")), ..SearchContext::default() };
    let cwd = tempfile::tempdir().unwrap();
    let message = format!("{:#}", resolve_with(None, cwd.path(), &context).await.unwrap_err());
    assert!(message.contains("VIRTUAL_ENV"), "{message}");
}

#[tokio::test]
async fn executables_that_are_not_python_are_rejected() {
    let true_binary = which::which("true").expect("a `true` command");
    let message = error_for(&true_binary, &SearchContext::default()).await;
    assert!(message.contains("not a Python interpreter"), "{message}");

    let dir = tempfile::tempdir().unwrap();
    let failing = dir.path().join("python3");
    write_executable(&failing, "#!/bin/sh\necho 'pyenv: python3: command not found' >&2\nexit 127\n");
    let message = error_for(&failing, &SearchContext::default()).await;
    assert!(message.contains("not a Python interpreter"), "{message}");
    assert!(message.contains("exit status 127"), "{message}");
    assert!(message.contains("command not found"), "{message}");

    let not_executable = dir.path().join("python-data");
    std::fs::write(&not_executable, "not a program").unwrap();
    let message = error_for(&not_executable, &SearchContext::default()).await;
    assert!(message.contains("not executable"), "{message}");

    let message = error_for(dir.path(), &SearchContext::default()).await;
    assert!(message.contains("is a directory"), "{message}");
}

/// Uses an old interpreter if this machine has one (pyenv installs of 2.x, 3.6 or 3.7).
#[tokio::test]
async fn old_pythons_are_rejected_with_the_version_needed() {
    let versions = SearchContext::from_env()
        .pyenv_root
        .or_else(|| dirs::home_dir().map(|home| home.join(".pyenv")))
        .map(|root| root.join("versions"));
    let old = versions
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.starts_with("2.") || name.starts_with("3.6.") || name.starts_with("3.7.")
        })
        .map(|entry| entry.path().join("bin/python"))
        .find(|python| python.is_file());
    let Some(old) = old else {
        eprintln!("no Python older than 3.8 on this machine");
        return;
    };
    let cwd = tempfile::tempdir().unwrap();
    let error = probe(&old, cwd.path()).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("debugpy needs Python 3.8+"), "{message}");
}
