//! bandit's blacklists: calls (B301–B325) matched by exact qualified name, imports (B401–B415)
//! matched by prefix (bandit's `startswith`, so `pickletools` counts as `pickle`), including
//! `__import__('x')` and `importlib.import_module('x')` calls. The first matching rule wins.

use super::blacklist_data::{CALLS, IMPORTS};
use crate::analyze::report::Level;

/// One blacklist entry, as bandit defines it.
#[derive(Debug)]
pub struct BlacklistRule {
    pub id: &'static str,
    pub name: &'static str,
    pub qualnames: &'static [&'static str],
    pub message: &'static str,
    pub severity: Level,
    pub cwe: u32,
}

impl BlacklistRule {
    pub fn message_for(&self, name: &str) -> String {
        self.message.replace("{name}", name)
    }
}

/// The rule a call to `qualified` breaks, if any: call rules by equality, then import rules
/// (for `__import__` and friends, whose "name" is the imported module).
pub fn call_rule(qualified: &str) -> Option<&'static BlacklistRule> {
    CALLS.iter().chain(IMPORTS.iter()).find(|rule| rule.qualnames.contains(&qualified))
}

/// The rule an imported name (`module.name` for `from` imports) breaks, if any.
pub fn import_rule(full_name: &str) -> Option<&'static BlacklistRule> {
    IMPORTS.iter().find(|rule| rule.qualnames.iter().any(|q| full_name.starts_with(q)))
}

/// Every rule ID in the blacklists.
pub fn rule_ids() -> impl Iterator<Item = (&'static str, &'static str, Level, u32)> {
    CALLS.iter().chain(IMPORTS.iter()).map(|r| (r.id, r.name, r.severity, r.cwe))
}
