//! Which function a source line belongs to, for allocation frames: tracemalloc records a file and
//! a line per frame, never the function, and a flamegraph of bare `file:line` frames is hard to
//! read. Each file is decoded and parsed once, as `loupe analyze` does it (`analyze::source`,
//! `analyze::parse`); a line gets the qualified name of the innermost `def` or `class` whose body
//! holds it (`Table.add`, `main`), or `<module>`.

use std::collections::HashMap;
use std::path::Path;

use ruff_text_size::Ranged;

use crate::analyze::parse::ast::statement_visitor::{walk_stmt, StatementVisitor};
use crate::analyze::parse::ast::Stmt;
use crate::analyze::parse::{self, ParsedModule, TargetVersion};
use crate::analyze::source;

/// Grammar the source is parsed with: the newest loupe knows, so no file that ran is refused.
const NEWEST: TargetVersion = TargetVersion { major: 3, minor: 14 };

/// The scopes of one file: (first line, last line, qualified name), outer scopes before inner.
#[derive(Debug, Default, Clone)]
pub struct Scopes {
    spans: Vec<(u32, u32, String)>,
}

impl Scopes {
    /// The scopes of `text`; `None` when it does not parse.
    pub fn of_source(text: &str) -> Option<Scopes> {
        let parsed = parse::parse(text, NEWEST).ok()?;
        let mut collector = Collector { parsed: &parsed, names: Vec::new(), spans: Vec::new() };
        collector.visit_body(&parsed.module.body);
        Some(Scopes { spans: collector.spans })
    }

    /// The innermost scope holding `line`: a qualified name, or `<module>`.
    pub fn name_at(&self, line: u32) -> &str {
        // Inner scopes come after the scopes holding them, so the last match is the innermost.
        self.spans
            .iter()
            .rev()
            .find(|(first, last, _)| (*first..=*last).contains(&line))
            .map_or("<module>", |(_, _, name)| name.as_str())
    }
}

/// Scopes per file, each file read once; files that cannot be read or parsed (`<frozen ...>`,
/// `<string>`, a deleted file) have none, and their frames keep `file:line`.
#[derive(Debug, Default)]
pub struct FunctionNames {
    files: HashMap<String, Option<Scopes>>,
}

impl FunctionNames {
    /// The function that holds `line` of `file`, when the file can be read.
    pub fn at(&mut self, file: &str, line: u32) -> Option<&str> {
        let scopes = self.files.entry(file.to_string()).or_insert_with(|| read_scopes(Path::new(file)));
        scopes.as_ref().map(|s| s.name_at(line))
    }
}

fn read_scopes(path: &Path) -> Option<Scopes> {
    if !path.is_absolute() && path.to_str().is_some_and(|p| p.starts_with('<')) {
        return None;
    }
    let too_big = std::fs::metadata(path).ok()?.len() > source::MAX_SOURCE_BYTES;
    if too_big {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    // Decoded as CPython does (coding cookie, BOM), so the lines are the ones it numbered.
    let text = source::decode(&bytes).ok()?;
    Scopes::of_source(&text)
}

struct Collector<'a, 's> {
    parsed: &'a ParsedModule<'s>,
    names: Vec<String>,
    spans: Vec<(u32, u32, String)>,
}

impl Collector<'_, '_> {
    fn enter(&mut self, name: &str, body: &[Stmt], end: ruff_text_size::TextSize) {
        let line = |offset: ruff_text_size::TextSize| self.parsed.lines.line(offset.to_usize()) as u32;
        self.names.push(name.to_string());
        // The body's lines: decorators, the `def`/`class` line and default values run in the
        // outer scope (a one-line `def f(): ...` is the function's).
        let first = body.first().map_or(end, |stmt| stmt.start());
        self.spans.push((line(first), line(end), self.names.join(".")));
    }
}

impl<'a> StatementVisitor<'a> for Collector<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.enter(def.name.id.as_str(), &def.body, def.end());
                self.visit_body(&def.body);
                self.names.pop();
            }
            Stmt::ClassDef(class) => {
                self.enter(class.name.id.as_str(), &class.body, class.end());
                self.visit_body(&class.body);
                self.names.pop();
            }
            _ => walk_stmt(self, stmt),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn innermost_def_or_class_names_the_line() {
        let source = "import os\n\nclass Table:\n    rows = []\n\n    @staticmethod\n    def add(x):\n        y = [x]\n        def inner():\n            return y\n        return inner\n\nasync def main():\n    if True:\n        return 1\n\nz = 2\n";
        let scopes = Scopes::of_source(source).expect("parses");
        let names: Vec<&str> = (1..=17).map(|l| scopes.name_at(l)).collect();
        // The `class`/`def` lines run in the outer scope (`<module>` builds the class, `Table`
        // makes the method); the bodies are the scope's own.
        assert_eq!(
            names,
            [
                "<module>",
                "<module>",
                "<module>",
                "Table",
                "Table",
                "Table",
                "Table",
                "Table.add",
                "Table.add",
                "Table.add.inner",
                "Table.add",
                "<module>",
                "<module>",
                "main",
                "main",
                "<module>",
                "<module>"
            ]
        );
    }

    #[test]
    fn one_line_def_is_the_function() {
        let scopes = Scopes::of_source("x = 1\ndef f(): return [0] * 9\n").expect("parses");
        assert_eq!((scopes.name_at(1), scopes.name_at(2)), ("<module>", "f"));
    }

    #[test]
    fn unreadable_files_have_no_names() {
        let mut names = FunctionNames::default();
        assert_eq!(names.at("<frozen importlib._bootstrap>", 10), None);
        assert_eq!(names.at("/nonexistent/file.py", 3), None);
    }
}
