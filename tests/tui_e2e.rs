//! End to end: the real `loupe` binary in a pseudo-terminal, driven with the keys a user presses,
//! debugging real CPython under real debugpy. The screen is read through a VT100 emulator.
//!
//! Set `LOUPE_WRITE_SCREENSHOTS=1` to also write the screens of the main scenario to
//! `screenshots/*.svg` (see README: this is how the screenshots are made).

mod common;

use std::path::{Path, PathBuf};

use common::pty::{row_with, Tui};
use common::{python, repo};

fn demo() -> PathBuf {
    repo().join("examples/demo.py")
}

/// A private state and config home per test, so breakpoints saved by one test never show up in
/// another and the developer's own config is not read.
struct Homes {
    state: tempfile::TempDir,
    config: tempfile::TempDir,
}

impl Homes {
    fn new() -> Homes {
        Homes { state: tempfile::tempdir().unwrap(), config: tempfile::tempdir().unwrap() }
    }

    fn env(&self) -> Vec<(&'static str, &Path)> {
        vec![("XDG_STATE_HOME", self.state.path()), ("XDG_CONFIG_HOME", self.config.path())]
    }
}

fn start(homes: &Homes, cols: u16, rows: u16) -> Tui {
    let python = python();
    let demo = demo();
    let args = ["run", "--python", python.to_str().unwrap(), demo.to_str().unwrap()];
    Tui::spawn(&args, &repo(), &homes.env(), cols, rows)
}

fn screenshot(tui: &Tui, name: &str) {
    if std::env::var_os("LOUPE_WRITE_SCREENSHOTS").is_none() {
        return;
    }
    let dir = repo().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.svg")), common::svg::screen_to_svg(&tui.screen_state())).unwrap();
}

/// Asserts loupe gave the terminal back: alternate screen left, cursor shown, line discipline
/// (canonical input and echo) restored.
fn assert_terminal_restored(tui: &Tui) {
    let raw = String::from_utf8_lossy(&tui.raw()).into_owned();
    let left = raw.rfind("\x1b[?1049l").expect("loupe never left the alternate screen");
    let entered = raw.rfind("\x1b[?1049h").expect("loupe never entered the alternate screen");
    assert!(left > entered, "the last alternate-screen switch was into it, not out");
    assert!(raw[left..].contains("\x1b[?25h") || raw[..left].rfind("\x1b[?25h") > raw[..left].rfind("\x1b[?25l"));
    if let Some((canonical, echo)) = tui.line_discipline() {
        assert!(canonical && echo, "raw mode was left on (canonical {canonical}, echo {echo})");
    }
}

#[test]
fn conditional_breakpoint_continue_inspect_step_and_quit() {
    let homes = Homes::new();
    let mut tui = start(&homes, 120, 36);
    tui.wait_text("stopped (entry)");
    screenshot(&tui, "entry");

    // Go to line 31, set a breakpoint there and give it a condition in the dialog.
    tui.send("L");
    tui.wait_text("Go to line");
    tui.type_text("31\r");
    tui.wait_for("the cursor on line 31", |s| s.contains("31/42"));
    tui.send("b");
    tui.wait_text("demo.py:31");
    tui.send("B");
    tui.wait_text("Breakpoint 1 at");
    tui.type_text("i == 3");
    screenshot(&tui, "breakpoint-dialog");
    tui.send("\r");
    tui.wait_text("if i == 3");

    // Continue: the breakpoint stops on the fourth iteration only.
    tui.send("c");
    let screen = tui.wait_text("stopped (breakpoint)");
    let screen = if screen.contains("i: int = 3") { screen } else { tui.wait_text("i: int = 3") };
    assert!(row_with(&screen, "demo.py:31").is_some(), "{screen}");
    screenshot(&tui, "breakpoint");

    // Step over: line 32, and `value` is fib(3) = 2.
    tui.send("n");
    tui.wait_for("the stop on line 32", |s| s.contains("stopped (step)") && s.contains("demo.py:32"));
    tui.wait_text("value: int = 2");

    // The console evaluates in the selected frame.
    tui.send("!");
    tui.type_text("value * 1000 + i\r");
    tui.wait_text("2003");
    screenshot(&tui, "console");
    tui.send("\x1b");
    tui.wait_for("the source pane focused again", |s| s.starts_with('┏'));

    // The help overlay lists the keys.
    tui.send("?");
    tui.wait_text("step over");
    screenshot(&tui, "help");
    tui.send("\x1b");
    tui.wait_for("the help to close", |s| !s.contains("step over"));

    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);

    // The breakpoint (and its condition) comes back next time in this project.
    let mut again = start(&homes, 120, 36);
    let screen = again.wait_text("stopped (entry)");
    let screen = if screen.contains("if i == 3") { screen } else { again.wait_text("if i == 3") };
    assert!(row_with(&screen, "demo.py:31").is_some(), "{screen}");
    again.send("q");
    again.wait_exit();
}

#[test]
fn quick_open_finds_a_file_by_a_few_letters_and_shows_it() {
    let homes = Homes::new();
    let mut tui = start(&homes, 120, 36);
    tui.wait_text("stopped (entry)");
    // Ctrl-P, as in VS Code: the project's Python files, ranked as one types.
    tui.send("\x10");
    tui.wait_text("Open file");
    tui.type_text("fixsrcinvent");
    let screen = tui.wait_text("tests/fixtures/source/inventory.py");
    assert!(screen.contains("▶ tests/fixtures/source/inventory.py"), "the best match is selected:\n{screen}");
    tui.send("\r");
    tui.wait_for("the file in the source pane", |s| {
        s.contains("┏ tests/fixtures/source/inventory.py") && !s.contains("Open file")
    });
    // Esc closes it without opening anything.
    tui.send("\x10");
    tui.wait_text("Open file");
    tui.type_text("demo");
    tui.send("\x1b");
    tui.wait_for("the dialog to close", |s| {
        !s.contains("Open file") && s.contains("┏ tests/fixtures/source/inventory.py")
    });
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn keys_work_while_the_program_runs_and_pause_stops_it() {
    let homes = Homes::new();
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("spin.py");
    std::fs::write(&program, "import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep(0.01)\n").unwrap();
    let args = ["run", "--python", python.to_str().unwrap(), program.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &homes.env(), 100, 30);
    tui.wait_text("stopped (entry)");
    tui.send("c");
    tui.wait_text("running");
    // The UI answers while the program runs: the help overlay opens and closes.
    tui.send("?");
    tui.wait_text("step over");
    // Wait for the overlay to close: an Esc followed at once by p reads as Alt-p.
    tui.send("\x1b");
    tui.wait_for("the help to close", |s| !s.contains("step over"));
    tui.send("p");
    tui.wait_text("stopped (pause)");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
}

/// A breakpoint set while the program runs takes effect without a pause first, on each backend.
fn a_breakpoint_set_while_running_stops_the_program(backend: &str) {
    let homes = Homes::new();
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("spin.py");
    std::fs::write(&program, "import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep(0.01)\n").unwrap();
    let args = ["run", "--backend", backend, "--python", python.to_str().unwrap(), program.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &homes.env(), 100, 30);
    tui.wait_text("stopped (entry)");
    tui.send("c");
    tui.wait_text("running");
    tui.send("L");
    tui.wait_text("Go to line");
    tui.type_text("4\r");
    tui.wait_for("the cursor on line 4", |s| s.contains("4/5"));
    tui.send("b");
    tui.wait_text("stopped (breakpoint)");
    tui.wait_text("spin.py:4");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn a_breakpoint_set_while_running_stops_the_program_debugpy() {
    a_breakpoint_set_while_running_stops_the_program("debugpy");
}

#[test]
fn a_breakpoint_set_while_running_stops_the_program_pdb() {
    a_breakpoint_set_while_running_stops_the_program("pdb");
}

#[test]
fn the_console_takes_commands_while_running_and_program_input_on_request() {
    let homes = Homes::new();
    let python = python();
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("echo.py");
    std::fs::write(
        &program,
        "import sys\nn = 0\nfor line in sys.stdin:\n    n += 1\n    print('got', line.strip(), flush=True)\n",
    )
    .unwrap();
    let args = ["run", "--python", python.to_str().unwrap(), program.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &homes.env(), 100, 30);
    tui.wait_text("stopped (entry)");
    tui.send("c");
    tui.wait_text("running");
    // The console says where a line goes; by default a debugger command, so `break` needs no pause.
    tui.send("!");
    tui.wait_text("debugger commands (Ctrl-T: program input)");
    tui.type_text("break echo.py:4\r");
    tui.wait_text("echo.py:4");
    // Ctrl-T: lines go to the program's standard input; the program reads one and stops.
    tui.send("\x14");
    tui.wait_text("program input (Ctrl-T: commands)");
    tui.type_text("hello\r");
    tui.wait_text("stopped (breakpoint)");
    // Leave the console first: an Esc followed at once by q reads as Alt-q.
    tui.send("\x1b");
    tui.wait_for("the source pane focused again", |s| s.starts_with('┏'));
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
}

#[test]
fn sigterm_restores_the_terminal() {
    let homes = Homes::new();
    let mut tui = start(&homes, 100, 30);
    tui.wait_text("stopped (entry)");
    let pid = tui.pid().expect("loupe's pid");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    tui.wait_exit();
    assert_terminal_restored(&tui);
}

#[test]
fn a_terminal_too_small_gets_a_message_and_q_still_quits() {
    let homes = Homes::new();
    let mut tui = start(&homes, 30, 8);
    tui.wait_text("needs at least");
    tui.send("q");
    tui.wait_exit();
    assert_terminal_restored(&tui);
}

/// A mouse click in SGR encoding (what crossterm asks the terminal for): press and release at
/// the 0-based cell `column`, `row`.
fn click(tui: &mut Tui, column: u16, row: u16) {
    let (x, y) = (column + 1, row + 1);
    tui.send(&format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m"));
}

#[test]
fn the_mouse_toggles_breakpoints_in_the_gutter_says_what_it_did_and_focuses_panes() {
    let homes = Homes::new();
    let mut tui = start(&homes, 120, 36);
    let screen = tui.wait_text("stopped (entry)");
    // The source pane starts at the top-left: row 1 is line 1 when the file starts at its top.
    let row = screen.lines().position(|l| l.contains(" 12 ")).expect("line 12 on screen") as u16;
    click(&mut tui, 1, row);
    tui.wait_text("demo.py:12");
    // A click in the Breakpoints pane focuses it (its border turns thick).
    let screen = tui.screen();
    let row = screen.lines().position(|l| l.contains("Breakpoints")).expect("breakpoints pane") as u16;
    click(&mut tui, 100, row + 1);
    tui.wait_for("the breakpoints pane focused", |s| row_with(s, "Breakpoints").is_some_and(|l| l.contains('┏')));
    // And a second click in the gutter removes the breakpoint again.
    let screen = tui.screen();
    let row = screen.lines().position(|l| l.contains(" 12 ")).expect("line 12 on screen") as u16;
    click(&mut tui, 1, row);
    // The toggle says what it removed (the Breakpoints pane lists it as "1 demo.py:12").
    tui.wait_for("the breakpoint gone, and said so", |s| {
        s.contains("breakpoint 1 at demo.py:12 removed") && !s.contains("1 demo.py:12")
    });
    // A click on a blank line sets one on the next line with code, and the pane says so.
    let screen = tui.screen();
    let row = screen.lines().position(|l| l.contains(" 10 ")).expect("line 10 on screen") as u16;
    click(&mut tui, 1, row);
    tui.wait_text("2 demo.py:11  moved from 10");
    tui.send("q");
    tui.wait_exit();
}

#[test]
fn a_bad_config_is_reported_with_its_line_and_loupe_still_starts() {
    let homes = Homes::new();
    let dir = homes.config.path().join("loupe");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "theme = \"light\"\n[keys]\nstep_ovr = \"n\"\ncontinue = \"Ctlr-x\"\n")
        .unwrap();
    let mut tui = start(&homes, 140, 36);
    let screen = tui.wait_text("stopped (entry)");
    let screen = if screen.contains("step_ovr") { screen } else { tui.wait_text("step_ovr") };
    assert!(row_with(&screen, "step_ovr").is_some_and(|l| l.contains("line 3")), "{screen}");
    // The defaults still work for what was bad.
    tui.send("n");
    tui.wait_text("stopped (step)");
    tui.send("q");
    tui.wait_exit();
}

#[test]
fn no_color_draws_without_colours() {
    let homes = Homes::new();
    let python = python();
    let demo = demo();
    let args = ["run", "--python", python.to_str().unwrap(), demo.to_str().unwrap()];
    let mut env = homes.env();
    let one = Path::new("1");
    env.push(("NO_COLOR", one));
    let mut tui = Tui::spawn(&args, &repo(), &env, 100, 30);
    tui.wait_text("stopped (entry)");
    let screen = tui.screen_state();
    let (rows, cols) = screen.size();
    for row in 0..rows {
        for col in 0..cols {
            let cell = screen.cell(row, col).unwrap();
            assert_eq!(cell.fgcolor(), vt100::Color::Default, "a colour at {row},{col}");
            assert_eq!(cell.bgcolor(), vt100::Color::Default, "a background at {row},{col}");
        }
    }
    tui.send("q");
    tui.wait_exit();
}

#[test]
fn attach_stops_at_a_breakpoint_and_quitting_leaves_the_program_running() {
    use std::io::BufRead;
    let homes = Homes::new();
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("server.py");
    std::fs::write(&program, "import time\nn = 0\nwhile True:\n    n += 1\n    time.sleep(0.02)\n").unwrap();
    let mut server = std::process::Command::new(python())
        .arg(common::program("attach_server.py"))
        .arg(&program)
        .env("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap()).read_line(&mut port).unwrap();
    let address = format!("127.0.0.1:{}", port.trim());
    let spec = format!("{}:4", program.display());
    let args = ["attach", &address, "--break", &spec];
    let mut tui = Tui::spawn(&args, &repo(), &homes.env(), 110, 32);
    let screen = tui.wait_text("stopped (breakpoint)");
    assert!(screen.contains("attach"), "the status bar says it is attached: {screen}");
    tui.wait_text("n: int =");
    tui.send("q");
    assert_eq!(tui.wait_exit(), 0);
    assert_terminal_restored(&tui);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let still_running = server.try_wait().unwrap().is_none();
    let _ = server.kill();
    let _ = server.wait();
    assert!(still_running, "quitting an attached session must leave the program running");
}

#[test]
fn pdb_backend_shows_its_terminal_in_the_console_and_steps() {
    let homes = Homes::new();
    let python = python();
    let demo = demo();
    let args = ["run", "--backend", "pdb", "--python", python.to_str().unwrap(), demo.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &homes.env(), 120, 40);
    tui.wait_text("stopped (entry)");
    // The console pane is pdb's own terminal: its prompt is there.
    tui.wait_text("(Pdb)");
    tui.send("n");
    // The entry stop is the docstring (line 1); the next statement is `import sys`.
    tui.wait_for("a step", |s| s.contains("stopped (step)") && s.contains("demo.py:3"));
    // Typing in the console goes to pdb: `p 6 * 7` prints 42 in its terminal.
    tui.send("5");
    tui.type_text("p 6 * 7\r");
    tui.wait_text("42");
    // PgUp pages back through the terminal's history; typing returns to the live screen.
    tui.type_text("pp list(range(100))\r");
    tui.wait_text(" 99]");
    tui.send("\x1b[5~");
    tui.wait_text("PgDn or typing returns");
    tui.wait_for("older lines shown", |s| !s.contains(" 99]"));
    // And a command typed there moves the panes: `next` is reported as a step.
    tui.type_text("next\r");
    tui.wait_for("the typed step", |s| s.contains("demo.py:6"));
    // A breakpoint typed at pdb's prompt is adopted: the Breakpoints pane lists it (with its
    // condition) and it stops the program; `up` typed there selects the caller in the Stack pane.
    tui.type_text("break 19, n < 2\r");
    tui.wait_for("the typed breakpoint listed", |s| row_with(s, "demo.py:19").is_some_and(|r| r.contains("if n < 2")));
    tui.type_text("continue\r");
    tui.wait_for("the stop in fib", |s| row_with(s, "▶ fib").is_some_and(|r| r.contains("demo.py:19")));
    tui.type_text("up\r");
    tui.wait_for("main selected", |s| row_with(s, "▶ main").is_some());
    tui.send("\x1b");
    tui.wait_for("the source pane focused again", |s| s.starts_with('┏'));
    tui.send("q");
    tui.wait_exit();
    assert_terminal_restored(&tui);
}

#[test]
fn the_environment_overlay_lists_packages_and_saves_the_chosen_interpreter() {
    let homes = Homes::new();
    let mut tui = start(&homes, 120, 40);
    tui.wait_text("stopped (entry)");
    tui.send("E");
    // Read in the background when the session started: the debuggee's venv with debugpy in it.
    tui.wait_for("the packages", |s| {
        row_with(s, "debugpy").is_some_and(|r| r.contains("1.8.22") && r.contains("requested"))
    });
    tui.wait_text("no broken requirements");
    screenshot(&tui, "environment");
    tui.send("\t");
    tui.wait_text("Enter: use the selected interpreter");
    tui.wait_for("pyenv's interpreters", |s| s.lines().any(|l| l.contains(" pyenv ") && l.contains("/versions/3.8.")));
    tui.send("\r");
    tui.wait_text("for this project from the next run");
    tui.send("\x1b");
    tui.wait_for("the overlay closed", |s| !s.contains("Enter: use the selected interpreter"));
    tui.send("q");
    tui.wait_exit();
    assert_terminal_restored(&tui);
    // The choice is saved with the project's breakpoints.
    let projects = homes.state.path().join("loupe/projects");
    let saved: String =
        std::fs::read_dir(&projects).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    assert!(saved.contains("\"interpreter\""), "{saved}");
}

#[test]
fn analysis_findings_open_in_the_source_and_a_missing_import_is_installed_with_one_key() {
    // A project with a shell=True call and an import its fresh venv lacks (six).
    let homes = Homes::new();
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join(".git")).unwrap();
    let app = project.path().join("app.py");
    std::fs::write(
        &app,
        "import subprocess\n\ntry:\n    import six\nexcept ImportError:\n    six = None\n\n\ndef main():\n    \
         return subprocess.call('true', shell=True)\n\n\nmain()\n",
    )
    .unwrap();
    let venv = project.path().join(".venv");
    let status = std::process::Command::new(python()).args(["-m", "venv"]).arg(&venv).status().unwrap();
    assert!(status.success());
    let venv_python = venv.join("bin/python");
    let args = ["run", "--backend", "pdb", "--python", venv_python.to_str().unwrap(), app.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, project.path(), &homes.env(), 120, 40);
    tui.wait_text("stopped (entry)");
    tui.send("A");
    tui.wait_for("the finding", |s| row_with(s, "B602").is_some_and(|r| r.contains("app.py:10")));
    tui.wait_text("not installed: six");
    screenshot(&tui, "analysis");
    // Enter on the B602 row shows line 10 in the source pane.
    let screen = tui.screen();
    let findings: Vec<&str> = screen
        .lines()
        .filter(|l| ["HIGH ", "MEDIUM ", "LOW "].iter().any(|level| l.contains(&format!("┃{level}"))))
        .collect();
    let up = findings.iter().position(|l| l.contains("B602")).expect("B602 among the findings");
    for _ in 0..up {
        tui.send("j");
    }
    tui.send("\r");
    tui.wait_for("the source at line 10", |s| {
        !s.contains("Enter: open") && s.contains("app.py") && s.contains("shell=True")
    });
    // The Environment overlay offers the install; only an explicit yes runs pip.
    tui.send("E");
    tui.wait_text("imported but not installed: six");
    tui.send("i");
    tui.wait_text("Install six into");
    tui.send("y");
    tui.wait_for("pip done", |s| s.contains("installed six"));
    // The analysis is refreshed against the new environment: nothing is missing any more.
    tui.wait_for("no missing import", |s| !s.contains("imported but not installed"));
    tui.send("\x1b");
    tui.wait_for("the overlay closed", |s| !s.contains("Tab: switch"));
    tui.send("q");
    tui.wait_exit();
    assert_terminal_restored(&tui);
}

#[test]
fn a_post_mortem_stop_on_pdb_shows_the_traceback_once() {
    let homes = Homes::new();
    let python = python();
    // A short path, so the traceback's `File "…", line 3, in lookup` fits the console unwrapped
    // wherever the checkout is.
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("pm.py");
    std::fs::copy(repo().join("tests/programs/pm_keyerror.py"), &program).unwrap();
    let args = ["run", "--backend", "pdb", "--python", python.to_str().unwrap(), program.to_str().unwrap()];
    let mut tui = Tui::spawn(&args, &repo(), &homes.env(), 160, 50);
    tui.wait_text("stopped (entry)");
    tui.send("c");
    tui.wait_text("stopped (exception");
    // The traceback is in pdb's terminal, once (its last frame's line says `, in lookup`).
    tui.wait_text(", in lookup");
    let screen = tui.screen();
    assert_eq!(screen.matches(", in lookup").count(), 1, "{screen}");
    tui.send("q");
    tui.wait_exit();
    assert_terminal_restored(&tui);
}

#[test]
fn saved_breakpoints_come_back_without_a_notice_each() {
    let homes = Homes::new();
    let mut tui = start(&homes, 120, 40);
    tui.wait_text("stopped (entry)");
    tui.send("L");
    tui.wait_text("Go to line");
    tui.type_text("31\r");
    tui.send("b");
    tui.wait_text("breakpoint 1 at demo.py:31");
    tui.send("q");
    tui.wait_exit();
    // The next run sets it again: listed in the Breakpoints pane, not announced.
    let mut tui = start(&homes, 120, 40);
    tui.wait_text("stopped (entry)");
    tui.wait_for("the saved breakpoint listed", |s| row_with(s, "demo.py:31").is_some());
    let screen = tui.screen();
    assert!(!screen.contains("breakpoint 1 at"), "{screen}");
    tui.send("q");
    tui.wait_exit();
}
