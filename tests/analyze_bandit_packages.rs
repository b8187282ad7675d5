//! loupe's security findings against real bandit 1.9.4 on six real packages (django, rich,
//! sqlalchemy, sphinx, werkzeug and pytest's `_pytest`, pinned, installed from the registry into
//! target/test-cache for the test): every finding bandit reports, loupe reports at the same file,
//! line and column with the same test id, severity, confidence and text, and nothing else.
//!
//! bandit takes a while on these (about 50 s of CPU for the six), so its report for each package
//! is kept next to the installed packages: it depends only on the pinned versions, which name the
//! directory. loupe runs every time.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::bandit::{self, bandit, locked, BANDIT_VERSION, REFERENCE_PYTHON};
use serde_json::Value;

const PACKAGES: &[&str] =
    &["django==5.2.20", "rich==15.0.0", "sqlalchemy==2.1.9", "sphinx==9.0.4", "werkzeug==3.1.9", "pytest==9.2.0"];

/// The installed packages' directory (installed on first use).
fn packages() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let pins = PACKAGES.join(" ");
        let key = format!("{:016x}", fnv(pins.as_bytes()));
        let dir = bandit::cache_dir().join(format!("bandit-packages-{key}"));
        locked("bandit-packages", || {
            if !dir.join("installed").exists() {
                let output = Command::new(REFERENCE_PYTHON)
                    .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"])
                    .arg("--target")
                    .arg(&dir)
                    .args(PACKAGES)
                    .output()
                    .expect("run pip");
                assert!(output.status.success(), "pip install {pins}: {}", String::from_utf8_lossy(&output.stderr));
                std::fs::write(dir.join("installed"), &pins).unwrap();
            }
        });
        dir
    })
    .clone()
}

/// A stable name for the pins (FNV-1a): the std hasher's output may change between Rust releases.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

/// (file, line, column, test id, severity, confidence, text)
type Row = (String, u64, u64, String, String, String, String);

fn bandit_rows(dir: &Path, package: &str) -> (Vec<Row>, usize) {
    let cached = dir.join(format!("bandit-{BANDIT_VERSION}-{package}.json"));
    let report = match std::fs::read(&cached) {
        Ok(bytes) => bytes,
        Err(_) => {
            let output = Command::new(bandit())
                .args(["-q", "-r", "-f", "json", package])
                .current_dir(dir)
                .output()
                .expect("run bandit");
            std::fs::write(&cached, &output.stdout).unwrap();
            output.stdout
        }
    };
    let report: Value = serde_json::from_slice(&report)
        .unwrap_or_else(|e| panic!("bandit's JSON for {package} ({e}); delete {} and retry", cached.display()));
    let rows = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_string();
            let number = |k: &str| r[k].as_u64().unwrap();
            (
                text("filename"),
                number("line_number"),
                number("col_offset"),
                text("test_id"),
                text("issue_severity"),
                text("issue_confidence"),
                text("issue_text"),
            )
        })
        .collect();
    (rows, report["errors"].as_array().map_or(0, Vec::len))
}

fn loupe_rows(dir: &Path, package: &str) -> Vec<Row> {
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["analyze", "--format", "json", package])
        .current_dir(dir)
        .output()
        .expect("run loupe analyze");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("loupe's JSON for {package} ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    let mut rows = Vec::new();
    for file in report["files"].as_array().unwrap() {
        let path = file["path"].as_str().unwrap();
        for f in file["findings"].as_array().unwrap() {
            let text = |k: &str| f[k].as_str().unwrap().to_string();
            rows.push((
                path.to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                text("test_id"),
                text("severity"),
                text("confidence"),
                text("message"),
            ));
        }
    }
    rows
}

/// Compares the two tools on one package; returns how many findings they share.
fn agree_on(package: &str, must_fire: &[&str]) -> usize {
    let dir = packages();
    assert!(dir.join(package).is_dir(), "{package} is not in {}", dir.display());
    let (theirs, bandit_errors) = bandit_rows(&dir, package);
    assert_eq!(bandit_errors, 0, "bandit could not read some of {package}'s files");
    let theirs: BTreeSet<Row> = theirs.into_iter().collect();
    let ours: BTreeSet<Row> = loupe_rows(&dir, package).into_iter().collect();
    let missed: Vec<&Row> = theirs.difference(&ours).collect();
    let extra: Vec<&Row> = ours.difference(&theirs).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{package}: {} findings agree; bandit only ({}): {:#?}; loupe only ({}): {:#?}",
        theirs.len() - missed.len(),
        missed.len(),
        &missed[..missed.len().min(15)],
        extra.len(),
        &extra[..extra.len().min(15)],
    );
    for id in must_fire {
        assert!(theirs.iter().any(|r| r.3 == *id), "{package} was expected to exercise {id}");
    }
    theirs.len()
}

#[test]
fn django_findings_match_bandit() {
    // B703 (mark_safe's look-back), B610/B611 (Django SQL) and B308 (mark_safe's blacklist).
    assert!(agree_on("django", &["B703", "B610", "B611", "B308", "B608"]) > 200);
}

#[test]
fn rich_findings_match_bandit() {
    agree_on("rich", &["B101"]);
}

#[test]
fn sqlalchemy_findings_match_bandit() {
    assert!(agree_on("sqlalchemy", &["B608", "B101"]) > 500);
}

#[test]
fn sphinx_findings_match_bandit() {
    agree_on("sphinx", &["B101"]);
}

#[test]
fn werkzeug_findings_match_bandit() {
    agree_on("werkzeug", &["B101"]);
}

#[test]
fn pytest_findings_match_bandit() {
    agree_on("_pytest", &["B101"]);
}
