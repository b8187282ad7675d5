//! Moving and acting in the focused pane: up/down/page, expand, Enter (open, select, set a
//! value), delete, and the Variables pane's watches and value viewer.

use super::super::dialog::Dialog;
use super::super::input::TextInput;
use super::super::variables::{self, Row};
use super::super::App;
use super::breakpoints::{breakpoint_at_cursor, toggle_breakpoint};
use crate::tui::layout::{self, Pane};
use crate::tui::worker::{EvalPurpose, Request};

pub(super) fn page_rows(app: &App) -> usize {
    app.areas.map(|a| layout::inner_height(a.of(app.focus))).unwrap_or(10).max(1)
}

pub(super) fn navigate(app: &mut App, delta: isize) -> Vec<Request> {
    match app.focus {
        Pane::Source => match delta {
            d if d == isize::MIN / 2 => app.source.top(),
            d if d == isize::MAX / 2 => app.source.bottom(),
            d => app.source.move_cursor(d),
        },
        Pane::Variables => app.variables.move_selection(delta),
        Pane::Stack => app.stack.move_cursor(delta),
        Pane::Breakpoints => {
            let n = app.breakpoints.len();
            if n > 0 {
                app.breakpoint_cursor =
                    (app.breakpoint_cursor as isize).saturating_add(delta).clamp(0, n as isize - 1) as usize;
            }
        }
        Pane::Console => {
            let back = app.console.scroll_back as isize - delta;
            app.console.scroll_back = back.clamp(0, app.console.lines.len() as isize) as usize;
        }
    }
    Vec::new()
}

pub(super) fn expand(app: &mut App, open: Option<bool>) -> Vec<Request> {
    if app.focus != Pane::Variables {
        return Vec::new();
    }
    match app.variables.toggle(open) {
        Some((reference, start)) => {
            vec![Request::Variables { epoch: app.epoch, reference, start, count: variables::PAGE }]
        }
        None => Vec::new(),
    }
}

pub(super) fn activate(app: &mut App) -> Vec<Request> {
    match app.focus {
        Pane::Variables => match app.variables.selected_row() {
            Some(Row::Watch(i)) => {
                let text = app.variables.watches[i].expression.clone();
                app.dialog = Some(Dialog::Watch { index: Some(i), input: TextInput::new(&text) });
                Vec::new()
            }
            Some(Row::Node(..)) => {
                let leaf = app.variables.selected_variable().map(|(n, parent)| (n.expandable(), n.clone(), parent));
                match leaf {
                    Some((false, node, parent)) => {
                        app.dialog = Some(Dialog::SetValue {
                            parent,
                            name: node.var.name.clone(),
                            input: TextInput::new(if node.var.truncated { "" } else { &node.var.value }),
                        });
                        Vec::new()
                    }
                    _ => expand(app, None),
                }
            }
            _ => expand(app, None),
        },
        Pane::Stack => match app.stack.cursor_target() {
            Some((thread, frame)) => {
                let switching = app.stack.current_thread != Some(thread);
                app.stack.current_thread = Some(thread);
                match frame {
                    Some(f) => app.show_frame(f),
                    None if switching || !app.stack.frames.contains_key(&thread) => {
                        app.stack.current_frame = 0;
                        vec![Request::Stack { epoch: app.epoch, thread }]
                    }
                    None => Vec::new(),
                }
            }
            None => Vec::new(),
        },
        Pane::Breakpoints => {
            if let Some(b) = app.breakpoints.get(app.breakpoint_cursor).cloned() {
                if let (Some(file), Some(line)) = (b.file(), b.line()) {
                    match app.source.open(file) {
                        Ok(()) => {
                            app.source.goto_line(line as usize);
                            app.focus = Pane::Source;
                        }
                        Err(e) => app.warn(format!("{e:#}")),
                    }
                }
            }
            Vec::new()
        }
        Pane::Source => toggle_breakpoint(app),
        Pane::Console => Vec::new(),
    }
}

pub(super) fn delete(app: &mut App) -> Vec<Request> {
    match app.focus {
        Pane::Breakpoints => match app.breakpoints.get(app.breakpoint_cursor) {
            Some(b) => vec![Request::RemoveBreakpoint(b.id)],
            None => Vec::new(),
        },
        Pane::Variables => {
            if let Some(Row::Watch(i)) = app.variables.selected_row() {
                app.variables.watches.remove(i);
                app.persisted.watches = app.variables.watches.iter().map(|w| w.expression.clone()).collect();
                app.variables.move_selection(0);
            }
            Vec::new()
        }
        Pane::Source => match breakpoint_at_cursor(app) {
            Some(b) => vec![Request::RemoveBreakpoint(b.id)],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Opens the watch under the cursor in the watch dialog.
pub(super) fn edit_watch(app: &mut App) -> Vec<Request> {
    if let Some(Row::Watch(i)) = app.variables.selected_row().filter(|_| app.focus == Pane::Variables) {
        let text = app.variables.watches[i].expression.clone();
        app.dialog = Some(Dialog::Watch { index: Some(i), input: TextInput::new(&text) });
    } else {
        app.notify("select a watch in the Variables pane to edit it");
    }
    Vec::new()
}

pub(super) fn view_value(app: &mut App) -> Vec<Request> {
    if app.focus == Pane::Console {
        return Vec::new();
    }
    let (title, expression, value) = match app.variables.selected_row() {
        Some(Row::Watch(i)) => {
            let w = &app.variables.watches[i];
            (w.expression.clone(), Some(w.expression.clone()), None)
        }
        Some(Row::Node(..)) => match app.variables.selected_variable() {
            Some((node, _)) => (node.var.name.clone(), node.var.evaluate_name.clone(), Some(node.var.value.clone())),
            None => return Vec::new(),
        },
        _ => {
            app.notify("select a variable to view its whole value");
            return Vec::new();
        }
    };
    match expression.filter(|_| app.is_stopped()) {
        Some(expression) => {
            app.dialog = Some(Dialog::Value { title, text: None, scroll: 0 });
            vec![Request::Evaluate {
                epoch: app.epoch,
                expression,
                frame: app.stack.frame().map(|f| f.id),
                purpose: EvalPurpose::Viewer,
            }]
        }
        None => {
            app.dialog = Some(Dialog::Value { title, text: value, scroll: 0 });
            Vec::new()
        }
    }
}

/// After watch `i` was added or edited: saves the watches, and evaluates it now if stopped.
pub(super) fn watch_changed(app: &mut App, i: usize, expression: String) -> Vec<Request> {
    app.persisted.watches = app.variables.watches.iter().map(|w| w.expression.clone()).collect();
    if !app.is_stopped() {
        return Vec::new();
    }
    vec![Request::Evaluate {
        epoch: app.epoch,
        expression,
        frame: app.stack.frame().map(|f| f.id),
        purpose: EvalPurpose::Watch(i),
    }]
}
