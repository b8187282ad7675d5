//! bandit's hard-coded password tests: B105 (a string assigned to, compared with, or keyed by a
//! password-like name), B106 (a password-like keyword argument), B107 (a password-like
//! parameter default). "Password-like" is bandit's `RE_CANDIDATES`: an underscore-separated part
//! of the name that is `pas+wo?r?d`, `pass`, `passphrase`, `pwd`, `token` or `secret(e)`.

use crate::analyze::parse::ast::{self, Expr};

use super::context;

/// Whether `name` matches bandit's `(^W$|_W_|^W_|_W$)` for the password words W.
pub fn is_candidate(name: &str) -> bool {
    name.split('_').any(|part| is_password_word(&part.to_ascii_lowercase()))
}

fn is_password_word(word: &str) -> bool {
    if matches!(word, "pass" | "passphrase" | "pwd" | "token" | "secret" | "secrete") {
        return true;
    }
    // pas+wo?r?d
    let Some(rest) = word.strip_prefix("pa") else { return false };
    let rest = rest.trim_start_matches('s');
    if rest.len() == word.len() - 2 {
        return false; // no `s` at all
    }
    let Some(rest) = rest.strip_prefix('w') else { return false };
    let rest = rest.strip_prefix('o').unwrap_or(rest);
    let rest = rest.strip_prefix('r').unwrap_or(rest);
    rest == "d"
}

/// How bandit prints the value in its message (Python's `str()` of the constant).
pub fn shown(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        Expr::BytesLiteral(_) | Expr::EllipsisLiteral(_) => None,
        other => context::literal(other).filter(|_| !matches!(other, Expr::Name(_))),
    }
}

pub fn message(value: &str) -> String {
    format!("Possible hardcoded password: '{value}'")
}

/// B107's pairs of (parameter, default) as bandit lines them up: `args.defaults` (which also
/// covers positional-only parameters) aligned to the end of `args.args` only.
pub fn defaults_of(parameters: &ast::Parameters) -> Vec<(&str, &Expr)> {
    let defaults: Vec<&Expr> =
        parameters.posonlyargs.iter().chain(parameters.args.iter()).filter_map(|p| p.default.as_deref()).collect();
    let names: Vec<&str> = parameters.args.iter().map(|p| p.parameter.name.id.as_str()).collect();
    let padding = names.len().saturating_sub(defaults.len());
    names.iter().skip(padding).copied().zip(defaults).collect()
}

#[cfg(test)]
mod tests {
    use super::is_candidate;

    #[test]
    fn bandit_candidates() {
        for yes in ["password", "PASSWORD", "db_passwd", "pwd_hash", "api_token", "my_secret", "passwrd", "pass"] {
            assert!(is_candidate(yes), "{yes}");
        }
        for no in ["passage", "bypass", "tokens", "secretary", "compass", "password2"] {
            assert!(!is_candidate(no), "{no}");
        }
    }
}
