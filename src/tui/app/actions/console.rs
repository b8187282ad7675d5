//! The console pane: keys at its prompt (editing, history, completion) or, under pdb and ipdb,
//! typed into the program's terminal; and what a submitted line does (a batch command, Python
//! in the selected frame, or the program's input).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::{App, LineKind, StackRow};
use super::act;
use super::panes::{activate, navigate, page_rows, watch_changed};
use super::program::select_frame;
use crate::batch::{self, Command};
use crate::session::{Location, Phase};
use crate::tui::keymap::Action;
use crate::tui::layout::Pane;
use crate::tui::worker::{EvalPurpose, Request};

pub(super) fn console_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    if app.pty.is_some() {
        return terminal_key(app, key);
    }
    if key.code == KeyCode::Char('t') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.console.to_program = !app.console.to_program;
        app.notify(if app.console.to_program {
            "console: lines go to the program's input while it runs (Ctrl-T for debugger commands)"
        } else {
            "console: lines are debugger commands (Ctrl-T sends them to the program's input)"
        });
        return Vec::new();
    }
    // Editing keys belong to the prompt even when the keymap also binds them (Left collapses,
    // Home goes to the top, Delete deletes a breakpoint elsewhere).
    if is_editing_key(&key) {
        app.console.input.handle(&key);
        app.console.completions.clear();
        return Vec::new();
    }
    if let Some(action) = app.keymap.lookup(&key, true) {
        // Navigation keys belong to the prompt (history) and the output (scrolling).
        match action {
            Action::Up if key.code == KeyCode::Up => app.console.history_step(true),
            Action::Down if key.code == KeyCode::Down => app.console.history_step(false),
            Action::PageUp => return navigate(app, -(page_rows(app) as isize)),
            Action::PageDown => return navigate(app, page_rows(app) as isize),
            Action::Cancel if !app.console.completions.is_empty() => app.console.completions.clear(),
            Action::Cancel => app.focus = Pane::Source,
            _ if key.code == KeyCode::Enter || key.code == KeyCode::Tab => {}
            other => return act(app, other),
        }
        if key.code != KeyCode::Enter && key.code != KeyCode::Tab {
            return Vec::new();
        }
    }
    match key.code {
        KeyCode::Enter => {
            let line = app.console.submit();
            app.console.scroll_back = 0;
            run_console_line(app, &line)
        }
        KeyCode::Tab => {
            let text = app.console.input.text().to_string();
            if !app.is_stopped() || text.trim().is_empty() {
                return Vec::new();
            }
            vec![Request::Completions {
                epoch: app.epoch,
                frame: app.stack.frame().map(|f| f.id),
                column: text.chars().count() as i64 + 1,
                text,
            }]
        }
        KeyCode::Up => {
            app.console.history_step(true);
            Vec::new()
        }
        KeyCode::Down => {
            app.console.history_step(false);
            Vec::new()
        }
        _ => {
            app.console.input.handle(&key);
            app.console.completions.clear();
            Vec::new()
        }
    }
}

/// A key in the debugger's own terminal: the debugger actions the keymap gives in a text field
/// (F-keys, Ctrl combinations, Esc to leave) stay loupe's; everything else is typed there, as in
/// a terminal.
fn terminal_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    match app.keymap.lookup(&key, true) {
        Some(Action::Cancel) => {
            app.focus = Pane::Source;
            Vec::new()
        }
        // pdb has no use for PgUp/PgDn: they page through the terminal's history instead.
        Some(Action::PageUp) => vec![Request::TerminalScroll(page_rows(app) as isize)],
        Some(Action::PageDown) => vec![Request::TerminalScroll(-(page_rows(app) as isize))],
        Some(action)
            if !matches!(
                action,
                Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::Top
                    | Action::Bottom
                    | Action::Expand
                    | Action::Collapse
                    | Action::Activate
                    | Action::Delete
                    | Action::NextPane
                    | Action::PrevPane
            ) =>
        {
            act(app, action)
        }
        _ => super::super::terminal_keys::bytes(&key).map(|b| vec![Request::TerminalInput(b)]).unwrap_or_default(),
    }
}

/// Keys that edit the text of a prompt: cursor movement and deletion, readline style.
fn is_editing_key(key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Left | KeyCode::Right | KeyCode::Home | KeyCode::End | KeyCode::Backspace | KeyCode::Delete => {
            !ctrl && !alt
        }
        KeyCode::Char('a' | 'e' | 'u' | 'k' | 'w') => ctrl && !alt,
        _ => false,
    }
}

/// A console line: a batch command (`break demo.py:12 if x > 3`, `until 40`), `!code` or any
/// other text as Python in the selected frame, or — while the program runs and the console is
/// switched to it (Ctrl-T) — the program's input.
fn run_console_line(app: &mut App, line: &str) -> Vec<Request> {
    let running = matches!(app.phase, Phase::Running);
    if running && app.console.to_program {
        app.console.push(LineKind::Input, line);
        return vec![Request::Stdin(format!("{line}\n"))];
    }
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Vec::new();
    }
    app.console.push(LineKind::Input, &format!(">>> {line}"));
    if let Some(code) = trimmed.strip_prefix('!') {
        return evaluate(app, code.trim());
    }
    match batch::parse(trimmed) {
        Err(e) if running && e.starts_with("unknown command") => {
            app.console.push(
                LineKind::Error,
                "the program is running: Python runs when it stops (p pauses); Ctrl-T sends lines to its input",
            );
            Vec::new()
        }
        Ok(command) => run_command(app, command),
        Err(e) if e.starts_with("unknown command") => evaluate(app, trimmed),
        Err(e) => {
            app.console.push(LineKind::Error, &format!("{e} (start the line with ! to run it as Python)"));
            Vec::new()
        }
    }
}

fn evaluate(app: &mut App, code: &str) -> Vec<Request> {
    if !app.is_stopped() {
        app.console.push(LineKind::Error, "the program is not stopped: nothing to evaluate in");
        return Vec::new();
    }
    vec![Request::Evaluate {
        epoch: app.epoch,
        expression: code.to_string(),
        frame: app.stack.frame().map(|f| f.id),
        purpose: EvalPurpose::Console,
    }]
}

fn run_command(app: &mut App, command: Command) -> Vec<Request> {
    match command {
        Command::Break(mut spec) => {
            if let Location::Line { file, .. } = &mut spec.location {
                // A bare file name means the open file's directory first, as users expect.
                if file.is_relative() {
                    if let Some(dir) = app.source.path().and_then(|p| p.parent()) {
                        let candidate = dir.join(&*file);
                        if candidate.is_file() {
                            *file = candidate;
                        }
                    }
                }
            }
            vec![Request::AddBreakpoint { spec, enabled: true }]
        }
        Command::Delete(id) => vec![Request::RemoveBreakpoint(id)],
        Command::Disable(id) => vec![Request::SetBreakpointEnabled { id, enabled: false }],
        Command::Enable(id) => vec![Request::SetBreakpointEnabled { id, enabled: true }],
        Command::Catch(filters) => vec![Request::SetExceptionFilters(filters)],
        Command::Continue => act(app, Action::Continue),
        Command::Next => act(app, Action::StepOver),
        Command::Step => act(app, Action::StepInto),
        Command::Finish => act(app, Action::StepOut),
        Command::Until(line) | Command::Jump(line) => {
            let jump = matches!(command, Command::Jump(_));
            let (Some(thread), Some(file)) = (app.stack.current_thread.filter(|_| app.is_stopped()), app.source.path())
            else {
                app.console.push(LineKind::Error, "the program must be stopped in a file");
                return Vec::new();
            };
            let file = file.to_path_buf();
            if jump {
                vec![Request::Jump { thread, file, line }]
            } else {
                vec![Request::RunToLine { thread, file, line }]
            }
        }
        Command::Pause => act(app, Action::Pause),
        Command::Restart => act(app, Action::Restart),
        Command::Quit => act(app, Action::Quit),
        Command::Up => act(app, Action::FrameUp),
        Command::Down => act(app, Action::FrameDown),
        Command::Frame(i) => select_frame(app, i as isize),
        Command::Print(expression) => evaluate(app, &expression),
        Command::Debugger(_) => {
            // With pdb or ipdb the console is the debugger's own terminal: commands are typed there.
            app.console.push(LineKind::Error, "`pdb` commands are for --backend pdb or ipdb, typed in their console");
            Vec::new()
        }
        Command::Watch(expression) => {
            let i = app.variables.add_watch(expression.clone());
            watch_changed(app, i, expression)
        }
        Command::Set { name, expression } => {
            // Python assignment in the selected frame does the same and reaches globals too.
            evaluate(app, &format!("{name} = {expression}"))
        }
        Command::Stack | Command::Threads | Command::Thread(_) | Command::Locals | Command::Globals => {
            let pane = match command {
                Command::Locals | Command::Globals => Pane::Variables,
                _ => Pane::Stack,
            };
            if let Command::Thread(id) = command {
                if let Some(t) = app.stack.threads.iter().position(|t| t.id == id) {
                    if let Some(row) = app.stack.rows().iter().position(|r| *r == StackRow::Thread(t)) {
                        app.stack.cursor = row;
                        app.focus = Pane::Stack;
                        return activate(app);
                    }
                }
                app.console.push(LineKind::Error, &format!("no thread {id}"));
                return Vec::new();
            }
            app.console.push(LineKind::Info, &format!("(shown in the {} pane)", pane.title()));
            Vec::new()
        }
    }
}
