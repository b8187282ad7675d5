//! bandit's tests of single library calls: B507 paramiko trusting unknown host keys, B612
//! `logging.config.listen` without `verify`, B614 `torch.load` without `weights_only=True`.

use ruff_text_size::Ranged;

use super::context::{self, Aliases};
use super::rules::Test;
use super::tls::CallFinding;
use crate::analyze::parse::ast::{self, Expr};
use crate::analyze::report::Level;

/// The findings of these tests for a call to `qualified` (`short` is its last name).
pub(super) fn check(call: &ast::ExprCall, qualified: &str, short: &str, aliases: &Aliases) -> Vec<CallFinding> {
    let mut out = Vec::new();
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
                "Paramiko call with policy set to automatically trust the unknown host key.",
            ));
        }
    }
    if qualified == "logging.config.listen" && context::keyword(call, "verify").is_none() {
        out.push((
            call.start(),
            Test("B612", "logging_config_insecure_listen", Level::Medium, Level::High, 94),
            "Use of insecure logging.config.listen detected.",
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
                "Use of unsafe PyTorch load",
            ));
        }
    }
    out
}
