//! Debugging failing tests (`loupe test`, `loupe run -m pytest`, `-m unittest`) against real pytest
//! and unittest, on debugpy, pdb and ipdb (`NAME::BACKEND`): each failing test stops where it
//! failed (a KeyError in a helper in the helper, with its locals; a failed assert at the assert,
//! with pytest's explanation), the stop names the test, `continue` goes on to the next failure, and
//! the exit code is the runner's. Passing tests, `--no-stop-on-failure` and `catch none` run
//! through without a stop; a module that fails to import during collection stops there and then
//! ends with pytest's own error, never a hang.
//!
//! The projects are under tests/programs (failing_tests, broken_tests, failing_unittest), copied
//! to a temporary directory for each run: pytest writes bytecode and caches beside them.

mod common;

use std::path::{Path, PathBuf};

use common::{program, python, Loupe, Run};
use serde_json::{json, Value};

// failing_tests/shop.py and tests/test_shop.py
const PRICE_RAISE: i64 = 7; //       return PRICES[name]
const TOTAL_ASSERT: i64 = 15; //     assert total(basket) == 90     (in test_total: 91 == 90)
                              // failing_tests/more/test_more.py and conftest.py
const APPLES_ASSERT: i64 = 8; //     assert total({"apple": count}) == expected
const FIXTURE_RAISE: i64 = 7; //     return stock["apple"]

/// A copy of `tests/programs/NAME` in a temporary directory.
fn project(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_tree(&program(name), dir.path());
    dir
}

/// `loupe test --batch --backend B --python <test python> [-ex C]... PYTEST_ARGS` in `dir`.
fn loupe_test(dir: &Path, backend: &str, commands: &[&str], pytest_args: &[&str]) -> Run {
    loupe_in(dir, &["test"], backend, &python(), commands, &with_quiet_pytest(pytest_args))
}

/// No .pytest_cache in the copy, and no colours in pytest's report.
fn with_quiet_pytest<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["-p", "no:cacheprovider", "--color=no"]);
    all
}

fn loupe_in(dir: &Path, command: &[&str], backend: &str, python: &Path, commands: &[&str], rest: &[&str]) -> Run {
    let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
    args.extend(["--batch", "--backend", backend, "--python"].map(String::from));
    args.push(python.display().to_string());
    for c in commands {
        args.extend(["-ex".to_string(), c.to_string()]);
    }
    args.extend(rest.iter().map(|s| s.to_string()));
    Loupe::new(args).cwd(dir).run()
}

/// Each stop as (file relative to `dir`, line, test node id).
fn stops_in(run: &Run, dir: &Path) -> Vec<(String, i64, Value)> {
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    run.stops()
        .iter()
        .map(|s| {
            let file = PathBuf::from(s["file"].as_str().unwrap_or_default());
            let file = file.canonicalize().unwrap_or(file);
            let relative = file.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(file);
            (relative.display().to_string(), s["line"].as_i64().unwrap_or(0), s["test"].clone())
        })
        .collect()
}

/// The bar: a KeyError in a helper stops in the helper with its locals, then a failed
/// assert at the assert line with pytest's explanation; exit code 1, as pytest's.
fn helper_keyerror_then_failed_assert_stop_in_turn(backend: &str) {
    let dir = project("failing_tests");
    let run = loupe_test(dir.path(), backend, &["locals", "continue", "locals", "continue"], &["tests"]);
    assert_eq!(
        stops_in(&run, dir.path()),
        vec![
            ("shop.py".into(), PRICE_RAISE, json!("tests/test_shop.py::test_unknown_fruit")),
            ("tests/test_shop.py".into(), TOTAL_ASSERT, json!("tests/test_shop.py::test_total")),
        ],
        "{run}"
    );
    let stops = run.stops();
    assert!(stops.iter().all(|s| s["reason"] == "exception" && s["test_phase"] == "call"), "{run}");
    assert_eq!(stops[0]["description"], "'kiwi'", "{run}");
    assert!(stops[0]["text"].as_str().is_some_and(|t| t.starts_with("KeyError")), "{run}");
    let explanation = stops[1]["description"].as_str().unwrap_or_default();
    assert!(explanation.starts_with("assert 91 == 90"), "pytest's explanation, not {explanation:?}\n{run}");

    let locals = run.results("locals");
    assert_eq!(Run::local(locals[0], "name").map(|v| v["value"].clone()), Some(json!("'kiwi'")), "{run}");
    assert_eq!(
        Run::local(locals[1], "basket").map(|v| v["value"].clone()),
        Some(json!("{'apple': 1, 'pear': 1}")),
        "{run}"
    );
    assert!(run.errors().is_empty(), "{run}");
    let report = run.output("stdout");
    assert!(report.contains("2 failed, 1 passed"), "pytest's own summary:\n{report}");
    assert_eq!(run.exit_code(), Some(1), "{run}");
    assert_eq!(run.code, Some(1), "{run}");
}
on_backends!(helper_keyerror_then_failed_assert_stop_in_turn);

/// A parametrized case stops at its assert with its parameters in the node id; a failing fixture
/// stops in the fixture, in the test's setup.
fn parametrized_case_and_fixture_failures_stop_where_they_fail(backend: &str) {
    let dir = project("failing_tests");
    let run = loupe_test(dir.path(), backend, &["locals"], &["more/test_more.py"]);
    assert_eq!(
        stops_in(&run, dir.path()),
        vec![
            ("more/test_more.py".into(), APPLES_ASSERT, json!("more/test_more.py::test_apples[2-61]")),
            ("conftest.py".into(), FIXTURE_RAISE, json!("more/test_more.py::test_needs_shelf")),
        ],
        "{run}"
    );
    assert_eq!(run.stops()[1]["test_phase"], "setup", "{run}");
    let locals = run.result("locals");
    assert_eq!(Run::local(locals, "count").map(|v| v["value"].clone()), Some(json!("2")), "{run}");
    assert!(run.stops()[0]["description"].as_str().unwrap_or_default().starts_with("assert 60 == 61"), "{run}");
    assert_eq!(run.code, Some(1), "{run}");
}
on_backends!(parametrized_case_and_fixture_failures_stop_where_they_fail: debugpy, pdb);

/// `-k` selects passing tests only: no stop, exit code 0.
fn passing_selection_runs_through_without_a_stop(backend: &str) {
    let dir = project("failing_tests");
    let run = loupe_test(dir.path(), backend, &[], &["tests", "more", "-k", "known_price or 1-30"]);
    assert!(run.stops().is_empty(), "{run}");
    assert!(run.output("stdout").contains("2 passed, 4 deselected"), "{run}");
    assert_eq!(run.code, Some(0), "{run}");
}
on_backends!(passing_selection_runs_through_without_a_stop: debugpy, pdb);

/// `--no-stop-on-failure` and `catch none` give pytest's plain run back: no stop, exit code 1.
fn no_stop_on_failure_and_catch_none_turn_it_off(backend: &str) {
    let dir = project("failing_tests");
    let flag = loupe_test(dir.path(), backend, &[], &["--no-stop-on-failure", "tests/test_shop.py"]);
    assert!(flag.stops().is_empty(), "{flag}");
    assert_eq!(flag.code, Some(1), "{flag}");
    let catch = loupe_test(dir.path(), backend, &["catch none"], &["tests/test_shop.py"]);
    assert!(catch.stops().is_empty(), "{catch}");
    assert!(catch.output("stdout").contains("2 failed, 1 passed"), "{catch}");
    assert_eq!(catch.code, Some(1), "{catch}");
}
on_backends!(no_stop_on_failure_and_catch_none_turn_it_off: debugpy, pdb);

/// A test module that fails to import stops at the import (user code), then pytest reports the
/// collection error and exits 2.
fn collection_crash_stops_at_the_import_then_pytest_reports_it(backend: &str) {
    let dir = project("broken_tests");
    common::copy_tree(&program("failing_tests"), dir.path());
    let run = loupe_test(dir.path(), backend, &[], &["test_broken.py"]);
    assert_eq!(stops_in(&run, dir.path()), vec![("test_broken.py".into(), 1, Value::Null)], "{run}");
    assert!(run.stops()[0]["text"].as_str().is_some_and(|t| t.starts_with("ImportError")), "{run}");
    assert!(run.output("stdout").contains("1 error during collection"), "{run}");
    assert_eq!(run.code, Some(2), "{run}");
}
on_backends!(collection_crash_stops_at_the_import_then_pytest_reports_it: debugpy, pdb);

/// `loupe run -m pytest` is `loupe test`.
fn run_m_pytest_stops_at_failures_too(backend: &str) {
    let dir = project("failing_tests");
    let run = loupe_in(
        dir.path(),
        &["run"],
        backend,
        &python(),
        &[],
        &with_quiet_pytest(&["-m", "pytest", "tests/test_shop.py"]),
    );
    let lines: Vec<i64> = stops_in(&run, dir.path()).into_iter().map(|(_, line, _)| line).collect();
    assert_eq!(lines, vec![PRICE_RAISE, TOTAL_ASSERT], "{run}");
    assert_eq!(run.code, Some(1), "{run}");
}
on_backends!(run_m_pytest_stops_at_failures_too: debugpy, pdb);

/// A CPython from pyenv, by version prefix (`3.8.`).
fn pyenv_python(prefix: &str) -> PathBuf {
    let root = std::env::var_os("PYENV_ROOT").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/root/.pyenv"));
    let versions = std::fs::read_dir(root.join("versions")).expect("pyenv's versions");
    let mut found: Vec<PathBuf> = versions
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path().join("bin/python"))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| panic!("no CPython {prefix}x in pyenv"))
}

/// `-m unittest` on pdb, on the oldest and newest CPython loupe supports (settrace's exception
/// events differ from 3.12 on): an assertEqual failing stops in the test (not in unittest's
/// assertEqual), a KeyError in a helper in the helper.
fn unittest_failures_stop_in_the_test_and_in_the_helper(version: &str) {
    let dir = project("failing_unittest");
    let run = loupe_in(
        dir.path(),
        &["run"],
        "pdb",
        &pyenv_python(version),
        &["locals", "continue", "locals"],
        &["-m", "unittest", "test_lookups"],
    );
    let stops = stops_in(&run, dir.path());
    let compare = json!("test_lookups.Lookups.test_compare");
    let missing = json!("test_lookups.Lookups.test_missing");
    assert_eq!(
        stops,
        vec![("test_lookups.py".to_string(), 15, compare), ("helpers.py".to_string(), 5, missing)],
        "the stops and the TestCase.id() of each: {run}"
    );
    let functions: Vec<&Value> = run.stops().iter().map(|s| &s["function"]).collect();
    assert_eq!(functions, [&json!("test_compare"), &json!("lookup")], "{run}");
    let locals = run.results("locals");
    assert_eq!(Run::local(locals[1], "key").map(|v| v["value"].clone()), Some(json!("'b'")), "{run}");
    assert!(run.stderr.contains("FAILED (failures=1, errors=1)") || run.output("stderr").contains("FAILED"), "{run}");
    assert_eq!(run.code, Some(1), "{run}");
}

#[test]
fn unittest_failures_stop_on_pdb_with_cpython_3_8() {
    unittest_failures_stop_in_the_test_and_in_the_helper("3.8.");
}

#[test]
fn unittest_failures_stop_on_pdb_with_cpython_3_13() {
    unittest_failures_stop_in_the_test_and_in_the_helper("3.13.");
}

/// Outside a test run, `catch user-unhandled` works on every backend: logging catches the error a
/// formatter raises, and the stop is in the formatter; without it, the program runs through.
fn catch_user_unhandled_stops_where_library_code_will_catch_it(backend: &str) {
    let script = program("user_unhandled.py").display().to_string();
    let run = Loupe::batch_on(backend, ["-ex", "catch user-unhandled", "-ex", "locals", script.as_str()]).run();
    assert_eq!(run.stop_lines(), vec![(9, "exception".to_string())], "{run}");
    assert_eq!(run.stops()[0]["function"].as_str().map(|f| f.starts_with("format")), Some(true), "{run}");
    assert_eq!(run.stops()[0]["description"], "'user'", "{run}");
    assert!(Run::local(run.result("locals"), "record").is_some(), "{run}");
    assert_eq!(run.code, Some(0), "{run}");

    let plain = Loupe::batch_on(backend, [script.as_str()]).run();
    assert!(plain.stops().is_empty(), "{plain}");
    assert!(plain.output("stderr").contains("--- Logging error ---"), "{plain}");
    assert_eq!(plain.code, Some(0), "{plain}");
}
on_backends!(catch_user_unhandled_stops_where_library_code_will_catch_it);

/// `--stop-on-entry` stops at the first line of the user's code, not in pytest's `__main__`:
/// pytest loads conftest.py first. Output capture is not in the way of pdb's prompt there either
/// (pytest captures from before conftest files load).
fn stop_on_entry_is_in_user_code(backend: &str) {
    let dir = project("failing_tests");
    let run = loupe_test(dir.path(), backend, &["continue", "continue"], &["--stop-on-entry", "tests/test_shop.py"]);
    let stops: Vec<(String, i64)> = stops_in(&run, dir.path()).into_iter().map(|(f, l, _)| (f, l)).collect();
    assert_eq!(stops[0], ("conftest.py".to_string(), 1), "{run}");
    assert_eq!(run.stops()[0]["reason"], "entry", "{run}");
    assert_eq!(stops[1..], [("shop.py".to_string(), PRICE_RAISE), ("tests/test_shop.py".to_string(), TOTAL_ASSERT)]);
    assert_eq!(run.code, Some(1), "{run}");
}
on_backends!(stop_on_entry_is_in_user_code: debugpy, pdb);

/// An interpreter without pytest is bad input, said before any debugger starts, on every backend.
fn pytest_missing_is_a_clear_error(backend: &str) {
    let dir = project("failing_tests");
    let bare = pyenv_python("3.13.");
    let run = loupe_in(dir.path(), &["test"], backend, &bare, &[], &["tests"]);
    assert!(run.stderr.contains("pytest is not installed for"), "{run}");
    assert!(run.stderr.contains("-m pip install pytest"), "{run}");
    assert!(run.lines.is_empty(), "{run}");
    assert_eq!(run.code, Some(2), "{run}");
}
on_backends!(pytest_missing_is_a_clear_error: debugpy, pdb);
