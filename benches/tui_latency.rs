//! The TUI's speed, measured two ways in one run (see `benches/README.md`):
//!
//! 1. **Render time of a full frame**: an [`App`] stopped in `examples/demo.py` with the stack,
//!    locals (a list expanded), console output and a watch, drawn by ratatui into crossterm's
//!    backend writing to a sink — everything a real frame costs except the terminal itself.
//!    `full` draws into a terminal with no previous frame, so every cell is written (as after a
//!    resize); `incremental` is a cursor move (ratatui sends only the cells that changed).
//! 2. **Key press to frame** with the real binary in a pseudo-terminal, read through a VT100
//!    emulator: `n` (step over, debugpy round trip included) until the screen shows the new line
//!    in the stack *and* the locals of the new stop; and `j` (a UI-only cursor move) until the
//!    source pane's `line/total` note changes.
//! 3. **The peer**: pudb (installed from PyPI into `target/bench-pudb-venv` on first run) in the
//!    same pseudo-terminal on the same program, `n` until its stack shows the new line. pudb runs
//!    inside the debuggee (no protocol between UI and debugger), so this is the latency a user of
//!    the most common terminal debugger sees; the ratio is reported.
//!
//! `cargo bench --bench tui_latency [-- --steps N --frames N]`; the figures are printed as a table
//! and written to `target/bench-tui-latency.json`.

#[path = "../tests/common/pty.rs"]
mod pty;

mod common;

// The view tests' starting app (a debugpy session of examples/demo.py), shared with them.
#[path = "../src/tui/view/fixtures.rs"]
mod fixtures;

use std::path::PathBuf;

use common::{python, repo, setting, summary};
use std::process::Command;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use loupe::session::{
    Frame as DebugFrame, OutputCategory, Scope, ScopeKind, SessionEvent, StopInfo, StopReason, ThreadInfo, Variable,
    VariablePage,
};
use loupe::tui::app::{App, SessionFacts};
use loupe::tui::keymap::Keymap;
use loupe::tui::persist::Persisted;
use loupe::tui::theme::Theme;
use loupe::tui::worker::Update;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde_json::json;

// ----- 1. render time -----

fn stopped_app(width: u16, height: u16) -> App {
    let demo = fixtures::demo();
    let mut app = fixtures::app(width, height);
    let stop = StopInfo {
        reason: StopReason::Breakpoint,
        thread: 1,
        all_threads_stopped: true,
        description: None,
        text: None,
        hit_breakpoints: vec![],
    };
    app.on_update(Update::Event(SessionEvent::Stopped(stop)));
    let epoch = app.epoch;
    let threads = vec![ThreadInfo { id: 1, name: "MainThread".into() }];
    app.on_update(Update::Threads { epoch, threads });
    let frames = vec![
        DebugFrame { id: 10, function: "main".into(), file: Some(demo.clone()), line: 31, column: 1 },
        DebugFrame { id: 11, function: "<module>".into(), file: Some(demo), line: 42, column: 1 },
    ];
    app.on_update(Update::Stack { epoch, thread: 1, frames });
    let scopes = vec![
        Scope { name: "Locals".into(), kind: ScopeKind::Locals, variables: 100, expensive: false },
        Scope { name: "Globals".into(), kind: ScopeKind::Globals, variables: 200, expensive: false },
    ];
    app.on_update(Update::Scopes { epoch, frame: 10, scopes });
    let mut variables: Vec<Variable> =
        (0..40).map(|k| fixtures::var(&format!("local_{k}"), "int", &(k * 7919).to_string(), 0)).collect();
    variables.push(fixtures::var("totals", "list", "[1, 3, 6, 9, 14, 22, 35, 56]", 101));
    let page = VariablePage { total: variables.len(), variables, start: 0 };
    app.on_update(Update::Variables { epoch, reference: 100, page });
    for k in 0..200 {
        let category = if k % 5 == 0 { OutputCategory::Stderr } else { OutputCategory::Stdout };
        app.on_update(Update::Event(SessionEvent::Output { category, text: format!("output line {k}\n") }));
    }
    app
}

fn render_times(width: u16, height: u16, frames: usize) -> serde_json::Value {
    let mut app = stopped_app(width, height);
    // A fixed viewport: there is no real terminal to ask for its size.
    let options = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, width, height)) };
    let mut terminal = Terminal::with_options(CrosstermBackend::new(std::io::sink()), options).expect("terminal");
    terminal.draw(|f| loupe::tui::view::draw(f, &app)).expect("draw");
    let mut full = Vec::with_capacity(frames);
    let mut incremental = Vec::with_capacity(frames);
    let fresh_terminal = || {
        let options = TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, width, height)) };
        Terminal::with_options(CrosstermBackend::new(std::io::sink()), options).expect("terminal")
    };
    for k in 0..frames {
        // A new terminal has an empty previous frame, so every cell is sent.
        let mut blank = fresh_terminal();
        let started = Instant::now();
        app.prepare();
        blank.draw(|f| loupe::tui::view::draw(f, &app)).expect("draw");
        full.push(started.elapsed());
        terminal.draw(|f| loupe::tui::view::draw(f, &app)).expect("draw");

        let key = if k % 2 == 0 { KeyCode::Down } else { KeyCode::Up };
        app.on_key(KeyEvent::new(key, KeyModifiers::NONE));
        let started = Instant::now();
        app.prepare();
        terminal.draw(|f| loupe::tui::view::draw(f, &app)).expect("draw");
        incremental.push(started.elapsed());
    }
    json!({
        "size": format!("{width}x{height}"),
        "full_ms": summary(&mut full),
        "incremental_ms": summary(&mut incremental),
    })
}

// ----- 2. key press to frame -----

/// The `file:line` in the stack pane's selected frame row.
fn stack_location(screen: &str) -> Option<String> {
    let row = screen.lines().find(|l| l.contains("▶ main"))?;
    let start = row.find("step_loop.py:")?;
    Some(row[start..].split_whitespace().next()?.trim_end_matches('│').to_string())
}

fn key_to_frame(steps: usize) -> serde_json::Value {
    let state = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let program = repo().join("benches/programs/step_loop.py");
    let python = python();
    let spec = format!("{}:16", program.display());
    let args = ["run", "--python", python.to_str().unwrap(), "--break", &spec, program.to_str().unwrap()];
    let env = [("XDG_STATE_HOME", state.path()), ("XDG_CONFIG_HOME", config.path())];
    let mut tui = pty::Tui::spawn(&args, &repo(), &env, 140, 45);
    tui.wait_text("stopped (entry)");
    tui.send("c");
    tui.wait_for("the breakpoint", |s| s.contains("stopped (breakpoint)") && s.contains("total: int"));
    // The breakpoint would stop every iteration at line 16 and be reported as a breakpoint stop.
    tui.send("4");
    tui.send("x");
    tui.wait_text("Breakpoints ─");
    tui.send("1");

    let limit = Duration::from_secs(30);
    let mut step = Vec::with_capacity(steps);
    for k in 0..steps + 5 {
        let before = stack_location(&tui.screen());
        let started = Instant::now();
        tui.send("n");
        let done = tui.wait_until(limit, |s| {
            s.contains("stopped (step)")
                && s.contains("total: int")
                && stack_location(s).is_some_and(|l| Some(l) != before)
        });
        if let Err(screen) = done {
            panic!("step {k} did not show a new frame; the screen:\n{screen}");
        }
        if k >= 5 {
            step.push(started.elapsed());
        }
    }

    let mut cursor = Vec::with_capacity(steps);
    for k in 0..steps {
        let screen = tui.screen();
        let note =
            |s: &str| s.lines().next().and_then(|l| l.split_whitespace().find(|w| w.contains("/26")).map(String::from));
        let before = note(&screen);
        let started = Instant::now();
        tui.send(if k % 2 == 0 { "j" } else { "k" });
        if let Err(screen) = tui.wait_until(limit, |s| note(s) != before) {
            panic!("the cursor move did not show; the screen:\n{screen}");
        }
        cursor.push(started.elapsed());
    }
    tui.send("q");
    tui.wait_exit();
    json!({ "step_ms": summary(&mut step), "cursor_move_ms": summary(&mut cursor), "samples": steps })
}

/// A virtual environment with pudb, made once.
fn pudb_python() -> PathBuf {
    let venv = repo().join("target/bench-pudb-venv");
    let python = venv.join("bin/python");
    let ok = |p: &PathBuf| Command::new(p).args(["-c", "import pudb"]).status().is_ok_and(|s| s.success());
    if !ok(&python) {
        eprintln!("installing pudb into {} (once)…", venv.display());
        let base = std::env::var("LOUPE_BENCH_BASE_PYTHON").unwrap_or_else(|_| "python3".into());
        let made = Command::new(&base).args(["-m", "venv", "--clear"]).arg(&venv).status();
        assert!(made.is_ok_and(|s| s.success()), "cannot create {}", venv.display());
        let pip = Command::new(&python).args(["-m", "pip", "install", "--quiet", "pudb"]).status();
        assert!(pip.is_ok_and(|s| s.success()), "pip install pudb failed");
    }
    python
}

fn pudb_step(steps: usize) -> serde_json::Value {
    let python = pudb_python();
    let version = Command::new(&python)
        .args(["-c", "import pudb; print(pudb.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let config = tempfile::tempdir().expect("tempdir");
    let program = repo().join("benches/programs/step_loop.py");
    let dir = config.path().join("pudb");
    std::fs::create_dir_all(&dir).expect("pudb config dir");
    // No welcome screen, no quit prompt; the breakpoint comes from pudb's own saved-breakpoints file.
    std::fs::write(dir.join("pudb.cfg"), "[pudb]\nseen_welcome = e999\nline_numbers = True\nprompt_on_quit = False\n")
        .expect("pudb.cfg");
    let minor = Command::new(&python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    std::fs::write(dir.join(format!("saved-breakpoints-{minor}")), format!("b {}:16\n", program.display()))
        .expect("pudb breakpoints");
    let args = ["-m", "pudb", program.to_str().unwrap()];
    let env = [("XDG_CONFIG_HOME", config.path())];
    let mut tui = pty::Tui::spawn_program(&python, &args, &repo(), &env, 140, 45);
    let location = |s: &str| {
        let row = s.lines().find(|l| l.contains(">> main step_loop.py:"))?;
        Some(row[row.find("step_loop.py:")?..].split_whitespace().next()?.to_string())
    };
    tui.wait_text("PuDB");
    tui.send("c");
    tui.wait_for("pudb at the breakpoint", |s| location(s).as_deref() == Some("step_loop.py:16"));
    let mut step = Vec::with_capacity(steps);
    for k in 0..steps + 5 {
        let before = location(&tui.screen());
        let started = Instant::now();
        tui.send("n");
        if let Err(screen) = tui.wait_until(Duration::from_secs(30), |s| location(s).is_some_and(|l| Some(l) != before))
        {
            panic!("pudb step {k} did not show a new frame; the screen:\n{screen}");
        }
        if k >= 5 {
            step.push(started.elapsed());
        }
    }
    tui.send("q");
    let _ = tui.wait_until(Duration::from_secs(5), |_| false);
    json!({ "version": version, "step_ms": summary(&mut step) })
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let frames = setting("LOUPE_BENCH_FRAMES", "--frames", 300);
    let steps = setting("LOUPE_BENCH_STEPS", "--steps", 100);
    eprintln!("rendering {frames} frames at 120x40 and 240x70…");
    let render = vec![render_times(120, 40, frames), render_times(240, 70, frames)];
    eprintln!("pressing keys in a pseudo-terminal ({steps} steps, {steps} cursor moves)…");
    let keys = key_to_frame(steps);
    eprintln!("the same steps in pudb…");
    let pudb = pudb_step(steps);

    println!("{:<34} {:>8} {:>8} {:>8} {:>8}", "ms", "min", "median", "p90", "max");
    let row = |name: &str, v: &serde_json::Value| {
        let f = |i: usize| v[i].as_f64().unwrap_or(f64::NAN);
        println!("{name:<34} {:>8.3} {:>8.3} {:>8.3} {:>8.3}", f(0), f(1), f(2), f(3));
    };
    for r in &render {
        let size = r["size"].as_str().unwrap_or("");
        row(&format!("full frame render {size}"), &r["full_ms"]);
        row(&format!("incremental frame render {size}"), &r["incremental_ms"]);
    }
    row("key to frame: n (step, debugpy)", &keys["step_ms"]);
    row("key to frame: j (cursor move)", &keys["cursor_move_ms"]);
    row(&format!("pudb {}: n (step)", pudb["version"].as_str().unwrap_or("")), &pudb["step_ms"]);
    let ratio = pudb["step_ms"][1].as_f64().unwrap_or(f64::NAN) / keys["step_ms"][1].as_f64().unwrap_or(f64::NAN);
    println!("step key to frame, median: pudb / loupe = {ratio:.2}");
    let out = repo().join("target/bench-tui-latency.json");
    let report = json!({ "render": render, "keys": keys, "pudb": pudb, "pudb_over_loupe_step_median": ratio });
    if let Err(e) = std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap_or_default()) {
        eprintln!("cannot write {}: {e}", out.display());
    }
}
