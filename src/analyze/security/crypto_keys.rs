//! bandit's B505 (plugin `weak_cryptographic_key`): DSA, RSA and EC keys generated with
//! `cryptography` or PyCrypto/PyCryptodome below bandit's default sizes (DSA and RSA: 1024 bits
//! high severity, 2048 medium; EC: 160 high, 224 medium). Arguments are read as bandit reads them:
//! an attribute by its name, a literal by its value; a size that is not a number is not judged.

use super::rules::Test;
use crate::analyze::parse::ast::{self, Expr};
use crate::analyze::report::Level;

/// An argument as bandit's context renders it.
enum Arg {
    Number(f64),
    Text(String),
    /// Anything else, with Python's truthiness.
    Other(bool),
}

impl Arg {
    fn of(expr: &Expr) -> Arg {
        match expr {
            Expr::Attribute(a) => Arg::Text(a.attr.id.to_string()),
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i.as_i64().map_or(Arg::Other(true), |i| Arg::Number(i as f64)),
                ast::Number::Float(f) => Arg::Number(*f),
                ast::Number::Complex { .. } => Arg::Other(true),
            },
            Expr::StringLiteral(s) => Arg::Text(s.value.to_str().to_string()),
            Expr::BooleanLiteral(b) => Arg::Text(if b.value { "True" } else { "False" }.into()),
            Expr::NoneLiteral(_) => Arg::Text("None".into()),
            Expr::Name(n) => Arg::Text(n.id.to_string()),
            Expr::List(l) => Arg::Other(!l.elts.is_empty()),
            Expr::Tuple(t) => Arg::Other(!t.elts.is_empty()),
            Expr::Set(s) => Arg::Other(!s.elts.is_empty()),
            Expr::Dict(d) => Arg::Other(!d.items.is_empty()),
            _ => Arg::Other(false),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Arg::Number(n) => *n != 0.0,
            Arg::Text(t) => !t.is_empty(),
            Arg::Other(truthy) => *truthy,
        }
    }
}

/// `keyword=` if given and truthy, else the positional argument at `position` if truthy.
fn argument(call: &ast::ExprCall, keyword: &str, position: usize) -> Option<Arg> {
    let named = super::context::keyword(call, keyword).map(Arg::of).filter(Arg::truthy);
    named.or_else(|| call.arguments.args.get(position).map(Arg::of).filter(Arg::truthy))
}

fn classify(key_type: &str, size: Arg) -> Option<(Test, String)> {
    let Arg::Number(size) = size else { return None };
    let limits: [(u32, Level); 2] = match key_type {
        "EC" => [(160, Level::High), (224, Level::Medium)],
        _ => [(1024, Level::High), (2048, Level::Medium)],
    };
    let (limit, level) = limits.into_iter().find(|(limit, _)| size < f64::from(*limit))?;
    let message = format!("{key_type} key sizes below {limit} bits are considered breakable. ");
    Some((Test("B505", "weak_cryptographic_key", level, Level::High, 326), message))
}

/// The B505 finding for a call to `qualified`, if any.
pub(super) fn check(call: &ast::ExprCall, qualified: &str) -> Option<(Test, String)> {
    const ASYMMETRIC: &str = "cryptography.hazmat.primitives.asymmetric.";
    if let Some(rest) = qualified.strip_prefix(ASYMMETRIC) {
        return match rest {
            "dsa.generate_private_key" => classify("DSA", argument(call, "key_size", 0).unwrap_or(Arg::Number(2048.0))),
            "rsa.generate_private_key" => classify("RSA", argument(call, "key_size", 1).unwrap_or(Arg::Number(2048.0))),
            "ec.generate_private_key" => {
                let curve = argument(call, "curve", 0);
                let size = match curve {
                    Some(Arg::Text(name)) => curve_size(&name).unwrap_or(224),
                    _ => 224,
                };
                classify("EC", Arg::Number(f64::from(size)))
            }
            _ => None,
        };
    }
    let key_type = match qualified {
        "Crypto.PublicKey.DSA.generate" | "Cryptodome.PublicKey.DSA.generate" => "DSA",
        "Crypto.PublicKey.RSA.generate" | "Cryptodome.PublicKey.RSA.generate" => "RSA",
        _ => return None,
    };
    classify(key_type, argument(call, "bits", 0).unwrap_or(Arg::Number(2048.0)))
}

/// bandit's table of named curves and their sizes.
fn curve_size(name: &str) -> Option<u32> {
    Some(match name {
        "SECT571K1" => 571,
        "SECT571R1" => 570,
        "SECP521R1" => 521,
        "BrainpoolP512R1" => 512,
        "SECT409K1" | "SECT409R1" => 409,
        "BrainpoolP384R1" | "SECP384R1" => 384,
        "SECT283K1" | "SECT283R1" => 283,
        "BrainpoolP256R1" | "SECP256K1" | "SECP256R1" => 256,
        "SECT233K1" | "SECT233R1" => 233,
        "SECP224R1" => 224,
        "SECP192R1" => 192,
        "SECT163K1" | "SECT163R2" => 163,
        _ => return None,
    })
}
