//! Cognitive complexity of a function, following SonarSource's specification (G. Ann
//! Campbell, "Cognitive Complexity", 2017) as applied to Python:
//!
//! - +1, plus the current nesting level, for `if`, ternaries, `for`, `while`, `except`,
//!   `match`; +1 (no nesting) for `elif` and `else` of an `if`.
//! - +1 for each run of the same boolean operator (`a and b and c` is one, `a and b or c` two).
//! - +1 for a direct recursive call of the function by name.
//! - Nesting grows inside the bodies of the structures above, and inside nested functions and
//!   lambdas (which add no increment of their own); `try`, `finally` and `with` add nothing.

use crate::analyze::parse::ast::{self, visitor, Expr, Stmt};

struct Cognitive<'n> {
    function_name: &'n str,
    nesting: u32,
    total: u32,
}

impl Cognitive<'_> {
    fn nested(&mut self, body: &[Stmt]) {
        self.nesting += 1;
        for stmt in body {
            visitor::Visitor::visit_stmt(self, stmt);
        }
        self.nesting -= 1;
    }
}

impl<'a> visitor::Visitor<'a> for Cognitive<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::If(node) => {
                self.total += 1 + self.nesting;
                self.visit_expr(&node.test);
                self.nested(&node.body);
                for clause in &node.elif_else_clauses {
                    self.total += 1;
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.nested(&clause.body);
                }
            }
            Stmt::For(node) => {
                self.total += 1 + self.nesting;
                self.visit_expr(&node.iter);
                self.nested(&node.body);
                self.nested(&node.orelse);
            }
            Stmt::While(node) => {
                self.total += 1 + self.nesting;
                self.visit_expr(&node.test);
                self.nested(&node.body);
                self.nested(&node.orelse);
            }
            Stmt::Try(node) => {
                for stmt in &node.body {
                    self.visit_stmt(stmt);
                }
                for handler in &node.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.total += 1 + self.nesting;
                    self.nested(&handler.body);
                }
                self.nested(&node.orelse);
                for stmt in &node.finalbody {
                    self.visit_stmt(stmt);
                }
            }
            Stmt::Match(node) => {
                self.total += 1 + self.nesting;
                self.visit_expr(&node.subject);
                for case in &node.cases {
                    if let Some(guard) = &case.guard {
                        self.visit_expr(guard);
                    }
                    self.nested(&case.body);
                }
            }
            Stmt::FunctionDef(def) => self.nested(&def.body),
            Stmt::ClassDef(class) => self.nested(&class.body),
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::If(_) => {
                self.total += 1 + self.nesting;
                self.nesting += 1;
                visitor::walk_expr(self, expr);
                self.nesting -= 1;
            }
            Expr::BoolOp(node) => {
                self.total += 1;
                for value in &node.values {
                    // A nested operator of the same kind continues the run.
                    match value {
                        Expr::BoolOp(inner) if inner.op == node.op => {
                            self.total -= 1;
                            self.visit_expr(value);
                        }
                        _ => self.visit_expr(value),
                    }
                }
            }
            Expr::Lambda(_) => {
                self.nesting += 1;
                visitor::walk_expr(self, expr);
                self.nesting -= 1;
            }
            Expr::Call(call) => {
                if let Expr::Name(name) = call.func.as_ref() {
                    if name.id.as_str() == self.function_name {
                        self.total += 1;
                    }
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Cognitive complexity of a function's body.
pub fn function(def: &ast::StmtFunctionDef) -> u32 {
    let mut counter = Cognitive { function_name: def.name.id.as_str(), nesting: 0, total: 0 };
    for stmt in &def.body {
        visitor::Visitor::visit_stmt(&mut counter, stmt);
    }
    counter.total
}
