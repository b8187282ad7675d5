//! Whether a function binds a name anywhere in its own scope, which decides if a `nonlocal`
//! in a nested function has something to refer to (CPython's symbol-table analysis).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Pattern, Stmt};

/// Whether `body` (a function's) binds `name`: assigns, deletes, imports, defines it, catches
/// into it or captures it in a pattern, outside nested functions and classes.
pub fn binds(body: &[Stmt], name: &str) -> bool {
    let mut finder = Finder { name, found: false };
    finder.visit_body(body);
    finder.found
}

struct Finder<'n> {
    name: &'n str,
    found: bool,
}

impl<'a> Visitor<'a> for Finder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        match stmt {
            Stmt::FunctionDef(ast::StmtFunctionDef { name, .. }) | Stmt::ClassDef(ast::StmtClassDef { name, .. }) => {
                // Only the name binds here; the body is a scope of its own.
                self.found = name.as_str() == self.name;
            }
            Stmt::Import(ast::StmtImport { names, .. }) => {
                self.found = names.iter().any(|alias| {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    bound.split('.').next() == Some(self.name)
                });
            }
            Stmt::ImportFrom(ast::StmtImportFrom { names, .. }) => {
                self.found =
                    names.iter().any(|alias| alias.asname.as_ref().unwrap_or(&alias.name).as_str() == self.name);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = handler;
        if h.name.as_ref().is_some_and(|n| n.as_str() == self.name) {
            self.found = true;
        }
        visitor::walk_except_handler(self, handler);
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        let captured = match pattern {
            Pattern::MatchAs(p) => p.name.as_ref(),
            Pattern::MatchStar(p) => p.name.as_ref(),
            Pattern::MatchMapping(p) => p.rest.as_ref(),
            _ => None,
        };
        if captured.is_some_and(|n| n.as_str() == self.name) {
            self.found = true;
        }
        visitor::walk_pattern(self, pattern);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Name(n) if !matches!(n.ctx, ExprContext::Load) => self.found = n.id.as_str() == self.name,
            Expr::Lambda(_) => {}
            // Comprehension targets bind in the comprehension; `:=` inside binds here.
            Expr::ListComp(ast::ExprListComp { elt, generators, .. })
            | Expr::SetComp(ast::ExprSetComp { elt, generators, .. })
            | Expr::Generator(ast::ExprGenerator { elt, generators, .. }) => {
                self.walrus_only(elt);
                generators.iter().for_each(|g| self.comprehension(g));
            }
            Expr::DictComp(ast::ExprDictComp { key, value, generators, .. }) => {
                key.iter().for_each(|k| self.walrus_only(k));
                self.walrus_only(value);
                generators.iter().for_each(|g| self.comprehension(g));
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

impl Finder<'_> {
    fn comprehension(&mut self, generator: &ast::Comprehension) {
        self.walrus_only(&generator.iter);
        generator.ifs.iter().for_each(|e| self.walrus_only(e));
    }

    fn walrus_only(&mut self, expr: &Expr) {
        struct Walrus<'n>(&'n str, bool);
        impl<'a> Visitor<'a> for Walrus<'_> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if let Expr::Named(named) = expr {
                    if matches!(&*named.target, Expr::Name(n) if n.id.as_str() == self.0) {
                        self.1 = true;
                    }
                }
                if !matches!(expr, Expr::Lambda(_)) {
                    visitor::walk_expr(self, expr);
                }
            }
        }
        let mut walrus = Walrus(self.name, false);
        walrus.visit_expr(expr);
        self.found |= walrus.1;
    }
}
