//! The one place that calls ruff's Python parser: source text in, a module AST (or the first
//! syntax error, positioned the way CPython reports it) out.
//!
//! Visitors use the AST types through [`ast`]; nothing else in loupe names a ruff type, so a
//! parser upgrade touches this file, the visitors and the parser's semantic checker's driver
//! ([`super::compile_checks`]) only.

use std::str::FromStr;

pub use ruff_python_ast as ast;
use ruff_python_ast::PythonVersion;
use ruff_python_parser::{Mode, ParseOptions};
use ruff_text_size::Ranged;

use super::lines::LineIndex;

/// A grammar version, such as 3.11, that syntax is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetVersion {
    pub major: u8,
    pub minor: u8,
}

impl TargetVersion {
    pub const DEFAULT: TargetVersion = TargetVersion { major: 3, minor: 13 };

    fn to_ruff(self) -> PythonVersion {
        PythonVersion { major: self.major, minor: self.minor }
    }
}

impl FromStr for TargetVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a Python version: write it as MAJOR.MINOR, such as 3.11 (3.7 to 3.14)");
        let mut parts = s.trim().split('.');
        let major: u8 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let minor: u8 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if major != 3 || !(7..=14).contains(&minor) {
            return Err(bad());
        }
        Ok(TargetVersion { major, minor })
    }
}

/// A syntax error: 1-based line and column (in characters, like CPython's `SyntaxError.offset`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A parsed module with what the visitors need to place nodes in the source.
pub struct ParsedModule<'src> {
    pub source: &'src str,
    pub module: ast::ModModule,
    pub lines: LineIndex,
    /// The token stream, reduced to what raw metrics and `# nosec` need.
    pub tokens: Vec<SourceToken>,
}

/// What kind of token, as far as line counting cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceTokenKind {
    Comment,
    /// A string literal (f-strings included); `start..end` spans the whole literal.
    String,
    /// End of a logical line.
    Newline,
    /// A line break inside a logical line or on a blank/comment-only line.
    NonLogicalNewline,
    Indent,
    Dedent,
    Other,
}

/// One token: kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceToken {
    pub kind: SourceTokenKind,
    pub start: usize,
    pub end: usize,
}

/// Parses `source`; a module with any syntax error (including syntax that `target` does not
/// have yet) is rejected with its first error, like CPython's `compile()`.
pub fn parse(source: &str, target: TargetVersion) -> Result<ParsedModule<'_>, SyntaxProblem> {
    let options = ParseOptions::from(Mode::Module).with_target_version(target.to_ruff());
    let parsed = ruff_python_parser::parse_unchecked(source, options);
    let lines = LineIndex::new(source);
    let first_parse_error =
        parsed.errors().iter().map(|e| (e.location.start(), e.error.to_string())).min_by_key(|e| e.0);
    let first_version_error = parsed
        .unsupported_syntax_errors()
        .iter()
        .map(|e| (version_error_start(source, e), e.to_string()))
        .min_by_key(|e| e.0);
    let first = match (first_parse_error, first_version_error) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    if let Some((offset, message)) = first {
        let (line, column) = lines.line_column(source, offset.to_usize());
        return Err(SyntaxProblem { line, column, message });
    }
    let tokens = source_tokens(parsed.tokens());
    let Some(module) = parsed.try_into_module() else {
        return Err(SyntaxProblem { line: 1, column: 1, message: "the parser did not return a module".into() });
    };
    let checked = ParsedModule { source, module: module.into_syntax(), lines, tokens };
    match super::compile_checks::first_error(&checked, target) {
        Some(problem) => Err(problem),
        None => Ok(checked),
    }
}

/// Where CPython, not knowing the syntax yet, stops parsing: on the subject of a `match`
/// statement (`match` itself is a valid name), elsewhere where ruff places the error.
fn version_error_start(source: &str, error: &ruff_python_parser::UnsupportedSyntaxError) -> ruff_text_size::TextSize {
    let start = error.range.start();
    if !matches!(error.kind, ruff_python_parser::UnsupportedSyntaxErrorKind::Match) {
        return start;
    }
    let rest = &source[start.to_usize()..];
    match rest.strip_prefix("match") {
        Some(after) => {
            start + ruff_text_size::TextSize::try_from(rest.len() - after.trim_start().len()).unwrap_or_default()
        }
        None => start,
    }
}

fn source_tokens(tokens: &ast::token::Tokens) -> Vec<SourceToken> {
    use ast::token::TokenKind as K;
    let mut out: Vec<SourceToken> = Vec::with_capacity(tokens.len() / 2);
    let mut fstring_start: Option<usize> = None;
    let mut depth = 0usize;
    for token in tokens.iter() {
        let range = token.range();
        let (start, end) = (range.start().to_usize(), range.end().to_usize());
        let kind = match token.kind() {
            K::FStringStart | K::TStringStart => {
                if depth == 0 {
                    fstring_start = Some(start);
                }
                depth += 1;
                continue;
            }
            K::FStringEnd | K::TStringEnd => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let begin = fstring_start.take().unwrap_or(start);
                    out.push(SourceToken { kind: SourceTokenKind::String, start: begin, end });
                }
                continue;
            }
            _ if depth > 0 => continue,
            K::Comment => SourceTokenKind::Comment,
            K::String => SourceTokenKind::String,
            K::Newline => SourceTokenKind::Newline,
            K::NonLogicalNewline => SourceTokenKind::NonLogicalNewline,
            K::Indent => SourceTokenKind::Indent,
            K::Dedent => SourceTokenKind::Dedent,
            _ => SourceTokenKind::Other,
        };
        out.push(SourceToken { kind, start, end });
    }
    out
}
