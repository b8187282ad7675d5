//! Directory walks pick up Python scripts without a `.py` suffix by their shebang, and still
//! honour .gitignore.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn write(dir: &Path, name: &str, text: &[u8]) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn scripts_with_a_python_shebang_are_analysed_and_gitignore_still_applies() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "module.py", b"import os\n");
    write(root, "tool", b"#!/usr/bin/env python3\nimport subprocess\nsubprocess.call('ls', shell=True)\n");
    write(root, "pinned", b"#!/usr/bin/python3.11\ndef main():\n    return 1\n");
    write(root, "split", b"#!/usr/bin/env -S python3 -u\nprint('x')\n");
    write(root, "pypy", b"#!/opt/pypy/bin/pypy3\nprint('x')\n");
    write(root, "broken", b"#!/usr/bin/env python\nreturn 1\n");
    write(root, "shell", b"#!/bin/sh\necho python\n");
    write(root, "env_shell", b"#!/usr/bin/env bash\npython3 -c 'print(1)'\n");
    write(root, "notes", b"python is mentioned here\n");
    write(root, "blob", &[0u8, 159, 146, 150, 255, 0, 1]);
    write(root, "generated", b"#!/usr/bin/env python3\nprint('ignored')\n");
    write(root, ".gitignore", b"generated\n");

    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["analyze", "--format", "json"])
        .arg(root)
        .output()
        .expect("run loupe");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    let files = report["files"].as_array().unwrap();
    let names: BTreeSet<String> = files
        .iter()
        .map(|f| Path::new(f["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> =
        ["module.py", "tool", "pinned", "split", "pypy", "broken"].iter().map(|s| s.to_string()).collect();
    assert_eq!(names, expected, "{report:#}");
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report:#}");

    let file = |name: &str| files.iter().find(|f| f["path"].as_str().unwrap().ends_with(name)).unwrap();
    // The scripts are analysed like any module: findings, definitions, syntax errors.
    let tool_findings: Vec<&str> =
        file("tool")["findings"].as_array().unwrap().iter().map(|f| f["test_id"].as_str().unwrap()).collect();
    assert!(tool_findings.contains(&"B602"), "{tool_findings:?}");
    assert_eq!(file("pinned")["functions"][0]["name"], "main");
    assert_eq!(file("broken")["syntax_error"]["message"], "'return' outside function");
}
