//! bandit's B703 (`django_mark_safe`): `mark_safe` (and `SafeText`, `SafeString`, ...) called on
//! something that is not a string literal, in a module that imports `django.utils.safestring`.
//!
//! bandit does not flag every variable: it looks back through the enclosing function (or the
//! module) for what was assigned to the name before the call, and calls it safe when every
//! assignment it finds is a string literal, another safe name, or `"...".format(...)` / `"..." % x`
//! of safe parts. That look-back has quirks (it ignores annotated and walrus assignments, looks
//! into nested functions, reads only the first target of an assignment, skips async blocks), and
//! loupe copies them all: a user comparing the two tools must see the same findings. Where bandit's
//! own code raises (a starred target in a tuple assignment, a mark_safe call without positional
//! arguments, runaway recursion) bandit reports nothing for the call, and so does this.

use ruff_text_size::{Ranged, TextSize};

use super::rules::Test;
use crate::analyze::parse::ast::{self, Expr, Operator, Stmt};
use crate::analyze::report::Level;

/// The names bandit checks (the last part of the resolved call name).
const AFFECTED: &[&str] = &["mark_safe", "SafeText", "SafeUnicode", "SafeString", "SafeBytes"];

/// The innermost scope bandit searches: a (non-async) function or the module.
#[derive(Clone, Copy)]
pub(super) enum Scope<'a> {
    Module(&'a [Stmt]),
    Function(&'a ast::StmtFunctionDef),
}

impl<'a> Scope<'a> {
    fn body(self) -> &'a [Stmt] {
        match self {
            Scope::Module(body) => body,
            Scope::Function(def) => &def.body,
        }
    }

    /// bandit compares with `parent.args.args`: positional parameters only.
    fn is_parameter(self, name: &str) -> bool {
        match self {
            Scope::Module(_) => false,
            Scope::Function(def) => def.parameters.args.iter().any(|p| p.parameter.name.id.as_str() == name),
        }
    }
}

/// bandit's code raised (the test reports nothing for this call).
struct Raised;

/// Python's recursion limit stands behind bandit's: a look-back deeper than this ends as it would.
const MAX_DEPTH: usize = 200;

/// What the B703 check needs from the walk: line numbers as Python's `ast` gives them.
pub(super) struct Lines<'a> {
    pub line_of: &'a dyn Fn(TextSize) -> usize,
}

/// B703 for a call whose resolved name ends in `short`, or nothing.
pub(super) fn check(
    call: &ast::ExprCall,
    short: &str,
    safestring_imported: bool,
    scope: Scope<'_>,
    lines: &Lines<'_>,
) -> Option<(Test, &'static str)> {
    if !safestring_imported || !AFFECTED.contains(&short) {
        return None;
    }
    let argument = call.arguments.args.first()?; // bandit: `node.args[0]` raises, no finding
    if matches!(argument, Expr::StringLiteral(_)) {
        return None;
    }
    let look = LookBack { scope, lines };
    let secure = match argument {
        Expr::Name(name) if !scope.is_parameter(name.id.as_str()) => {
            look.variable(name, (lines.line_of)(call.start()), 0)
        }
        Expr::Name(_) => Ok(false),
        Expr::Call(inner) => look.format_call(&FormatCall::of_call(inner, (lines.line_of)(inner.start())), 0),
        Expr::BinOp(binop) => match FormatCall::of_percent(binop, (lines.line_of)(binop.start())) {
            Some(format) => look.format_call(&format, 0),
            None => Ok(false),
        },
        _ => Ok(false),
    };
    match secure {
        Ok(false) => Some((
            Test("B703", "django_mark_safe", Level::Medium, Level::High, 80),
            "Potential XSS on mark_safe function.",
        )),
        Ok(true) | Err(Raised) => None,
    }
}

fn is_constant(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::NumberLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
            | Expr::EllipsisLiteral(_)
    )
}

/// `"...".format(args)` as bandit evaluates it; `"..." % x` is rewritten into one first.
struct FormatCall<'a> {
    /// Only `<constant>.format(...)` without keywords is ever evaluated.
    evaluated: bool,
    args: Vec<&'a Expr>,
    line: usize,
}

impl<'a> FormatCall<'a> {
    /// `line` is the call's: names among the arguments are looked up before it.
    fn of_call(call: &'a ast::ExprCall, line: usize) -> Self {
        let evaluated = matches!(call.func.as_ref(), Expr::Attribute(a) if is_constant(&a.value) && a.attr.id.as_str() == "format")
            && call.arguments.keywords.is_empty();
        FormatCall { evaluated, args: call.arguments.args.iter().collect(), line }
    }

    /// bandit's `transform2call`: `"..." % (a, b)` becomes `"...".format(a, b)`.
    fn of_percent(binop: &'a ast::ExprBinOp, line: usize) -> Option<Self> {
        if binop.op != Operator::Mod || !matches!(binop.left.as_ref(), Expr::StringLiteral(_)) {
            return None;
        }
        let args = match binop.right.as_ref() {
            Expr::Tuple(tuple) => tuple.elts.iter().collect(),
            other => vec![other],
        };
        Some(FormatCall { evaluated: true, args, line })
    }
}

struct LookBack<'a, 'l> {
    scope: Scope<'a>,
    lines: &'l Lines<'l>,
}

/// What an assignment search found: an expression assigned, or a `with ... as name` block
/// (which bandit never calls safe).
#[derive(Clone, Copy)]
enum Item<'a> {
    Value(&'a Expr),
    WithBlock,
}

/// bandit's `DeepAssignation.is_assigned`: nothing, one item, or a list (possibly empty, which
/// counts as nothing).
enum Assigned<'a> {
    Nothing,
    One(Item<'a>),
    Many(Vec<Item<'a>>),
}

impl<'a> LookBack<'a, '_> {
    fn line(&self, at: TextSize) -> usize {
        (self.lines.line_of)(at)
    }

    /// The line Python's `ast` gives a statement (a decorated definition's is its `def` line).
    fn statement_line(&self, stmt: &Stmt) -> usize {
        match stmt {
            Stmt::FunctionDef(def) => self.line(def.name.start()),
            Stmt::ClassDef(class) => self.line(class.name.start()),
            other => self.line(other.start()),
        }
    }

    /// bandit's `evaluate_var`: is every value assigned to `name` before line `until` safe?
    fn variable(&self, name: &ast::ExprName, until: usize, depth: usize) -> Result<bool, Raised> {
        if depth > MAX_DEPTH {
            return Err(Raised);
        }
        if self.scope.is_parameter(name.id.as_str()) {
            return Ok(false);
        }
        let mut secure = false;
        for stmt in self.scope.body() {
            let stmt_line = self.statement_line(stmt);
            if stmt_line >= until {
                break;
            }
            match assigned_in_stmt(stmt, name.id.as_str())? {
                Assigned::Nothing => {}
                Assigned::Many(items) if items.is_empty() => {}
                Assigned::One(Item::Value(Expr::StringLiteral(_))) => secure = true,
                Assigned::One(Item::Value(Expr::Name(other))) => {
                    secure = self.variable(other, self.line(other.start()), depth + 1)?
                }
                Assigned::One(Item::Value(Expr::Call(call))) => {
                    secure = self.format_call(&FormatCall::of_call(call, self.line(call.start())), depth + 1)?
                }
                Assigned::Many(items) => {
                    let mut safe_items = 0;
                    for item in &items {
                        match item {
                            Item::Value(Expr::StringLiteral(_)) => safe_items += 1,
                            Item::Value(Expr::Name(other)) if self.variable(other, stmt_line, depth + 1)? => {
                                safe_items += 1
                            }
                            _ => break,
                        }
                    }
                    secure = safe_items == items.len();
                    if !secure {
                        break;
                    }
                }
                Assigned::One(_) => {
                    secure = false;
                    break;
                }
            }
        }
        Ok(secure)
    }

    /// bandit's `evaluate_call`: a format call is safe when every argument is.
    fn format_call(&self, call: &FormatCall<'_>, depth: usize) -> Result<bool, Raised> {
        if depth > MAX_DEPTH {
            return Err(Raised);
        }
        if !call.evaluated {
            return Ok(false);
        }
        // A starred list or tuple adds its elements to the arguments still to check.
        let mut args: Vec<&Expr> = call.args.clone();
        let mut index = 0;
        let mut safe_args = 0;
        while index < args.len() {
            let arg = args[index];
            index += 1;
            let safe = match arg {
                Expr::StringLiteral(_) => true,
                Expr::Name(name) => self.variable(name, call.line, depth + 1)?,
                Expr::Call(inner) => {
                    self.format_call(&FormatCall::of_call(inner, self.line(inner.start())), depth + 1)?
                }
                Expr::Starred(starred) => match starred.value.as_ref() {
                    Expr::List(list) => {
                        args.extend(list.elts.iter());
                        true
                    }
                    Expr::Tuple(tuple) => {
                        args.extend(tuple.elts.iter());
                        true
                    }
                    _ => false,
                },
                _ => false,
            };
            if !safe {
                break;
            }
            safe_args += 1;
        }
        Ok(safe_args == args.len())
    }
}

fn assigned_in_body<'a>(body: &'a [Stmt], name: &str) -> Result<Vec<Item<'a>>, Raised> {
    let mut found = Vec::new();
    for stmt in body {
        match assigned_in_stmt(stmt, name)? {
            Assigned::Nothing => {}
            Assigned::One(item) => found.push(item),
            Assigned::Many(items) => found.extend(items),
        }
    }
    Ok(found)
}

/// bandit's `DeepAssignation.is_assigned` for one statement.
fn assigned_in_stmt<'a>(stmt: &'a Stmt, name: &str) -> Result<Assigned<'a>, Raised> {
    Ok(match stmt {
        Stmt::FunctionDef(def) if !def.is_async => Assigned::Many(assigned_in_body(&def.body, name)?),
        Stmt::With(with) if !with.is_async => {
            let mut assigned = Assigned::Nothing;
            for item in &with.items {
                let var = item.optional_vars.as_deref();
                assigned = if matches!(var, Some(Expr::Name(n)) if n.id.as_str() == name) {
                    Assigned::One(Item::WithBlock)
                } else {
                    Assigned::Many(assigned_in_body(&with.body, name)?)
                };
            }
            assigned
        }
        Stmt::Try(try_stmt) if !try_stmt.is_star => {
            let mut found = assigned_in_body(&try_stmt.body, name)?;
            for handler in &try_stmt.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                found.extend(assigned_in_body(&handler.body, name)?);
            }
            found.extend(assigned_in_body(&try_stmt.orelse, name)?);
            found.extend(assigned_in_body(&try_stmt.finalbody, name)?);
            Assigned::Many(found)
        }
        Stmt::If(if_stmt) => {
            // Python's `orelse` nests each `elif` as an `if`: the same bodies, in the same order.
            let mut found = assigned_in_body(&if_stmt.body, name)?;
            for clause in &if_stmt.elif_else_clauses {
                found.extend(assigned_in_body(&clause.body, name)?);
            }
            Assigned::Many(found)
        }
        Stmt::For(for_stmt) if !for_stmt.is_async => {
            let mut found = assigned_in_body(&for_stmt.body, name)?;
            found.extend(assigned_in_body(&for_stmt.orelse, name)?);
            Assigned::Many(found)
        }
        Stmt::While(while_stmt) => {
            let mut found = assigned_in_body(&while_stmt.body, name)?;
            found.extend(assigned_in_body(&while_stmt.orelse, name)?);
            Assigned::Many(found)
        }
        Stmt::AugAssign(aug) => match aug.target.as_ref() {
            Expr::Name(target) if target.id.as_str() == name => Assigned::One(Item::Value(&aug.value)),
            _ => Assigned::Nothing,
        },
        Stmt::Assign(assign) => match (assign.targets.first(), assign.value.as_ref()) {
            (Some(Expr::Name(target)), value) if target.id.as_str() == name => Assigned::One(Item::Value(value)),
            (Some(Expr::Tuple(targets)), Expr::Tuple(values)) => {
                let mut assigned = Assigned::Nothing;
                for (position, target) in targets.elts.iter().enumerate() {
                    // bandit reads `name.id` of each target: anything but a plain name raises.
                    let Expr::Name(target) = target else { return Err(Raised) };
                    if target.id.as_str() == name {
                        let value = values.elts.get(position).ok_or(Raised)?;
                        assigned = Assigned::One(Item::Value(value));
                        break;
                    }
                }
                assigned
            }
            _ => Assigned::Nothing,
        },
        _ => Assigned::Nothing,
    })
}
