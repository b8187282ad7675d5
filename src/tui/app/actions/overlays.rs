//! Keys while an overlay is open: the help overlay (scrolling), the Environment overlay (tabs,
//! reload, installing what the project misses, choosing the project's interpreter) and the
//! Analysis overlay (Enter shows a finding in the source pane).

use crossterm::event::{KeyCode, KeyEvent};

use super::super::{App, Notice};
use crate::tui::keymap::Action;
use crate::tui::layout::{self, help, Pane};
use crate::tui::worker::Request;

/// Keys while the help overlay is open (scrolled by `scroll`): scroll it, or close it.
pub(super) fn help_key(app: &mut App, key: KeyEvent, scroll: u16) {
    let max = help::max_scroll(&app.keymap, app.size);
    app.help = match (key.code, app.keymap.lookup(&key, false)) {
        (KeyCode::Esc, _) | (_, Some(Action::Help | Action::Quit | Action::Cancel)) => None,
        (_, Some(Action::Down)) => Some((scroll + 1).min(max)),
        (_, Some(Action::Up)) => Some(scroll.saturating_sub(1)),
        (_, Some(Action::PageDown)) => Some((scroll + 10).min(max)),
        (_, Some(Action::PageUp)) => Some(scroll.saturating_sub(10)),
        (_, Some(Action::Top)) => Some(0),
        (_, Some(Action::Bottom)) => Some(max),
        _ => Some(scroll),
    };
}

/// Keys while the Environment overlay is open: move, switch tabs, reload, choose an interpreter.
pub(super) fn env_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    let visible = layout::env_list_height(app.size);
    if let Some(packages) = app.env.confirm.take() {
        // Installing changes the user's environment: only an explicit yes does it.
        if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
            if let Some(interpreter) = app.facts.interpreter_path.clone() {
                app.env.installing = Some(format!("installing {}", packages.join(", ")));
                return vec![Request::Install { interpreter, packages }];
            }
        }
        return Vec::new();
    }
    let action = app.keymap.lookup(&key, false);
    match (key.code, action, list_step(action, visible)) {
        (KeyCode::Char('i'), _, _) if app.env.installing.is_none() => {
            let missing = app.analysis.snapshot.as_ref().map(|s| s.missing.clone()).unwrap_or_default();
            if missing.is_empty() {
                app.notify("the project imports nothing that is missing from this environment");
            } else {
                let names = missing
                    .iter()
                    .map(|m| crate::pyenv::packages::distribution_for_import(&m.module).to_string())
                    .collect();
                app.env.confirm = Some(names);
            }
        }
        (KeyCode::Esc, _, _) | (_, Some(Action::Environment | Action::Quit | Action::Cancel), _) => {
            app.env.open = false
        }
        (KeyCode::Tab | KeyCode::BackTab, _, _) => app.env.switch_tab(),
        (_, _, Some(delta)) => app.env.move_cursor(delta, visible),
        (KeyCode::Char('r'), _, _) if !app.env.loading => {
            if let Some(load) = super::super::env::load_request(app.facts.interpreter_path.as_ref(), &app.project_root)
            {
                app.env.loading = true;
                return vec![load];
            }
        }
        (KeyCode::Enter, _, _) => choose_interpreter(app),
        _ => {}
    }
    Vec::new()
}

/// Keys while the Analysis overlay is open: move, and Enter shows the finding in the source pane.
pub(super) fn analysis_key(app: &mut App, key: KeyEvent) {
    let visible = layout::analysis_list_height(app.size);
    let action = app.keymap.lookup(&key, false);
    match (key.code, action, list_step(action, visible)) {
        (KeyCode::Esc, _, _) | (_, Some(Action::Analysis | Action::Quit | Action::Cancel), _) => {
            app.analysis.open = false
        }
        (_, _, Some(delta)) => app.analysis.move_cursor(delta, visible),
        (KeyCode::Enter, _, _) => {
            let Some(row) = app.analysis.selected().cloned() else { return };
            match app.source.open(&row.file) {
                Ok(()) => {
                    app.source.goto_line(row.line);
                    app.focus = Pane::Source;
                    app.analysis.open = false;
                }
                Err(e) => app.warn(format!("{e:#}")),
            }
        }
        _ => {}
    }
}

/// How far a cursor-moving action moves an overlay's list with `visible` rows to a page (the
/// ends as far as the list clamps to); None for any other action.
pub(super) fn list_step(action: Option<Action>, visible: usize) -> Option<isize> {
    Some(match action? {
        Action::Down => 1,
        Action::Up => -1,
        Action::PageDown => visible as isize,
        Action::PageUp => -(visible as isize),
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return None,
    })
}

/// Makes the interpreter under the cursor the project's: `loupe run` here uses it from the next
/// run on (this session keeps its interpreter).
fn choose_interpreter(app: &mut App) {
    let Some(found) = app.env.selected_interpreter().cloned() else { return };
    if let Some(problem) = &found.problem {
        app.notice = Some(Notice { text: format!("{} cannot be used: {problem}", found.path.display()), error: true });
        return;
    }
    app.persisted.interpreter = Some(found.path.clone());
    match app.persisted.save() {
        Ok(()) => app.notify(format!(
            "loupe run uses {} (Python {}) for this project from the next run",
            found.path.display(),
            found.version.as_deref().unwrap_or("?")
        )),
        Err(e) => app.warn(format!("could not save the choice: {e:#}")),
    }
}
