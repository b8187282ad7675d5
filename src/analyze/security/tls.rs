//! bandit's SSL/TLS protocol tests (plugin `insecure_ssl_tls`): B502 a call asking for a broken
//! SSL/TLS version, B503 a function defaulting to one, B504 `ssl.wrap_socket` with no version.
//! Versions are recognised by name, as bandit does (`ssl.PROTOCOL_TLSv1`, `SSL.SSLv2_METHOD`).

use ruff_text_size::{Ranged, TextSize};

use super::context;
use super::rules::Test;
use crate::analyze::parse::ast::{self, Expr};
use crate::analyze::report::Level;

/// bandit's default `bad_protocol_versions`.
const BAD_VERSIONS: &[&str] = &[
    "PROTOCOL_SSLv2",
    "SSLv2_METHOD",
    "SSLv23_METHOD",
    "PROTOCOL_SSLv3",
    "PROTOCOL_TLSv1",
    "SSLv3_METHOD",
    "TLSv1_METHOD",
    "PROTOCOL_TLSv1_1",
    "TLSv1_1_METHOD",
];

/// A finding for a call: the offset whose line bandit reports, the test and its text.
pub(super) type CallFinding = (TextSize, Test, &'static str);

/// A keyword argument as bandit's `call_keywords` sees it: an attribute by its last name, other
/// values as literals; with where the value starts.
fn keyword_value(call: &ast::ExprCall, name: &str) -> Option<(String, TextSize)> {
    let value = context::keyword(call, name)?;
    let text = match value {
        Expr::Attribute(attribute) => Some(attribute.attr.id.to_string()),
        other => context::literal(other),
    };
    Some((text.unwrap_or_default(), value.start()))
}

fn bad(call: &ast::ExprCall, name: &str) -> Option<TextSize> {
    keyword_value(call, name).filter(|(v, _)| BAD_VERSIONS.contains(&v.as_str())).map(|(_, at)| at)
}

/// B502 and B504 for a call to `qualified`.
pub(super) fn call(call: &ast::ExprCall, qualified: &str) -> Option<CallFinding> {
    let b502 = |severity| Test("B502", "ssl_with_bad_version", severity, severity, 327);
    match qualified {
        "ssl.wrap_socket" => match keyword_value(call, "ssl_version") {
            Some((value, at)) if BAD_VERSIONS.contains(&value.as_str()) => Some((
                at,
                b502(Level::High),
                "ssl.wrap_socket call with insecure SSL/TLS protocol version identified, security issue.",
            )),
            Some(_) => None,
            None => Some((
                call.start(),
                Test("B504", "ssl_with_no_version", Level::Low, Level::Medium, 327),
                "ssl.wrap_socket call with no SSL/TLS protocol version specified, the default SSLv23 could be \
                 insecure, possible security issue.",
            )),
        },
        "pyOpenSSL.SSL.Context" => bad(call, "method").map(|at| {
            (
                at,
                b502(Level::High),
                "SSL.Context call with insecure SSL/TLS protocol version identified, security issue.",
            )
        }),
        _ => {
            let method = bad(call, "method");
            let version = bad(call, "ssl_version");
            method.or(version).map(|_| {
                // bandit reports the line of `method=` if there is one, else of `ssl_version=`.
                let at = context::keyword(call, "method").or(context::keyword(call, "ssl_version")).map(Ranged::start);
                (
                    at.unwrap_or(call.start()),
                    b502(Level::Medium),
                    "Function call with insecure SSL/TLS protocol identified, possible security issue.",
                )
            })
        }
    }
}

/// B503: a positional parameter's default names a broken version.
pub(super) fn bad_default(def: &ast::StmtFunctionDef) -> Option<(Test, &'static str)> {
    let parameters = def.parameters.posonlyargs.iter().chain(&def.parameters.args);
    let bad_default = parameters.filter_map(|p| p.default.as_deref()).any(|default| {
        // bandit's `get_qual_attr` names attributes only: a bare `PROTOCOL_TLSv1` default passes.
        matches!(default, Expr::Attribute(attribute) if BAD_VERSIONS.contains(&attribute.attr.id.as_str()))
    });
    bad_default.then_some((
        Test("B503", "ssl_with_bad_defaults", Level::Medium, Level::Medium, 327),
        "Function definition identified with insecure SSL/TLS protocol version by default, possible security issue.",
    ))
}
