//! Syntax errors CPython raises in its compiler rather than its parser, which ruff's parser
//! accepts: misplaced or unknown `from __future__` imports. Measured on the 3.11 standard
//! library, these were the only compile-stage errors the parser alone missed (docs/ANALYZER.md).

use ruff_text_size::Ranged;

use super::parse::ast::{Expr, Stmt};
use super::parse::{ParsedModule, SyntaxProblem};

const FEATURES: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

/// The first compile-stage error of the module, if any.
pub fn first_error(parsed: &ParsedModule<'_>) -> Option<SyntaxProblem> {
    let mut allowed = true;
    for (index, stmt) in parsed.module.body.iter().enumerate() {
        let is_docstring =
            index == 0 && matches!(stmt, Stmt::Expr(e) if matches!(e.value.as_ref(), Expr::StringLiteral(_)));
        match stmt {
            Stmt::ImportFrom(import)
                if import.level == 0 && import.module.as_ref().is_some_and(|m| m.id.as_str() == "__future__") =>
            {
                let (line, column) = parsed.lines.line_column(parsed.source, stmt.start().to_usize());
                if !allowed {
                    let message = "from __future__ imports must occur at the beginning of the file".to_string();
                    return Some(SyntaxProblem { line, column, message });
                }
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    if name == "braces" {
                        return Some(SyntaxProblem { line, column, message: "not a chance".into() });
                    }
                    if !FEATURES.contains(&name) {
                        return Some(SyntaxProblem {
                            line,
                            column,
                            message: format!("future feature {name} is not defined"),
                        });
                    }
                }
            }
            _ if is_docstring => {}
            _ => allowed = false,
        }
    }
    None
}
