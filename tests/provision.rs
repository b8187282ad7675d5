//! Making debugpy available: real pip installs into a temporary cache for a fresh virtual
//! environment, reuse of the cache, concurrent installs, and the errors for an offline install and
//! an interpreter without pip.
//!
//! With `LOUPE_TEST_WHEELS` set to a directory holding a debugpy wheel (`pip download debugpy -d
//! DIR`), installs use it with `PIP_NO_INDEX`; otherwise they go to PyPI. The cache location and
//! pip's settings are passed explicitly, never set in this process's environment, because tests
//! run in parallel threads.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use loupe::dap::provision::{cache_dir_for, debuggee_pythonpath, ensure_debugpy_in, DebugpySource, COMPLETE_MARKER};
use loupe::pyenv::interpreter::{locate, resolve_with, SearchContext};
use loupe::pyenv::Interpreter;

fn real_python3() -> PathBuf {
    let cwd = std::env::current_dir().expect("current directory");
    locate(Some(Path::new("python3")), &cwd, &SearchContext::from_env()).expect("these tests need a python3 on PATH")
}

/// Creates a virtual environment in `dir/venv` and resolves its interpreter. A fresh environment
/// cannot import debugpy, whatever the base interpreter has installed.
async fn fresh_venv(dir: &Path, with_pip: bool) -> Interpreter {
    let venv = dir.join("venv");
    let mut command = Command::new(real_python3());
    command.args(["-m", "venv"]);
    if !with_pip {
        command.arg("--without-pip");
    }
    let status = command.arg(&venv).status().expect("python3 -m venv runs");
    assert!(status.success(), "python3 -m venv failed: {status}");
    let interpreter = resolve_with(Some(&venv.join("bin/python")), dir, &SearchContext::default())
        .await
        .expect("the new virtual environment resolves");
    assert_eq!(interpreter.debugpy, None, "a fresh venv has no debugpy");
    interpreter
}

/// pip settings for a real install: the local wheels (`LOUPE_TEST_WHEELS`, else the ones
/// `scripts/setup-test-env.sh` keeps) when there are any, else PyPI.
fn install_env() -> BTreeMap<OsString, OsString> {
    let mut env = BTreeMap::new();
    let wheels = std::env::var_os("LOUPE_TEST_WHEELS").filter(|v| !v.is_empty()).or_else(|| {
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-test/wheels").into_os_string())
            .filter(|w| Path::new(w).is_dir())
    });
    if let Some(wheels) = wheels {
        env.insert("PIP_NO_INDEX".into(), "1".into());
        env.insert("PIP_FIND_LINKS".into(), wheels);
    }
    env
}

fn leftover_temp_dirs(cache_root: &Path) -> Vec<String> {
    std::fs::read_dir(cache_root.join("debugpy"))
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.contains(".tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn installs_debugpy_into_the_cache_once_then_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let interpreter = fresh_venv(dir.path(), true).await;
    let cache_root = dir.path().join("cache");
    let expected_dir = cache_dir_for(&cache_root, &interpreter);
    assert!(expected_dir.ends_with(format!("debugpy/py{}", interpreter.minor_version())));

    // Debris from an interrupted install by some older loupe: no marker, so not trusted.
    std::fs::create_dir_all(expected_dir.join("debugpy")).unwrap();
    std::fs::write(expected_dir.join("debugpy/__init__.py"), "raise ImportError").unwrap();

    // Two loupe sessions starting at once both install; both must end up with a working copy.
    let env = install_env();
    let mut first_lines = Vec::new();
    let mut second_lines = Vec::new();
    let mut first_progress = |line: &str| first_lines.push(line.to_string());
    let mut second_progress = |line: &str| second_lines.push(line.to_string());
    let (first, second) = tokio::join!(
        ensure_debugpy_in(&cache_root, &interpreter, &env, &mut first_progress),
        ensure_debugpy_in(&cache_root, &interpreter, &env, &mut second_progress),
    );
    let first = first.unwrap_or_else(|error| panic!("install failed: {error:#}"));
    let second = second.unwrap_or_else(|error| panic!("install failed: {error:#}"));
    assert_eq!(first, second);
    let DebugpySource::Cache { dir: cache_dir, version } = &first else {
        panic!("expected the cached copy, got {first:?}");
    };
    assert_eq!(cache_dir, &expected_dir);
    assert!(!version.is_empty());
    assert!(cache_dir.join(COMPLETE_MARKER).is_file());
    assert!(cache_dir.join("debugpy/__init__.py").is_file());
    assert!(leftover_temp_dirs(&cache_root).is_empty(), "{:?}", leftover_temp_dirs(&cache_root));

    // pip's own output was streamed line by line.
    assert!(first_lines.iter().any(|line| line.contains("Successfully installed debugpy")), "{first_lines:#?}");
    assert!(first_lines.iter().all(|line| !line.contains('\n')));

    // Second use: the cache answers without running pip.
    let mut later_lines = Vec::new();
    let mut later_progress = |line: &str| later_lines.push(line.to_string());
    let again = ensure_debugpy_in(&cache_root, &interpreter, &env, &mut later_progress).await.unwrap();
    assert_eq!(again, first);
    assert!(later_lines.is_empty(), "{later_lines:?}");

    // The debuggee imports it through PYTHONPATH, and only through it.
    let pythonpath = debuggee_pythonpath(&again).expect("a cached copy needs PYTHONPATH");
    let output = Command::new(&interpreter.path)
        .args(["-c", "import debugpy, sys; print(debugpy.__version__); print(debugpy.__file__)"])
        .env("PYTHONPATH", &pythonpath)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(version.as_str()));
    assert!(Path::new(lines.next().unwrap()).starts_with(&pythonpath));
}

#[tokio::test]
async fn offline_install_failure_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let interpreter = fresh_venv(dir.path(), true).await;
    let cache_root = dir.path().join("cache");
    let empty_wheels = dir.path().join("no-wheels");
    std::fs::create_dir(&empty_wheels).unwrap();
    let env = BTreeMap::from([
        (OsString::from("PIP_NO_INDEX"), OsString::from("1")),
        (OsString::from("PIP_FIND_LINKS"), empty_wheels.into_os_string()),
    ]);

    let mut lines = Vec::new();
    let mut progress = |line: &str| lines.push(line.to_string());
    let error =
        ensure_debugpy_in(&cache_root, &interpreter, &env, &mut progress).await.expect_err("nothing to install from");
    let message = format!("{error:#}");
    assert!(message.contains("pip install debugpy"), "{message}");
    assert!(message.contains(&format!("{} -m pip install debugpy", interpreter.path.display())), "{message}");
    // pip's reason is quoted.
    assert!(message.contains("debugpy"), "{message}");
    assert!(message.contains("No matching distribution"), "{message}");
    assert!(!lines.is_empty());

    // Nothing half-made is left behind to be mistaken for a cache.
    assert!(!cache_dir_for(&cache_root, &interpreter).exists());
    assert!(leftover_temp_dirs(&cache_root).is_empty());
}

#[tokio::test]
async fn interpreter_without_pip_gets_advice() {
    let dir = tempfile::tempdir().unwrap();
    let interpreter = fresh_venv(dir.path(), false).await;
    let mut progress = |_: &str| {};
    let error = ensure_debugpy_in(&dir.path().join("cache"), &interpreter, &BTreeMap::new(), &mut progress)
        .await
        .expect_err("no pip to install with");
    let message = format!("{error:#}");
    assert!(message.contains("has no pip"), "{message}");
    assert!(message.contains("-m ensurepip"), "{message}");
}

#[tokio::test]
async fn interpreter_that_imports_debugpy_uses_its_own_copy() {
    let interpreter = Interpreter {
        path: PathBuf::from("/nonexistent/python3"),
        version: "3.12.1".into(),
        version_tuple: (3, 12, 1),
        implementation: "cpython".into(),
        prefix: PathBuf::from("/nonexistent"),
        base_prefix: PathBuf::from("/nonexistent"),
        abiflags: String::new(),
        debugpy: Some("1.8.22".into()),
    };
    let cache_root = tempfile::tempdir().unwrap();
    let mut progress = |line: &str| panic!("nothing to install, yet progress said {line:?}");
    let source = ensure_debugpy_in(cache_root.path(), &interpreter, &BTreeMap::new(), &mut progress).await.unwrap();
    assert_eq!(source, DebugpySource::Installed { version: "1.8.22".into() });
    assert_eq!(source.version(), "1.8.22");
    assert_eq!(debuggee_pythonpath(&source), None);
    assert!(std::fs::read_dir(cache_root.path()).unwrap().next().is_none());
}

#[test]
fn cache_directories_separate_incompatible_builds() {
    let base = Interpreter {
        path: PathBuf::from("/usr/bin/python3"),
        version: "3.13.0".into(),
        version_tuple: (3, 13, 0),
        implementation: "cpython".into(),
        prefix: PathBuf::from("/usr"),
        base_prefix: PathBuf::from("/usr"),
        abiflags: String::new(),
        debugpy: None,
    };
    let root = Path::new("/cache/loupe");
    assert_eq!(cache_dir_for(root, &base), root.join("debugpy/py3.13"));
    let free_threaded = Interpreter { abiflags: "t".into(), ..base.clone() };
    assert_eq!(cache_dir_for(root, &free_threaded), root.join("debugpy/py3.13t"));
    let pypy = Interpreter { implementation: "pypy".into(), ..base };
    assert_eq!(cache_dir_for(root, &pypy), root.join("debugpy/pypy-py3.13"));
}
