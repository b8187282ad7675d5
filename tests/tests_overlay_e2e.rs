//! End to end: `loupe test` in the TUI with the tests overlay, on real pytest, the real binary in
//! a pseudo-terminal, on debugpy and pdb. The overlay lists pytest's own collection (run in the
//! sandbox), marks the failure the run stopped at, runs everything again through each failure to
//! the end, debugs one selected test alone (which passes: the program exits 0), and then shows the
//! tests pytest recorded as failed.

mod common;

use common::pty::{row_with, Tui};
use common::{program, python};

/// Waits for the status bar to name `node` as the failing test.
fn stop_at(tui: &Tui, node: &str) {
    let status = format!("test failed: {node} ");
    tui.wait_for(&format!("the stop at {node}"), |s| s.lines().last().is_some_and(|l| l.contains(&status)));
}

fn overlay_debugs_one_test_then_shows_last_outcomes(backend: &str) {
    let project = tempfile::tempdir().unwrap();
    common::copy_tree(&program("failing_tests"), project.path());
    let (state, config) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = [("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let python = python();
    let args =
        ["test", "--backend", backend, "--python", python.to_str().unwrap(), "--", "tests", "more", "--color=no"];
    let mut tui = Tui::spawn(&args, project.path(), &env, 200, 36);

    // The first failure stops the run (and closes the overlay); the status bar names the test.
    stop_at(&tui, "tests/test_shop.py::test_unknown_fruit");
    tui.send("T");
    let screen = tui.wait_for("the overlay with pytest's collection", |s| {
        s.contains("tests/test_shop.py::test_known_price") && s.contains("more/test_more.py::test_apples[2-61]")
    });
    assert!(screen.contains("6 tests"), "{screen}");
    let stopped = row_with(&screen, "tests/test_shop.py::test_unknown_fruit").unwrap();
    assert!(stopped.contains('◆'), "the test stopped at is marked: {screen}");

    // All of them again, through every failure to the end: pytest records the failures.
    tui.send("a");
    tui.wait_for("the stop to end", |s| s.lines().last().is_some_and(|l| !l.contains("test failed")));
    for failing in [
        "tests/test_shop.py::test_unknown_fruit",
        "tests/test_shop.py::test_total",
        "more/test_more.py::test_apples[2-61]",
        "more/test_more.py::test_needs_shelf",
    ] {
        stop_at(&tui, failing);
        tui.send("c");
    }
    tui.wait_text("exited with code 1");

    // Enter on the first test (it passes): pytest runs it alone, the program exits 0, and the
    // overlay shows the four failures from pytest's cache.
    tui.send("T");
    tui.wait_text("6 tests");
    tui.send("g\r");
    tui.wait_text("exited with code 0");
    tui.send("T");
    let screen = tui.wait_for("the failures pytest recorded", |s| {
        s.contains("6 tests · 4 failed")
            && row_with(s, "more/test_more.py::test_needs_shelf").is_some_and(|r| r.contains('✗'))
    });
    assert!(screen.contains("Tests · pytest tests/test_shop.py::test_known_price"), "{screen}");
    let passed = row_with(&screen, "tests/test_shop.py::test_known_price").unwrap();
    assert!(!passed.contains('✗') && !passed.contains('◆'), "{screen}");
    tui.send("\x1b");
    tui.wait_for("the overlay to close", |s| !s.contains("6 tests · 4 failed"));
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn tests_overlay_on_debugpy() {
    overlay_debugs_one_test_then_shows_last_outcomes("debugpy");
}

#[test]
fn tests_overlay_on_pdb() {
    overlay_debugs_one_test_then_shows_last_outcomes("pdb");
}

/// A test module that cannot be imported: the overlay says so in pytest's words (no hang, no
/// empty list without a reason).
#[test]
fn tests_overlay_shows_a_collection_error() {
    let project = tempfile::tempdir().unwrap();
    common::copy_tree(&program("broken_tests"), project.path());
    let (state, config) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = [("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let python = python();
    let args = ["test", "--backend", "pdb", "--no-stop-on-failure", "--python", python.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, project.path(), &env, 200, 36);
    // The overlay is open from the start (no failure stops this run) and gets pytest's error.
    let screen = tui.wait_for("the collection error and the run's end", |s| {
        s.contains("pytest could not collect the tests") && s.contains("exited with code 2")
    });
    assert!(screen.contains("No module named 'shop'") && screen.contains("ERROR test_broken.py"), "{screen}");
    tui.send("\x1b");
    tui.wait_for("the overlay to close", |s| !s.contains("pytest could not collect"));
    tui.send("q");
    // loupe exits with the program's status (pytest's 2: collection was interrupted).
    assert_eq!(tui.wait_exit(), 2);
}
