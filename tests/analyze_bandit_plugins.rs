//! The bandit plugin tests added for issue 22 (B201, B202, B502–B505, B507, B610–B614, B703, B704) against real
//! bandit 1.9.4, installed once into target/test-cache/bandit-1.9.4 (`tests/common/bandit.rs`): on samples of hits and near misses, every finding of those tests
//! — line, column, id, severity, confidence and text — is the same.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::bandit::bandit;

use loupe::analyze::{analyze_source, AnalyzeOptions, ImportEnvironment, TargetVersion};

const TESTS: &[&str] =
    &["B201", "B202", "B502", "B503", "B504", "B505", "B507", "B610", "B611", "B612", "B613", "B614", "B703", "B704"];

type Row = (usize, usize, String, String, String, String);

#[test]
fn tls_and_flask_tests_match_bandit() {
    compare("tls_flask_sample.py", &["B201", "B502", "B503", "B504"]);
}

#[test]
fn library_call_tests_match_bandit() {
    compare("library_calls_sample.py", &["B202", "B505", "B507", "B612", "B614", "B704"]);
}

#[test]
fn django_sql_tests_match_bandit() {
    compare("django_sql_sample.py", &["B610", "B611"]);
}

/// B703's look-back through assignments, with the places where bandit's own code raises (and so
/// reports nothing for the call): loupe must flag and spare exactly the same calls.
#[test]
fn django_mark_safe_matches_bandit() {
    compare("django_xss_sample.py", &["B703"]);
}

#[test]
fn trojan_source_matches_bandit() {
    compare("trojansource_sample.py", &["B613"]);
}

fn compare(sample: &str, exercised: &[&str]) {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/analyze").join(sample);
    let output = Command::new(bandit())
        .args(["-q", "-f", "json", "-t", &TESTS.join(",")])
        .arg(&sample)
        .output()
        .expect("run bandit");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("bandit's JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    let mut theirs: Vec<Row> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_string();
            let number = |k: &str| r[k].as_u64().unwrap() as usize;
            (
                number("line_number"),
                number("col_offset"),
                text("test_id"),
                text("issue_severity"),
                text("issue_confidence"),
                text("issue_text"),
            )
        })
        .collect();
    theirs.sort();

    let text = std::fs::read_to_string(&sample).unwrap();
    let options = AnalyzeOptions { target: TargetVersion::DEFAULT, environment: ImportEnvironment::default() };
    let ours = analyze_source(&sample, String::new(), &text, Path::new("/nonexistent"), &options);
    let mut ours: Vec<Row> = ours
        .findings
        .iter()
        .filter(|f| TESTS.contains(&f.test_id))
        .map(|f| {
            let level = |l: &str| l.to_string();
            (
                f.line,
                f.column,
                f.test_id.to_string(),
                level(f.severity.as_str()),
                level(f.confidence.as_str()),
                f.message.clone(),
            )
        })
        .collect();
    ours.sort();
    for id in exercised {
        assert!(theirs.iter().any(|r| r.2 == *id), "the sample exercises {id}: {theirs:#?}");
    }
    assert_eq!(ours, theirs);
}
