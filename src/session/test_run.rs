//! Debugging a test run: which programs are test runners (pytest, unittest), the exception
//! filters that stop at each failing test, and which test a stop belongs to.
//!
//! A test runner catches a failing test's exception to report it, so neither post-mortem nor
//! `uncaught` sees it. The `user-unhandled` filter does (raised in the user's code, caught by the
//! library): a KeyError in a helper stops in the helper, a failed assert at the assert. Which test
//! failed is pytest's own word: it keeps `PYTEST_CURRENT_TEST` (`NODEID (PHASE)`) in the process's
//! environment while each test runs, so the stop asks the program, on any backend, instead of
//! loupe guessing from the stack or loading a plugin into the user's pytest. Under unittest the
//! running `TestCase`'s own `id()` names it.

use super::{EvalContext, ExceptionFilter, FrameId, Session, Target};

/// The filters of a test run: each failing test stops where it failed, and a crash of the runner
/// itself still stops post-mortem.
pub const TEST_FAILURE_FILTERS: &[ExceptionFilter] = &[ExceptionFilter::Uncaught, ExceptionFilter::UserUnhandled];

/// Whether `target` is a test runner whose failures loupe stops at (`-m pytest`, `-m unittest`).
pub fn is_test_runner(target: &Target) -> bool {
    matches!(target, Target::Module(m) if matches!(m.as_str(), "pytest" | "py.test" | "unittest"))
}

/// The test a stop belongs to, as pytest names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentTest {
    /// pytest's node id, e.g. `tests/test_shop.py::test_total[2-3]`.
    pub node_id: String,
    /// `setup` (a fixture failed), `call` (the test itself) or `teardown`.
    pub phase: Option<String>,
}

impl CurrentTest {
    /// From `PYTEST_CURRENT_TEST`'s value, `NODEID (PHASE)`.
    pub fn parse(value: &str) -> Option<CurrentTest> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match value.strip_suffix(')').and_then(|v| v.rsplit_once(" (")) {
            Some((node, phase)) if !node.is_empty() => {
                Some(CurrentTest { node_id: node.to_string(), phase: Some(phase.to_string()) })
            }
            _ => Some(CurrentTest { node_id: value.to_string(), phase: None }),
        }
    }
}

/// The expression that reads it in the program (a `repr` of a str, or of None). Outside pytest,
/// a unittest run names its test by the `TestCase` running it: the nearest frame up a thread's
/// stack whose first parameter `self` is one, and its `id()` (`test_shop.Shop.test_total`). Every
/// thread's stack is searched, as the pdb bridge answers on a thread of its own. Only
/// methods' locals are read, and unittest is not imported by the question (without it in
/// `sys.modules` there is no `TestCase` to find).
const CURRENT_TEST_EXPRESSION: &str = "__import__('os').environ.get('PYTEST_CURRENT_TEST') or next((\
    fr.f_locals['self'].id() for top in __import__('sys')._current_frames().values() \
    for fr, _ in __import__('traceback').walk_stack(top) \
    if fr.f_code.co_varnames[:1] == ('self',) and isinstance(fr.f_locals.get('self'), \
    getattr(__import__('sys').modules.get('unittest'), 'TestCase', ()))), None)";

impl Session {
    /// The pytest test running at this stop, asked of the program in `frame`; None outside a test
    /// (or when the program cannot be asked).
    pub async fn current_test(&self, frame: FrameId) -> Option<CurrentTest> {
        let result = self.evaluate(CURRENT_TEST_EXPRESSION, Some(frame), EvalContext::Watch).await;
        let value = match result {
            Ok(r) => r.value,
            Err(e) => {
                tracing::debug!("no current test: {e:#}");
                return None;
            }
        };
        CurrentTest::parse(&unquote(&value)?)
    }
}

/// The text of a Python `repr` of a str (None for anything else, such as `None`).
fn unquote(repr: &str) -> Option<String> {
    let quote = repr.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let inner = repr.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pytest_current_test_gives_node_and_phase() {
        let t = CurrentTest::parse("tests/test_shop.py::test_total[a (b)] (call)").unwrap();
        assert_eq!(t.node_id, "tests/test_shop.py::test_total[a (b)]");
        assert_eq!(t.phase.as_deref(), Some("call"));
        assert_eq!(CurrentTest::parse("x.py::t").unwrap().phase, None);
        assert_eq!(CurrentTest::parse("  "), None);
    }

    #[test]
    fn reprs_of_strings_are_unquoted() {
        assert_eq!(unquote("'a::b (call)'").as_deref(), Some("a::b (call)"));
        assert_eq!(unquote(r#""it's""#).as_deref(), Some("it's"));
        assert_eq!(unquote(r"'a\'b\\c'").as_deref(), Some(r"a'b\c"));
        assert_eq!(unquote("None"), None);
    }

    #[test]
    fn test_runners_are_modules() {
        assert!(is_test_runner(&Target::Module("pytest".into())));
        assert!(is_test_runner(&Target::Module("unittest".into())));
        assert!(!is_test_runner(&Target::Module("http.server".into())));
        assert!(!is_test_runner(&Target::Program("pytest".into())));
    }
}
