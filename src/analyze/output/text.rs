//! The human report: per file, its syntax error or its findings (worst severity first) and its
//! hard-to-maintain functions, then a summary line.

use std::fmt::Write;

use crate::analyze::report::{Level, Report};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut counts = [0usize; 3];
    for file in &report.files {
        let mut lines = Vec::new();
        if let Some(error) = &file.syntax_error {
            lines.push(format!("  {}:{}: syntax error: {}", error.line, error.column, error.message));
        }
        let mut findings: Vec<_> = file.findings.iter().collect();
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.line.cmp(&b.line)));
        for finding in findings {
            counts[finding.severity as usize] += 1;
            lines.push(format!(
                "  {}:{}: {} {} (confidence {}, CWE-{}): {}",
                finding.line,
                finding.column,
                finding.severity.as_str(),
                finding.test_id,
                finding.confidence.as_str(),
                finding.cwe,
                finding.message
            ));
        }
        for function in file.functions.iter().filter(|f| f.rank > 'B') {
            lines.push(format!(
                "  {}: {} is complex: cyclomatic {} (rank {}), cognitive {}",
                function.line, function.qualname, function.cyclomatic, function.rank, function.cognitive
            ));
        }
        if !lines.is_empty() {
            let _ = writeln!(out, "{}", file.path);
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    for error in &report.errors {
        let _ = writeln!(out, "{}: error: {}", error.path, error.message);
    }
    let syntax_errors = report.files.iter().filter(|f| f.syntax_error.is_some()).count();
    let _ = writeln!(
        out,
        "{} files analysed, {} with syntax errors, {} not analysed; findings: {} high, {} medium, {} low",
        report.files.len(),
        syntax_errors,
        report.errors.len(),
        counts[Level::High as usize],
        counts[Level::Medium as usize],
        counts[Level::Low as usize]
    );
    out
}
