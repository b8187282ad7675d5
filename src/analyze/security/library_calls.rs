//! bandit's tests of single library calls: B202 `tarfile` `extractall` without a `data` filter,
//! B507 paramiko trusting unknown host keys, B612 `logging.config.listen` without `verify`, B614
//! `torch.load` without `weights_only=True`, B704 `markupsafe.Markup` of a non-literal.

use ruff_text_size::{Ranged, TextSize};

use super::context::{self, Aliases};
use super::rules::Test;
use crate::analyze::parse::ast::{self, Expr};
use crate::analyze::report::Level;

/// The findings of these tests for a call to `qualified` (`short` is its last name).
pub(super) fn check(
    call: &ast::ExprCall,
    qualified: &str,
    short: &str,
    aliases: &Aliases,
) -> Vec<(TextSize, Test, String)> {
    let mut out: Vec<(TextSize, Test, String)> = Vec::new();
    if short == "set_missing_host_key_policy" && aliases.imported.iter().any(|m| m.contains("paramiko")) {
        let policy = call.arguments.args.first().and_then(|argument| match argument {
            Expr::Attribute(a) => Some(a.attr.id.as_str()),
            Expr::Name(n) => Some(n.id.as_str()),
            Expr::Call(c) => match c.func.as_ref() {
                Expr::Attribute(a) => Some(a.attr.id.as_str()),
                Expr::Name(n) => Some(n.id.as_str()),
                _ => None,
            },
            _ => None,
        });
        if matches!(policy, Some("AutoAddPolicy" | "WarningPolicy")) {
            out.push((
                call.start(),
                Test("B507", "ssh_no_host_key_verification", Level::High, Level::Medium, 295),
                "Paramiko call with policy set to automatically trust the unknown host key.".into(),
            ));
        }
    }
    if qualified == "logging.config.listen" && context::keyword(call, "verify").is_none() {
        out.push((
            call.start(),
            Test("B612", "logging_config_insecure_listen", Level::Medium, Level::High, 94),
            "Use of insecure logging.config.listen detected.".into(),
        ));
    }
    // bandit needs `import torch` itself (`from torch import load` is not recognised).
    if matches!(qualified, "torch.load" | "torch.serialization.load") && aliases.imported.contains("torch") {
        let weights_only = context::keyword(call, "weights_only").and_then(|value| match value {
            Expr::Attribute(a) => Some(a.attr.id.to_string()),
            other => context::literal(other),
        });
        if weights_only.as_deref() != Some("True") {
            out.push((
                call.start(),
                Test("B614", "pytorch_load", Level::Medium, Level::High, 502),
                "Use of unsafe PyTorch load".into(),
            ));
        }
    }
    if short.contains("extractall") && aliases.imported.contains("tarfile") {
        out.extend(tarfile_extractall(call).map(|(test, message)| (call.start(), test, message)));
    }
    if matches!(qualified, "markupsafe.Markup" | "flask.Markup") {
        let literal = call.arguments.args.first().is_none_or(|a| {
            matches!(
                a,
                Expr::StringLiteral(_)
                    | Expr::BytesLiteral(_)
                    | Expr::NumberLiteral(_)
                    | Expr::BooleanLiteral(_)
                    | Expr::NoneLiteral(_)
                    | Expr::EllipsisLiteral(_)
            )
        });
        if !literal {
            out.push((
                call.start(),
                Test("B704", "markupsafe_markup_xss", Level::Medium, Level::High, 79),
                format!("Potential XSS with ``{qualified}`` detected. Do not use ``{short}`` on untrusted data."),
            ));
        }
    }
    out
}

/// B202, worded as bandit words it (its `members` text is Python's repr of a small dict).
fn tarfile_extractall(call: &ast::ExprCall) -> Option<(Test, String)> {
    let data_filter = context::keyword(call, "filter")
        .is_some_and(|f| matches!(f, Expr::StringLiteral(s) if s.value.to_str() == "data"));
    if data_filter {
        return None;
    }
    let Some(members) = context::keyword(call, "members") else {
        return Some((
            Test("B202", "tarfile_unsafe_members", Level::High, Level::High, 22),
            "tarfile.extractall used without any validation. Please check and discard dangerous members.".into(),
        ));
    };
    match members {
        Expr::Call(function) => {
            // bandit reads `func.id`: a method (`obj.filter(...)`) makes its test fail, no finding.
            let Expr::Name(name) = function.func.as_ref() else { return None };
            Some((
                Test("B202", "tarfile_unsafe_members", Level::Low, Level::Low, 22),
                format!(
                    "Usage of tarfile.extractall(members=function(tarfile)). Make sure your function properly \
                     discards dangerous members {{'Function': '{}'}}).",
                    name.id
                ),
            ))
        }
        other => {
            // bandit shows a name, else the AST node's repr (with its address, which cannot be
            // reproduced: loupe shows the node type).
            let shown = match other {
                Expr::Name(name) => format!("'{}'", name.id),
                _ => "<ast node>".to_string(),
            };
            Some((
                Test("B202", "tarfile_unsafe_members", Level::Medium, Level::Medium, 22),
                format!(
                    "Found tarfile.extractall(members=?) but couldn't identify the type of members. Check if the \
                     members were properly validated {{'Other': {shown}}})."
                ),
            ))
        }
    }
}
