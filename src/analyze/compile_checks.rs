//! Syntax errors CPython raises after parsing, in its symbol table and compiler: `return`,
//! `yield`, `await`, `break`, `continue`, `nonlocal`, `global` or `import *` where they are not
//! allowed, duplicate parameters, misplaced `from __future__` imports, and the like.
//!
//! The rules themselves are ruff's [`SemanticSyntaxChecker`]; this file is the one walk of the
//! AST that drives it, with the scope stack its [`SemanticSyntaxContext`] asks about. What the
//! checker reports is turned into CPython's message and position by [`super::compile_messages`],
//! and the error CPython would raise first wins (see [`Candidate`]).

use std::cell::{Cell, RefCell};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, PythonVersion, Stmt};
use ruff_python_parser::semantic_errors::{
    LazyImportContext, SemanticSyntaxChecker, SemanticSyntaxContext, SemanticSyntaxError,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::compile_messages::{self, Candidate};
use super::parse::{ParsedModule, SyntaxProblem, TargetVersion};

/// The first compile-stage error of the module, if any, as CPython `target` reports it.
pub fn first_error(parsed: &ParsedModule<'_>, target: TargetVersion) -> Option<SyntaxProblem> {
    let source = parsed.source;
    let context = Context {
        source,
        version: PythonVersion { major: target.major, minor: target.minor },
        // `global`/`nonlocal` declarations are rare: without either word the per-scope
        // collection is skipped, which keeps this walk cheap on ordinary files.
        declarations_possible: source.contains("global") || source.contains("nonlocal"),
        future_boundary: future_boundary(&parsed.module.body),
        scopes: Vec::new(),
        found: RefCell::new(None),
        stmt: Cell::new(None),
        expr: Cell::new(None),
    };
    let mut walker = Walker { checker: SemanticSyntaxChecker::new(), context };
    walker.context.push(ScopeKind::Module, &parsed.module.body);
    walker.visit_body(&parsed.module.body);
    let found = walker.context.found.into_inner()?;
    // CPython places errors found after parsing by the AST's column, which counts UTF-8
    // bytes, not characters as its parser's errors do.
    let offset = found.offset.to_usize().min(source.len());
    let line = parsed.lines.line(offset);
    let column = offset - parsed.lines.line_start(line) + 1;
    Some(SyntaxProblem { line, column, message: found.message })
}

/// What kind of scope CPython's symbol table opens; comprehensions are scopes of their own.
#[derive(Clone, Copy)]
pub(super) enum ScopeKind<'a> {
    Module,
    Class(&'a ast::StmtClassDef),
    Function(&'a ast::StmtFunctionDef),
    Lambda(&'a ast::ExprLambda),
    Comprehension(&'a Expr),
}

/// A `global` or `nonlocal` statement directly in a scope's body.
struct Declaration<'a> {
    name: &'a str,
    statement: TextRange,
    nonlocal: bool,
}

struct Scope<'a> {
    kind: ScopeKind<'a>,
    declarations: Vec<Declaration<'a>>,
    /// Inside a loop body (not its `else`) of this scope.
    in_loop: bool,
}

/// The scope stack and the position the walk is at, which the checker queries.
pub(super) struct Context<'a> {
    pub(super) source: &'a str,
    pub(super) version: PythonVersion,
    declarations_possible: bool,
    /// Where the statements that may be `from __future__` imports end.
    pub(super) future_boundary: TextSize,
    scopes: Vec<Scope<'a>>,
    found: RefCell<Option<Candidate>>,
    /// The statement and expression being checked, for errors CPython places elsewhere than
    /// ruff does (on the statement, on the comprehension).
    pub(super) stmt: Cell<Option<&'a Stmt>>,
    pub(super) expr: Cell<Option<&'a Expr>>,
}

impl<'a> Context<'a> {
    fn push(&mut self, kind: ScopeKind<'a>, body: &'a [Stmt]) {
        let mut declarations = Vec::new();
        if self.declarations_possible {
            collect_declarations(body, &mut declarations);
        }
        self.scopes.push(Scope { kind, declarations, in_loop: false });
    }

    fn current(&self) -> &Scope<'a> {
        self.scopes.last().expect("the module scope is always there")
    }

    /// Scopes from the innermost out.
    pub(super) fn kinds(&self) -> impl Iterator<Item = ScopeKind<'a>> + '_ {
        self.scopes.iter().rev().map(|s| s.kind)
    }

    /// The `global`/`nonlocal` declaration of `name` in the current scope, if any.
    pub(super) fn declaration(&self, name: &str) -> Option<(TextRange, bool)> {
        self.current().declarations.iter().find(|d| d.name == name).map(|d| (d.statement, d.nonlocal))
    }

    /// The first declaration of `name` in the current scope if it is declared both `global`
    /// and `nonlocal` there.
    pub(super) fn declared_both_ways(&self, name: &str) -> Option<TextRange> {
        let mut matching = self.current().declarations.iter().filter(|d| d.name == name);
        let first = matching.next()?;
        matching.any(|d| d.nonlocal != first.nonlocal).then_some(first.statement)
    }

    /// Keeps `candidate` if CPython would raise it before the one kept so far.
    pub(super) fn offer(&self, candidate: Candidate) {
        let mut found = self.found.borrow_mut();
        if found.as_ref().is_none_or(|kept| candidate.key() < kept.key()) {
            *found = Some(candidate);
        }
    }
}

/// The end of the docstring and `from __future__` imports that open a module.
fn future_boundary(body: &[Stmt]) -> TextSize {
    for (index, stmt) in body.iter().enumerate() {
        let docstring = index == 0 && matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr());
        let future = matches!(stmt, Stmt::ImportFrom(i) if i.level == 0 && i.module.as_deref() == Some("__future__"));
        if !docstring && !future {
            return stmt.start();
        }
    }
    TextSize::from(u32::MAX)
}

fn collect_declarations<'a>(body: &'a [Stmt], out: &mut Vec<Declaration<'a>>) {
    struct Collector<'a, 'o>(&'o mut Vec<Declaration<'a>>);
    impl<'a> Visitor<'a> for Collector<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Global(ast::StmtGlobal { names, range, .. }) => self
                    .0
                    .extend(names.iter().map(|n| Declaration { name: n.as_str(), statement: *range, nonlocal: false })),
                Stmt::Nonlocal(ast::StmtNonlocal { names, range, .. }) => self
                    .0
                    .extend(names.iter().map(|n| Declaration { name: n.as_str(), statement: *range, nonlocal: true })),
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        // Declarations are statements: expressions never hold one of this scope's.
        fn visit_expr(&mut self, _: &'a Expr) {}
    }
    Collector(out).visit_body(body);
}

impl SemanticSyntaxContext for Context<'_> {
    fn future_annotations_or_stub(&self) -> bool {
        false
    }

    fn lazy_import_context(&self) -> Option<LazyImportContext> {
        None
    }

    fn python_version(&self) -> PythonVersion {
        self.version
    }

    fn source(&self) -> &str {
        self.source
    }

    fn global(&self, name: &str) -> Option<TextRange> {
        // Both kinds of declaration: what the checker says of a name used before its `global`
        // CPython also says of one used before its `nonlocal`; compile_messages words it.
        self.declaration(name).map(|(range, _)| range)
    }

    fn has_nonlocal_binding(&self, name: &str) -> bool {
        for kind in self.kinds().skip(1) {
            match kind {
                ScopeKind::Module => return false,
                // A class gives the functions in it an implicit `__class__` cell (and, from
                // 3.12, `__classdict__`) that `nonlocal` can name.
                ScopeKind::Class(_) => {
                    if name == "__class__" || (name == "__classdict__" && self.version.minor >= 12) {
                        return true;
                    }
                }
                ScopeKind::Comprehension(_) => {}
                ScopeKind::Lambda(lambda) => {
                    if lambda.parameters.as_deref().is_some_and(|p| p.includes(name)) {
                        return true;
                    }
                }
                ScopeKind::Function(function) => {
                    if function.parameters.includes(name) || super::compile_bindings::binds(&function.body, name) {
                        return true;
                    }
                }
            }
        }
        false
    }

    fn in_async_context(&self) -> bool {
        for kind in self.kinds() {
            match kind {
                ScopeKind::Function(function) => return function.is_async,
                ScopeKind::Class(_) | ScopeKind::Lambda(_) | ScopeKind::Module => return false,
                ScopeKind::Comprehension(_) => {}
            }
        }
        false
    }

    fn in_await_allowed_context(&self) -> bool {
        for kind in self.kinds() {
            match kind {
                ScopeKind::Function(_) | ScopeKind::Lambda(_) => return true,
                ScopeKind::Class(_) | ScopeKind::Module => return false,
                ScopeKind::Comprehension(_) => {}
            }
        }
        false
    }

    fn in_yield_allowed_context(&self) -> bool {
        matches!(self.current().kind, ScopeKind::Function(_) | ScopeKind::Lambda(_))
    }

    fn in_sync_comprehension(&self) -> bool {
        for kind in self.kinds() {
            match kind {
                ScopeKind::Comprehension(expr) => {
                    if !is_async_comprehension(expr) {
                        return true;
                    }
                }
                _ => return false,
            }
        }
        false
    }

    fn in_class_body_comprehension(&self) -> bool {
        for kind in self.kinds() {
            match kind {
                ScopeKind::Comprehension(_) => {}
                ScopeKind::Class(_) => return true,
                _ => return false,
            }
        }
        false
    }

    fn in_module_scope(&self) -> bool {
        matches!(self.current().kind, ScopeKind::Module)
    }

    fn in_function_scope(&self) -> bool {
        matches!(self.current().kind, ScopeKind::Function(_))
    }

    fn in_generator_context(&self) -> bool {
        for kind in self.kinds() {
            match kind {
                ScopeKind::Comprehension(Expr::Generator(_)) => return true,
                ScopeKind::Comprehension(_) => {}
                _ => return false,
            }
        }
        false
    }

    fn in_notebook(&self) -> bool {
        false
    }

    fn report_semantic_error(&self, error: SemanticSyntaxError) {
        if let Some(candidate) = compile_messages::candidate(&error, self) {
            self.offer(candidate);
        }
    }

    fn in_loop_context(&self) -> bool {
        self.current().in_loop
    }

    fn is_bound_parameter(&self, name: &str) -> bool {
        match self.current().kind {
            ScopeKind::Function(function) => function.parameters.includes(name),
            ScopeKind::Lambda(lambda) => lambda.parameters.as_deref().is_some_and(|p| p.includes(name)),
            _ => false,
        }
    }
}

fn is_async_comprehension(expr: &Expr) -> bool {
    comprehension_parts(expr).is_some_and(|(generators, _)| generators.iter().any(|g| g.is_async))
}

/// A comprehension's clauses and the expressions it builds its items from.
fn comprehension_parts(expr: &Expr) -> Option<(&[ast::Comprehension], Vec<&Expr>)> {
    match expr {
        Expr::ListComp(c) => Some((&c.generators, vec![&*c.elt])),
        Expr::SetComp(c) => Some((&c.generators, vec![&*c.elt])),
        Expr::Generator(c) => Some((&c.generators, vec![&*c.elt])),
        Expr::DictComp(c) => Some((&c.generators, c.key.iter().map(|k| &**k).chain([&*c.value]).collect())),
        _ => None,
    }
}

/// Walks the module once, calling the checker on every statement and expression with the
/// context in the scope CPython evaluates it in.
struct Walker<'a> {
    checker: SemanticSyntaxChecker,
    context: Context<'a>,
}

impl<'a> Walker<'a> {
    fn in_scope(&mut self, kind: ScopeKind<'a>, body: &'a [Stmt], walk: impl FnOnce(&mut Self)) {
        self.context.push(kind, body);
        walk(self);
        self.context.scopes.pop();
    }

    fn loop_body(&mut self, body: &'a [Stmt], orelse: &'a [Stmt]) {
        let scope = self.context.scopes.last_mut().expect("module scope");
        let outer = std::mem::replace(&mut scope.in_loop, true);
        self.visit_body(body);
        self.context.scopes.last_mut().expect("module scope").in_loop = outer;
        self.visit_body(orelse);
    }

    /// Checks a binding of `name` by a statement (def, class, except-as) that the checker does
    /// not see as a name expression: CPython rejects it before a `global`/`nonlocal` of it.
    fn binding_before_declaration(&self, name: &str, at: TextSize) {
        if let Some((statement, nonlocal)) = self.context.declaration(name) {
            if at < statement.start() {
                self.context.offer(compile_messages::assigned_before_declaration(name, statement, nonlocal));
            }
        }
    }
}

impl<'a> Visitor<'a> for Walker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.context.stmt.set(Some(stmt));
        self.checker.visit_stmt(stmt, &self.context);
        compile_messages::check_declaration_conflicts(stmt, &self.context);
        match stmt {
            Stmt::FunctionDef(function) => {
                self.binding_before_declaration(function.name.as_str(), stmt.start());
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = &function.type_params {
                    self.visit_type_params(type_params);
                }
                self.visit_parameters(&function.parameters);
                if let Some(returns) = &function.returns {
                    self.visit_annotation(returns);
                }
                self.in_scope(ScopeKind::Function(function), &function.body, |w| w.visit_body(&function.body));
            }
            Stmt::ClassDef(class) => {
                self.binding_before_declaration(class.name.as_str(), stmt.start());
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = &class.type_params {
                    self.visit_type_params(type_params);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.in_scope(ScopeKind::Class(class), &class.body, |w| w.visit_body(&class.body));
            }
            Stmt::For(for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.visit_expr(&for_stmt.target);
                self.loop_body(&for_stmt.body, &for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.visit_expr(&while_stmt.test);
                self.loop_body(&while_stmt.body, &while_stmt.orelse);
            }
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.binding_before_declaration(name.as_str(), handler.start());
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.context.expr.set(Some(expr));
        self.checker.visit_expr(expr, &self.context);
        match expr {
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters(parameters);
                }
                self.in_scope(ScopeKind::Lambda(lambda), &[], |w| w.visit_expr(&lambda.body));
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                let Some((generators, elements)) = comprehension_parts(expr) else { return };
                // The first iterable is evaluated in the enclosing scope, the rest inside.
                if let Some(first) = generators.first() {
                    self.visit_expr(&first.iter);
                }
                self.in_scope(ScopeKind::Comprehension(expr), &[], |w| {
                    for (index, generator) in generators.iter().enumerate() {
                        w.visit_expr(&generator.target);
                        if index > 0 {
                            w.visit_expr(&generator.iter);
                        }
                        for condition in &generator.ifs {
                            w.visit_expr(condition);
                        }
                    }
                    for element in elements {
                        w.visit_expr(element);
                    }
                });
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Whether a name expression stores, for the "assigned to" versus "used" wording.
pub(super) fn stores(expr: Option<&Expr>) -> bool {
    matches!(expr, Some(Expr::Name(name)) if !matches!(name.ctx, ExprContext::Load))
}
