//! Cyclomatic complexity exactly as radon 6 computes it (`radon.visitors.ComplexityVisitor`),
//! including its quirks: `with` and `except*` add nothing, decorators, defaults and annotations
//! of a function are not visited, the expression inside `assert` is not visited, a closure's
//! decisions do not count towards its parent, and a class's figure is the average over its
//! methods (plus one when it has more than one).

use crate::analyze::parse::ast::{self, visitor, Expr, Stmt};

/// Decision points of a block of statements, stopping at nested functions and classes
/// (collected for the caller, as radon does).
#[derive(Default)]
pub struct Decisions<'a> {
    pub count: u32,
    pub functions: Vec<&'a ast::StmtFunctionDef>,
    pub classes: Vec<&'a ast::StmtClassDef>,
}

impl<'a> Decisions<'a> {
    pub fn of(body: &'a [Stmt]) -> Self {
        let mut decisions = Decisions::default();
        for stmt in body {
            visitor::Visitor::visit_stmt(&mut decisions, stmt);
        }
        decisions
    }
}

impl<'a> visitor::Visitor<'a> for Decisions<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.functions.push(def);
                return;
            }
            Stmt::ClassDef(class) => {
                self.classes.push(class);
                return;
            }
            Stmt::Assert(_) => {
                self.count += 1;
                return;
            }
            Stmt::If(node) => {
                self.count += 1 + node.elif_else_clauses.iter().filter(|c| c.test.is_some()).count() as u32;
            }
            Stmt::Try(node) if !node.is_star => {
                self.count += node.handlers.len() as u32 + u32::from(!node.orelse.is_empty());
            }
            Stmt::For(node) => self.count += 1 + u32::from(!node.orelse.is_empty()),
            Stmt::While(node) => self.count += 1 + u32::from(!node.orelse.is_empty()),
            Stmt::Match(node) => {
                let has_catch_all = node.cases.iter().any(|case| {
                    matches!(&case.pattern, ast::Pattern::MatchAs(ast::PatternMatchAs { pattern: None, .. }))
                });
                self.count += (node.cases.len() as u32).saturating_sub(u32::from(has_catch_all));
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::BoolOp(node) => self.count += node.values.len() as u32 - 1,
            Expr::If(_) => self.count += 1,
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        self.count += 1 + comprehension.ifs.len() as u32;
        visitor::walk_comprehension(self, comprehension);
    }
}

/// A function's complexity: 1 + the decisions in its body, closures excluded.
pub fn function(def: &ast::StmtFunctionDef) -> u32 {
    1 + Decisions::of(&def.body).count
}

/// radon's `real_complexity` of a class: 1 + its body's decisions + its methods' complexities.
pub fn class_real(class: &ast::StmtClassDef) -> (u32, usize) {
    let mut real = 1;
    let mut methods = 0;
    for stmt in &class.body {
        let decisions = Decisions::of(std::slice::from_ref(stmt));
        real += decisions.count + decisions.functions.iter().map(|f| function(f)).sum::<u32>();
        methods += decisions.functions.len();
    }
    (real, methods)
}

/// The figure radon reports for a class.
pub fn class(class: &ast::StmtClassDef) -> u32 {
    let (real, methods) = class_real(class);
    if methods == 0 {
        real
    } else {
        real / methods as u32 + u32::from(methods > 1)
    }
}

/// radon's `total_complexity` of a module, which feeds the maintainability index.
pub fn module_total(body: &[Stmt]) -> u32 {
    let decisions = Decisions::of(body);
    let functions: u32 = decisions.functions.iter().map(|f| function(f) - 1).sum();
    let classes: u32 = decisions.classes.iter().map(|c| class_real(c).0 - 1).sum();
    1 + decisions.count + functions + classes
}

/// radon's A–F rank.
pub fn rank(complexity: u32) -> char {
    match complexity {
        0..=5 => 'A',
        6..=10 => 'B',
        11..=20 => 'C',
        21..=30 => 'D',
        31..=40 => 'E',
        _ => 'F',
    }
}
