//! Functions, methods, classes, module and class variables, and docstrings of a module, each
//! with its metrics (cyclomatic and cognitive complexity).

use ruff_text_size::Ranged;

use super::docstyle;
use super::metrics::{cognitive, cyclomatic};
use super::parse::ast::{self, Expr, Stmt};
use super::parse::ParsedModule;
use super::report::{Class, Docstring, Function, Variable};

/// Everything defined in a module.
#[derive(Default)]
pub struct Definitions {
    pub docstring: Option<Docstring>,
    pub functions: Vec<Function>,
    pub classes: Vec<Class>,
    pub variables: Vec<Variable>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Module,
    Class,
    Function,
}

struct Collector<'p, 's> {
    parsed: &'p ParsedModule<'s>,
    qualname: Vec<String>,
    out: Definitions,
}

/// Collects the definitions of a parsed module.
pub fn collect(parsed: &ParsedModule<'_>) -> Definitions {
    let mut collector = Collector { parsed, qualname: Vec::new(), out: Definitions::default() };
    collector.out.docstring = docstring_of(&parsed.module.body);
    collector.body(&parsed.module.body, Scope::Module);
    collector.out
}

fn docstring_of(body: &[Stmt]) -> Option<Docstring> {
    match body.first() {
        Some(Stmt::Expr(ast::StmtExpr { value, .. })) => match value.as_ref() {
            Expr::StringLiteral(s) => Some(docstyle::describe(s.value.to_str())),
            _ => None,
        },
        _ => None,
    }
}

impl Collector<'_, '_> {
    fn text(&self, node: &impl Ranged) -> String {
        self.parsed.source[node.range()].to_string()
    }

    fn line(&self, offset: ruff_text_size::TextSize) -> usize {
        self.parsed.lines.line(offset.to_usize())
    }

    fn end_line(&self, node: &impl Ranged) -> usize {
        // The end offset is one past the last character; step back so a trailing newline does
        // not move the end to the next line.
        self.line(node.end().checked_sub(1.into()).unwrap_or(node.end()))
    }

    fn body(&mut self, body: &[Stmt], scope: Scope) {
        for stmt in body {
            self.stmt(stmt, scope);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, scope: Scope) {
        match stmt {
            Stmt::FunctionDef(def) => self.function(def, scope),
            Stmt::ClassDef(class) => self.class(class),
            Stmt::Assign(assign) if scope != Scope::Function => {
                for target in &assign.targets {
                    self.variables_in(target, None, scope);
                }
            }
            Stmt::AnnAssign(assign) if scope != Scope::Function => {
                let annotation = Some(self.text(assign.annotation.as_ref()));
                self.variables_in(&assign.target, annotation, scope);
            }
            Stmt::If(node) => {
                self.body(&node.body, scope);
                for clause in &node.elif_else_clauses {
                    self.body(&clause.body, scope);
                }
            }
            Stmt::Try(node) => {
                self.body(&node.body, scope);
                for handler in &node.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.body(&handler.body, scope);
                }
                self.body(&node.orelse, scope);
                self.body(&node.finalbody, scope);
            }
            Stmt::For(node) => {
                self.body(&node.body, scope);
                self.body(&node.orelse, scope);
            }
            Stmt::While(node) => {
                self.body(&node.body, scope);
                self.body(&node.orelse, scope);
            }
            Stmt::With(node) => self.body(&node.body, scope),
            Stmt::Match(node) => {
                for case in &node.cases {
                    self.body(&case.body, scope);
                }
            }
            _ => {}
        }
    }

    fn variables_in(&mut self, target: &Expr, annotation: Option<String>, scope: Scope) {
        let scope_name = if scope == Scope::Module { "module".to_string() } else { self.qualname.join(".") };
        match target {
            Expr::Name(name) => self.out.variables.push(Variable {
                name: name.id.to_string(),
                line: self.line(name.start()),
                scope: scope_name,
                annotation,
            }),
            Expr::Tuple(tuple) => {
                for element in &tuple.elts {
                    self.variables_in(element, None, scope);
                }
            }
            Expr::List(list) => {
                for element in &list.elts {
                    self.variables_in(element, None, scope);
                }
            }
            Expr::Starred(starred) => self.variables_in(&starred.value, None, scope),
            _ => {}
        }
    }

    fn function(&mut self, def: &ast::StmtFunctionDef, scope: Scope) {
        let is_method = scope == Scope::Class;
        self.qualname.push(def.name.id.to_string());
        let parameters: Vec<&ast::Parameter> = def
            .parameters
            .iter_non_variadic_params()
            .map(|p| &p.parameter)
            .chain(def.parameters.vararg.as_deref())
            .chain(def.parameters.kwarg.as_deref())
            .collect();
        let counted: Vec<&&ast::Parameter> = parameters
            .iter()
            .enumerate()
            .filter(|(i, p)| !(is_method && *i == 0 && matches!(p.name.id.as_str(), "self" | "cls")))
            .map(|(_, p)| p)
            .collect();
        let complexity = cyclomatic::function(def);
        let returns = def.returns.as_ref().map(|r| format!(" -> {}", self.text(r.as_ref()))).unwrap_or_default();
        let function = Function {
            name: def.name.id.to_string(),
            qualname: self.qualname.join("."),
            line: self.line(def.name.start()),
            end_line: self.end_line(def),
            is_method,
            is_async: def.is_async,
            signature: format!("{}{}{}", def.name.id, self.text(def.parameters.as_ref()), returns),
            decorators: def.decorator_list.iter().map(|d| self.text(&d.expression)).collect(),
            annotated_parameters: counted.iter().filter(|p| p.annotation.is_some()).count(),
            parameters: counted.len(),
            annotated_return: def.returns.is_some(),
            docstring: docstring_of(&def.body),
            cyclomatic: complexity,
            rank: cyclomatic::rank(complexity),
            cognitive: cognitive::function(def),
        };
        self.out.functions.push(function);
        self.body(&def.body, Scope::Function);
        self.qualname.pop();
    }

    fn class(&mut self, class: &ast::StmtClassDef) {
        self.qualname.push(class.name.id.to_string());
        let complexity = cyclomatic::class(class);
        let bases =
            class.arguments.as_ref().map(|args| args.args.iter().map(|b| self.text(b)).collect()).unwrap_or_default();
        self.out.classes.push(Class {
            name: class.name.id.to_string(),
            qualname: self.qualname.join("."),
            line: self.line(class.name.start()),
            end_line: self.end_line(class),
            bases,
            decorators: class.decorator_list.iter().map(|d| self.text(&d.expression)).collect(),
            docstring: docstring_of(&class.body),
            cyclomatic: complexity,
            rank: cyclomatic::rank(complexity),
        });
        self.body(&class.body, Scope::Class);
        self.qualname.pop();
    }
}
