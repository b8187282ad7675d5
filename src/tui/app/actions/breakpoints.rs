//! Breakpoints from the source pane and the Breakpoints pane: toggle on the cursor's line,
//! enable or disable, and the edit form (condition, hit count, log message) and what it submits.

use super::super::dialog::{BreakpointForm, Dialog};
use super::super::input::TextInput;
use super::super::App;
use crate::session::{Breakpoint, BreakpointSpec, HitCondition, Location};
use crate::tui::layout::Pane;
use crate::tui::worker::Request;

/// The breakpoint on the source cursor's line.
pub(super) fn breakpoint_at_cursor(app: &App) -> Option<&Breakpoint> {
    let path = app.source.path()?;
    let line = app.source.cursor() as i64;
    app.breakpoints.iter().find(|b| b.file() == Some(path) && b.line() == Some(line))
}

pub(super) fn toggle_breakpoint(app: &mut App) -> Vec<Request> {
    if app.focus == Pane::Breakpoints {
        return toggle_enabled(app);
    }
    let Some(path) = app.source.path().map(|p| p.to_path_buf()) else {
        app.notify("open a file in the source pane to set breakpoints");
        return Vec::new();
    };
    match breakpoint_at_cursor(app) {
        Some(b) => vec![Request::RemoveBreakpoint(b.id)],
        None => {
            vec![Request::AddBreakpoint { spec: BreakpointSpec::line(path, app.source.cursor() as i64), enabled: true }]
        }
    }
}

pub(super) fn toggle_enabled(app: &mut App) -> Vec<Request> {
    let target = if app.focus == Pane::Breakpoints {
        app.breakpoints.get(app.breakpoint_cursor)
    } else {
        breakpoint_at_cursor(app)
    };
    match target {
        Some(b) => vec![Request::SetBreakpointEnabled { id: b.id, enabled: !b.enabled }],
        None => Vec::new(),
    }
}

pub(super) fn edit_breakpoint(app: &mut App) -> Vec<Request> {
    let existing = if app.focus == Pane::Breakpoints {
        app.breakpoints.get(app.breakpoint_cursor).cloned()
    } else {
        breakpoint_at_cursor(app).cloned()
    };
    let form = match existing {
        Some(b) => {
            let Location::Line { file, line } = b.spec.location.clone() else {
                app.notify("function breakpoints are edited with the console: delete and `break NAME if …`");
                return Vec::new();
            };
            BreakpointForm {
                id: Some(b.id),
                location: format!("{}:{line}", short(&file)),
                file,
                line,
                fields: [
                    TextInput::new(b.spec.condition.as_deref().unwrap_or("")),
                    TextInput::new(&b.spec.hit_condition.map(|h| h.to_string()).unwrap_or_default()),
                    TextInput::new(b.spec.log_message.as_deref().unwrap_or("")),
                ],
                focus: 0,
                error: None,
            }
        }
        None => {
            let Some(file) = app.source.path().map(|p| p.to_path_buf()) else {
                app.notify("open a file in the source pane first");
                return Vec::new();
            };
            let line = app.source.cursor() as i64;
            BreakpointForm {
                id: None,
                location: format!("{}:{line}", short(&file)),
                file,
                line,
                fields: Default::default(),
                focus: 0,
                error: None,
            }
        }
    };
    app.dialog = Some(Dialog::Breakpoint(form));
    Vec::new()
}

/// A file's name alone (the form's title has little room).
fn short(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

pub(super) fn submit_breakpoint(form: &BreakpointForm) -> Result<Request, String> {
    let text = |i: usize| Some(form.fields[i].text().trim().to_string()).filter(|t| !t.is_empty());
    let hit = text(1).map(|h| HitCondition::parse(&h)).transpose()?;
    Ok(match form.id {
        Some(id) => Request::UpdateBreakpoint { id, condition: text(0), hit, log: text(2) },
        None => {
            let mut spec = BreakpointSpec::line(form.file.clone(), form.line);
            spec.condition = text(0);
            spec.hit_condition = hit;
            spec.log_message = text(2);
            Request::AddBreakpoint { spec, enabled: true }
        }
    })
}
