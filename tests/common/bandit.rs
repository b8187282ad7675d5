//! Real bandit 1.9.4 for the tests that compare loupe's security findings with it: a virtual
//! environment made once under target/test-cache (from the registry) and shared by every test
//! binary; a file lock keeps binaries running in parallel from building it twice.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const BANDIT_VERSION: &str = "1.9.4";

/// The interpreter the reference tools are installed with (pyenv's CPython 3.11.7, as on CI).
pub const REFERENCE_PYTHON: &str = "/root/.pyenv/versions/3.11.7/bin/python";

pub fn cache_dir() -> PathBuf {
    let dir = super::repo().join("target/test-cache");
    std::fs::create_dir_all(&dir).expect("create target/test-cache");
    dir
}

/// Runs `f` holding an exclusive lock named `name` in the test cache.
pub fn locked<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let lock = File::create(cache_dir().join(format!("{name}.lock"))).expect("create the lock file");
    lock.lock().expect("lock the test cache");
    let result = f();
    drop(lock);
    result
}

/// bandit's executable, installed on first use.
pub fn bandit() -> PathBuf {
    static BANDIT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BANDIT.get_or_init(|| locked("bandit", install)).clone()
}

fn install() -> PathBuf {
    let venv = cache_dir().join(format!("bandit-{BANDIT_VERSION}"));
    let bandit = venv.join("bin/bandit");
    if !bandit.exists() {
        assert!(
            Path::new(REFERENCE_PYTHON).exists(),
            "CPython 3.11.7 is expected at {REFERENCE_PYTHON} to install bandit"
        );
        let status = Command::new(REFERENCE_PYTHON).args(["-m", "venv"]).arg(&venv).status().unwrap();
        assert!(status.success(), "python -m venv {}", venv.display());
        let output = Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("bandit=={BANDIT_VERSION}"))
            .output()
            .unwrap();
        assert!(output.status.success(), "pip install bandit: {}", String::from_utf8_lossy(&output.stderr));
    }
    bandit
}
