//! Rendering: pure functions from the app's state to a ratatui frame. No I/O, no waiting, no
//! parsing here; the source pane's highlighting is computed in `App::prepare` before the draw.

pub mod analysis;
mod breakpoints;
mod console;
mod dialog;
pub mod env;
pub mod help;
mod panes;
pub mod source;
mod stack;
mod status;
pub mod tests_overlay;
mod variables;

use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::app::App;
use super::layout::{self, Pane};
use super::theme::Role;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let size = frame.area();
    let Some(areas) = layout::areas(size) else {
        let text = format!(
            "The terminal is {}×{}; loupe needs at least {}×{}. Enlarge it, or press q to quit.",
            size.width,
            size.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        frame.render_widget(
            Paragraph::new(Line::styled(text, app.theme.style(Role::Error))).wrap(Wrap { trim: true }),
            size,
        );
        return;
    };
    let theme = &app.theme;
    source::render(frame, areas.source, &app.source, &app.gutter_marks(), theme, app.focus == Pane::Source);
    variables::render(frame, areas.variables, app, app.focus == Pane::Variables);
    stack::render(frame, areas.stack, app, app.focus == Pane::Stack);
    breakpoints::render(frame, areas.breakpoints, app, app.focus == Pane::Breakpoints);
    console::render(frame, areas.console, app, app.focus == Pane::Console);
    status::render(frame, areas.status, app);
    if let Some(dialog) = &app.dialog {
        dialog::render(frame, size, dialog, theme);
    }
    if app.env.open {
        env::render(frame, app);
    }
    if app.tests.open {
        tests_overlay::render(frame, app);
    }
    if app.analysis.open {
        analysis::render(frame, app);
    }
    if let Some(scroll) = app.help {
        help::render(frame, size, &app.keymap, theme, scroll);
    }
}

#[cfg(test)]
mod tests;
