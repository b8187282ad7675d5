//! Snapshot tests of the whole screen: every pane, the status bar and every dialog, rendered with
//! ratatui's test backend from an [`App`] brought to its state by the same worker updates a real
//! session sends. Review changes with `cargo insta review` (or `INSTA_UPDATE=always`).

use std::path::PathBuf;

use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use crate::session::{
    Breakpoint, BreakpointSpec, EvalResult, ExceptionInfo, Frame, HitCondition, Location, OutputCategory, Phase, Scope,
    ScopeKind, SessionEvent, StopInfo, StopReason, ThreadInfo, Variable, VariablePage,
};
use crate::tui::app::{App, BreakpointForm, Dialog, SessionFacts, TextInput, VarRow};
use crate::tui::keymap::Keymap;
use crate::tui::layout::Pane;
use crate::tui::persist::Persisted;
use crate::tui::theme::{Role, Theme};
use crate::tui::worker::{EvalPurpose, Request, Update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

// Shared with benches/tui_latency.rs, which includes it by path.
#[path = "fixtures.rs"]
mod fixtures;
use fixtures::{app, demo, var};

const LOCALS: i64 = 100;
const GLOBALS: i64 = 200;
const TOTALS: i64 = 101;

fn breakpoint(id: u32, line: i64) -> Breakpoint {
    Breakpoint {
        id,
        spec: BreakpointSpec::line(demo(), line),
        enabled: true,
        verified: true,
        actual_line: None,
        message: None,
        hits: 0,
        backend_id: Some(id as i64),
        internal: false,
    }
}

fn breakpoints() -> Vec<Breakpoint> {
    let plain = breakpoint(1, 22);
    let mut conditional = breakpoint(2, 31);
    conditional.spec.condition = Some("i == 3".into());
    conditional.hits = 1;
    let mut counted = breakpoint(3, 30);
    counted.spec.hit_condition = Some(HitCondition::parse("% 2").unwrap());
    counted.hits = 4;
    let mut logpoint = breakpoint(4, 32);
    logpoint.spec.log_message = Some("total {account.balance}".into());
    let mut disabled = breakpoint(5, 35);
    disabled.enabled = false;
    let mut unverified = breakpoint(6, 40);
    unverified.verified = false;
    unverified.message = Some("no code on this line".into());
    let mut function = breakpoint(7, 0);
    function.spec.location = Location::Function { name: "fib".into() };
    vec![plain, conditional, counted, logpoint, disabled, unverified, function]
}

fn stop(reason: StopReason) -> StopInfo {
    StopInfo { reason, thread: 1, all_threads_stopped: true, description: None, text: None, hit_breakpoints: vec![2] }
}

fn locals(i: i64, value: i64, balance: i64) -> VariablePage {
    let long = format!("'{}'", "x".repeat(300));
    let mut text = var("text", "str", &long, 0);
    text.truncated = true;
    let variables = vec![
        var("account", "Account", "<__main__.Account object at 0x7f3a2c1b9d50>", 102),
        var("argv", "list", "['examples/demo.py']", 103),
        var("balance", "int", &balance.to_string(), 0),
        var("count", "int", "8", 0),
        var("i", "int", &i.to_string(), 0),
        text,
        var("totals", "list", "[1, 3, 6, 9]", TOTALS),
        var("value", "int", &value.to_string(), 0),
    ];
    VariablePage { total: variables.len(), variables, start: 0 }
}

/// The program stopped at the conditional breakpoint on line 31, with the stack, locals (the
/// `totals` list expanded and paged), a watch, output on both streams and a console exchange.
fn stopped(width: u16, height: u16) -> App {
    let mut app = app(width, height);
    app.on_update(Update::Breakpoints(breakpoints()));
    feed_stop(&mut app, StopReason::Breakpoint, 31, locals(3, 2, 9));
    app
}

fn feed_stop(app: &mut App, reason: StopReason, line: i64, locals: VariablePage) {
    app.on_update(Update::Event(SessionEvent::Stopped(stop(reason))));
    let epoch = app.epoch;
    app.on_update(Update::Threads {
        epoch,
        threads: vec![ThreadInfo { id: 1, name: "MainThread".into() }, ThreadInfo { id: 2, name: "uploader".into() }],
    });
    let frames = vec![
        Frame { id: 10, function: "main".into(), file: Some(demo()), line, column: 1 },
        Frame { id: 11, function: "<module>".into(), file: Some(demo()), line: 42, column: 1 },
    ];
    app.on_update(Update::Stack { epoch, thread: 1, frames });
    let scopes = vec![
        Scope { name: "Locals".into(), kind: ScopeKind::Locals, variables: LOCALS, expensive: false },
        Scope { name: "Globals".into(), kind: ScopeKind::Globals, variables: GLOBALS, expensive: false },
    ];
    app.on_update(Update::Scopes { epoch, frame: 10, scopes });
    app.on_update(Update::Variables { epoch, reference: LOCALS, page: locals });
}

fn with_output_and_console(app: &mut App) {
    let out = |category, text: &str| Update::Event(SessionEvent::Output { category, text: text.into() });
    app.on_update(out(OutputCategory::Stdout, "fib(0) = 0\nfib(1) = 1\n"));
    app.on_update(out(OutputCategory::Stderr, "warning: slow deposit\n"));
    app.on_update(out(OutputCategory::Console, "total 6\n"));
    app.focus = Pane::Console;
    for c in "value * 1000 + i".chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    let requests = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        requests.iter().any(|r| matches!(r, Request::Evaluate { expression, .. } if expression == "value * 1000 + i")),
        "Enter in the console evaluates: {requests:?}"
    );
    app.focus = Pane::Source;
    let epoch = app.epoch;
    app.on_update(Update::Evaluated {
        epoch,
        expression: "value * 1000 + i".into(),
        purpose: EvalPurpose::Console,
        result: Ok(EvalResult { value: "2003".into(), truncated: false, type_name: Some("int".into()), children: 0 }),
    });
    app.console.input.set("acc");
}

fn render(app: &mut App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    app.prepare();
    terminal.draw(|frame| super::draw(frame, app)).unwrap();
    terminal
}

/// Expands the `totals` local and answers with its first page of a long list.
fn expand_totals(app: &mut App) {
    let is_totals = |row: &VarRow| match row {
        VarRow::Node(section, path) => app.variables.node(*section, path).is_some_and(|n| n.var.name == "totals"),
        _ => false,
    };
    let row = app.variables.rows().iter().position(is_totals).expect("totals row");
    app.variables.selected = row;
    let (reference, start) = app.variables.toggle(Some(true)).expect("totals expands");
    assert_eq!(reference, TOTALS);
    let variables = (start..start + 3).map(|k| var(&format!("[{k}]"), "int", &(k * 3).to_string(), 0)).collect();
    let epoch = app.epoch;
    app.on_update(Update::Variables { epoch, reference, page: VariablePage { variables, start, total: 2_500 } });
}

#[test]
fn stopped_at_a_breakpoint() {
    let mut app = stopped(120, 36);
    with_output_and_console(&mut app);
    app.variables.add_watch("account.balance".into());
    let epoch = app.epoch;
    app.on_update(Update::Evaluated {
        epoch,
        expression: "account.balance".into(),
        purpose: EvalPurpose::Watch(0),
        result: Ok(EvalResult { value: "9".into(), truncated: false, type_name: Some("int".into()), children: 0 }),
    });
    expand_totals(&mut app);
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn values_that_changed_since_the_last_stop_are_marked() {
    let mut app = stopped(120, 36);
    feed_stop(&mut app, StopReason::Step, 32, locals(3, 2, 12));
    let terminal = render(&mut app);
    let buffer = terminal.backend().buffer();
    let changed = app.theme.style(Role::Changed);
    let area = app.areas.unwrap().variables;
    let row_of = |needle: &str| {
        (area.y..area.bottom())
            .find(|&y| {
                let text: String = (area.x..area.right()).map(|x| buffer[(x, y)].symbol().to_string()).collect();
                text.contains(needle)
            })
            .unwrap_or_else(|| panic!("no row with {needle}"))
    };
    assert!(changed.fg.is_some(), "the theme gives changed values a colour of their own");
    let styled_as_changed = |y: u16| (area.x..area.right()).any(|x| Some(buffer[(x, y)].fg) == changed.fg);
    assert!(styled_as_changed(row_of("balance")), "balance went 9 → 12 and should be marked");
    assert!(!styled_as_changed(row_of("count")), "count did not change");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn each_pane_focused() {
    for pane in Pane::ALL {
        let mut app = stopped(100, 30);
        with_output_and_console(&mut app);
        app.focus = pane;
        app.breakpoint_cursor = 1;
        insta::assert_snapshot!(format!("focused_{pane:?}").to_lowercase(), render(&mut app).backend());
    }
}

#[test]
fn running_exited_and_ended_states() {
    let mut app = stopped(100, 24);
    app.on_update(Update::Phase(Phase::Running));
    insta::assert_snapshot!("running", render(&mut app).backend());
    app.on_update(Update::Event(SessionEvent::Exited { code: 3, signal: None }));
    app.on_update(Update::Phase(Phase::Exited { code: 3, signal: None }));
    insta::assert_snapshot!("exited", render(&mut app).backend());
    app.on_update(Update::Event(SessionEvent::Terminated));
    app.on_update(Update::Phase(Phase::Terminated));
    insta::assert_snapshot!("ended", render(&mut app).backend());
}

#[test]
fn stopped_on_an_exception_with_an_error_notice() {
    let mut app = app(100, 24);
    let mut info = stop(StopReason::Exception);
    info.text = Some("ValueError: deposit must be positive, got -1".into());
    app.on_update(Update::Event(SessionEvent::Stopped(info)));
    app.on_update(Update::Failed { what: "evaluate".into(), message: "NameError: name 'x' is not defined".into() });
    insta::assert_snapshot!(render(&mut app).backend());
}

/// Post-mortem (the default): the status bar says `Type: message`, the console the traceback.
#[test]
fn stopped_post_mortem_on_an_uncaught_exception() {
    let mut app = app(100, 24);
    let mut info = stop(StopReason::Exception);
    info.hit_breakpoints.clear();
    info.text = Some("KeyError".into());
    info.description = Some("'B'".into());
    app.on_update(Update::Event(SessionEvent::Stopped(info)));
    let epoch = app.epoch;
    let stack_trace = "Traceback (most recent call last):\n  File \"/abs/demo.py\", line 9, in main\n    \
                       lookup(table, \"b\")\n  File \"/abs/demo.py\", line 3, in lookup\n    \
                       return table[wanted]\nKeyError: 'B'\n";
    app.on_update(Update::ExceptionInfo {
        epoch,
        info: ExceptionInfo {
            exception_id: "KeyError".into(),
            description: Some("'B'".into()),
            break_mode: "unhandled".into(),
            stack_trace: Some(stack_trace.into()),
        },
    });
    insta::assert_snapshot!(render(&mut app).backend());
}

/// A failing test (`loupe test`): the status bar names the test, the console has pytest's
/// explanation of the assert and the test's node id.
#[test]
fn stopped_at_a_failing_test() {
    let mut app = app(100, 24);
    let mut info = stop(StopReason::Exception);
    info.hit_breakpoints.clear();
    info.text = Some("AssertionError".into());
    info.description = Some("assert 91 == 90\n +  where 91 = total({'apple': 1, 'pear': 1})".into());
    app.on_update(Update::Event(SessionEvent::Stopped(info)));
    let epoch = app.epoch;
    let test = crate::session::CurrentTest::parse("tests/test_shop.py::test_total (call)");
    app.on_update(Update::CurrentTest { epoch, test });
    insta::assert_snapshot!(render(&mut app).backend());
}

#[test]
fn small_layouts_and_a_terminal_too_small() {
    for (width, height) in [(60, 20), (40, 12), (39, 11)] {
        let mut app = stopped(width, height);
        insta::assert_snapshot!(format!("size_{width}x{height}"), render(&mut app).backend());
    }
}

#[test]
fn dialogs() {
    let form = |error: Option<&str>| BreakpointForm {
        id: Some(2),
        location: "demo.py:31".into(),
        file: demo(),
        line: 31,
        fields: [TextInput::new("i == 3"), TextInput::new(">= 2"), TextInput::new("i is {i}")],
        focus: 1,
        error: error.map(String::from),
    };
    let long_value = (0..60).map(|k| format!("line {k}: {}", "y".repeat(k % 50))).collect::<Vec<_>>().join("\n");
    let dialogs = [
        ("search", Dialog::Search(TextInput::new("deposit"))),
        ("goto_line", Dialog::GotoLine(TextInput::new("31"))),
        ("breakpoint", Dialog::Breakpoint(form(None))),
        ("breakpoint_error", Dialog::Breakpoint(form(Some("hit condition: expected == N, >= N or % N")))),
        ("add_watch", Dialog::Watch { index: None, input: TextInput::new("len(totals)") }),
        ("set_value", Dialog::SetValue { parent: LOCALS, name: "count".into(), input: TextInput::new("12") }),
        ("value_loading", Dialog::Value { title: "text".into(), text: None, scroll: 0 }),
        ("value", Dialog::Value { title: "text".into(), text: Some(long_value), scroll: 5 }),
        ("quick_open", Dialog::QuickOpen(quick_open())),
    ];
    for (name, dialog) in dialogs {
        let mut app = stopped(100, 30);
        app.dialog = Some(dialog);
        insta::assert_snapshot!(format!("dialog_{name}"), render(&mut app).backend());
    }
}

/// The quick-open dialog after typing "inv", with fixed candidates (the walk is tested in
/// `app::quick_open`).
fn quick_open() -> crate::tui::app::QuickOpen {
    let root = PathBuf::from("/home/ada/proj");
    let files = ["demo.py", "app/models/inventory.py", "tests/test_inventory.py"].iter().map(|f| root.join(f));
    let mut quick = crate::tui::app::QuickOpen::new(&root, &[]);
    quick.add_project_files(files.collect(), false);
    quick.input.set("inv");
    quick.refilter();
    quick.step(1);
    quick
}

#[test]
fn help_overlay() {
    let mut app = stopped(100, 40);
    app.help = Some(0);
    insta::assert_snapshot!(render(&mut app).backend());
}

/// An environment as `pyenv::environment::load` gives it, with fixed paths: a venv with three
/// packages, one of them missing a dependency, and three interpreters (one broken).
fn environment_snapshot() -> crate::tui::app::EnvSnapshot {
    use crate::pyenv::check::Problem;
    use crate::pyenv::discover::{Found, Kind};
    use crate::pyenv::environment::Environment;
    use crate::pyenv::facts::Facts;
    use crate::pyenv::packages::{Installed, Package};
    let site = PathBuf::from("/home/ada/proj/.venv/lib/python3.11/site-packages");
    let package = |name: &str, version: &str, requested: bool| Package {
        name: name.into(),
        version: version.into(),
        installer: Some("pip".into()),
        requested,
        location: site.clone(),
        metadata_path: site.join(format!("{name}-{version}.dist-info")),
        requires: Vec::new(),
    };
    let found = |path: &str, version: &str, kind: Kind, problem: Option<&str>| Found {
        path: path.into(),
        version: Some(version.into()),
        implementation: "cpython".into(),
        kind,
        prefix: PathBuf::from(path).parent().unwrap().parent().unwrap().to_path_buf(),
        base: None,
        problem: problem.map(Into::into),
    };
    crate::tui::app::EnvSnapshot {
        environment: Ok(Environment {
            facts: Facts {
                executable: "/home/ada/proj/.venv/bin/python".into(),
                version: "3.11.7".into(),
                implementation: "cpython".into(),
                implementation_version: "3.11.7".into(),
                prefix: "/home/ada/proj/.venv".into(),
                base_prefix: "/home/ada/.pyenv/versions/3.11.7".into(),
                site_packages: vec![site.clone()],
                sys_path: vec![site.clone()],
                pythonpath: None,
            },
            installed: Installed {
                packages: vec![
                    package("bleach", "6.0.0", true),
                    package("debugpy", "1.8.22", true),
                    package("six", "1.8.0", false),
                ],
                problems: Vec::new(),
            },
            problems: vec![
                Problem {
                    kind: "version_conflict",
                    package: "bleach".into(),
                    message: "bleach 6.0.0 has requirement six>=1.9.0, but you have six 1.8.0.".into(),
                },
                Problem {
                    kind: "missing_dependency",
                    package: "bleach".into(),
                    message: "bleach 6.0.0 requires webencodings, which is not installed.".into(),
                },
            ],
        }),
        interpreters: vec![
            found("/home/ada/proj/.venv/bin/python3", "3.11.7", Kind::Venv, None),
            found("/usr/bin/python3", "3.11.2", Kind::System, None),
            found(
                "/home/ada/old/bin/python3",
                "3.9.1",
                Kind::Venv,
                Some("its base interpreter's directory /opt/py39/bin no longer exists: recreate the environment"),
            ),
        ],
        installer: Ok("uv"),
    }
}

#[test]
fn environment_overlay_packages_and_interpreters() {
    let mut app = stopped(100, 30);
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    app.on_key(KeyEvent::new(KeyCode::Char('E'), KeyModifiers::SHIFT));
    assert!(app.env.open);
    insta::assert_snapshot!("environment_reading", render(&mut app).backend());
    app.on_update(Update::Environment(std::sync::Arc::new(environment_snapshot())));
    app.on_key(key(KeyCode::Down));
    insta::assert_snapshot!("environment_packages", render(&mut app).backend());
    app.on_key(key(KeyCode::Tab));
    app.on_key(key(KeyCode::Down));
    app.persisted.interpreter = Some("/home/ada/proj/.venv/bin/python3".into());
    insta::assert_snapshot!("environment_interpreters", render(&mut app).backend());
    // The broken one cannot be chosen.
    app.on_key(key(KeyCode::Down));
    app.on_key(key(KeyCode::Enter));
    assert!(app.notice.as_ref().is_some_and(|n| n.error && n.text.contains("cannot be used")));
    app.on_key(key(KeyCode::Esc));
    assert!(!app.env.open);
}

#[test]
fn environment_overlay_shows_the_installers_progress() {
    let mut app = stopped(100, 30);
    app.on_key(KeyEvent::new(KeyCode::Char('E'), KeyModifiers::SHIFT));
    app.on_update(Update::Environment(std::sync::Arc::new(environment_snapshot())));
    app.on_update(Update::InstallProgress("resolved 4 packages in 212ms".into()));
    insta::assert_snapshot!("environment_installing_with_uv", render(&mut app).backend());
}

#[test]
fn analysis_overlay_lists_findings_and_opens_one() {
    use crate::analyze::files::analyze_paths;
    use crate::analyze::{AnalyzeOptions, ImportEnvironment, TargetVersion};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/analyze");
    let options = AnalyzeOptions { target: TargetVersion::DEFAULT, environment: ImportEnvironment::default() };
    let report = analyze_paths(&[root.join("security_sample.py"), root.join("web_sample.py")], &options);
    let snapshot = crate::tui::app::AnalysisSnapshot::from_report(&report, &root);
    let mut app = stopped(110, 30);
    app.on_key(KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT));
    insta::assert_snapshot!("analysis_running", render(&mut app).backend());
    app.on_update(Update::Analysis(std::sync::Arc::new(snapshot)));
    app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    insta::assert_snapshot!("analysis_findings", render(&mut app).backend());
    // Enter shows the selected finding in the source pane.
    let row = app.analysis.selected().cloned().unwrap();
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(!app.analysis.open);
    assert_eq!(app.source.path(), Some(row.file.as_path()));
    assert_eq!(app.source.cursor(), row.line);
}

/// A breakpoint asked for on a line with no code (23, blank) shows where it went: the gutter mark
/// on line 25, "moved from 23" in the Breakpoints pane, and the notice the worker sends in the
/// status line and the console. Toggling it off names the one removed.
#[test]
fn a_moved_breakpoint_says_where_it_came_from_and_its_removal_is_named() {
    let mut app = stopped(100, 30);
    let mut moved = breakpoint(1, 23);
    moved.actual_line = Some(25);
    app.on_update(Update::Breakpoints(vec![moved.clone()]));
    app.on_update(Update::Notice(moved.describe()));
    app.focus = Pane::Breakpoints;
    app.source.goto_line(25);
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("breakpoint 1 at demo.py:25, moved from 23 to 25 (no code on line 23)")
    );
    insta::assert_snapshot!(render(&mut app).backend());
    app.on_update(Update::Notice(crate::tui::worker::removed_text(&moved)));
    app.on_update(Update::Breakpoints(Vec::new()));
    assert_eq!(app.notice.as_ref().map(|n| n.text.as_str()), Some("breakpoint 1 at demo.py:25 removed"));
}

/// The tests overlay of a pytest run: open from the start while pytest collects, then the tests
/// with how they last ended; a failure stop closes it, `T` opens it again with that test marked,
/// and Enter debugs the selected test alone.
#[test]
fn tests_overlay_of_a_pytest_run() {
    use crate::session::test_collect::Collection;
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let mut app = app(100, 24);
    app.facts.program = "-m pytest tests".into();
    app.facts.test_args = Some(vec!["tests".into()]);
    let requests = app.startup_requests(Vec::new());
    assert!(requests.iter().any(|r| matches!(r, Request::CollectTests { args } if args == &["tests"])));
    assert!(app.tests.open);
    app.on_update(Update::TestsProgress(3));
    insta::assert_snapshot!("tests_overlay_collecting", render(&mut app).backend());

    let mut collection = Collection {
        node_ids: [
            "tests/test_shop.py::test_total",
            "tests/test_shop.py::test_discount[10-90]",
            "tests/test_shop.py::test_discount[50-50]",
            "tests/test_stock.py::TestStock::test_reserve",
            "tests/test_stock.py::TestStock::test_release",
        ]
        .map(String::from)
        .to_vec(),
        ..Default::default()
    };
    collection.last_failed.insert("tests/test_stock.py::TestStock::test_reserve".into());
    app.on_update(Update::Tests(Ok(collection)));

    let mut info = stop(StopReason::Exception);
    info.hit_breakpoints.clear();
    info.text = Some("KeyError".into());
    app.on_update(Update::Event(SessionEvent::Stopped(info)));
    assert!(!app.tests.open, "a failure stop shows the stop, not the overlay");
    let epoch = app.epoch;
    let test = crate::session::CurrentTest::parse("tests/test_shop.py::test_total (call)");
    app.on_update(Update::CurrentTest { epoch, test });

    app.on_key(KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT));
    assert!(app.tests.open);
    app.on_key(key(KeyCode::Down));
    insta::assert_snapshot!("tests_overlay_listed", render(&mut app).backend());

    let requests = app.on_key(key(KeyCode::Enter));
    assert!(
        matches!(&requests[..], [Request::RunTests { args }] if args == &["tests/test_shop.py::test_discount[10-90]"]),
        "{requests:?}"
    );
    assert!(!app.tests.open);
    app.on_key(KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT));
    let requests = app.on_key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::NONE));
    assert!(matches!(&requests[..], [Request::RunTests { args }] if args == &["tests/test_shop.py"]), "{requests:?}");
}

/// Outside a pytest run the tests key says how to get one.
#[test]
fn tests_key_outside_a_pytest_run_explains() {
    let mut app = app(100, 24);
    let requests = app.on_key(KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT));
    assert!(requests.is_empty() && !app.tests.open);
    assert!(app.notice.as_ref().is_some_and(|n| n.text.contains("loupe test")), "{:?}", app.notice);
}

/// Answers to requests sent before a restart arrive after it with the old run's phase: the app
/// drops them until the worker says the restart is done, so the old stop does not come back (and
/// a `c` pressed then does not resume a program that is gone).
#[test]
fn a_restart_drops_the_old_runs_phases() {
    let mut app = app(100, 24);
    let old = stop(StopReason::Exception);
    app.on_update(Update::Event(SessionEvent::Stopped(old.clone())));
    let requests = app.on_key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT));
    assert!(matches!(&requests[..], [Request::Restart]), "{requests:?}");
    app.on_update(Update::Phase(Phase::Stopped(old)));
    assert!(matches!(app.state, crate::tui::app::RunState::Starting), "{:?}", app.state);
    app.on_update(Update::Restarted);
    app.on_update(Update::Phase(Phase::Running));
    assert!(matches!(app.state, crate::tui::app::RunState::Running), "{:?}", app.state);
}

/// What the sandbox means for this run (a script directly in the home directory is readable on
/// its own, nothing beside it) is in the console and the notice line when the session starts,
/// before the program fails on it.
#[test]
fn a_sandbox_note_is_shown_when_the_session_starts() {
    let mut app = app(100, 24);
    app.facts.sandbox_notes = vec!["try.py is directly in the home directory, which the sandbox keeps hidden: \
                                    the program can read try.py but not the files beside it"
        .into()];
    app.startup_requests(Vec::new());
    insta::assert_snapshot!("sandbox_note_at_start", render(&mut app).backend());
}
