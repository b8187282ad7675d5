//! B608, SQL built from strings, as bandit finds it: a string literal that is an operand of a
//! binary operator (`+`, `%`, ...), the receiver of `.format`/`.replace`, or the first literal
//! part of an f-string, whose text (joined with the other literals of the same operator chain,
//! bandit's `concat_string`) looks like SQL. Confidence is medium when the expression is passed
//! straight to `execute`/`executemany` (and not built with `.replace`), low otherwise.

use crate::analyze::parse::ast::{self, Expr};

/// bandit's `(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)`,
/// case-insensitive, `.` matching newlines.
pub fn looks_like_sql(text: &str) -> bool {
    let lower: Vec<char> = text.to_lowercase().chars().collect();
    let at = |i: usize, word: &str| word.chars().enumerate().all(|(k, c)| lower.get(i + k) == Some(&c));
    let space = |i: usize| lower.get(i).is_some_and(|c| c.is_whitespace());
    let find_from = |start: usize, word: &str, after: &dyn Fn(usize) -> bool| {
        (start..lower.len()).any(|j| at(j, word) && after(j + word.chars().count()))
    };
    for i in 0..lower.len() {
        if at(i, "select") && space(i + 6) && find_from(i + 7, "from", &|j| space(j)) {
            return true;
        }
        if at(i, "delete") && space(i + 6) {
            let mut j = i + 6;
            while space(j) {
                j += 1;
            }
            if at(j, "from") && space(j + 4) {
                return true;
            }
        }
        if at(i, "insert") && space(i + 6) {
            let mut j = i + 6;
            while space(j) {
                j += 1;
            }
            let values_after = |k: usize| space(k) || lower.get(k) == Some(&'(');
            if at(j, "into") && space(j + 4) && find_from(j + 5, "values", &values_after) {
                return true;
            }
        }
        if at(i, "update") && space(i + 6) && find_from(i + 7, "set", &|j| space(j)) {
            return true;
        }
    }
    false
}

/// For each string literal directly under a binary operator of the chain topped by `top`: the
/// literal and bandit's statement for it (itself, then the chain's other literals outside its
/// own operator).
pub fn binop_statements(top: &Expr) -> Vec<(&ast::ExprStringLiteral, String)> {
    let mut out = Vec::new();
    collect_parents(top, top, &mut out);
    out
}

fn collect_parents<'a>(top: &'a Expr, node: &'a Expr, out: &mut Vec<(&'a ast::ExprStringLiteral, String)>) {
    let Expr::BinOp(binop) = node else { return };
    for child in [binop.left.as_ref(), binop.right.as_ref()] {
        match child {
            Expr::StringLiteral(s) => {
                let mut parts = vec![s.value.to_str().to_string()];
                literals_outside(top, node, &mut parts);
                out.push((s, parts.join(" ")));
            }
            Expr::BinOp(_) => collect_parents(top, child, out),
            _ => {}
        }
    }
}

/// bandit's `_get(top, bits, stop)`: the literals of the chain in order, skipping `stop`'s
/// subtree.
fn literals_outside(node: &Expr, stop: &Expr, parts: &mut Vec<String>) {
    if std::ptr::eq(node, stop) {
        return;
    }
    let Expr::BinOp(binop) = node else { return };
    for child in [binop.left.as_ref(), binop.right.as_ref()] {
        match child {
            Expr::BinOp(_) => literals_outside(child, stop, parts),
            Expr::StringLiteral(s) => parts.push(s.value.to_str().to_string()),
            _ => {}
        }
    }
}

/// The literal text of an f-string (its literal parts joined), when it has any.
pub fn fstring_literals(fstring: &ast::ExprFString) -> Option<String> {
    let mut text = String::new();
    let mut any = false;
    for part in fstring.value.iter() {
        match part {
            ast::FStringPart::Literal(literal) => {
                any = true;
                text.push_str(&literal.value);
            }
            ast::FStringPart::FString(f) => {
                for element in f.elements.iter() {
                    if let ast::InterpolatedStringElement::Literal(literal) = element {
                        any = true;
                        text.push_str(&literal.value);
                    }
                }
            }
        }
    }
    any.then_some(text)
}

#[cfg(test)]
mod tests {
    use super::looks_like_sql;

    #[test]
    fn bandits_sql_pattern() {
        assert!(looks_like_sql("SELECT * FROM t WHERE id = "));
        assert!(looks_like_sql("delete  from users where"));
        assert!(looks_like_sql("INSERT INTO t (a) VALUES("));
        assert!(looks_like_sql("update t set a = "));
        assert!(!looks_like_sql("selected from the list"));
        assert!(!looks_like_sql("select an item"));
    }
}
