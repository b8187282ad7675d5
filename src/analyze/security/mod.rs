//! Security findings compatible with bandit: same test IDs, severities, confidences, CWEs and
//! messages, `# nosec` and `# nosec B123` honoured, and a per-file risk score.
//!
//! [`blacklist`] holds bandit's call and import blacklists (B3xx, B4xx, data generated from
//! bandit); [`rules`] walks the module and runs the plugin tests (B1xx, B5xx, B6xx, B7xx), with
//! [`passwords`] (B105–B107), [`sql`] (B608), [`tls`] (B502–B504), [`crypto_keys`] (B505), [`django`] (B610, B611), [`django_xss`] (B703), [`library_calls`] (B202, B507, B612, B614, B704) and [`trojansource`] (B613) apart; [`context`] resolves call names through
//! import aliases the way bandit does; [`nosec`] reads the suppression comments.

pub mod blacklist;
mod blacklist_data;
pub mod context;
pub mod crypto_keys;
pub mod django;
mod django_xss;
pub mod library_calls;
pub mod nosec;
pub mod passwords;
pub mod rules;
pub mod sql;
pub mod tls;
pub mod trojansource;

use super::parse::ParsedModule;
use super::report::{Finding, Level};

/// Every security test loupe implements, as (id, bandit's name, CWE), sorted by id: the plugin
/// tests and the call and import blacklists (`loupe analyze --list-rules`).
pub fn all_tests() -> Vec<(&'static str, &'static str, u32)> {
    let blacklists = blacklist_data::CALLS.iter().chain(blacklist_data::IMPORTS).map(|r| (r.id, r.name, r.cwe));
    let mut all: Vec<_> = rules::PLUGIN_TESTS.iter().copied().chain(blacklists).collect();
    all.sort_unstable();
    all.dedup_by_key(|t| t.0);
    all
}

/// All findings of a module, `# nosec` applied, in line order.
pub fn check(parsed: &ParsedModule<'_>) -> Vec<Finding> {
    let mut findings = rules::run(parsed);
    findings.extend(trojansource::check(parsed.source));
    let suppressions = nosec::Suppressions::read(parsed);
    findings.retain(|f| !suppressions.suppresses(f.line, f.test_id));
    findings.sort_by_key(|f| (f.line, f.column, f.test_id));
    findings
}

/// A file's risk score: each finding weighs severity (low 1, medium 3, high 5) times
/// confidence (low 1, medium 2, high 3), as in docs/ANALYZER.md.
pub fn risk_score(findings: &[Finding]) -> u32 {
    let weight = |level: Level| match level {
        Level::Low => 1,
        Level::Medium => 3,
        Level::High => 5,
    };
    let confidence = |level: Level| match level {
        Level::Low => 1,
        Level::Medium => 2,
        Level::High => 3,
    };
    findings.iter().map(|f| weight(f.severity) * confidence(f.confidence)).sum()
}
