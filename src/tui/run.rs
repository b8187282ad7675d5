//! The TUI's event loop: terminal events, worker updates and signals in; requests out; a redraw
//! only after something changed (idle costs nothing).

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;

use super::app::{App, RunState, SessionFacts};
use super::config;
use super::keymap::Keymap;
use super::persist::Persisted;
use super::terminal::TerminalGuard;
use super::theme::Theme;
use super::view;
use super::worker::{self, Request};
use crate::session::{BreakpointSpec, Session};

/// How soon the next frame comes while highlighting is catching up.
const HIGHLIGHT_FRAME: Duration = Duration::from_millis(16);

/// How long quitting may wait for the debugger to let go.
const QUIT_TIMEOUT: Duration = Duration::from_secs(6);

pub struct TuiOptions {
    pub facts: SessionFacts,
    /// `--break` breakpoints, set before the program runs.
    pub breakpoints: Vec<BreakpointSpec>,
    /// `--theme`, which wins over the config file.
    pub theme: Option<String>,
    /// The config file (`None`: the XDG default).
    pub config: Option<PathBuf>,
    pub project_root: PathBuf,
    /// Shown in the source pane until the first stop.
    pub initial_file: Option<PathBuf>,
    /// The debugger's own terminal (pdb, ipdb): the console pane shows it and types into it.
    pub terminal: Option<crate::session::TerminalSlot>,
}

/// Everything the app starts with, loaded before the terminal is taken over; warnings go to the
/// console once the UI is up. Also says whether to capture the mouse.
pub fn build_app(options: &TuiOptions) -> (App, bool) {
    let mut warnings = Vec::new();
    let config_path = options.config.clone().or_else(config::default_path);
    let cfg = match &config_path {
        Some(path) => {
            let (cfg, w) = config::load(path);
            warnings.extend(w);
            cfg
        }
        None => config::Config::default(),
    };
    let theme_name = options.theme.clone().or(cfg.theme.clone());
    let mut theme = match theme_name.as_deref().map(Theme::load) {
        None => Theme::default_dark(),
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            warnings.push(format!("{e:#}; using the dark theme"));
            Theme::default_dark()
        }
    };
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        theme = theme.without_color();
    }
    let (persisted, warning) = Persisted::load(&options.project_root);
    warnings.extend(warning);
    let keymap: Keymap = cfg.keymap.clone();
    let mut app = App::new(keymap, theme, options.facts.clone(), persisted);
    app.project_root = options.project_root.clone();
    if let Some(file) = &options.initial_file {
        if let Err(e) = app.source.open(file) {
            warnings.push(format!("{e:#}"));
        }
    }
    for w in warnings {
        app.warn(w);
    }
    (app, cfg.mouse)
}

/// Runs the TUI until the user quits. Returns the program's exit code when it exited.
pub async fn run(session: Session, options: TuiOptions) -> anyhow::Result<u8> {
    let (mut app, mouse) = build_app(&options);
    let (requests, mut updates) = worker::spawn(session);
    let startup = app.startup_requests(options.breakpoints.clone());
    send_all(&requests, None, startup);

    let mut guard = TerminalGuard::enter(mouse)?;
    let size = guard.terminal.size()?;
    app.resize(Rect::new(0, 0, size.width, size.height));
    let mut events = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut quit_deadline: Option<tokio::time::Instant> = None;

    // The debugger's own terminal (pdb, ipdb): shown in the console pane, redrawn as it prints,
    // sized to the pane. A restart starts a new one, so the slot is looked at again each turn.
    let mut pty_output: Option<mpsc::UnboundedReceiver<Vec<u8>>> = None;
    let mut pty_size = (0, 0);
    follow_pty(&options, &mut app, &mut pty_output, &mut pty_size);

    draw(&mut guard, &mut app)?;
    loop {
        let deadline = quit_deadline.unwrap_or_else(|| tokio::time::Instant::now() + Duration::from_secs(86_400));
        let new_requests = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => on_terminal_event(&mut app, event),
                Some(Err(e)) => {
                    tracing::warn!("terminal event error: {e}");
                    Vec::new()
                }
                // The terminal is gone: nothing more can be typed.
                None => quit(&mut app),
            },
            update = updates.recv() => match update {
                Some(u) => app.on_update(u),
                None => {
                    app.finished = true;
                    Vec::new()
                }
            },
            // Rows still waiting for highlighting (after a far jump) are finished over the next
            // frames; this is the only timer, and it runs only while such rows are on screen.
            _ = tokio::time::sleep(HIGHLIGHT_FRAME), if app.source.highlight_pending() => Vec::new(),
            Some(_) = next_output(&mut pty_output) => {
                // Take what else has come, then draw once.
                if let Some(rx) = pty_output.as_mut() {
                    while rx.try_recv().is_ok() {}
                }
                Vec::new()
            }
            _ = sigterm.recv() => quit(&mut app),
            _ = sighup.recv() => quit(&mut app),
            _ = tokio::time::sleep_until(deadline), if quit_deadline.is_some() => {
                tracing::warn!("the debugger did not let go within {QUIT_TIMEOUT:?}; leaving anyway");
                break;
            }
        };
        if app.quitting && quit_deadline.is_none() {
            quit_deadline = Some(tokio::time::Instant::now() + QUIT_TIMEOUT);
        }
        send_all(&requests, app.pty.as_deref(), new_requests);
        // Take whatever else is already waiting before drawing once.
        while let Ok(u) = updates.try_recv() {
            let more = app.on_update(u);
            send_all(&requests, app.pty.as_deref(), more);
        }
        if app.finished && app.quitting {
            break;
        }
        follow_pty(&options, &mut app, &mut pty_output, &mut pty_size);
        draw(&mut guard, &mut app)?;
    }
    drop(guard);
    if let Err(e) = app.persisted.save() {
        note!("loupe: warning: breakpoints and watches were not saved: {e:#}");
    }
    Ok(match app.state {
        RunState::Exited { code, .. } => code.clamp(0, 255) as u8,
        _ => 0,
    })
}

fn quit(app: &mut App) -> Vec<Request> {
    if app.quitting {
        return Vec::new();
    }
    app.quitting = true;
    vec![Request::Quit]
}

/// Output of the debugger's terminal, or never when there is none.
async fn next_output(rx: &mut Option<mpsc::UnboundedReceiver<Vec<u8>>>) -> Option<Vec<u8>> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Picks up the debugger's current terminal (a restart makes a new one) and keeps it the size of
/// the console pane.
fn follow_pty(
    options: &TuiOptions,
    app: &mut App,
    output: &mut Option<mpsc::UnboundedReceiver<Vec<u8>>>,
    size: &mut (u16, u16),
) {
    let Some(slot) = &options.terminal else { return };
    let current = slot.lock().ok().and_then(|t| t.clone());
    let changed = match (&current, &app.pty) {
        (Some(a), Some(b)) => !std::sync::Arc::ptr_eq(a, b),
        (None, None) => false,
        _ => true,
    };
    if changed {
        *output = current.as_ref().map(|t| t.subscribe());
        app.pty = current;
        *size = (0, 0);
    }
    let (Some(pty), Some(areas)) = (&app.pty, app.areas) else { return };
    let inner = (areas.console.width.saturating_sub(2), areas.console.height.saturating_sub(2));
    if inner != *size && inner.0 > 0 && inner.1 > 0 {
        if let Err(e) = pty.resize(inner.0, inner.1) {
            tracing::warn!("{e:#}");
        }
        *size = inner;
    }
}

/// Sends requests to the worker; keys for the debugger's terminal go straight to it.
fn send_all(
    requests: &mpsc::UnboundedSender<Request>,
    pty: Option<&crate::session::ProgramTerminal>,
    list: Vec<Request>,
) {
    for r in list {
        match (r, pty) {
            (Request::TerminalInput(bytes), Some(pty)) => {
                // Typing brings the terminal back to its live screen, as a terminal does.
                if let Ok(mut parser) = pty.screen.lock() {
                    parser.screen_mut().set_scrollback(0);
                }
                if let Err(e) = pty.write(&bytes) {
                    tracing::warn!("{e:#}");
                }
            }
            (Request::TerminalScroll(rows), Some(pty)) => {
                if let Ok(mut parser) = pty.screen.lock() {
                    let now = parser.screen().scrollback();
                    parser.screen_mut().set_scrollback(now.saturating_add_signed(rows));
                }
            }
            (Request::TerminalInput(_) | Request::TerminalScroll(_), None) => {}
            (r, _) => {
                let _ = requests.send(r);
            }
        }
    }
}

fn on_terminal_event(app: &mut App, event: Event) -> Vec<Request> {
    match event {
        Event::Key(key) => app.on_key(key),
        Event::Mouse(mouse) => app.on_mouse(mouse),
        Event::Resize(w, h) => {
            app.resize(Rect::new(0, 0, w, h));
            Vec::new()
        }
        Event::Paste(text) => {
            app.paste(&text);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn draw(guard: &mut TerminalGuard, app: &mut App) -> anyhow::Result<()> {
    app.prepare();
    guard.terminal.draw(|frame| view::draw(frame, app)).map_err(|e| anyhow::anyhow!("drawing the screen: {e}"))?;
    Ok(())
}
