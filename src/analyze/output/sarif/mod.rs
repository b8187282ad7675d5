//! SARIF 2.1.0, as GitHub code scanning and SARIF viewers read it (checked with Microsoft's
//! `sarif-multitool validate`): one run; a rule per bandit test ID with its descriptions, help,
//! default level and bandit's documentation page; results whose locations are relative to the
//! project root through `%SRCROOT%` (named as a `file://` URI in `originalUriBaseIds`), so
//! GitHub maps them to repository files; and `partialFingerprints` that stay the same across
//! runs, so re-uploads match the alerts already open.

mod fingerprint;
mod uri;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::analyze::report::{Finding, Level, Report};

/// The base id locations are relative to, as GitHub's documentation names it.
const SRCROOT: &str = "%SRCROOT%";

/// Renders `report` with locations relative to `root` (the project root: the nearest directory
/// above the working directory with `.git` or `pyproject.toml`, else the working directory).
pub fn render(report: &Report, root: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.to_path_buf());
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for file in &report.files {
        if file.findings.is_empty() {
            continue;
        }
        let absolute = cwd.join(&file.path);
        let location = uri::artifact_location(&absolute, root);
        let mut fingerprints = fingerprint::FileFingerprints::read(&absolute, location.relative.as_deref());
        for finding in &file.findings {
            rules.entry(finding.test_id).or_insert_with(|| rule(finding));
            results.push(json!({
                "ruleId": finding.test_id,
                "level": level(finding.severity),
                "message": {"text": finding.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": location.json.clone(),
                        "region": {"startLine": finding.line, "startColumn": finding.column + 1},
                    }
                }],
                "partialFingerprints": {fingerprint::KEY: fingerprints.next(finding)},
                "properties": {
                    "severity": finding.severity.as_str(),
                    "confidence": finding.confidence.as_str(),
                    "cwe": finding.cwe,
                },
            }));
        }
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "loupe",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": uri::directory_uri(root)}},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&sarif).unwrap_or_default()
}

/// A rule as the first finding of its test ID describes it.
fn rule(finding: &Finding) -> Value {
    let page = bandit_page(finding.test_id, finding.test_name);
    let what = format!("bandit {} ({})", finding.test_id, finding.test_name);
    json!({
        "id": finding.test_id,
        "name": finding.test_name,
        "shortDescription": {"text": what},
        "fullDescription": {"text": format!("{what}: {}", finding.message)},
        "help": {
            "text": format!("{}\nbandit's documentation of this test: {page}", finding.message),
            "markdown": format!("{}\n\n[bandit's documentation of {}]({page})", finding.message, finding.test_id),
        },
        "helpUri": page,
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {
            "security-severity": security_severity(finding.severity),
            "tags": ["security", format!("external/cwe/cwe-{}", finding.cwe)],
        },
    })
}

fn level(severity: Level) -> &'static str {
    match severity {
        Level::High => "error",
        Level::Medium => "warning",
        Level::Low => "note",
    }
}

/// GitHub sorts alerts by this CVSS-like figure: high 7.5, medium 5.0, low 2.0.
fn security_severity(level: Level) -> &'static str {
    match level {
        Level::High => "7.5",
        Level::Medium => "5.0",
        Level::Low => "2.0",
    }
}

/// The page of bandit's documentation for a test, as bandit's own `docs_utils.get_url` builds it:
/// plugins have a page each, blacklisted calls (B3xx) and imports (B4xx) an anchor on a shared
/// page, some of them merged.
fn bandit_page(id: &str, name: &str) -> String {
    const BASE: &str = "https://bandit.readthedocs.io/en/latest/";
    let lower = id.to_ascii_lowercase();
    let anchor = |page: &str, id: &str, name: &str| {
        format!("{BASE}blacklists/blacklist_{page}.html#{id}-{}", name.replace('_', "-"))
    };
    match id.as_bytes().get(1) {
        Some(b'3') => match id {
            "B304" | "B305" => anchor("calls", "b304-b305", "ciphers-and-modes"),
            "B313" | "B314" | "B315" | "B316" | "B317" | "B318" | "B319" | "B320" => anchor("calls", "b313-b320", name),
            _ => anchor("calls", &lower, name),
        },
        Some(b'4') => anchor("imports", &lower, name),
        _ => format!("{BASE}plugins/{lower}_{name}.html"),
    }
}

#[cfg(test)]
mod tests {
    use super::bandit_page;

    #[test]
    fn bandit_pages_are_built_as_bandit_builds_them() {
        let base = "https://bandit.readthedocs.io/en/latest/";
        assert_eq!(
            bandit_page("B602", "subprocess_popen_with_shell_equals_true"),
            format!("{base}plugins/b602_subprocess_popen_with_shell_equals_true.html")
        );
        assert_eq!(bandit_page("B301", "pickle"), format!("{base}blacklists/blacklist_calls.html#b301-pickle"));
        assert_eq!(
            bandit_page("B305", "cipher_modes"),
            format!("{base}blacklists/blacklist_calls.html#b304-b305-ciphers-and-modes")
        );
        assert_eq!(
            bandit_page("B314", "xml_bad_element_tree"),
            format!("{base}blacklists/blacklist_calls.html#b313-b320-xml-bad-element-tree")
        );
        assert_eq!(
            bandit_page("B403", "import_pickle"),
            format!("{base}blacklists/blacklist_imports.html#b403-import-pickle")
        );
    }
}
