//! Keys while a dialog is open: the value viewer, search, go to line, watch, set value and the
//! breakpoint form. Esc closes any of them; Enter does what the dialog is for.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::dialog::Dialog;
use super::super::App;
use super::breakpoints::submit_breakpoint;
use super::panes::watch_changed;
use crate::tui::app::quick_open::SHOWN as QUICK_OPEN_SHOWN;
use crate::tui::keymap::Action;
use crate::tui::worker::Request;

pub(super) fn dialog_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    let Some(mut dialog) = app.dialog.take() else { return Vec::new() };
    if key.code == KeyCode::Esc {
        return Vec::new();
    }
    let enter = key.code == KeyCode::Enter;
    let requests = match &mut dialog {
        Dialog::Value { scroll, .. } => {
            match app.keymap.lookup(&key, false) {
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Action::Top) => *scroll = 0,
                _ if enter || matches!(key.code, KeyCode::Char('q')) => return Vec::new(),
                _ => {}
            }
            Vec::new()
        }
        Dialog::Search(input) if enter => {
            let needle = input.text().to_string();
            if !needle.is_empty() && !app.source.search(&needle, true) {
                app.notify(format!("{needle:?} not found"));
            }
            return Vec::new();
        }
        Dialog::QuickOpen(quick) => {
            match key.code {
                KeyCode::Enter => {
                    let Some(path) = quick.chosen().map(std::path::Path::to_path_buf) else {
                        app.notify(format!("no file matches {:?}", quick.input.text()));
                        return Vec::new();
                    };
                    if let Err(e) = app.source.open(&path) {
                        app.notify(format!("cannot open {}: {e:#}", path.display()));
                    }
                    return Vec::new();
                }
                KeyCode::Up => quick.step(-1),
                KeyCode::Down => quick.step(1),
                KeyCode::PageUp => quick.step(-(QUICK_OPEN_SHOWN as isize)),
                KeyCode::PageDown => quick.step(QUICK_OPEN_SHOWN as isize),
                _ => {
                    if quick.input.handle(&key) {
                        quick.refilter();
                    }
                }
            }
            Vec::new()
        }
        Dialog::GotoLine(input) if enter => {
            match input.text().trim().parse::<usize>() {
                Ok(n) if app.source.goto_line(n) => {}
                _ => app.notify(format!(
                    "no line {:?}: this file has lines 1 to {}",
                    input.text(),
                    app.source.line_count()
                )),
            }
            return Vec::new();
        }
        Dialog::Watch { index, input } if enter => {
            let expression = input.text().trim().to_string();
            if !expression.is_empty() {
                let i = match *index {
                    Some(i) => {
                        app.variables.watches[i].expression = expression.clone();
                        app.variables.watches[i].result = None;
                        i
                    }
                    None => app.variables.add_watch(expression.clone()),
                };
                return watch_changed(app, i, expression);
            }
            return Vec::new();
        }
        Dialog::SetValue { parent, name, input } if enter => {
            return vec![Request::SetVariable {
                epoch: app.epoch,
                reference: *parent,
                name: name.clone(),
                value: input.text().to_string(),
            }];
        }
        Dialog::Breakpoint(form) => match key.code {
            KeyCode::Tab | KeyCode::Down => {
                form.focus = (form.focus + 1) % 3;
                Vec::new()
            }
            KeyCode::BackTab | KeyCode::Up => {
                form.focus = (form.focus + 2) % 3;
                Vec::new()
            }
            KeyCode::Enter => match submit_breakpoint(form) {
                Ok(request) => return vec![request],
                Err(e) => {
                    form.error = Some(e);
                    Vec::new()
                }
            },
            _ => {
                form.fields[form.focus].handle(&key);
                form.error = None;
                Vec::new()
            }
        },
        Dialog::Search(input)
        | Dialog::GotoLine(input)
        | Dialog::Watch { input, .. }
        | Dialog::SetValue { input, .. } => {
            input.handle(&key);
            Vec::new()
        }
    };
    app.dialog = Some(dialog);
    requests
}
