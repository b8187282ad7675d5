//! The interactive flame view (`loupe profile`, `loupe flame`): a flamegraph of a cProfile run in
//! the terminal, with zoom, search, library filtering, a function table, exact callers/callees,
//! source, and "debug here" (which leaves the view and starts the debugger at the function).
//!
//! Same split as the debugger's TUI: [`state`] holds everything, [`update`] turns keys and mouse
//! into state changes, [`view`] draws state and nothing else; [`model`] derives the tree to draw.

pub mod geometry;
pub mod library;
pub mod model;
pub mod state;
mod update;
pub mod view;

#[cfg(test)]
mod tests;

use ratatui::layout::Rect;

pub use model::FlameModel;
pub use state::{DebugAt, FlameState, LinesFor};

use super::theme::Theme;

/// How the flame view ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlameOutcome {
    Quit,
    /// "Debug here": start the debugger with a breakpoint there.
    Debug(DebugAt),
    /// "Line times here": measure the function line by line, then come back to this view
    /// (`run` again with the same state, after [`FlameState::show_line_times`]).
    Lines(LinesFor),
}

/// The theme by name (as `--theme` gives it), honouring NO_COLOR.
pub fn theme(name: Option<&str>) -> anyhow::Result<Theme> {
    let mut theme = match name {
        Some(n) => Theme::load(n)?,
        None => Theme::default_dark(),
    };
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        theme = theme.without_color();
    }
    Ok(theme)
}

/// Runs the flame view until the user quits or asks to debug or for line times. The state
/// survives, so the view can be entered again where it was left.
pub async fn run(state: &mut FlameState) -> anyhow::Result<FlameOutcome> {
    state.quit = false;
    super::screen::run(state).await?;
    Ok(match (state.debug_at.take(), state.lines_for.take()) {
        (Some(at), _) => FlameOutcome::Debug(at),
        (None, Some(at)) => FlameOutcome::Lines(at),
        (None, None) => FlameOutcome::Quit,
    })
}

impl super::screen::Screen for FlameState {
    fn on_key(&mut self, key: crossterm::event::KeyEvent) {
        FlameState::on_key(self, key);
    }
    fn on_mouse(&mut self, mouse: crossterm::event::MouseEvent) {
        FlameState::on_mouse(self, mouse);
    }
    fn resize(&mut self, size: Rect) {
        FlameState::resize(self, size);
    }
    fn prepare(&mut self) {
        FlameState::prepare(self);
    }
    fn draw(&self, frame: &mut ratatui::Frame) {
        view::draw(frame, self);
    }
    fn done(&self) -> bool {
        self.quit
    }
    fn finish(&mut self) {
        self.quit = true;
    }
}
