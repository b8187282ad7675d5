//! Keys of the tests overlay: move through pytest's tests, debug the selected test (Enter), its
//! file (`f`) or the whole run again (`a`), collect again (`r`). Running starts the program again
//! with those pytest arguments; breakpoints and the failure stops stay as they are.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::{tests_label, App, LineKind, RunState};
use super::overlays::list_step;
use crate::session::test_collect::node_file;
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::worker::Request;

/// The tests key: opens the overlay (collecting the first time), or says why there is none.
pub(super) fn open(app: &mut App) -> Vec<Request> {
    let Some(args) = app.facts.test_args.clone() else {
        app.notify(
            "the tests overlay lists pytest's tests: start the program with `loupe test` or `loupe run -m pytest`",
        );
        return Vec::new();
    };
    app.tests.open = true;
    if app.tests.collection.is_none() && app.tests.collecting.is_none() {
        return collect(app, args);
    }
    Vec::new()
}

fn collect(app: &mut App, args: Vec<String>) -> Vec<Request> {
    app.tests.collecting = Some(0);
    app.tests.error = None;
    vec![Request::CollectTests { args }]
}

pub(super) fn tests_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    let visible = layout::tests_list_height(app.size);
    let action = app.keymap.lookup(&key, false);
    match (key.code, action, list_step(action, visible)) {
        (KeyCode::Esc, _, _) | (_, Some(Action::Tests | Action::Quit | Action::Cancel), _) => app.tests.open = false,
        (_, _, Some(delta)) => app.tests.move_cursor(delta, visible),
        (KeyCode::Enter, _, _) => {
            if let Some(node) = app.tests.selected().map(str::to_string) {
                return run(app, vec![node]);
            }
        }
        (KeyCode::Char('f'), _, _) => {
            if let Some(file) = app.tests.selected().map(|node| node_file(node).to_string()) {
                return run(app, vec![file]);
            }
        }
        (KeyCode::Char('a'), _, _) => {
            let all = app.facts.test_args.clone().unwrap_or_default();
            return run(app, all);
        }
        (KeyCode::Char('r'), _, _) if app.tests.collecting.is_none() => {
            let args = app.facts.test_args.clone().unwrap_or_default();
            return collect(app, args);
        }
        _ => {}
    }
    Vec::new()
}

/// Starts pytest again under the debugger with `args`.
fn run(app: &mut App, args: Vec<String>) -> Vec<Request> {
    if app.facts.attached {
        app.notify("loupe did not start this program, so it cannot run other tests");
        return Vec::new();
    }
    let label = tests_label(&args);
    app.console.push(LineKind::Info, &format!("running {label}…"));
    app.facts.program = format!("-m pytest {}", args.join(" "));
    app.tests.running = Some(label);
    // The marks say what this run stopped at; pytest's cache keeps the earlier failures.
    app.tests.stopped_at.clear();
    app.tests.open = false;
    app.state = RunState::Starting;
    app.restarting = true;
    vec![Request::RunTests { args }]
}
