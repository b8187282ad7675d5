//! The Analysis overlay's state: the analyzer's findings for the debugged program's project
//! (security findings and syntax errors, by file, most severe first), computed in the background
//! when the session starts and again whenever an analysed file changes.

use std::path::PathBuf;
use std::sync::Arc;

use crate::analyze::report::{Level, Report};

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisRow {
    pub file: PathBuf,
    /// The file relative to the project.
    pub shown: String,
    pub line: usize,
    /// None for a syntax error (always shown first in its file).
    pub severity: Option<Level>,
    /// `B602`, or `syntax` for a syntax error.
    pub id: String,
    pub message: String,
}

/// A third-party import that the debuggee's interpreter cannot import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingImport {
    /// The top-level module (`requests`): what to install, in most cases.
    pub module: String,
    pub shown: String,
    pub line: usize,
}

/// What one analysis run found.
#[derive(Debug, Clone, Default)]
pub struct AnalysisSnapshot {
    pub files: usize,
    pub rows: Vec<AnalysisRow>,
    pub missing: Vec<MissingImport>,
    /// Files that could not be analysed, with why.
    pub errors: Vec<String>,
}

impl AnalysisSnapshot {
    /// The rows of `report` for a project at `root`: per file (in path order), syntax error
    /// first, then findings from high to low severity, then by line.
    pub fn from_report(report: &Report, root: &std::path::Path) -> AnalysisSnapshot {
        let mut snapshot = AnalysisSnapshot { files: report.files.len(), ..Default::default() };
        for file in &report.files {
            let path = PathBuf::from(&file.path);
            let path = if path.is_absolute() { path } else { root.join(path) };
            let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            if let Some(e) = &file.syntax_error {
                snapshot.rows.push(AnalysisRow {
                    file: path.clone(),
                    shown: shown.clone(),
                    line: e.line,
                    severity: None,
                    id: "syntax".into(),
                    message: e.message.clone(),
                });
            }
            let mut findings: Vec<&crate::analyze::report::Finding> = file.findings.iter().collect();
            findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.line.cmp(&b.line)));
            snapshot.rows.extend(findings.into_iter().map(|f| AnalysisRow {
                file: path.clone(),
                shown: shown.clone(),
                line: f.line,
                severity: Some(f.severity),
                id: f.test_id.to_string(),
                message: f.message.clone(),
            }));
            for import in &file.imports {
                if import.kind == crate::analyze::report::ImportKind::ThirdParty && import.installed == Some(false) {
                    let module = import.module.split('.').next().unwrap_or(&import.module).to_string();
                    if !snapshot.missing.iter().any(|m| m.module == module) {
                        snapshot.missing.push(MissingImport { module, shown: shown.clone(), line: import.line });
                    }
                }
            }
        }
        snapshot.errors = report.errors.iter().map(|e| format!("{}: {}", e.path, e.message)).collect();
        snapshot
    }
}

#[derive(Debug, Default)]
pub struct AnalysisPane {
    pub open: bool,
    pub cursor: usize,
    pub scroll: usize,
    pub snapshot: Option<Arc<AnalysisSnapshot>>,
    /// An analysis is running (the first, or one after a change).
    pub running: bool,
}

impl AnalysisPane {
    pub fn move_cursor(&mut self, delta: isize, visible: usize) {
        let rows = self.snapshot.as_ref().map(|s| s.rows.len()).unwrap_or(0);
        self.cursor = self.cursor.saturating_add_signed(delta).min(rows.saturating_sub(1));
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if visible > 0 && self.cursor >= self.scroll + visible {
            self.scroll = self.cursor + 1 - visible;
        }
    }

    pub fn selected(&self) -> Option<&AnalysisRow> {
        self.snapshot.as_ref()?.rows.get(self.cursor)
    }
}
