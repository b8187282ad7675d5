//! Security findings on a file exercising most rules. The expected list is bandit 1.9.4's
//! output on tests/programs/analyze/security_sample.py (`bandit -f json`), line, test ID,
//! severity and confidence; line 37's `os.popen` is silenced by a bare `# nosec`.

use std::path::{Path, PathBuf};

use loupe::analyze::{analyze_source, AnalyzeOptions, ImportEnvironment, TargetVersion};

/// (line, column, test ID, severity, confidence) of each finding, in report order.
fn with_columns(report: &loupe::analyze::report::FileReport) -> Vec<(usize, usize, &str, &str, &str)> {
    report.findings.iter().map(|f| (f.line, f.column, f.test_id, f.severity.as_str(), f.confidence.as_str())).collect()
}

/// The report for one fixture of tests/programs/analyze, analysed for the default Python version
/// with no interpreter to classify imports.
fn analyze_fixture(name: &str) -> loupe::analyze::report::FileReport {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/analyze").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let options = AnalyzeOptions { target: TargetVersion::DEFAULT, environment: ImportEnvironment::default() };
    analyze_source(&path, String::new(), &text, Path::new("/nonexistent"), &options)
}

#[test]
fn findings_match_bandit_on_the_sample() {
    let report = analyze_fixture("security_sample.py");
    let mut found: Vec<(usize, &str, &str, &str)> =
        report.findings.iter().map(|f| (f.line, f.test_id, f.severity.as_str(), f.confidence.as_str())).collect();
    found.sort();
    let bandit = [
        (3, "B403", "LOW", "HIGH"),
        (4, "B404", "LOW", "HIGH"),
        (5, "B405", "LOW", "HIGH"),
        (13, "B101", "LOW", "HIGH"),
        (14, "B102", "MEDIUM", "HIGH"),
        (15, "B103", "HIGH", "HIGH"),
        (16, "B104", "MEDIUM", "MEDIUM"),
        (17, "B108", "MEDIUM", "MEDIUM"),
        (19, "B301", "MEDIUM", "HIGH"),
        (20, "B110", "LOW", "HIGH"),
        (24, "B307", "MEDIUM", "HIGH"),
        (25, "B112", "LOW", "HIGH"),
        (27, "B113", "MEDIUM", "LOW"),
        (28, "B324", "HIGH", "HIGH"),
        (30, "B506", "MEDIUM", "HIGH"),
        (31, "B602", "HIGH", "HIGH"),
        (32, "B603", "LOW", "HIGH"),
        (32, "B607", "LOW", "HIGH"),
        (33, "B605", "LOW", "HIGH"),
        (33, "B607", "LOW", "HIGH"),
        (34, "B606", "LOW", "MEDIUM"),
        (35, "B314", "MEDIUM", "HIGH"),
        (36, "B311", "LOW", "HIGH"),
        (38, "B401", "HIGH", "HIGH"),
    ];
    assert_eq!(found, bandit);
    // Risk score: Σ severity weight × confidence weight (docs/ANALYZER.md).
    assert_eq!(report.risk_score, loupe::analyze::security::risk_score(&report.findings));
    assert!(report.findings.iter().all(|f| f.cwe > 0 && !f.message.is_empty()));
}

/// Expected: bandit 1.9.4 on tests/programs/analyze/passwords_sample.py (line, col_offset,
/// test ID, text).
#[test]
fn hard_coded_passwords_match_bandit() {
    let report = analyze_fixture("passwords_sample.py");
    let found: Vec<(usize, usize, &str, String)> =
        report.findings.iter().map(|f| (f.line, f.column, f.test_id, f.message.clone())).collect();
    let bandit = [
        (3, 11, "B105", "hunter2"),
        (4, 10, "B105", "s3cret"),
        (6, 9, "B105", "abc123"),
        (9, 0, "B107", "changeme"),
        (10, 17, "B105", "letmein"),
        (12, 11, "B106", "t0ken"),
    ];
    let expected: Vec<(usize, usize, &str, String)> = bandit
        .iter()
        .map(|(line, column, id, value)| (*line, *column, *id, format!("Possible hardcoded password: '{value}'")))
        .collect();
    assert_eq!(found, expected);
}

/// Expected: bandit 1.9.4 on tests/programs/analyze/web_sample.py (line, col_offset, test ID,
/// severity, confidence).
#[test]
fn tls_and_template_rules_match_bandit() {
    let report = analyze_fixture("web_sample.py");
    let found = with_columns(&report);
    let bandit = [
        (6, 0, "B501", "HIGH", "HIGH"),
        (7, 14, "B701", "HIGH", "HIGH"),
        (8, 10, "B701", "HIGH", "HIGH"),
        (9, 10, "B701", "HIGH", "MEDIUM"),
        (11, 7, "B702", "MEDIUM", "HIGH"),
    ];
    assert_eq!(found, bandit);
}

/// Expected: bandit 1.9.4 on tests/programs/analyze/wildcard_sample.py.
#[test]
fn wildcard_injection_matches_bandit() {
    let report = analyze_fixture("wildcard_sample.py");
    let mut found: Vec<(usize, &str, &str, &str)> =
        report.findings.iter().map(|f| (f.line, f.test_id, f.severity.as_str(), f.confidence.as_str())).collect();
    found.sort();
    let bandit = [
        (2, "B404", "LOW", "HIGH"),
        (4, "B605", "LOW", "HIGH"),
        (4, "B607", "LOW", "HIGH"),
        (4, "B609", "HIGH", "MEDIUM"),
        (5, "B602", "LOW", "HIGH"),
        (5, "B607", "LOW", "HIGH"),
        (5, "B609", "HIGH", "MEDIUM"),
        (6, "B603", "LOW", "HIGH"),
        (6, "B607", "LOW", "HIGH"),
    ];
    assert_eq!(found, bandit);
}

/// Expected: bandit 1.9.4 on tests/programs/analyze/sql_sample.py (line, col_offset, test ID,
/// severity, confidence); line 7's constant query is not flagged by either.
#[test]
fn sql_built_from_strings_matches_bandit() {
    let report = analyze_fixture("sql_sample.py");
    let found = with_columns(&report);
    let bandit = [
        (2, 19, "B608", "MEDIUM", "MEDIUM"),
        (3, 12, "B608", "MEDIUM", "LOW"),
        (4, 19, "B608", "MEDIUM", "MEDIUM"),
        (5, 19, "B608", "MEDIUM", "MEDIUM"),
        (6, 12, "B608", "MEDIUM", "LOW"),
    ];
    assert_eq!(found, bandit);
}
