//! Where a breakpoint for a profiled function must go so that it stops on every call.
//!
//! cProfile records a function's `co_firstlineno`: the `def` line, or the first decorator's line
//! for a decorated function. A breakpoint there stops when the `def` statement runs (once, when
//! the function is defined), never inside the calls that were profiled. The line that runs on
//! every call is the first statement of the body; a docstring is skipped because it produces no
//! line event. The source is decoded and parsed the way `loupe analyze` does it (`analyze::source`,
//! `analyze::parse`), so encodings, multi-line signatures, decorators, one-line bodies and nested
//! functions come out right.

use std::path::Path;

use ruff_text_size::Ranged;

use crate::analyze::parse::ast::statement_visitor::{walk_stmt, StatementVisitor};
use crate::analyze::parse::ast::{self, Expr, Stmt};
use crate::analyze::parse::{self, ParsedModule, TargetVersion};
use crate::analyze::source;

/// The line a breakpoint goes on, and why that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakLine {
    pub line: u32,
    pub placement: Placement,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The first statement of the function's body (of the module's, for `<module>`).
    FirstStatement,
    /// The body is only a docstring: its line (the only line the body has).
    Docstring,
    /// A lambda, comprehension or generator expression: the recorded line is where its code is.
    Recorded,
    /// The recorded line, because the source could not be used; says why.
    Fallback(String),
}

impl BreakLine {
    /// What the flame view and `loupe profile` say when they start the debugger, e.g.
    /// `debug: break at m.py:12 (first line of f)`.
    pub fn describe(&self, file: &Path, function: &str) -> String {
        let shown = file.file_name().map(|n| n.to_string_lossy()).unwrap_or_else(|| file.to_string_lossy());
        let at = format!("debug: break at {shown}:{}", self.line);
        match &self.placement {
            Placement::FirstStatement => format!("{at} (first line of {function})"),
            Placement::Docstring => format!("{at} (the docstring: {function}'s body has nothing else)"),
            Placement::Recorded => format!("{at} (where {function} starts)"),
            Placement::Fallback(why) => format!("{at} (the recorded line of {function}: {why})"),
        }
    }
}

/// Grammar the source is parsed with: the newest loupe knows, so no program that ran is refused
/// for syntax its Python had.
const NEWEST: TargetVersion = TargetVersion { major: 3, minor: 14 };

/// The breakpoint line for function `name` whose recorded first line is `recorded`, in `path`.
/// Never fails: when the file cannot be read or parsed, or the function is not found there, the
/// recorded line comes back with the reason.
pub fn break_line(path: &Path, name: &str, recorded: u32) -> BreakLine {
    if is_expression_code(name) {
        return BreakLine { line: recorded, placement: Placement::Recorded };
    }
    let fallback = |why: String| BreakLine { line: recorded, placement: Placement::Fallback(why) };
    let too_big = std::fs::metadata(path).is_ok_and(|m| m.len() > source::MAX_SOURCE_BYTES);
    if too_big {
        return fallback(format!("{} is too big to parse", path.display()));
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return fallback(format!("cannot read {}: {e}", path.display())),
    };
    // Decoded as CPython does (coding cookie, BOM), so the lines are the ones it numbered.
    let text = match source::decode(&bytes) {
        Ok(text) => text,
        Err(e) => return fallback(format!("cannot decode {}: {e}", path.display())),
    };
    match break_line_in(&text, name, recorded) {
        Ok(found) => found,
        Err(why) => fallback(format!("{why} in {}", path.display())),
    }
}

/// [`break_line`] on source text; `Err` says why the recorded line has to do.
pub fn break_line_in(text: &str, name: &str, recorded: u32) -> Result<BreakLine, String> {
    if is_expression_code(name) {
        return Ok(BreakLine { line: recorded, placement: Placement::Recorded });
    }
    let parsed = parse::parse(text, NEWEST).map_err(|p| format!("a syntax error at line {}: {}", p.line, p.message))?;
    let body: &[Stmt] = if name == "<module>" {
        &parsed.module.body
    } else {
        let mut finder = Finder { parsed: &parsed, name, recorded, found: None };
        finder.visit_body(&parsed.module.body);
        &finder.found.ok_or_else(|| format!("no function {name} defined at line {recorded}"))?.body
    };
    first_of_body(&parsed, body).ok_or_else(|| format!("{name} has an empty body"))
}

/// Code objects that are not a `def` (cProfile names them `<lambda>`, `<genexpr>`, `<listcomp>`
/// …): their recorded line is the expression's, which is where a breakpoint stops.
fn is_expression_code(name: &str) -> bool {
    name.starts_with('<') && name != "<module>"
}

fn first_of_body(parsed: &ParsedModule<'_>, body: &[Stmt]) -> Option<BreakLine> {
    let line = |stmt: &Stmt| parsed.lines.line(stmt.start().to_usize()) as u32;
    let first = body.first()?;
    if !is_docstring(first) {
        return Some(BreakLine { line: line(first), placement: Placement::FirstStatement });
    }
    Some(match body.get(1) {
        Some(next) => BreakLine { line: line(next), placement: Placement::FirstStatement },
        None => BreakLine { line: line(first), placement: Placement::Docstring },
    })
}

fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(ast::StmtExpr { value, .. }) if matches!(value.as_ref(), Expr::StringLiteral(_)))
}

/// Finds the `def` (at any depth: methods, nested functions, defs under `if`/`try`) named `name`
/// whose first line (first decorator, or the `def` itself) is `recorded`.
struct Finder<'a, 's> {
    parsed: &'a ParsedModule<'s>,
    name: &'a str,
    recorded: u32,
    found: Option<&'a ast::StmtFunctionDef>,
}

impl<'a> StatementVisitor<'a> for Finder<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() {
            return;
        }
        if let Stmt::FunctionDef(def) = stmt {
            let line = |offset: ruff_text_size::TextSize| self.parsed.lines.line(offset.to_usize()) as u32;
            let decorator = def.decorator_list.first().map(|d| line(d.start()));
            // The `def` keyword's line is the name's (short of a backslash between them).
            let def_line = line(def.name.start());
            let starts_here = decorator == Some(self.recorded) || def_line == self.recorded;
            // Newer CPythons may record a qualified name (`C.f`); the last part is the def's.
            let named = self.name.rsplit('.').next() == Some(def.name.id.as_str());
            if starts_here && named {
                self.found = Some(def);
                return;
            }
        }
        walk_stmt(self, stmt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(source: &str, name: &str, recorded: u32) -> (u32, Placement) {
        let found = break_line_in(source, name, recorded).unwrap_or_else(|e| panic!("{e}"));
        (found.line, found.placement)
    }

    #[test]
    fn decorated_function_with_a_long_signature_and_docstring() {
        let source = "import functools\n\n@functools.cache\n@other\ndef f(a,\n      b):\n    \"\"\"Doc\n    string.\"\"\"\n\n    return a\n";
        assert_eq!(at(source, "f", 3), (10, Placement::FirstStatement));
        // The def line names it too (an older recorder, or a hand-written --break).
        assert_eq!(at(source, "f", 5), (10, Placement::FirstStatement));
    }

    #[test]
    fn method_in_a_class() {
        let source = "class C:\n    x = 1\n\n    def m(self):\n        # a comment\n        y = 2\n        return y\n";
        assert_eq!(at(source, "m", 4), (6, Placement::FirstStatement));
        assert_eq!(at(source, "C.m", 4), (6, Placement::FirstStatement));
    }

    #[test]
    fn async_def() {
        let source = "import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n";
        assert_eq!(at(source, "main", 3), (4, Placement::FirstStatement));
    }

    #[test]
    fn docstring_only_body_breaks_on_the_docstring() {
        let source = "def f():\n    '''Nothing but this.'''\n";
        assert_eq!(at(source, "f", 1), (2, Placement::Docstring));
    }

    #[test]
    fn one_line_def() {
        let source = "x = 0\ndef f(): return 1\n";
        assert_eq!(at(source, "f", 2), (2, Placement::FirstStatement));
    }

    #[test]
    fn nested_function_and_a_same_named_one_elsewhere() {
        let source = "def outer():\n    def helper():\n        return 1\n    return helper()\n\ntry:\n    pass\nexcept ImportError:\n    def helper():\n        return 2\n";
        assert_eq!(at(source, "outer", 1), (2, Placement::FirstStatement), "a nested def is a statement");
        assert_eq!(at(source, "helper", 2), (3, Placement::FirstStatement));
        assert_eq!(at(source, "helper", 9), (10, Placement::FirstStatement));
    }

    #[test]
    fn module_skips_its_docstring() {
        let source = "\"\"\"The module.\"\"\"\n\nimport os\n";
        assert_eq!(at(source, "<module>", 1), (3, Placement::FirstStatement));
        assert_eq!(at("import os\n", "<module>", 0), (1, Placement::FirstStatement));
    }

    #[test]
    fn lambdas_and_comprehensions_keep_the_recorded_line() {
        assert_eq!(at("xs = [x for x in\n  range(3)]\n", "<listcomp>", 1), (1, Placement::Recorded));
        assert_eq!(at("f = lambda: 1\n", "<lambda>", 1), (1, Placement::Recorded));
        // Even when the file cannot be read: nothing in it would change the answer.
        let missing = break_line(Path::new("/nonexistent/loupe/m.py"), "<genexpr>", 7);
        assert_eq!(missing, BreakLine { line: 7, placement: Placement::Recorded });
    }

    #[test]
    fn missing_file_falls_back_to_the_recorded_line_and_says_why() {
        let found = break_line(Path::new("/nonexistent/loupe/m.py"), "f", 12);
        assert_eq!(found.line, 12);
        let Placement::Fallback(why) = &found.placement else { panic!("{found:?}") };
        assert!(why.contains("cannot read /nonexistent/loupe/m.py"), "{why}");
        let text = found.describe(Path::new("/nonexistent/loupe/m.py"), "f");
        assert!(text.starts_with("debug: break at m.py:12 (the recorded line of f: cannot read"), "{text}");
    }

    #[test]
    fn unparsable_or_changed_source_falls_back() {
        assert!(break_line_in("def f(:\n", "f", 1).unwrap_err().contains("syntax error at line 1"));
        // The file changed since the profile: no def of f starts at line 3 any more.
        let why = break_line_in("def f():\n    return 1\n", "f", 3).unwrap_err();
        assert_eq!(why, "no function f defined at line 3");
    }

    #[test]
    fn real_file_and_description() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.py");
        std::fs::write(&file, "def f():\n    \"\"\"Doc.\"\"\"\n    return 1\n").unwrap();
        let found = break_line(&file, "f", 1);
        assert_eq!(found, BreakLine { line: 3, placement: Placement::FirstStatement });
        assert_eq!(found.describe(&file, "f"), "debug: break at m.py:3 (first line of f)");
    }

    #[test]
    fn latin1_source_keeps_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("old.py");
        std::fs::write(&file, b"# -*- coding: latin-1 -*-\ns = '\xe9'\ndef f():\n    return s\n").unwrap();
        assert_eq!(break_line(&file, "f", 3).line, 4);
        // Without the cookie the same bytes are not Python text: the recorded line, and why.
        std::fs::write(&file, b"s = '\xe9'\ndef f():\n    return s\n").unwrap();
        let found = break_line(&file, "f", 2);
        assert_eq!(found.line, 2);
        assert!(matches!(&found.placement, Placement::Fallback(why) if why.starts_with("cannot decode")), "{found:?}");
    }
}
