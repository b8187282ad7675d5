//! What keys, mouse clicks and console commands do to the app: each turns into state changes
//! and requests for the session worker.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::dialog::{BreakpointForm, Dialog};
use super::input::TextInput;
use super::variables::Row;
use super::{App, LineKind, RunState, StackRow};
use crate::batch::{self, Command};
use crate::session::{BreakpointSpec, HitCondition, Location, Phase, ResumeAction};
use crate::tui::keymap::Action;
use crate::tui::layout::help;
use crate::tui::layout::{self, Pane};
use crate::tui::worker::{EvalPurpose, Request};

pub fn on_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    app.notice = None;
    if let Some(scroll) = app.help {
        let max = help::max_scroll(&app.keymap, app.size);
        app.help = match (key.code, app.keymap.lookup(&key, false)) {
            (KeyCode::Esc, _) | (_, Some(Action::Help | Action::Quit | Action::Cancel)) => None,
            (_, Some(Action::Down)) => Some((scroll + 1).min(max)),
            (_, Some(Action::Up)) => Some(scroll.saturating_sub(1)),
            (_, Some(Action::PageDown)) => Some((scroll + 10).min(max)),
            (_, Some(Action::PageUp)) => Some(scroll.saturating_sub(10)),
            (_, Some(Action::Top)) => Some(0),
            (_, Some(Action::Bottom)) => Some(max),
            _ => Some(scroll),
        };
        return Vec::new();
    }
    if app.env.open {
        return env_key(app, key);
    }
    if app.analysis.open {
        analysis_key(app, key);
        return Vec::new();
    }
    if app.dialog.is_some() {
        return dialog_key(app, key);
    }
    if app.focus == Pane::Console {
        return console_key(app, key);
    }
    match app.keymap.lookup(&key, false) {
        Some(action) => act(app, action),
        None => Vec::new(),
    }
}

/// Keys while the Environment overlay is open: move, switch tabs, reload, choose an interpreter.
fn env_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    let visible = layout::env_list_height(app.size);
    if let Some(packages) = app.env.confirm.take() {
        // Installing changes the user's environment: only an explicit yes does it.
        if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
            if let Some(interpreter) = app.facts.interpreter_path.clone() {
                app.env.installing = Some(format!("installing {}", packages.join(", ")));
                return vec![Request::Install { interpreter, packages }];
            }
        }
        return Vec::new();
    }
    match (key.code, app.keymap.lookup(&key, false)) {
        (KeyCode::Char('i'), _) if app.env.installing.is_none() => {
            let missing = app.analysis.snapshot.as_ref().map(|s| s.missing.clone()).unwrap_or_default();
            if missing.is_empty() {
                app.notify("the project imports nothing that is missing from this environment");
            } else {
                let names = missing
                    .iter()
                    .map(|m| crate::pyenv::packages::distribution_for_import(&m.module).to_string())
                    .collect();
                app.env.confirm = Some(names);
            }
        }
        (KeyCode::Esc, _) | (_, Some(Action::Environment | Action::Quit | Action::Cancel)) => app.env.open = false,
        (KeyCode::Tab | KeyCode::BackTab, _) => app.env.switch_tab(),
        (_, Some(Action::Down)) => app.env.move_cursor(1, visible),
        (_, Some(Action::Up)) => app.env.move_cursor(-1, visible),
        (_, Some(Action::PageDown)) => app.env.move_cursor(visible as isize, visible),
        (_, Some(Action::PageUp)) => app.env.move_cursor(-(visible as isize), visible),
        (_, Some(Action::Top)) => app.env.move_cursor(isize::MIN / 2, visible),
        (_, Some(Action::Bottom)) => app.env.move_cursor(isize::MAX / 2, visible),
        (KeyCode::Char('r'), _) if !app.env.loading => {
            if let Some(load) = super::env::load_request(app.facts.interpreter_path.as_ref(), &app.project_root) {
                app.env.loading = true;
                return vec![load];
            }
        }
        (KeyCode::Enter, _) => choose_interpreter(app),
        _ => {}
    }
    Vec::new()
}

/// Keys while the Analysis overlay is open: move, and Enter shows the finding in the source pane.
fn analysis_key(app: &mut App, key: KeyEvent) {
    let visible = layout::analysis_list_height(app.size);
    match (key.code, app.keymap.lookup(&key, false)) {
        (KeyCode::Esc, _) | (_, Some(Action::Analysis | Action::Quit | Action::Cancel)) => app.analysis.open = false,
        (_, Some(Action::Down)) => app.analysis.move_cursor(1, visible),
        (_, Some(Action::Up)) => app.analysis.move_cursor(-1, visible),
        (_, Some(Action::PageDown)) => app.analysis.move_cursor(visible as isize, visible),
        (_, Some(Action::PageUp)) => app.analysis.move_cursor(-(visible as isize), visible),
        (_, Some(Action::Top)) => app.analysis.move_cursor(isize::MIN / 2, visible),
        (_, Some(Action::Bottom)) => app.analysis.move_cursor(isize::MAX / 2, visible),
        (KeyCode::Enter, _) => {
            let Some(row) = app.analysis.selected().cloned() else { return };
            match app.source.open(&row.file) {
                Ok(()) => {
                    app.source.goto_line(row.line);
                    app.focus = Pane::Source;
                    app.analysis.open = false;
                }
                Err(e) => app.warn(format!("{e:#}")),
            }
        }
        _ => {}
    }
}

/// Makes the interpreter under the cursor the project's: `loupe run` here uses it from the next
/// run on (this session keeps its interpreter).
fn choose_interpreter(app: &mut App) {
    let Some(found) = app.env.selected_interpreter().cloned() else { return };
    if let Some(problem) = &found.problem {
        app.notice =
            Some(super::Notice { text: format!("{} cannot be used: {problem}", found.path.display()), error: true });
        return;
    }
    app.persisted.interpreter = Some(found.path.clone());
    match app.persisted.save() {
        Ok(()) => app.notify(format!(
            "loupe run uses {} (Python {}) for this project from the next run",
            found.path.display(),
            found.version.as_deref().unwrap_or("?")
        )),
        Err(e) => app.warn(format!("could not save the choice: {e:#}")),
    }
}

/// Runs an action from a key (or the same from a console command).
pub fn act(app: &mut App, action: Action) -> Vec<Request> {
    match action {
        Action::Continue => match app.phase {
            Phase::Configuring => vec![Request::Start],
            Phase::Stopped(_) => resume(app, ResumeAction::Continue),
            Phase::Exited { .. } | Phase::Terminated => restart(app),
            Phase::Running => {
                app.notify(format!("the program is running ({} pauses it)", app.keymap.hint(Action::Pause)));
                Vec::new()
            }
        },
        Action::Stop => match app.phase {
            Phase::Exited { .. } | Phase::Terminated => Vec::new(),
            _ => vec![Request::Terminate],
        },
        Action::Restart => restart(app),
        Action::Pause => {
            if matches!(app.phase, Phase::Running) {
                vec![Request::Pause { thread: app.stack.current_thread }]
            } else {
                app.notify("the program is not running");
                Vec::new()
            }
        }
        Action::StepOver => resume(app, ResumeAction::Next),
        Action::StepInto => resume(app, ResumeAction::StepIn),
        Action::StepOut => resume(app, ResumeAction::StepOut),
        Action::RunToCursor | Action::Jump => {
            let (Some(thread), Some(file)) = (app.stack.current_thread.filter(|_| app.is_stopped()), app.source.path())
            else {
                app.notify("the program must be stopped, with a file open in the source pane");
                return Vec::new();
            };
            let (file, line) = (file.to_path_buf(), app.source.cursor() as i64);
            if action == Action::Jump {
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
        Action::ToggleBreakpoint => toggle_breakpoint(app),
        Action::EditBreakpoint => edit_breakpoint(app),
        Action::FrameUp => select_frame(app, app.stack.current_frame as isize + 1),
        Action::FrameDown => select_frame(app, app.stack.current_frame as isize - 1),
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
        Action::Up => navigate(app, -1),
        Action::Down => navigate(app, 1),
        Action::PageUp => navigate(app, -(page_rows(app) as isize)),
        Action::PageDown => navigate(app, page_rows(app) as isize),
        Action::Top => navigate(app, isize::MIN / 2),
        Action::Bottom => navigate(app, isize::MAX / 2),
        Action::Expand => expand(app, Some(true)),
        Action::Collapse => expand(app, Some(false)),
        Action::Activate => activate(app),
        Action::Delete => delete(app),
        Action::ToggleEnabled => toggle_enabled(app),
        Action::AddWatch => {
            app.dialog = Some(Dialog::Watch { index: None, input: TextInput::default() });
            Vec::new()
        }
        Action::EditWatch => {
            if let Some(Row::Watch(i)) = app.variables.selected_row().filter(|_| app.focus == Pane::Variables) {
                let text = app.variables.watches[i].expression.clone();
                app.dialog = Some(Dialog::Watch { index: Some(i), input: TextInput::new(&text) });
            } else {
                app.notify("select a watch in the Variables pane to edit it");
            }
            Vec::new()
        }
        Action::ViewValue => view_value(app),
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

fn page_rows(app: &App) -> usize {
    app.areas.map(|a| layout::inner_height(a.of(app.focus))).unwrap_or(10).max(1)
}

fn resume(app: &mut App, action: ResumeAction) -> Vec<Request> {
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

fn restart(app: &mut App) -> Vec<Request> {
    if app.facts.attached {
        app.notify("restart is not possible when attached: loupe did not start this program");
        return Vec::new();
    }
    app.console.push(LineKind::Info, "restarting…");
    app.state = RunState::Starting;
    vec![Request::Restart]
}

fn select_frame(app: &mut App, index: isize) -> Vec<Request> {
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

/// The breakpoint on the source cursor's line.
fn breakpoint_at_cursor(app: &App) -> Option<&crate::session::Breakpoint> {
    let path = app.source.path()?;
    let line = app.source.cursor() as i64;
    app.breakpoints.iter().find(|b| b.file() == Some(path) && b.line() == Some(line))
}

fn toggle_breakpoint(app: &mut App) -> Vec<Request> {
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

fn edit_breakpoint(app: &mut App) -> Vec<Request> {
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

fn short(path: &std::path::Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

fn navigate(app: &mut App, delta: isize) -> Vec<Request> {
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

fn expand(app: &mut App, open: Option<bool>) -> Vec<Request> {
    if app.focus != Pane::Variables {
        return Vec::new();
    }
    match app.variables.toggle(open) {
        Some((reference, start)) => {
            vec![Request::Variables { epoch: app.epoch, reference, start, count: super::variables::PAGE }]
        }
        None => Vec::new(),
    }
}

fn activate(app: &mut App) -> Vec<Request> {
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

fn delete(app: &mut App) -> Vec<Request> {
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

fn toggle_enabled(app: &mut App) -> Vec<Request> {
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

fn view_value(app: &mut App) -> Vec<Request> {
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

// ----- dialogs -----

fn dialog_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    let Some(mut dialog) = app.dialog.take() else { return Vec::new() };
    if key.code == KeyCode::Esc {
        return Vec::new();
    }
    let enter = key.code == KeyCode::Enter;
    let requests = match &mut dialog {
        Dialog::Value { scroll, .. } => {
            match app.keymap.lookup(&key, false) {
                Some(Action::Down) => *scroll = scroll.saturating_add(1),
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll = scroll.saturating_add(10),
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(10),
                Some(Action::Top) => *scroll = 0,
                _ if enter || matches!(key.code, KeyCode::Char('q')) => return Vec::new(),
                _ => {}
            }
            Vec::new()
        }
        Dialog::Search(input) if enter => {
            let needle = input.text().to_string();
            if !needle.is_empty() && !app.source.search(&needle, true) {
                app.notify(format!("{needle:?} not found"));
            }
            return Vec::new();
        }
        Dialog::GotoLine(input) if enter => {
            match input.text().trim().parse::<usize>() {
                Ok(n) if app.source.goto_line(n) => {}
                _ => app.notify(format!(
                    "no line {:?}: this file has lines 1 to {}",
                    input.text(),
                    app.source.line_count()
                )),
            }
            return Vec::new();
        }
        Dialog::Watch { index, input } if enter => {
            let expression = input.text().trim().to_string();
            if !expression.is_empty() {
                let i = match *index {
                    Some(i) => {
                        app.variables.watches[i].expression = expression.clone();
                        app.variables.watches[i].result = None;
                        i
                    }
                    None => app.variables.add_watch(expression.clone()),
                };
                return watch_changed(app, i, expression);
            }
            return Vec::new();
        }
        Dialog::SetValue { parent, name, input } if enter => {
            return vec![Request::SetVariable {
                epoch: app.epoch,
                reference: *parent,
                name: name.clone(),
                value: input.text().to_string(),
            }];
        }
        Dialog::Breakpoint(form) => match key.code {
            KeyCode::Tab | KeyCode::Down => {
                form.focus = (form.focus + 1) % 3;
                Vec::new()
            }
            KeyCode::BackTab | KeyCode::Up => {
                form.focus = (form.focus + 2) % 3;
                Vec::new()
            }
            KeyCode::Enter => match submit_breakpoint(form) {
                Ok(request) => return vec![request],
                Err(e) => {
                    form.error = Some(e);
                    Vec::new()
                }
            },
            _ => {
                form.fields[form.focus].handle(&key);
                form.error = None;
                Vec::new()
            }
        },
        Dialog::Search(input)
        | Dialog::GotoLine(input)
        | Dialog::Watch { input, .. }
        | Dialog::SetValue { input, .. } => {
            input.handle(&key);
            Vec::new()
        }
    };
    app.dialog = Some(dialog);
    requests
}

/// After watch `i` was added or edited: saves the watches, and evaluates it now if stopped.
fn watch_changed(app: &mut App, i: usize, expression: String) -> Vec<Request> {
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

fn submit_breakpoint(form: &BreakpointForm) -> Result<Request, String> {
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

// ----- the console -----

fn console_key(app: &mut App, key: KeyEvent) -> Vec<Request> {
    if app.pty.is_some() {
        return terminal_key(app, key);
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
        _ => super::terminal_keys::bytes(&key).map(|b| vec![Request::TerminalInput(b)]).unwrap_or_default(),
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
/// other text as Python in the selected frame, or — while the program runs — its input.
pub fn run_console_line(app: &mut App, line: &str) -> Vec<Request> {
    if matches!(app.phase, Phase::Running) {
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

// ----- the mouse -----

pub fn on_mouse(app: &mut App, mouse: MouseEvent) -> Vec<Request> {
    let Some(areas) = app.areas else { return Vec::new() };
    if app.dialog.is_some() || app.help.is_some() || app.env.open || app.analysis.open {
        if app.env.open && matches!(mouse.kind, MouseEventKind::ScrollDown | MouseEventKind::ScrollUp) {
            let visible = layout::env_list_height(app.size);
            app.env.move_cursor(if mouse.kind == MouseEventKind::ScrollDown { 3 } else { -3 }, visible);
        }
        if let (MouseEventKind::ScrollDown | MouseEventKind::ScrollUp, Some(Dialog::Value { scroll, .. })) =
            (mouse.kind, &mut app.dialog)
        {
            *scroll = if mouse.kind == MouseEventKind::ScrollDown {
                scroll.saturating_add(3)
            } else {
                scroll.saturating_sub(3)
            };
        }
        return Vec::new();
    }
    let Some(pane) = areas.pane_at(mouse.column, mouse.row) else { return Vec::new() };
    let area = areas.of(pane);
    // Row within the pane's content (inside the border).
    let content_row = (mouse.row > area.y).then(|| (mouse.row - area.y - 1) as usize);
    match mouse.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if mouse.kind == MouseEventKind::ScrollDown { 3 } else { -3 };
            match pane {
                Pane::Source => app.source.scroll(delta),
                Pane::Console => {
                    let back = app.console.scroll_back as isize - delta;
                    app.console.scroll_back = back.clamp(0, app.console.lines.len() as isize) as usize;
                }
                other => {
                    let focus = app.focus;
                    app.focus = other;
                    navigate(app, delta);
                    app.focus = focus;
                }
            }
            Vec::new()
        }
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            match pane {
                Pane::Source => {
                    if let Some((line, in_gutter)) = app.source.line_at(area, mouse.column, mouse.row) {
                        app.source.goto_line(line);
                        if in_gutter {
                            return toggle_breakpoint(app);
                        }
                    }
                    Vec::new()
                }
                Pane::Variables => {
                    let Some(row) = content_row else { return Vec::new() };
                    let index = app.variables.scroll + row;
                    if index < app.variables.rows().len() {
                        app.variables.selected = index;
                        return expand(app, None);
                    }
                    Vec::new()
                }
                Pane::Stack => {
                    let Some(row) = content_row else { return Vec::new() };
                    let index = app.stack.scroll + row;
                    if index < app.stack.rows().len() {
                        app.stack.cursor = index;
                        return activate(app);
                    }
                    Vec::new()
                }
                Pane::Breakpoints => {
                    let Some(row) = content_row else { return Vec::new() };
                    let index = app.breakpoint_scroll + row;
                    if index < app.breakpoints.len() {
                        app.breakpoint_cursor = index;
                    }
                    Vec::new()
                }
                Pane::Console => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}
