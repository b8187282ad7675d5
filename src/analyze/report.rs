//! The analysis report: what `loupe analyze --format json` prints (shape documented in
//! docs/ANALYZER.md and kept stable; fields are only ever added).

use serde::Serialize;

/// The whole run.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub files: Vec<FileReport>,
    /// Files that could not be analysed at all (unreadable, undecodable, binary, too big).
    pub errors: Vec<FileError>,
}

impl Report {
    /// Keeps the findings asked for (at least `threshold`; only the `select` test IDs when any
    /// are given; none of the `ignore` ones), and recomputes each file's risk score.
    pub fn keep_findings(&mut self, select: &[String], ignore: &[String], threshold: Level) {
        for file in &mut self.files {
            file.findings.retain(|f| {
                f.severity >= threshold
                    && (select.is_empty() || select.iter().any(|s| s == f.test_id))
                    && !ignore.iter().any(|s| s == f.test_id)
            });
            file.risk_score = crate::analyze::security::risk_score(&file.findings);
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FileError {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyntaxErrorReport {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// One analysed file. When `syntax_error` is set, only `path` and `raw` are meaningful.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub syntax_error: Option<SyntaxErrorReport>,
    pub docstring: Option<Docstring>,
    pub imports: Vec<Import>,
    pub functions: Vec<Function>,
    pub classes: Vec<Class>,
    pub variables: Vec<Variable>,
    pub halstead: Option<Halstead>,
    pub raw: Option<RawMetrics>,
    pub mi: Option<f64>,
    pub mi_rank: Option<String>,
    /// Minutes of work the file's complexity findings would take to fix (docs/ANALYZER.md).
    pub technical_debt_minutes: u32,
    pub findings: Vec<Finding>,
    /// Sum of finding weights (docs/ANALYZER.md): a quick way to sort files by risk.
    pub risk_score: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Stdlib,
    ThirdParty,
    Local,
}

#[derive(Debug, Clone, Serialize)]
pub struct Import {
    /// The absolute module name (`os.path`), or for relative imports the dotted form as
    /// written (`..pkg`).
    pub module: String,
    pub line: usize,
    /// Names imported by `from M import a, b` (empty for `import M`).
    pub names: Vec<String>,
    pub kind: ImportKind,
    /// For third-party imports: whether the selected interpreter can import it; null for
    /// stdlib and local imports and when no interpreter was found.
    pub installed: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Docstring {
    /// google, numpy, sphinx, epytext or plain.
    pub style: &'static str,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Function {
    pub name: String,
    pub qualname: String,
    pub line: usize,
    pub end_line: usize,
    pub is_method: bool,
    pub is_async: bool,
    pub signature: String,
    pub decorators: Vec<String>,
    /// Parameters with an annotation / all parameters (`self` and `cls` of methods excluded).
    pub annotated_parameters: usize,
    pub parameters: usize,
    pub annotated_return: bool,
    pub docstring: Option<Docstring>,
    pub cyclomatic: u32,
    pub rank: char,
    pub cognitive: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Class {
    pub name: String,
    pub qualname: String,
    pub line: usize,
    pub end_line: usize,
    pub bases: Vec<String>,
    pub decorators: Vec<String>,
    pub docstring: Option<Docstring>,
    pub cyclomatic: u32,
    pub rank: char,
}

#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    pub line: usize,
    /// `module`, or the qualified name of the class it belongs to.
    pub scope: String,
    pub annotation: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[allow(non_snake_case)]
pub struct Halstead {
    pub h1: usize,
    pub h2: usize,
    pub N1: usize,
    pub N2: usize,
    pub vocabulary: usize,
    pub length: usize,
    pub calculated_length: f64,
    pub volume: f64,
    pub difficulty: f64,
    pub effort: f64,
    pub time: f64,
    pub bugs: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RawMetrics {
    pub loc: usize,
    pub lloc: usize,
    pub sloc: usize,
    pub comments: usize,
    pub multi: usize,
    pub blank: usize,
    pub single_comments: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "LOW",
            Level::Medium => "MEDIUM",
            Level::High => "HIGH",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub test_id: &'static str,
    pub test_name: &'static str,
    pub line: usize,
    /// 0-based, like bandit's `col_offset`.
    pub column: usize,
    pub severity: Level,
    pub confidence: Level,
    pub cwe: u32,
    pub message: String,
}
