//! The event loop of a full-screen view that owns the terminal until it is done (the flame view,
//! the line report view): keys, mouse and resizes go to the view, Ctrl-C, SIGTERM and SIGHUP end
//! it (key releases are dropped here, so no view sees them), and the terminal is given back
//! however it ends. The debugger's TUI has its own loop, since it also
//! waits on the session.

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use ratatui::Frame;
use tokio::signal::unix::{signal, SignalKind};

use super::terminal::TerminalGuard;

/// A view the loop can drive.
pub trait Screen {
    fn on_key(&mut self, key: KeyEvent);
    fn on_mouse(&mut self, mouse: MouseEvent);
    fn resize(&mut self, size: Rect);
    /// Work before a draw that needs `&mut` (settling scroll positions, highlighting).
    fn prepare(&mut self);
    fn draw(&self, frame: &mut Frame);
    fn done(&self) -> bool;
    /// Ends the view (the terminal went away, or a signal asked).
    fn finish(&mut self);
}

/// Takes over the terminal and runs `screen` until it is done.
pub async fn run(screen: &mut impl Screen) -> anyhow::Result<()> {
    let mut guard = TerminalGuard::enter(true)?;
    let size = guard.terminal.size()?;
    screen.resize(Rect::new(0, 0, size.width, size.height));
    let mut events = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    draw(&mut guard, screen)?;
    while !screen.done() {
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind == KeyEventKind::Release => continue,
                Some(Ok(Event::Key(key)))
                    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') =>
                {
                    screen.finish()
                }
                Some(Ok(Event::Key(key))) => screen.on_key(key),
                Some(Ok(Event::Mouse(mouse))) => screen.on_mouse(mouse),
                Some(Ok(Event::Resize(w, h))) => screen.resize(Rect::new(0, 0, w, h)),
                Some(Ok(_)) => continue,
                Some(Err(e)) => {
                    tracing::warn!("terminal event error: {e}");
                    continue;
                }
                None => screen.finish(),
            },
            _ = sigterm.recv() => screen.finish(),
            _ = sighup.recv() => screen.finish(),
        }
        draw(&mut guard, screen)?;
    }
    drop(guard);
    // Give the terminal a moment to settle (before the debugger or a program takes it over)
    // while the event stream is still alive: dropped before the terminal is given back, its
    // reader thread could be left holding the next view's first keys (seen: the flame view
    // entered a second time never got its `q`).
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    Ok(())
}

fn draw(guard: &mut TerminalGuard, screen: &mut impl Screen) -> anyhow::Result<()> {
    screen.prepare();
    guard.terminal.draw(|frame| screen.draw(frame)).map_err(|e| anyhow::anyhow!("drawing the screen: {e}"))?;
    Ok(())
}
