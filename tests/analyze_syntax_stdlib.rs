//! loupe's syntax verdict equals CPython 3.11's `compile()` on every .py file of the installed
//! standard library (test data included, some of it deliberately broken).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const PYTHON: &str = "/root/.pyenv/versions/3.11.7/bin/python";
const STDLIB: &str = "/root/.pyenv/versions/3.11.7/lib/python3.11";

#[test]
fn syntax_verdicts_match_cpython_on_the_standard_library() {
    assert!(Path::new(PYTHON).exists(), "CPython 3.11.7 is expected at {PYTHON}");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/analyze/compile_verdicts.py");
    let cpython = Command::new(PYTHON).arg(&script).arg(STDLIB).output().expect("run CPython");
    assert!(cpython.status.success(), "{}", String::from_utf8_lossy(&cpython.stderr));
    let expected: HashMap<String, Option<serde_json::Value>> = serde_json::from_slice(&cpython.stdout).unwrap();
    let invalid = expected.values().filter(|v| v.is_some()).count();
    assert!(expected.len() > 1500 && invalid > 10, "{} files, {invalid} invalid", expected.len());

    let roots: Vec<PathBuf> = std::fs::read_dir(STDLIB)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "site-packages"))
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["analyze", "--python", "3.11", "--format", "json", "--select", "B000"])
        .args(&roots)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut verdicts: HashMap<String, bool> = HashMap::new();
    for file in report["files"].as_array().unwrap() {
        verdicts.insert(file["path"].as_str().unwrap().to_string(), file["syntax_error"].is_null());
    }
    for error in report["errors"].as_array().unwrap() {
        verdicts.insert(error["path"].as_str().unwrap().to_string(), false);
    }
    let mut disagreements = Vec::new();
    for (path, verdict) in &expected {
        let cpython_valid = verdict.is_none();
        match verdicts.get(path) {
            Some(valid) if *valid == cpython_valid => {}
            other => disagreements.push(format!("{path}: CPython {verdict:?}, loupe valid={other:?}")),
        }
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}
