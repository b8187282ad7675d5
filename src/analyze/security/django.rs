//! bandit's Django SQL tests (plugin `django_sql_injection`): B610 `QuerySet.extra` with a
//! `where`, `tables` or `select` that is not made of string literals, B611 `RawSQL` whose SQL is
//! not a string literal (in a module importing `django.db.models`).

use super::context::Aliases;
use super::rules::Test;
use crate::analyze::parse::ast::{self, Expr};
use crate::analyze::report::Level;

fn is_str(expr: &Expr) -> bool {
    matches!(expr, Expr::StringLiteral(_))
}

/// The keyword (or the positional argument standing for it) of a call, as bandit's
/// `keywords2dict` plus positional mapping gives it; `**kwargs` is the key `None`.
fn argument<'a>(call: &'a ast::ExprCall, name: &str, position: Option<usize>) -> Option<&'a Expr> {
    let positional = position.and_then(|p| call.arguments.args.get(p));
    let keyword = call.arguments.keywords.iter().find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == name));
    positional.or(keyword.map(|k| &k.value))
}

/// B610 and B611 for a call whose last name is `short`.
pub(super) fn check(call: &ast::ExprCall, short: &str, aliases: &Aliases) -> Option<(Test, &'static str)> {
    let sql = Test("B610", "django_extra_used", Level::Medium, Level::Medium, 89);
    match short {
        "extra" => {
            let unsafe_list = |name: &str, position: usize| {
                argument(call, name, Some(position)).is_some_and(|value| match value {
                    Expr::List(list) => !list.elts.iter().all(is_str),
                    _ => true,
                })
            };
            let insecure = unsafe_list("where", 1)
                || unsafe_list("tables", 3)
                || argument(call, "select", Some(0)).is_some_and(|select| match select {
                    Expr::Dict(dict) => {
                        !dict.items.iter().all(|item| item.key.as_ref().is_some_and(is_str) && is_str(&item.value))
                    }
                    _ => true,
                });
            insecure.then_some((sql, "Use of extra potential SQL attack vector."))
        }
        "RawSQL" if aliases.imported.iter().any(|m| m.contains("django.db.models")) => {
            let statement = call.arguments.args.first().or_else(|| argument(call, "sql", None))?;
            (!is_str(statement)).then_some((
                Test("B611", "django_rawsql_used", Level::Medium, Level::Medium, 89),
                "Use of RawSQL potential SQL attack vector.",
            ))
        }
        _ => None,
    }
}
