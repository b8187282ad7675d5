//! The TUI's state and its update function: keys, mouse and worker updates go in, requests for
//! the session worker come out. Nothing here draws, and nothing here waits on the backend.

mod actions;
mod analysis;
mod console;
mod dialog;
mod env;
mod gutter;
mod input;
mod quick_open;
mod stack;
mod terminal_keys;
mod tests_pane;
mod variables;

use std::path::PathBuf;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

pub use analysis::{AnalysisPane, AnalysisRow, AnalysisSnapshot, MissingImport};
pub use console::{ConsoleLine, ConsoleState, LineKind};
pub use dialog::{BreakpointForm, Dialog};
pub use env::{EnvPane, EnvSnapshot, EnvTab};
pub use gutter::GutterMark;
pub use input::TextInput;
pub use quick_open::{project_python_files, QuickOpen, SHOWN as QUICK_OPEN_SHOWN};
pub use stack::{StackRow, StackState};
pub use tests_pane::{Outcome, TestsPane};
pub use variables::{Row as VarRow, SectionKind, VarNode, VariablesState, Watch};

use super::keymap::{Action, Keymap};
use super::layout::{self, Areas, Pane};
use super::persist::Persisted;
use super::source::SourcePane;
use super::theme::Theme;
use super::worker::{EvalPurpose, Request, Update};
use crate::session::{Breakpoint, OutputCategory, Phase, ScopeKind, SessionEvent, StopInfo, StopReason};

/// What the status bar says about the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    Starting,
    Running,
    Stopped { reason: String, description: Option<String> },
    Exited { code: i64, signal: Option<String> },
    Ended,
}

/// Fixed facts shown in the status bar.
#[derive(Debug, Clone, Default)]
pub struct SessionFacts {
    pub backend: String,
    pub interpreter: String,
    /// The debuggee's interpreter (None when attached): the Environment pane shows its packages.
    pub interpreter_path: Option<PathBuf>,
    pub program: String,
    /// What the sandbox enforces (filled in by the sandbox issue).
    pub sandbox: Option<String>,
    /// What the sandbox means for this run that the user should know (`Enforced::notes`): shown
    /// in the console when the session starts.
    pub sandbox_notes: Vec<String>,
    pub attached: bool,
    /// The pytest arguments when the program is a pytest run (`loupe test`, `-m pytest`): the
    /// tests overlay collects with them and runs them again.
    pub test_args: Option<Vec<String>>,
}

/// A transient one-line message at the bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    pub facts: SessionFacts,
    pub state: RunState,
    pub phase: Phase,
    pub focus: Pane,
    pub source: SourcePane,
    pub variables: VariablesState,
    pub stack: StackState,
    pub breakpoints: Vec<Breakpoint>,
    pub breakpoint_cursor: usize,
    pub breakpoint_scroll: usize,
    pub console: ConsoleState,
    pub dialog: Option<Dialog>,
    /// The help overlay and its scroll position.
    pub help: Option<u16>,
    /// The Environment overlay.
    pub env: EnvPane,
    /// The Analysis overlay.
    pub analysis: AnalysisPane,
    pub tests: TestsPane,
    /// The project (whose breakpoints and chosen interpreter are saved).
    pub project_root: PathBuf,
    pub notice: Option<Notice>,
    /// The pytest test that failed at this stop (the status bar names it).
    pub failing_test: Option<crate::session::CurrentTest>,
    pub areas: Option<Areas>,
    pub size: Rect,
    /// Stops seen; inspection requests carry it (see `worker`).
    pub epoch: u64,
    /// The stop whose thread list has been asked for.
    threads_epoch: u64,
    pub quitting: bool,
    /// A restart was asked for and the worker has not said it is done: the phases it reports
    /// until then are the old run's (answers to requests queued before the restart).
    pub restarting: bool,
    pub finished: bool,
    /// Where breakpoints and watches are saved for this project.
    pub persisted: Persisted,
    /// The program's terminal (under pdb, ipdb: with the debugger's prompt in it), shown in the
    /// console pane instead of the REPL.
    pub pty: Option<std::sync::Arc<crate::session::ProgramTerminal>>,
}

impl App {
    pub fn new(keymap: Keymap, theme: Theme, facts: SessionFacts, persisted: Persisted) -> App {
        let mut variables = VariablesState::new();
        for w in &persisted.watches {
            variables.add_watch(w.clone());
        }
        App {
            keymap,
            theme,
            facts,
            state: RunState::Starting,
            phase: Phase::Configuring,
            focus: Pane::Source,
            source: SourcePane::new(),
            variables,
            stack: StackState::default(),
            breakpoints: Vec::new(),
            breakpoint_cursor: 0,
            breakpoint_scroll: 0,
            console: ConsoleState::default(),
            dialog: None,
            help: None,
            env: EnvPane::default(),
            analysis: AnalysisPane::default(),
            tests: TestsPane::default(),
            project_root: PathBuf::new(),
            notice: None,
            failing_test: None,
            areas: None,
            size: Rect::default(),
            epoch: 0,
            threads_epoch: 0,
            pty: None,
            quitting: false,
            restarting: false,
            finished: false,
            persisted,
        }
    }

    pub fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: false });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.console.push(LineKind::Error, &text);
        self.notice = Some(Notice { text, error: true });
    }

    pub fn resize(&mut self, size: Rect) {
        self.size = size;
        self.areas = layout::areas(size);
    }

    /// Before a draw: keeps selections in view and highlights the visible source rows.
    pub fn prepare(&mut self) {
        let Some(areas) = self.areas else { return };
        self.source.prepare(areas.source.height.saturating_sub(2), &self.theme);
        let h = layout::inner_height(areas.variables);
        self.variables.scroll = layout::follow(self.variables.scroll, self.variables.selected, h);
        let h = layout::inner_height(areas.stack);
        self.stack.scroll = layout::follow(self.stack.scroll, self.stack.cursor, h);
        let h = layout::inner_height(areas.breakpoints);
        self.breakpoint_scroll = layout::follow(self.breakpoint_scroll, self.breakpoint_cursor, h);
    }

    pub fn stopped_thread(&self) -> Option<i64> {
        match &self.phase {
            Phase::Stopped(s) => Some(s.thread),
            _ => None,
        }
    }

    pub fn is_stopped(&self) -> bool {
        matches!(self.phase, Phase::Stopped(_))
    }

    // ----- updates from the worker -----

    pub fn on_update(&mut self, update: Update) -> Vec<Request> {
        let stale = |epoch: u64, app: &App| epoch != app.epoch;
        match update {
            Update::Event(event) => return self.on_event(event),
            Update::Phase(_) if self.restarting => tracing::debug!("dropped the old run's phase"),
            Update::Restarted => self.restarting = false,
            Update::Failed { what, message } if what == "restart" || what == "run tests" => {
                self.restarting = false;
                self.warn(format!("{what}: {message}"));
            }
            Update::Phase(phase) => {
                let ended = matches!(phase, Phase::Exited { .. }) && !matches!(self.phase, Phase::Exited { .. });
                self.set_phase(phase);
                // pytest has written how the run went: the overlay reads it (and any new tests).
                if let (true, Some(args)) = (ended, &self.facts.test_args) {
                    if self.tests.collecting.is_none() {
                        self.tests.collecting = Some(0);
                        return vec![Request::CollectTests { args: args.clone() }];
                    }
                }
            }
            Update::Analysis(snapshot) => {
                self.analysis.snapshot = Some(snapshot);
                self.analysis.running = false;
                self.analysis.move_cursor(0, 0);
            }
            Update::TestsProgress(seen) => self.tests.collecting = Some(seen),
            Update::Tests(Ok(collection)) => self.tests.set_collection(collection),
            Update::Tests(Err(why)) => {
                self.tests.collecting = None;
                self.tests.error = Some(why);
            }
            Update::InstallProgress(text) => self.env.installing = Some(text),
            Update::Installed(result) => {
                self.env.installing = None;
                match result {
                    Ok(change) => self.notify(change),
                    Err(e) => self.warn(e),
                }
                // The overlay and the analysis (refreshed by the worker) show the new state.
                if let Some(load) = env::load_request(self.facts.interpreter_path.as_ref(), &self.project_root) {
                    self.env.loading = true;
                    return vec![load];
                }
            }
            Update::ProjectFiles { files, partial } => {
                // For the quick-open dialog, if it is still open.
                if let Some(Dialog::QuickOpen(quick)) = &mut self.dialog {
                    quick.add_project_files(files, partial);
                }
            }
            Update::Environment(snapshot) => {
                self.env.snapshot = Some(snapshot);
                self.env.loading = false;
                self.env.move_cursor(0, 0);
            }
            Update::Breakpoints(list) => {
                self.breakpoints = list;
                self.breakpoint_cursor = self.breakpoint_cursor.min(self.breakpoints.len().saturating_sub(1));
                self.persisted.set_breakpoints(&self.breakpoints);
            }
            Update::Threads { epoch, threads } if !stale(epoch, self) => self.stack.set_threads(threads),
            Update::Stack { epoch, thread, frames } if !stale(epoch, self) => {
                let is_current = self.stack.current_thread == Some(thread);
                self.stack.set_frames(thread, frames);
                if is_current {
                    let mut requests =
                        self.show_frame(self.stack.current_frame.min(self.stack.frame_count().saturating_sub(1)));
                    if requests.is_empty() {
                        requests.extend(self.threads_after());
                    }
                    return requests;
                }
            }
            Update::Scopes { epoch, frame, scopes } if !stale(epoch, self) => {
                if self.stack.frame().map(|f| f.id) != Some(frame) {
                    return Vec::new();
                }
                let sections: Vec<(SectionKind, i64)> = scopes
                    .iter()
                    .filter_map(|s| match s.kind {
                        ScopeKind::Locals => Some((SectionKind::Locals, s.variables)),
                        ScopeKind::Globals => Some((SectionKind::Globals, s.variables)),
                        ScopeKind::Other => None,
                    })
                    .collect();
                let fetch = self.variables.set_scopes(&sections);
                let mut requests = self.fetch_variables(fetch);
                requests.extend(self.evaluate_watches());
                requests.extend(self.threads_after());
                return requests;
            }
            Update::Variables { epoch, reference, page } if !stale(epoch, self) => {
                let fetch = self.variables.add_page(reference, page);
                return self.fetch_variables(fetch);
            }
            Update::Evaluated { epoch, expression, purpose, result } if !stale(epoch, self) => {
                self.on_evaluated(expression, purpose, result)
            }
            Update::VariableSet { epoch, reference, name, result } if !stale(epoch, self) => match result {
                Ok(r) => {
                    self.variables.set_value(reference, &name, &r);
                    self.notify(format!("{name} = {}", r.value));
                    return self.evaluate_watches();
                }
                Err(e) => self.warn(format!("set {name}: {e}")),
            },
            Update::Completions { epoch, text, items } if !stale(epoch, self) => {
                if self.console.input.text() == text {
                    self.apply_completions(items.into_iter().map(|c| c.text).collect());
                }
            }
            Update::ExceptionInfo { epoch, info } if !stale(epoch, self) => {
                let mut text = format!("exception {}", info.exception_id);
                if let Some(d) = info.description {
                    text.push_str(&format!(": {d}"));
                }
                self.console.push(LineKind::Error, &text);
                // The traceback Python would print: at a post-mortem stop the program has not
                // printed it yet (debugpy), and it says how the program got there.
                for line in info.stack_trace.iter().flat_map(|t| t.lines()) {
                    self.console.push(LineKind::Error, line);
                }
            }
            Update::CurrentTest { epoch, test: Some(test) } if !stale(epoch, self) => {
                let phase = test.phase.as_deref().map(|p| format!(" (in {p})")).unwrap_or_default();
                self.console.push(LineKind::Error, &format!("failing test: {}{phase}", test.node_id));
                self.tests.stopped_at.insert(test.node_id.clone());
                self.failing_test = Some(test);
            }
            Update::Notice(text) => {
                self.console.push(LineKind::Info, &text);
                self.notify(text);
            }
            Update::Failed { what, message } => self.warn(format!("{what}: {message}")),
            Update::Finished => self.finished = true,
            _ => tracing::debug!("dropped a stale update"),
        }
        Vec::new()
    }

    fn set_phase(&mut self, phase: Phase) {
        self.state = match &phase {
            Phase::Configuring => RunState::Starting,
            Phase::Running => RunState::Running,
            Phase::Stopped(s) => stopped_state(s),
            Phase::Exited { code, signal } => RunState::Exited { code: *code, signal: signal.clone() },
            Phase::Terminated => match &self.state {
                RunState::Exited { .. } => self.state.clone(),
                _ => RunState::Ended,
            },
        };
        if matches!(phase, Phase::Running) && !matches!(self.phase, Phase::Running) {
            // Values shown are from the last stop; say so by clearing them.
            self.variables.clear();
            self.source.set_exec_line(None);
        }
        self.phase = phase;
    }

    fn on_event(&mut self, event: SessionEvent) -> Vec<Request> {
        match event {
            SessionEvent::Stopped(stop) => {
                self.epoch += 1;
                self.variables.begin_stop();
                self.stack.clear();
                self.stack.current_thread = Some(stop.thread);
                self.state = stopped_state(&stop);
                if stop.reason == StopReason::Exception {
                    let text = stop_summary(&stop).unwrap_or_else(|| "exception".into());
                    self.console.push(LineKind::Error, &format!("stopped on exception: {text}"));
                }
                let epoch = self.epoch;
                // The thread list is asked for after the locals (see `threads_after`): the worker
                // runs requests in order, and what a step must show first is the frame and its
                // locals.
                let mut requests = vec![Request::Stack { epoch, thread: stop.thread }];
                self.failing_test = None;
                // A stop is what the tests overlay was waiting for: show it.
                self.tests.open = false;
                if stop.reason == StopReason::Exception {
                    requests.push(Request::ExceptionInfo { epoch, thread: stop.thread });
                    requests.push(Request::CurrentTest { epoch, thread: stop.thread });
                }
                self.phase = Phase::Stopped(stop);
                requests
            }
            SessionEvent::Output { category, text } => {
                let kind = match category {
                    OutputCategory::Stdout => LineKind::Stdout,
                    OutputCategory::Stderr => LineKind::Stderr,
                    OutputCategory::Console => LineKind::Info,
                };
                self.console.push_output(kind, &text);
                Vec::new()
            }
            SessionEvent::Exited { code, signal } => {
                let how = match &signal {
                    Some(s) => format!("the program was killed by {s} (exit code {code})"),
                    None => format!("the program exited with code {code}"),
                };
                self.console.push(LineKind::Info, &how);
                self.state = RunState::Exited { code, signal };
                self.source.set_exec_line(None);
                self.stack = StackState::default();
                self.variables.clear();
                Vec::new()
            }
            SessionEvent::Terminated => {
                if !matches!(self.state, RunState::Exited { .. }) {
                    self.state = RunState::Ended;
                }
                let quit = self.keymap.hint(Action::Quit);
                let text = if self.facts.attached {
                    format!("the debug session has ended ({quit} quits)")
                } else {
                    format!(
                        "the debug session has ended ({} restarts it, {quit} quits)",
                        self.keymap.hint(Action::Continue)
                    )
                };
                self.console.push(LineKind::Info, &text);
                Vec::new()
            }
            SessionEvent::Problem(p) => {
                self.warn(p);
                Vec::new()
            }
            SessionEvent::Notice(text) => {
                self.console.push(LineKind::Info, &text);
                self.notify(text);
                Vec::new()
            }
            SessionEvent::Process { name, pid, child } if child => {
                let pid = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
                self.console.push(LineKind::Info, &format!("child process {name}{pid} is being debugged"));
                Vec::new()
            }
            SessionEvent::Thread { .. } if self.is_stopped() => vec![Request::Threads { epoch: self.epoch }],
            // `up`/`down` typed at pdb's prompt: the panes follow.
            SessionEvent::FrameSelected { thread, index }
                if self.stack.current_thread == Some(thread) && index != self.stack.current_frame =>
            {
                self.show_frame(index.min(self.stack.frame_count().saturating_sub(1)))
            }
            SessionEvent::BreakpointChanged(_)
            | SessionEvent::BreakpointRemoved(_)
            | SessionEvent::FrameSelected { .. }
            | SessionEvent::Continued { .. }
            | SessionEvent::Thread { .. }
            | SessionEvent::Process { .. } => Vec::new(),
        }
    }

    /// Selects frame `index` of the current thread: source and variables follow it.
    pub fn show_frame(&mut self, index: usize) -> Vec<Request> {
        self.stack.current_frame = index;
        self.stack.place_cursor();
        let Some(frame) = self.stack.frame().cloned() else { return Vec::new() };
        match &frame.file {
            Some(path) => {
                if let Err(e) = self.source.open(path) {
                    self.source.show_text(&path.display().to_string(), &format!("cannot show this file: {e:#}"));
                }
            }
            None => self.source.show_text(&frame.function, "(no source for this frame)"),
        }
        self.source.set_exec_line(usize::try_from(frame.line).ok());
        self.variables.begin_stop();
        vec![Request::Scopes { epoch: self.epoch, frame: frame.id }]
    }

    /// The thread list, once per stop, queued behind the requests a step has to show first.
    fn threads_after(&mut self) -> Option<Request> {
        if self.threads_epoch == self.epoch {
            return None;
        }
        self.threads_epoch = self.epoch;
        Some(Request::Threads { epoch: self.epoch })
    }

    fn fetch_variables(&self, references: Vec<i64>) -> Vec<Request> {
        references
            .into_iter()
            .map(|reference| Request::Variables { epoch: self.epoch, reference, start: 0, count: variables::PAGE })
            .collect()
    }

    fn evaluate_watches(&self) -> Vec<Request> {
        if !self.is_stopped() {
            return Vec::new();
        }
        let frame = self.stack.frame().map(|f| f.id);
        self.variables
            .watches
            .iter()
            .enumerate()
            .map(|(i, w)| Request::Evaluate {
                epoch: self.epoch,
                expression: w.expression.clone(),
                frame,
                purpose: EvalPurpose::Watch(i),
            })
            .collect()
    }

    fn on_evaluated(
        &mut self,
        expression: String,
        purpose: EvalPurpose,
        result: Result<crate::session::EvalResult, String>,
    ) {
        match purpose {
            EvalPurpose::Console => match result {
                Ok(r) => {
                    let text = if r.truncated {
                        format!("{} …(cut; {} shows all)", r.value, self.keymap.hint(Action::ViewValue))
                    } else {
                        r.value
                    };
                    self.console.push(LineKind::Result, &text);
                }
                Err(e) => self.console.push(LineKind::Error, &e),
            },
            EvalPurpose::Watch(i) => {
                if let Some(w) = self.variables.watches.get_mut(i).filter(|w| w.expression == expression) {
                    w.result = Some(result);
                }
            }
            EvalPurpose::Viewer => {
                if let Some(Dialog::Value { text, .. }) = &mut self.dialog {
                    *text = Some(match result {
                        Ok(r) if r.truncated => {
                            format!("{}\n… (cut at {} characters)", r.value, r.value.chars().count())
                        }
                        Ok(r) => r.value,
                        Err(e) => format!("cannot evaluate {expression}: {e}"),
                    });
                }
            }
        }
    }

    fn apply_completions(&mut self, items: Vec<String>) {
        match items.len() {
            0 => self.notify("no completions"),
            1 => {
                let text = self.console.input.text().to_string();
                let start = word_start(&text);
                self.console.input.set(&format!("{}{}", &text[..start], items[0]));
                self.console.completions.clear();
            }
            _ => {
                let text = self.console.input.text().to_string();
                let start = word_start(&text);
                let prefix = common_prefix(&items);
                if prefix.len() > text.len() - start {
                    self.console.input.set(&format!("{}{prefix}", &text[..start]));
                }
                self.console.completions = items;
            }
        }
    }

    // ----- input -----

    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Request> {
        actions::on_key(self, key)
    }

    pub fn on_mouse(&mut self, mouse: MouseEvent) -> Vec<Request> {
        actions::on_mouse(self, mouse)
    }

    /// Pasted text goes to the field being typed in (newlines become spaces: one line each).
    pub fn paste(&mut self, text: &str) {
        let text = text.replace(['\r', '\n'], " ");
        match &mut self.dialog {
            Some(Dialog::Search(i) | Dialog::GotoLine(i) | Dialog::Watch { input: i, .. }) => i.insert_str(&text),
            Some(Dialog::SetValue { input, .. }) => input.insert_str(&text),
            Some(Dialog::Breakpoint(form)) => form.fields[form.focus].insert_str(&text),
            Some(Dialog::QuickOpen(quick)) => {
                quick.input.insert_str(&text);
                quick.refilter();
            }
            Some(Dialog::Value { .. }) => {}
            None if self.focus == Pane::Console => self.console.input.insert_str(&text),
            None => {}
        }
    }

    /// Requests made at start-up: saved breakpoints, then the program starts.
    pub fn startup_requests(&mut self, extra: Vec<crate::session::BreakpointSpec>) -> Vec<Request> {
        let mut requests: Vec<Request> = Vec::new();
        let mut seen = Vec::new();
        for spec in extra {
            seen.push(spec.location.clone());
            requests.push(Request::AddBreakpoint { spec, enabled: true });
        }
        for (spec, enabled) in self.persisted.breakpoint_specs() {
            if !seen.contains(&spec.location) {
                requests.push(Request::RestoreBreakpoint { spec, enabled });
            }
        }
        requests.push(Request::Start);
        for note in self.facts.sandbox_notes.clone() {
            self.console.push(LineKind::Info, &format!("sandbox: {note}"));
            self.notify(format!("sandbox: {note}"));
        }
        // A pytest run opens on its tests (collected by pytest in the background) until the first
        // failure stops it.
        if let Some(args) = &self.facts.test_args {
            self.tests.open = true;
            self.tests.running = Some(tests_label(args));
            self.tests.collecting = Some(0);
            requests.push(Request::CollectTests { args: args.clone() });
        }
        // The Analysis overlay's findings, computed while the program starts (not when attached:
        // the sources may be elsewhere).
        if self.facts.interpreter_path.is_some() && !self.project_root.as_os_str().is_empty() {
            self.analysis.running = true;
            requests.push(Request::Analyze {
                project: self.project_root.clone(),
                program: self.program_file(),
                interpreter: self.facts.interpreter_path.clone(),
            });
        }
        // The Environment overlay's data, read while the program starts.
        if let Some(load) = env::load_request(self.facts.interpreter_path.as_ref(), &self.project_root) {
            self.env.loading = true;
            requests.push(load);
        }
        requests
    }

    pub fn program_file(&self) -> Option<PathBuf> {
        let p = PathBuf::from(&self.facts.program);
        p.is_file().then_some(p)
    }
}

/// What a pytest command line runs, in a few words for the tests overlay's title.
pub fn tests_label(args: &[String]) -> String {
    if args.is_empty() {
        "all tests".to_string()
    } else {
        format!("pytest {}", args.join(" "))
    }
}

fn stopped_state(stop: &StopInfo) -> RunState {
    RunState::Stopped { reason: stop.reason.as_str().to_string(), description: stop_summary(stop) }
}

/// A stop in a few words. For an exception, `Type: message` as Python's last traceback line says
/// it: backends send the type as `text` and the message as `description`.
fn stop_summary(stop: &StopInfo) -> Option<String> {
    if stop.reason != StopReason::Exception {
        return stop.text.clone();
    }
    match (&stop.text, &stop.description) {
        (Some(t), Some(d)) if !d.is_empty() && !t.contains(d.as_str()) => Some(format!("{t}: {d}")),
        (Some(t), _) => Some(t.clone()),
        (None, d) => d.clone(),
    }
}

/// Where the identifier being completed starts.
fn word_start(text: &str) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, c)| i + c.len_utf8())
        .unwrap_or(0)
}

fn common_prefix(items: &[String]) -> String {
    let Some(first) = items.first() else { return String::new() };
    let mut end = first.len();
    for item in &items[1..] {
        end = end.min(first.bytes().zip(item.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    first[..end].to_string()
}
