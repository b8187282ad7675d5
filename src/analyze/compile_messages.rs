//! CPython's wording and placement of the errors ruff's semantic checker finds, per Python
//! version, checked against `compile()` of 3.8 to 3.13 by tests/analyze_conformance.rs.
//!
//! CPython finds these errors in stages — unknown `__future__` features, then its symbol table
//! (declarations, parameters, comprehension rules), then the symbol table's analysis (`nonlocal`
//! bindings), then the compiler — and raises the first error of the earliest stage, so a
//! [`Candidate`] carries its stage as well as its position. Before 3.10 the symbol table placed
//! its errors on the enclosing definition or comprehension rather than on the offending name.

use ruff_python_ast::{self as ast, Expr, IrrefutablePatternKind, Pattern, Stmt};
use ruff_python_parser::semantic_errors::{
    AwaitOutsideAsyncFunctionKind as AwaitKind, SemanticSyntaxError, SemanticSyntaxErrorKind as K, WriteToDebugKind,
    YieldOutsideFunctionKind as YieldKind,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::compile_checks::{stores, Context, ScopeKind};

/// `from __future__ import` of an unknown feature (CPython's future.c).
const FUTURE: u8 = 0;
/// The symbol table's pass over the module.
const SYMTABLE: u8 = 1;
/// The symbol table's analysis, after the whole module is seen.
const ANALYSIS: u8 = 2;
/// The bytecode compiler.
const COMPILER: u8 = 3;

/// A syntax error as CPython would raise it; the smallest [`Candidate::key`] is raised.
#[derive(Debug, Clone)]
pub struct Candidate {
    stage: u8,
    pub offset: TextSize,
    /// Orders errors CPython checks at the same place (`'await' outside function` first).
    priority: u8,
    pub message: String,
}

impl Candidate {
    pub fn key(&self) -> (u8, TextSize, u8) {
        (self.stage, self.offset, self.priority)
    }
}

fn make(stage: u8, offset: TextSize, priority: u8, message: impl Into<String>) -> Option<Candidate> {
    Some(Candidate { stage, offset, priority, message: message.into() })
}

/// CPython's error for what the checker reported, or `None` where CPython accepts the code.
pub(super) fn candidate(error: &SemanticSyntaxError, ctx: &Context<'_>) -> Option<Candidate> {
    let minor = ctx.version.minor;
    let precise = minor >= 10;
    let start = error.range.start();
    let stmt = ctx.stmt.get();
    let stmt_start = stmt.map_or(start, Ranged::start);
    let expr_start = ctx.expr.get().map_or(start, Ranged::start);
    match &error.kind {
        K::FutureFeatureNotDefined(name) => {
            if stmt_start > ctx.future_boundary {
                return None; // a late import: the compiler rejects it as late instead
            }
            let message =
                if name == "braces" { "not a chance".into() } else { format!("future feature {name} is not defined") };
            make(FUTURE, stmt_start, 0, message)
        }
        K::LateFutureImport => {
            make(COMPILER, stmt_start, 0, "from __future__ imports must occur at the beginning of the file")
        }
        K::ReturnOutsideFunction => make(COMPILER, start, 0, "'return' outside function"),
        K::YieldOutsideFunction(YieldKind::Await) => match innermost_comprehension(ctx) {
            Some(Expr::Generator(_)) => None,
            Some(comprehension) => async_comprehension(comprehension.start()),
            None => make(COMPILER, start, 0, "'await' outside function"),
        },
        K::YieldOutsideFunction(kind) => match ctx.kinds().next() {
            Some(ScopeKind::Comprehension(comprehension)) => {
                let at = if precise { start } else { comprehension.start() };
                make(SYMTABLE, at, 0, format!("'yield' inside {}", comprehension_name(comprehension)))
            }
            _ if matches!(kind, YieldKind::YieldFrom) && minor >= 13 => {
                make(COMPILER, start, 0, "'yield from' outside function")
            }
            _ => make(COMPILER, start, 0, "'yield' outside function"),
        },
        K::AwaitOutsideAsyncFunction(kind) => match kind {
            AwaitKind::Await => match innermost_comprehension(ctx) {
                Some(Expr::Generator(_)) => None,
                Some(comprehension) => async_comprehension(comprehension.start()),
                None => make(COMPILER, start, 1, "'await' outside async function"),
            },
            AwaitKind::AsyncFor => make(COMPILER, start, 1, "'async for' outside async function"),
            AwaitKind::AsyncWith => make(COMPILER, start, 1, "'async with' outside async function"),
            AwaitKind::AsyncComprehension => async_comprehension(expr_start),
        },
        K::AsyncComprehensionInSyncComprehension(_) => async_comprehension(expr_start),
        K::BreakOutsideLoop => make(COMPILER, start, 0, "'break' outside loop"),
        K::ContinueOutsideLoop => make(COMPILER, start, 0, "'continue' not properly in loop"),
        K::DuplicateParameter(name) => {
            let at = if precise { start } else { definition_start(ctx, error.range) };
            make(SYMTABLE, at, 0, format!("duplicate argument '{name}' in function definition"))
        }
        K::DuplicateKeywordArgument(name) => {
            let message = if minor >= 9 {
                format!("keyword argument repeated: {name}")
            } else {
                "keyword argument repeated".into()
            };
            make(COMPILER, start, 0, message)
        }
        K::NonlocalDeclarationAtModuleLevel => {
            make(SYMTABLE, stmt_start, 0, "nonlocal declaration not allowed at module level")
        }
        K::NonlocalWithoutBinding(name) => {
            make(ANALYSIS, stmt_start, 0, format!("no binding for nonlocal '{name}' found"))
        }
        K::NonlocalParameter(name) => make(SYMTABLE, stmt_start, 0, format!("name '{name}' is parameter and nonlocal")),
        K::GlobalParameter(name) => make(SYMTABLE, stmt_start, 0, format!("name '{name}' is parameter and global")),
        K::LoadBeforeGlobalDeclaration { name, start: declaration } => {
            let nonlocal = ctx.declaration(name).is_some_and(|(_, nonlocal)| nonlocal);
            let keyword = if nonlocal { "nonlocal" } else { "global" };
            if stores(ctx.expr.get()) {
                make(SYMTABLE, *declaration, 3, format!("name '{name}' is assigned to before {keyword} declaration"))
            } else {
                make(SYMTABLE, *declaration, 1, format!("name '{name}' is used prior to {keyword} declaration"))
            }
        }
        K::AnnotatedGlobal(name) => {
            let (declaration, nonlocal) = ctx.declaration(name)?;
            let keyword = if nonlocal { "nonlocal" } else { "global" };
            let at = if start < declaration.start() { declaration.start() } else { stmt_start };
            make(SYMTABLE, at, 2, format!("annotated name '{name}' can't be {keyword}"))
        }
        K::NonModuleImportStar(_) => {
            let at = if precise { star_alias(stmt).unwrap_or(start) } else { scope_start(ctx) };
            make(SYMTABLE, at, 0, "import * only allowed at module level")
        }
        K::ReboundComprehensionVariable => {
            let name = &ctx.source[error.range];
            let at = if precise { start } else { expr_start };
            make(
                SYMTABLE,
                at,
                0,
                format!("assignment expression cannot rebind comprehension iteration variable '{name}'"),
            )
        }
        K::NamedExpressionInComprehensionIterable => make(
            SYMTABLE,
            named_expression_start(ctx, start, precise),
            0,
            "assignment expression cannot be used in a comprehension iterable expression",
        ),
        K::NamedExpressionInClassBodyComprehension => make(
            SYMTABLE,
            named_expression_start(ctx, start, precise),
            0,
            "assignment expression within a comprehension cannot be used in a class body",
        ),
        K::DuplicateTypeParameter => {
            make(SYMTABLE, start, 0, format!("duplicate type parameter '{}'", &ctx.source[error.range]))
        }
        K::TypeParameterDefaultOrder(name) => {
            make(FUTURE, start, 0, format!("non-default type parameter '{name}' follows default type parameter"))
        }
        K::WriteToDebug(WriteToDebugKind::Store) => make(COMPILER, start, 0, "cannot assign to __debug__"),
        // ruff rejects it from 3.9; CPython 3.9 still accepted it.
        K::WriteToDebug(WriteToDebugKind::Delete(_)) if minor < 10 => None,
        K::WriteToDebug(WriteToDebugKind::Delete(_)) => make(COMPILER, start, 0, "cannot delete __debug__"),
        K::SingleStarredAssignment => make(COMPILER, start, 0, "starred assignment target must be in a list or tuple"),
        K::MultipleStarredExpressions => {
            let word = if minor >= 9 { "multiple" } else { "two" };
            make(COMPILER, start, 0, format!("{word} starred expressions in assignment"))
        }
        K::InvalidStarExpression => make(COMPILER, start, 0, "can't use starred expression here"),
        K::IrrefutableCasePattern(IrrefutablePatternKind::Name(name)) => {
            make(COMPILER, start, 0, format!("name capture '{name}' makes remaining patterns unreachable"))
        }
        K::IrrefutableCasePattern(IrrefutablePatternKind::Wildcard) => {
            make(COMPILER, start, 0, "wildcard makes remaining patterns unreachable")
        }
        K::MultipleCaseAssignment(name) => {
            make(COMPILER, start, 0, format!("multiple assignments to name '{name}' in pattern"))
        }
        K::MultipleStarredNamesInSequencePattern => {
            make(COMPILER, start, 0, "multiple starred names in sequence pattern")
        }
        K::DifferentMatchPatternBindings => {
            let at = if minor >= 12 { start } else { differing_alternative(stmt, error.range).unwrap_or(start) };
            make(COMPILER, at, 0, "alternative patterns bind different names")
        }
        K::DuplicateMatchKey(key) => {
            let at = enclosing_open_brace(ctx.source, start).unwrap_or(start);
            make(COMPILER, at, 0, format!("mapping pattern checks duplicate key ({})", python_repr(key)))
        }
        K::DuplicateMatchClassAttribute(name) => {
            // CPython places it on the keyword's pattern, after `name=`.
            let rest = &ctx.source[error.range.end().to_usize()..];
            let skipped = rest.len() - rest.trim_start().trim_start_matches('=').trim_start().len();
            let at = error.range.end() + TextSize::try_from(skipped).unwrap_or_default();
            make(COMPILER, at, 0, format!("attribute name repeated in class pattern: {name}"))
        }
        K::YieldFromInAsyncFunction => make(COMPILER, start, 0, "'yield from' inside async function"),
        K::ReturnInGenerator => make(COMPILER, start, 0, "'return' with value in async generator"),
        _ => make(COMPILER, start, 0, error.to_string()),
    }
}

/// A binding by `def`, `class` or `except ... as` before a `global`/`nonlocal` of the name.
pub(super) fn assigned_before_declaration(name: &str, declaration: TextRange, nonlocal: bool) -> Candidate {
    let keyword = if nonlocal { "nonlocal" } else { "global" };
    let message = format!("name '{name}' is assigned to before {keyword} declaration");
    Candidate { stage: SYMTABLE, offset: declaration.start(), priority: 3, message }
}

/// `global x` and `nonlocal x` in one scope, which the checker leaves to ruff's linter.
/// CPython finds it in its analysis and places it on the name's first declaration.
pub(super) fn check_declaration_conflicts(stmt: &Stmt, ctx: &Context<'_>) {
    let Stmt::Global(ast::StmtGlobal { names, .. }) = stmt else { return };
    for name in names {
        if let Some(first) = ctx.declared_both_ways(name.as_str()) {
            let message = format!("name '{name}' is nonlocal and global");
            ctx.offer(Candidate { stage: ANALYSIS, offset: first.start(), priority: 0, message });
        }
    }
}

fn async_comprehension(at: TextSize) -> Option<Candidate> {
    make(COMPILER, at, 0, "asynchronous comprehension outside of an asynchronous function")
}

/// The comprehension an `await` belongs to: the innermost one before a function, class or
/// module boundary.
fn innermost_comprehension<'a>(ctx: &Context<'a>) -> Option<&'a Expr> {
    match ctx.kinds().next() {
        Some(ScopeKind::Comprehension(expr)) => Some(expr),
        _ => None,
    }
}

fn comprehension_name(expr: &Expr) -> &'static str {
    match expr {
        Expr::ListComp(_) => "list comprehension",
        Expr::SetComp(_) => "set comprehension",
        Expr::DictComp(_) => "dict comprehension",
        _ => "generator expression",
    }
}

/// Where the `def`, `async def` or `lambda` holding `range` starts (decorators excluded).
fn definition_start(ctx: &Context<'_>, range: TextRange) -> TextSize {
    if let Some(expr @ Expr::Lambda(_)) = ctx.expr.get() {
        if expr.range().contains_range(range) {
            return expr.start();
        }
    }
    match ctx.stmt.get() {
        Some(Stmt::FunctionDef(function)) => keyword_start(ctx.source, function.name.start(), "def"),
        _ => range.start(),
    }
}

/// Where the definition of the current scope starts, for pre-3.10 symbol-table errors.
fn scope_start(ctx: &Context<'_>) -> TextSize {
    match ctx.kinds().next() {
        Some(ScopeKind::Function(function)) => keyword_start(ctx.source, function.name.start(), "def"),
        Some(ScopeKind::Class(class)) => keyword_start(ctx.source, class.name.start(), "class"),
        Some(ScopeKind::Lambda(lambda)) => lambda.start(),
        Some(ScopeKind::Comprehension(expr)) => expr.start(),
        _ => TextSize::default(),
    }
}

/// The start of `keyword` (and an `async` before it) that precedes a definition's name.
fn keyword_start(source: &str, name: TextSize, keyword: &str) -> TextSize {
    let before = &source[..name.to_usize()];
    let Some(at) = before.rfind(keyword) else { return name };
    let head = before[..at].trim_end();
    let at = if keyword == "def" && head.ends_with("async") { head.len() - "async".len() } else { at };
    TextSize::try_from(at).unwrap_or(name)
}

fn star_alias(stmt: Option<&Stmt>) -> Option<TextSize> {
    let Some(Stmt::ImportFrom(import)) = stmt else { return None };
    import.names.iter().find(|alias| alias.name.as_str() == "*").map(Ranged::start)
}

/// Before 3.10 a parenthesised assignment expression was placed on its parenthesis.
fn named_expression_start(ctx: &Context<'_>, start: TextSize, precise: bool) -> TextSize {
    if precise {
        return start;
    }
    let before = ctx.source[..start.to_usize()].trim_end();
    match before.strip_suffix('(') {
        Some(head) => TextSize::try_from(head.len()).unwrap_or(start),
        None => start,
    }
}

/// A string key as Python's `repr` shows it: single quotes unless the text holds one.
fn python_repr(key: &str) -> String {
    match key.strip_prefix('"').and_then(|k| k.strip_suffix('"')) {
        Some(inner) if !inner.contains('\'') => format!("'{inner}'"),
        _ => key.to_string(),
    }
}

/// The `{` of the mapping pattern a key at `key` belongs to.
fn enclosing_open_brace(source: &str, key: TextSize) -> Option<TextSize> {
    let mut depth = 0usize;
    for (index, byte) in source.as_bytes()[..key.to_usize()].iter().enumerate().rev() {
        match byte {
            b'}' | b')' | b']' => depth += 1,
            b'(' | b'[' if depth > 0 => depth -= 1,
            b'{' if depth == 0 => return TextSize::try_from(index).ok(),
            b'{' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Before 3.12 CPython placed a mismatch of bindings on the first alternative of the `|`
/// pattern at `range` that binds other names than the first one.
fn differing_alternative(stmt: Option<&Stmt>, range: TextRange) -> Option<TextSize> {
    let Some(Stmt::Match(match_stmt)) = stmt else { return None };
    let or = match_stmt.cases.iter().find_map(|case| find_or(&case.pattern, range))?;
    let mut alternatives = or.patterns.iter();
    let first = captures(alternatives.next()?);
    alternatives.find(|p| captures(p) != first).map(Ranged::start)
}

fn find_or(pattern: &Pattern, range: TextRange) -> Option<&ast::PatternMatchOr> {
    if !pattern.range().contains_range(range) {
        return None;
    }
    let children: Vec<&Pattern> = match pattern {
        Pattern::MatchOr(or) if or.range == range => return Some(or),
        Pattern::MatchOr(or) => or.patterns.iter().collect(),
        Pattern::MatchSequence(p) => p.patterns.iter().collect(),
        Pattern::MatchMapping(p) => p.patterns.iter().collect(),
        Pattern::MatchClass(p) => {
            p.arguments.patterns.iter().chain(p.arguments.keywords.iter().map(|k| &k.pattern)).collect()
        }
        Pattern::MatchAs(p) => p.pattern.iter().map(|p| &**p).collect(),
        _ => Vec::new(),
    };
    children.into_iter().find_map(|child| find_or(child, range))
}

/// The names a pattern captures, sorted.
fn captures(pattern: &Pattern) -> Vec<&str> {
    fn collect<'a>(pattern: &'a Pattern, out: &mut Vec<&'a str>) {
        match pattern {
            Pattern::MatchAs(p) => {
                out.extend(p.name.as_ref().map(|n| n.as_str()));
                if let Some(inner) = &p.pattern {
                    collect(inner, out);
                }
            }
            Pattern::MatchStar(p) => out.extend(p.name.as_ref().map(|n| n.as_str())),
            Pattern::MatchOr(p) => p.patterns.iter().take(1).for_each(|p| collect(p, out)),
            Pattern::MatchSequence(p) => p.patterns.iter().for_each(|p| collect(p, out)),
            Pattern::MatchMapping(p) => {
                p.patterns.iter().for_each(|p| collect(p, out));
                out.extend(p.rest.as_ref().map(|n| n.as_str()));
            }
            Pattern::MatchClass(p) => {
                p.arguments.patterns.iter().for_each(|p| collect(p, out));
                p.arguments.keywords.iter().for_each(|k| collect(&k.pattern, out));
            }
            Pattern::MatchValue(_) | Pattern::MatchSingleton(_) => {}
        }
    }
    let mut out = Vec::new();
    collect(pattern, &mut out);
    out.sort_unstable();
    out
}
