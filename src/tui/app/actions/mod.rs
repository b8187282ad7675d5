//! What keys, mouse clicks and console commands do to the app: each turns into state changes
//! and requests for the session worker. This file routes a key to whoever has it (an overlay, a
//! dialog, the console, else the keymap's action) and runs actions; what they do is in one file
//! per concern: `program` (run, step, pause, frames), `breakpoints`, `panes` (moving and acting
//! in the focused pane), `overlays` (help, Environment, Analysis), `tests` (the tests overlay), `dialogs`, `console`, `mouse`.

mod breakpoints;
mod console;
mod dialogs;
mod mouse;
mod overlays;
mod panes;
mod program;
mod tests;

pub use mouse::on_mouse;

use crossterm::event::{KeyEvent, KeyEventKind};

use super::dialog::Dialog;
use super::input::TextInput;
use super::App;
use crate::session::ResumeAction;
use crate::tui::keymap::Action;
use crate::tui::layout::Pane;
use crate::tui::worker::Request;

pub fn on_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    app.notice = None;
    if let Some(scroll) = app.help {
        overlays::help_key(app, key, scroll);
        return Vec::new();
    }
    if app.env.open {
        return overlays::env_key(app, key);
    }
    if app.analysis.open {
        overlays::analysis_key(app, key);
        return Vec::new();
    }
    if app.tests.open {
        return tests::tests_key(app, key);
    }
    if app.dialog.is_some() {
        return dialogs::dialog_key(app, key);
    }
    if app.focus == Pane::Console {
        return console::console_key(app, key);
    }
    match app.keymap.lookup(&key, false) {
        Some(action) => act(app, action),
        None => Vec::new(),
    }
}

/// Runs an action from a key (or the same from a console command).
pub(super) fn act(app: &mut App, action: Action) -> Vec<Request> {
    match action {
        Action::Continue => program::continue_or_restart(app),
        Action::Stop => program::stop(app),
        Action::Restart => program::restart(app),
        Action::Pause => program::pause(app),
        Action::StepOver => program::resume(app, ResumeAction::Next),
        Action::StepInto => program::resume(app, ResumeAction::StepIn),
        Action::StepOut => program::resume(app, ResumeAction::StepOut),
        Action::RunToCursor => program::run_to_cursor(app, false),
        Action::Jump => program::run_to_cursor(app, true),
        Action::ToggleBreakpoint => breakpoints::toggle_breakpoint(app),
        Action::EditBreakpoint => breakpoints::edit_breakpoint(app),
        Action::FrameUp => program::select_frame(app, app.stack.current_frame as isize + 1),
        Action::FrameDown => program::select_frame(app, app.stack.current_frame as isize - 1),
        Action::Quit => {
            app.quitting = true;
            vec![Request::Quit]
        }
        Action::Help => {
            app.help = Some(0);
            Vec::new()
        }
        Action::Environment => {
            app.env.open = true;
            Vec::new()
        }
        Action::Analysis => {
            app.analysis.open = true;
            Vec::new()
        }
        Action::Tests => tests::open(app),
        Action::Search => {
            app.focus = Pane::Source;
            app.dialog = Some(Dialog::Search(TextInput::new(app.source.search_needle().unwrap_or(""))));
            Vec::new()
        }
        Action::SearchNext | Action::SearchPrev => {
            if app.source.search_needle().is_none() {
                app.notify("no search yet (/ searches)");
            } else if !app.source.search_next(action == Action::SearchNext) {
                app.notify(format!("{:?} not found", app.source.search_needle().unwrap_or("")));
            }
            Vec::new()
        }
        Action::GotoLine => {
            app.focus = Pane::Source;
            app.dialog = Some(Dialog::GotoLine(TextInput::default()));
            Vec::new()
        }
        Action::QuickOpen => {
            app.focus = Pane::Source;
            let stack_files: Vec<std::path::PathBuf> =
                app.stack.frames.values().flatten().filter_map(|frame| frame.file.clone()).collect();
            app.dialog = Some(Dialog::QuickOpen(super::quick_open::QuickOpen::new(&app.project_root, &stack_files)));
            vec![Request::ProjectFiles { project: app.project_root.clone() }]
        }
        Action::NextPane | Action::PrevPane => {
            let i = Pane::ALL.iter().position(|p| *p == app.focus).unwrap_or(0);
            let n = Pane::ALL.len();
            app.focus = Pane::ALL[if action == Action::NextPane { (i + 1) % n } else { (i + n - 1) % n }];
            Vec::new()
        }
        Action::FocusSource => focus(app, Pane::Source),
        Action::FocusVariables => focus(app, Pane::Variables),
        Action::FocusStack => focus(app, Pane::Stack),
        Action::FocusBreakpoints => focus(app, Pane::Breakpoints),
        Action::FocusConsole => focus(app, Pane::Console),
        Action::Up => panes::navigate(app, -1),
        Action::Down => panes::navigate(app, 1),
        Action::PageUp => panes::navigate(app, -(panes::page_rows(app) as isize)),
        Action::PageDown => panes::navigate(app, panes::page_rows(app) as isize),
        Action::Top => panes::navigate(app, isize::MIN / 2),
        Action::Bottom => panes::navigate(app, isize::MAX / 2),
        Action::Expand => panes::expand(app, Some(true)),
        Action::Collapse => panes::expand(app, Some(false)),
        Action::Activate => panes::activate(app),
        Action::Delete => panes::delete(app),
        Action::ToggleEnabled => breakpoints::toggle_enabled(app),
        Action::AddWatch => {
            app.dialog = Some(Dialog::Watch { index: None, input: TextInput::default() });
            Vec::new()
        }
        Action::EditWatch => panes::edit_watch(app),
        Action::ViewValue => panes::view_value(app),
        Action::Cancel => {
            app.notice = None;
            app.console.completions.clear();
            app.source.clear_search();
            Vec::new()
        }
    }
}

fn focus(app: &mut App, pane: Pane) -> Vec<Request> {
    app.focus = pane;
    Vec::new()
}
