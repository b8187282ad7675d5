//! End to end: the real `loupe` binary's flame view in a pseudo-terminal, driven by keys, read
//! through a VT100 emulator; and "debug here", which leaves the flame view for the debugger,
//! stopped in the chosen function.

mod common;

use std::path::Path;

use common::pty::{row_with, Tui};
use common::{python, repo};

fn homes() -> (tempfile::TempDir, tempfile::TempDir) {
    (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap())
}

fn assert_terminal_restored(tui: &Tui) {
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    let left = raw.rfind("\x1b[?1049l").expect("loupe never left the alternate screen");
    let entered = raw.rfind("\x1b[?1049h").expect("loupe never entered the alternate screen");
    assert!(left > entered, "the last alternate-screen switch was into it, not out");
    if let Some((canonical, echo)) = tui.line_discipline() {
        assert!(canonical && echo, "raw mode was left on (canonical {canonical}, echo {echo})");
    }
}

#[test]
fn flame_view_keys_table_search_and_quit() {
    let (state, config) = homes();
    let env: Vec<(&str, &Path)> = vec![("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let fixture = repo().join("tests/programs/profile/fixtures/structure-3.11.prof");
    let mut tui = Tui::spawn(&["flame", fixture.to_str().unwrap()], &repo(), &env, 110, 30);
    let screen = tui.wait_text("structure-3.11.prof · 1.1 ms");
    assert!(screen.contains("inferred · flame · library shown"), "{screen}");
    assert!(screen.contains("outer (structure.py:22)"), "{screen}");
    tui.send("i");
    tui.wait_text("· icicle ·");
    tui.send("t");
    let screen = tui.wait_text("functions by self");
    let row =
        screen.lines().find(|l| l.contains("work (structure.py:5)") && l.contains('%')).expect("work in the table");
    assert!(row.contains(" 40 "), "{row}");
    tui.send("\x1b");
    tui.send("/");
    tui.type_text("leaf");
    tui.send("\r");
    let screen = tui.wait_text("search \"leaf\"");
    assert!(row_with(&screen, "leaf structure.py:12 · total").is_some(), "{screen}");
    tui.send("?");
    tui.wait_text("flame view keys");
    tui.send("x");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
}

/// Ctrl-C ends the flame view (even while a search is being typed), and the terminal is given
/// back: the shared event loop (`tui::screen`) handles it for every full-screen view.
#[test]
fn ctrl_c_ends_the_flame_view() {
    let (state, config) = homes();
    let env: Vec<(&str, &Path)> = vec![("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let fixture = repo().join("tests/programs/profile/fixtures/structure-3.11.prof");
    let mut tui = Tui::spawn(&["flame", fixture.to_str().unwrap()], &repo(), &env, 110, 30);
    tui.wait_text("structure-3.11.prof · 1.1 ms");
    tui.send("/");
    tui.type_text("lea");
    tui.send("\x03");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
}

#[test]
fn profile_then_debug_here_stops_in_the_function() {
    let (state, config) = homes();
    let env: Vec<(&str, &Path)> = vec![("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let python = python();
    let script = repo().join("tests/programs/profile/structure.py");
    let args = ["profile", "--python", python.to_str().unwrap(), script.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &env, 120, 32);
    tui.wait_text("structure.py · ");
    tui.send("/");
    tui.type_text("inner");
    tui.send("\r");
    tui.wait_text("inner ");
    tui.send("b");
    // The debugger's TUI holds the program at its first line with the breakpoint set on inner's
    // first body line (17); continuing stops there.
    tui.wait_text("1 ▶");
    tui.send("c");
    let screen = tui.wait_until(std::time::Duration::from_secs(60), |s| s.contains("17 ▶"));
    let screen = screen.unwrap_or_else(|s| panic!("the debugger did not stop in inner:\n{s}"));
    assert!(row_with(&screen, "17 ▶").unwrap().contains("for _ in range(5):"), "{screen}");
    tui.send("q");
    tui.wait_exit();
    assert_terminal_restored(&tui);
    // Where the breakpoint went stays on the terminal under the debugger.
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    assert!(raw.contains("loupe: debug: break at structure.py:17 (first line of inner)"), "{raw}");
}

/// `loupe profile --lines` on a terminal: the line report view, its hottest line first and the
/// source beside it with the time per line in the gutter (issue 23).
#[test]
fn profile_lines_opens_the_line_report_with_times_in_the_gutter() {
    let (state, config) = homes();
    let env: Vec<(&str, &Path)> = vec![("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let python = python();
    let script = repo().join("tests/programs/profile/lines_workload.py");
    let args =
        ["profile", "--lines", "--function", "crunch", "--python", python.to_str().unwrap(), script.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &env, 110, 32);
    // Waits for the whole screen: the source pane is drawn after the list.
    let screen = tui
        .wait_until(std::time::Duration::from_secs(60), |s| s.contains("hottest lines by time") && s.contains("# HOT"));
    let screen = screen.unwrap_or_else(|s| panic!("no line report:\n{s}"));
    assert!(screen.contains("line times of lines_workload.py"), "{screen}");
    // The first row of the list is the hottest line, the `# HOT` one, and the source pane shows
    // it with its time and share in the gutter.
    let listed = screen.lines().skip_while(|l| !l.contains("share")).nth(1).unwrap_or_default();
    assert!(listed.contains("lines_workload.py:21") && listed.contains("in crunch"), "{screen}");
    let gutter = row_with(&screen, "# HOT").unwrap_or_else(|| panic!("no source row:\n{screen}"));
    assert!(gutter.contains("ms") && gutter.contains('%') && gutter.contains("21▶"), "{gutter}");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
}

/// `loupe profile --alloc` on a terminal: the peak, the RSS sparkline, and the line that held the
/// most at the peak with its bytes in the gutter.
#[test]
fn profile_alloc_opens_the_line_report_with_bytes_and_rss() {
    let (state, config) = homes();
    let env: Vec<(&str, &Path)> = vec![("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let python = python();
    let script = repo().join("tests/programs/profile/alloc_peak.py");
    let args = ["profile", "--alloc", "--python", python.to_str().unwrap(), script.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &env, 110, 32);
    let screen = tui.wait_until(std::time::Duration::from_secs(60), |s| {
        s.contains("hottest lines by memory") && s.contains("# the big line")
    });
    let screen = screen.unwrap_or_else(|s| panic!("no line report:\n{s}"));
    assert!(screen.contains("peak ") && screen.contains(" MiB"), "{screen}");
    assert!(screen.contains("RSS over"), "{screen}");
    let gutter = row_with(&screen, "# the big line").unwrap_or_else(|| panic!("no source row:\n{screen}"));
    assert!(gutter.contains("MiB") && gutter.contains("8▶"), "{gutter}");
    tui.send("?");
    tui.wait_text("switch between the list and the source");
    tui.send("x");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
}

/// In the flame view, `p` on a frame runs the program again timing that function's lines and
/// comes back with the times beside its source.
#[test]
fn line_times_here_from_the_flame_view() {
    let (state, config) = homes();
    let env: Vec<(&str, &Path)> = vec![("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let python = python();
    let script = repo().join("tests/programs/profile/lines_workload.py");
    let args = ["profile", "--python", python.to_str().unwrap(), script.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &env, 120, 34);
    tui.wait_text("lines_workload.py · ");
    tui.send("/");
    tui.type_text("crunch");
    tui.send("\r");
    tui.wait_text("search \"crunch\"");
    tui.send("p");
    let screen = tui.wait_until(std::time::Duration::from_secs(60), |s| s.contains("the hottest line is 21"));
    let screen = screen.unwrap_or_else(|s| panic!("no line times came back:\n{s}"));
    let gutter = row_with(&screen, "# HOT").unwrap_or_else(|| panic!("no source row:\n{screen}"));
    assert!(gutter.contains("ms") && gutter.contains('%'), "{gutter}");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
}

/// `p` runs the program again with the run's own sandbox flags: a program that reads data from a
/// directory granted with `--allow-read` reads it again, and its hot loop gets the line times.
#[test]
fn line_times_here_keeps_the_runs_sandbox_flags() {
    let (state, config) = homes();
    let env: Vec<(&str, &Path)> = vec![("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let project = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("input.txt"), "some data\n").unwrap();
    let script = project.path().join("reads_data.py");
    std::fs::write(
        &script,
        "import sys\n\n\ndef crunch(path):\n    with open(path) as f:\n        data = f.read()\n    total = 0\n    \
         for i in range(300000):\n        total += i % 7  # HOT\n    return total + len(data)\n\n\nprint(crunch(sys.argv[1]))\n",
    )
    .unwrap();
    let python = python();
    let data_dir = data.path().to_str().unwrap();
    let input = data.path().join("input.txt");
    let args = [
        "profile",
        "--allow-read",
        data_dir,
        "--python",
        python.to_str().unwrap(),
        script.to_str().unwrap(),
        input.to_str().unwrap(),
    ];
    let mut tui = Tui::spawn(&args, project.path(), &env, 120, 34);
    tui.wait_text("reads_data.py · ");
    tui.send("/");
    tui.type_text("crunch");
    tui.send("\r");
    tui.wait_text("search \"crunch\"");
    tui.send("p");
    let screen =
        tui.wait_until(std::time::Duration::from_secs(60), |s| s.contains("line times of crunch: the hottest"));
    let screen = screen.unwrap_or_else(|s| panic!("the rerun did not get the line times:\n{s}"));
    // The loop and the line after it ran: the rerun could read its data (a refused open ends
    // crunch at line 5). Which of the loop's two lines is hotter varies from run to run.
    for text in ["# HOT", "return total + len(data)"] {
        let gutter = row_with(&screen, text).unwrap_or_else(|| panic!("no source row {text:?}:\n{screen}"));
        assert!(gutter.contains('%'), "{gutter}");
        assert!(gutter.contains("µs") || gutter.contains("ms"), "{text:?} did not run in the rerun: {gutter}");
    }
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
}
