//! Program control: continue, stop, pause, step, run to the cursor or jump there, restart, and
//! which stack frame is looked at. Each says why when the program is not in a state to do it.

use super::super::{App, LineKind, RunState};
use crate::session::{Phase, ResumeAction};
use crate::tui::keymap::Action;
use crate::tui::worker::Request;

/// Continue: starts a program held before its first line, resumes a stopped one, restarts an
/// ended one.
pub(super) fn continue_or_restart(app: &mut App) -> Vec<Request> {
    match app.phase {
        Phase::Configuring => vec![Request::Start],
        Phase::Stopped(_) => resume(app, ResumeAction::Continue),
        Phase::Exited { .. } | Phase::Terminated => restart(app),
        Phase::Running => {
            app.notify(format!("the program is running ({} pauses it)", app.keymap.hint(Action::Pause)));
            Vec::new()
        }
    }
}

pub(super) fn stop(app: &App) -> Vec<Request> {
    match app.phase {
        Phase::Exited { .. } | Phase::Terminated => Vec::new(),
        _ => vec![Request::Terminate],
    }
}

pub(super) fn pause(app: &mut App) -> Vec<Request> {
    if matches!(app.phase, Phase::Running) {
        vec![Request::Pause { thread: app.stack.current_thread }]
    } else {
        app.notify("the program is not running");
        Vec::new()
    }
}

/// Runs to the source cursor's line, or (`jump`) moves execution there without running.
pub(super) fn run_to_cursor(app: &mut App, jump: bool) -> Vec<Request> {
    let (Some(thread), Some(file)) = (app.stack.current_thread.filter(|_| app.is_stopped()), app.source.path()) else {
        app.notify("the program must be stopped, with a file open in the source pane");
        return Vec::new();
    };
    let (file, line) = (file.to_path_buf(), app.source.cursor() as i64);
    if jump {
        if app.stack.current_frame != 0 {
            app.notify(format!(
                "jump works in the innermost frame only ({} goes down to it)",
                app.keymap.hint(Action::FrameDown)
            ));
            return Vec::new();
        }
        vec![Request::Jump { thread, file, line }]
    } else {
        vec![Request::RunToLine { thread, file, line }]
    }
}

pub(super) fn resume(app: &mut App, action: ResumeAction) -> Vec<Request> {
    match (&app.phase, app.stack.current_thread) {
        (Phase::Stopped(stop), current) => {
            // Step the thread being looked at; fall back to the one that stopped.
            let thread = current.unwrap_or(stop.thread);
            vec![Request::Resume { thread, action }]
        }
        (Phase::Configuring, _) => vec![Request::Start],
        (Phase::Running, _) => {
            app.notify(format!("the program is running ({} pauses it)", app.keymap.hint(Action::Pause)));
            Vec::new()
        }
        _ => {
            app.notify(format!("the program has ended ({} restarts it)", app.keymap.hint(Action::Continue)));
            Vec::new()
        }
    }
}

pub(super) fn restart(app: &mut App) -> Vec<Request> {
    if app.facts.attached {
        app.notify("restart is not possible when attached: loupe did not start this program");
        return Vec::new();
    }
    app.console.push(LineKind::Info, "restarting…");
    app.state = RunState::Starting;
    app.restarting = true;
    vec![Request::Restart]
}

pub(super) fn select_frame(app: &mut App, index: isize) -> Vec<Request> {
    let count = app.stack.frame_count();
    if !app.is_stopped() || count == 0 {
        app.notify("no stack: the program is not stopped");
        return Vec::new();
    }
    if index < 0 || index as usize >= count {
        app.notify(if index < 0 { "already at the innermost frame" } else { "already at the outermost frame" });
        return Vec::new();
    }
    app.show_frame(index as usize)
}
