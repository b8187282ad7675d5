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

use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use tokio::signal::unix::{signal, SignalKind};

pub use model::FlameModel;
pub use state::{DebugAt, FlameState, LinesFor};

use super::terminal::TerminalGuard;
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
    let mut guard = TerminalGuard::enter(true)?;
    let size = guard.terminal.size()?;
    state.resize(Rect::new(0, 0, size.width, size.height));
    let mut events = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    draw(&mut guard, state)?;
    while !state.quit {
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => state.on_key(key),
                Some(Ok(Event::Mouse(mouse))) => state.on_mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => state.resize(Rect::new(0, 0, w, h)),
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    tracing::warn!("terminal event error: {e}");
                    continue;
                }
                None => state.quit = true,
            },
            _ = sigterm.recv() => state.quit = true,
            _ = sighup.recv() => state.quit = true,
        }
        draw(&mut guard, state)?;
    }
    drop(guard);
    // Give the terminal a moment to settle before the debugger takes it over.
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(match (state.debug_at.take(), state.lines_for.take()) {
        (Some(at), _) => FlameOutcome::Debug(at),
        (None, Some(at)) => FlameOutcome::Lines(at),
        (None, None) => FlameOutcome::Quit,
    })
}

fn draw(guard: &mut TerminalGuard, state: &mut FlameState) -> anyhow::Result<()> {
    state.prepare();
    guard.terminal.draw(|frame| view::draw(frame, state)).map_err(|e| anyhow::anyhow!("drawing the screen: {e}"))?;
    Ok(())
}
