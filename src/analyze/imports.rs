//! Imports of a module, classified as standard library, third-party or local.
//!
//! Local means resolvable inside the project: a relative import, or a top-level name that
//! exists as `NAME.py` or `NAME/` in the project root or next to the importing file.

use std::path::Path;

use ruff_text_size::Ranged;

use super::environment::ImportEnvironment;
use super::parse::ast::{self, visitor, Stmt};
use super::parse::ParsedModule;
use super::report::{Import, ImportKind};

#[derive(Default)]
struct Collector<'a> {
    found: Vec<(&'a Stmt, usize)>,
}

impl<'a> visitor::Visitor<'a> for Collector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
            self.found.push((stmt, stmt.start().to_usize()));
        }
        visitor::walk_stmt(self, stmt);
    }
}

/// Every import statement of the module (nested ones included), in source order.
pub fn collect(
    parsed: &ParsedModule<'_>,
    file: &Path,
    project_root: &Path,
    environment: &ImportEnvironment,
) -> Vec<Import> {
    let mut collector = Collector::default();
    for stmt in &parsed.module.body {
        visitor::Visitor::visit_stmt(&mut collector, stmt);
    }
    let file_dir = file.parent().unwrap_or(Path::new("."));
    let classify = |module: &str, relative: bool| -> (ImportKind, Option<bool>) {
        let top = module.split('.').next().unwrap_or(module);
        if relative || is_local(top, project_root) || is_local(top, file_dir) {
            (ImportKind::Local, None)
        } else if environment.is_stdlib(top) {
            (ImportKind::Stdlib, None)
        } else {
            (ImportKind::ThirdParty, environment.is_installed(top))
        }
    };
    let mut imports = Vec::new();
    for (stmt, offset) in collector.found {
        let line = parsed.lines.line(offset);
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let module = alias.name.id.to_string();
                    let (kind, installed) = classify(&module, false);
                    imports.push(Import { module, line, names: Vec::new(), kind, installed });
                }
            }
            Stmt::ImportFrom(ast::StmtImportFrom { module, names, level, .. }) => {
                let dotted =
                    format!("{}{}", ".".repeat(*level as usize), module.as_ref().map(|m| m.id.as_str()).unwrap_or(""));
                let (kind, installed) = classify(&dotted, *level > 0);
                let names = names.iter().map(|a| a.name.id.to_string()).collect();
                imports.push(Import { module: dotted, line, names, kind, installed });
            }
            _ => {}
        }
    }
    imports
}

fn is_local(top: &str, dir: &Path) -> bool {
    !top.is_empty() && (dir.join(format!("{top}.py")).is_file() || dir.join(top).is_dir())
}
