//! The analyzer behind `loupe analyze` and the TUI's findings pane: parses Python files with
//! ruff's parser and reports imports, definitions, docstrings, radon-compatible metrics,
//! cognitive complexity and bandit-compatible security findings.
//!
//! Layout: [`source`] decodes bytes like CPython, [`parse`] is the only user of the parser,
//! [`definitions`], [`imports`], [`metrics`] and [`security`] walk the AST, [`files`] finds and
//! analyses files in parallel, [`output`] renders reports.

mod compile_bindings;
pub mod compile_checks;
mod compile_messages;
pub mod definitions;
pub mod docstyle;
pub mod environment;
pub mod files;
pub mod imports;
pub mod lines;
pub mod metrics;
pub mod output;
pub mod parse;
pub mod report;
pub mod security;
pub mod source;

use std::path::Path;

pub use environment::ImportEnvironment;
pub use parse::TargetVersion;
use report::{FileReport, SyntaxErrorReport};

/// What a run needs besides the files.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    pub target: TargetVersion,
    pub environment: ImportEnvironment,
}

/// Analyses one decoded source file. `project_root` decides which imports are local.
pub fn analyze_source(
    path: &Path,
    display_path: String,
    text: &str,
    project_root: &Path,
    options: &AnalyzeOptions,
) -> FileReport {
    let raw = metrics::raw::analyze(text);
    let mut report = FileReport {
        path: display_path,
        syntax_error: None,
        docstring: None,
        imports: Vec::new(),
        functions: Vec::new(),
        classes: Vec::new(),
        variables: Vec::new(),
        halstead: None,
        raw: Some(raw.clone()),
        mi: None,
        mi_rank: None,
        technical_debt_minutes: 0,
        findings: Vec::new(),
        risk_score: 0,
    };
    let parsed = match parse::parse(text, options.target) {
        Ok(parsed) => parsed,
        Err(problem) => {
            report.syntax_error =
                Some(SyntaxErrorReport { line: problem.line, column: problem.column, message: problem.message });
            return report;
        }
    };
    let body = &parsed.module.body;
    let halstead = metrics::halstead::module(body);
    let mi = metrics::maintainability::index(halstead.volume, metrics::cyclomatic::module_total(body), &raw);
    report.mi = Some(mi);
    report.mi_rank = Some(metrics::maintainability::rank(mi).to_string());
    report.halstead = Some(halstead);
    report.imports = imports::collect(&parsed, path, project_root, &options.environment);
    let definitions = definitions::collect(&parsed);
    report.docstring = definitions.docstring;
    report.functions = definitions.functions;
    report.classes = definitions.classes;
    report.variables = definitions.variables;
    report.findings = security::check(&parsed);
    report.risk_score = security::risk_score(&report.findings);
    report.technical_debt_minutes = technical_debt_minutes(&report);
    report
}

/// The technical-debt estimate (docs/ANALYZER.md): per function, 5 minutes for each point of
/// cyclomatic complexity above 10 and 5 per point of cognitive complexity above 15 (SonarQube's
/// thresholds), plus 30 minutes for a file whose maintainability rank is not A.
fn technical_debt_minutes(report: &FileReport) -> u32 {
    let functions: u32 =
        report.functions.iter().map(|f| 5 * f.cyclomatic.saturating_sub(10) + 5 * f.cognitive.saturating_sub(15)).sum();
    let file = if report.mi_rank.as_deref().is_some_and(|r| r != "A") { 30 } else { 0 };
    functions + file
}
