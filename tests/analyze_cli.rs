//! `loupe analyze` end to end: exit codes, filters, output formats and bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

fn programs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/analyze")
}

fn loupe(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loupe")).arg("analyze").args(args).env("CI", "true").output().expect("run loupe")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

fn test_ids(report: &serde_json::Value) -> Vec<String> {
    report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["test_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn findings_set_the_exit_code_and_nosec_is_honoured() {
    let file = programs().join("insecure.py");
    let output = loupe(&["--format", "json", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report = json(&output);
    // bandit 1.9.4 on this file reports B404 (line 1), B101 (5), B602 (6); B307 on line 7 is
    // silenced by `# nosec B307`.
    assert_eq!(test_ids(&report), ["B404", "B101", "B602"]);
    let b602 = &report["files"][0]["findings"][2];
    assert_eq!(b602["severity"], "HIGH");
    assert_eq!(b602["confidence"], "HIGH");
    assert_eq!(b602["cwe"], 78);
    assert_eq!(b602["line"], 6);
}

#[test]
fn clean_file_exits_zero_and_reports_definitions() {
    let file = programs().join("clean.py");
    let output = loupe(&["--format", "json", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    let function = &report["files"][0]["functions"][0];
    assert_eq!(function["qualname"], "add");
    assert_eq!(function["signature"], "add(a: int, b: int) -> int");
    assert_eq!(function["annotated_parameters"], 2);
    assert_eq!(function["cyclomatic"], 1);
    assert_eq!(function["rank"], "A");
    assert_eq!(function["docstring"]["style"], "plain");
    assert_eq!(report["files"][0]["syntax_error"], serde_json::Value::Null);
}

#[test]
fn select_ignore_and_min_severity_filter_findings() {
    let file = programs().join("insecure.py");
    let path = file.to_str().unwrap();
    assert_eq!(test_ids(&json(&loupe(&["--format", "json", "--select", "B101", path]))), ["B101"]);
    assert_eq!(test_ids(&json(&loupe(&["--format", "json", "--ignore", "B101,B404", path]))), ["B602"]);
    assert_eq!(test_ids(&json(&loupe(&["--format", "json", "--min-severity", "high", path]))), ["B602"]);
    let none = loupe(&["--format", "json", "--select", "B999", path]);
    assert_eq!(none.status.code(), Some(0));
    let bad = loupe(&["--select", "pickle", path]);
    assert_eq!(bad.status.code(), Some(125));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a bandit test ID"));
}

#[test]
fn sarif_has_rules_and_relative_locations() {
    let file = programs().join("insecure.py");
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["analyze", "--format", "sarif", "tests/programs/analyze/insecure.py"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(file.exists());
    let sarif = json(&output);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules
        .iter()
        .all(|r| r["id"].is_string() && r["helpUri"].is_string() && r["properties"]["security-severity"].is_string()));
    let result = &run["results"][0];
    assert!(result["ruleId"].is_string());
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "tests/programs/analyze/insecure.py");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
}

#[test]
fn bad_input_is_reported_per_file_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("binary.py"), b"\x7fELF\x00\x01\x02").unwrap();
    std::fs::write(dir.path().join("latin.py"), b"s = '\xe9'\n").unwrap();
    std::fs::write(dir.path().join("good.py"), b"x = 1\n").unwrap();
    std::fs::write(dir.path().join("broken.py"), b"def f(:\n").unwrap();
    let missing = dir.path().join("missing.py");
    let output = loupe(&["--format", "json", dir.path().to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = json(&output);
    let errors = report["errors"].as_array().unwrap();
    let message_for = |name: &str| {
        errors
            .iter()
            .find(|e| e["path"].as_str().unwrap().ends_with(name))
            .map(|e| e["message"].as_str().unwrap().to_string())
    };
    assert!(message_for("binary.py").unwrap().contains("null bytes"));
    assert!(message_for("latin.py").unwrap().contains("0xe9"));
    assert!(message_for("missing.py").unwrap().contains("cannot read this path"));
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let broken = files.iter().find(|f| f["path"].as_str().unwrap().ends_with("broken.py")).unwrap();
    assert_eq!(broken["syntax_error"]["line"], 1);
}

#[test]
fn symlink_loops_and_huge_files_are_reported_per_path() {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("pkg");
    std::fs::create_dir(&package).unwrap();
    std::os::unix::fs::symlink(&package, package.join("loop")).unwrap();
    std::fs::write(package.join("ok.py"), b"x = 1\n").unwrap();
    // 50 MB of valid Python: over the 20 MB limit, reported without being read whole.
    let line = "value = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n";
    std::fs::write(package.join("huge.py"), line.repeat(50 * 1024 * 1024 / line.len())).unwrap();
    let output = loupe(&["--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = json(&output);
    let errors = report["errors"].as_array().unwrap();
    let message_for = |name: &str| {
        errors
            .iter()
            .find(|e| e["path"].as_str().unwrap().ends_with(name))
            .map(|e| e["message"].as_str().unwrap().to_string())
    };
    assert!(message_for("huge.py").unwrap().contains("larger than 20 MB"), "{errors:?}");
    assert!(errors.iter().any(|e| e["message"].as_str().unwrap().contains("loop")), "{errors:?}");
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert!(files[0]["path"].as_str().unwrap().ends_with("ok.py"));
}

#[test]
fn a_nonexistent_path_alone_fails_clearly() {
    let output = loupe(&["/nonexistent/loupe-analyze-test"]);
    assert_eq!(output.status.code(), Some(125));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing could be analysed"));
}

#[test]
fn imports_are_classified_with_the_interpreter() {
    let file = programs().join("imports_sample.py");
    let python = "/root/.pyenv/versions/3.11.7/bin/python";
    let output = loupe(&["--format", "json", "--interpreter", python, file.to_str().unwrap()]);
    let report = json(&output);
    let imports: Vec<(String, String, serde_json::Value)> = report["files"][0]["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (i["module"].as_str().unwrap().to_string(), i["kind"].as_str().unwrap().to_string(), i["installed"].clone())
        })
        .collect();
    let null = serde_json::Value::Null;
    assert_eq!(
        imports,
        [
            ("json".to_string(), "stdlib".to_string(), null.clone()),
            ("loupe_not_installed_anywhere".to_string(), "third_party".to_string(), serde_json::Value::Bool(false)),
            ("clean".to_string(), "local".to_string(), null.clone()),
            (".".to_string(), "local".to_string(), null),
        ]
    );
}

#[test]
fn list_rules_shows_every_test_id() {
    let output = loupe(&["--list-rules"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let ids: Vec<&str> = text.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    for id in ["B101", "B201", "B202", "B301", "B401", "B502", "B505", "B507", "B610", "B613", "B614", "B703", "B704"] {
        assert!(ids.contains(&id), "{id} missing from --list-rules:\n{text}");
    }
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "one line per test, by id");
    assert!(text.contains("B613  trojansource") && text.contains("CWE-838"), "{text}");
}
