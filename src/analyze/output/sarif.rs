//! SARIF 2.1.0, as GitHub code scanning reads it: one run, a rule per test ID (id, name,
//! shortDescription, helpUri, properties.security-severity), results with ruleId, level,
//! message and a physical location relative to the current directory.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::analyze::report::{Level, Report};

pub fn render(report: &Report) -> String {
    let cwd = std::env::current_dir().ok();
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for file in &report.files {
        let uri = relative_uri(&file.path, cwd.as_deref());
        for finding in &file.findings {
            rules.entry(finding.test_id).or_insert_with(|| {
                json!({
                    "id": finding.test_id,
                    "name": finding.test_name,
                    "shortDescription": {"text": format!("{} ({})", finding.test_name, finding.test_id)},
                    "helpUri": format!("https://bandit.readthedocs.io/en/latest/search.html?q={}", finding.test_id),
                    "properties": {
                        "security-severity": security_severity(finding.severity),
                        "tags": ["security", format!("external/cwe/cwe-{}", finding.cwe)],
                    },
                })
            });
            results.push(json!({
                "ruleId": finding.test_id,
                "level": match finding.severity { Level::High => "error", Level::Medium => "warning", Level::Low => "note" },
                "message": {"text": finding.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": finding.line, "startColumn": finding.column + 1},
                    }
                }],
                "properties": {"confidence": finding.confidence.as_str(), "cwe": finding.cwe},
            }));
        }
    }
    let rule_indices: Vec<Value> = rules.into_values().collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "loupe",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/loupe-debugger/loupe",
                "rules": rule_indices,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&sarif).unwrap_or_default()
}

/// GitHub sorts alerts by this CVSS-like figure: high 7.5, medium 5.0, low 2.0.
fn security_severity(level: Level) -> &'static str {
    match level {
        Level::High => "7.5",
        Level::Medium => "5.0",
        Level::Low => "2.0",
    }
}

fn relative_uri(path: &str, cwd: Option<&std::path::Path>) -> String {
    let path = std::path::Path::new(path);
    let relative = match cwd {
        Some(cwd) if path.is_absolute() => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
