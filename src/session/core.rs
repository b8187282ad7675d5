//! [`Session`]: one debugging session over any backend.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use tokio::sync::mpsc;

use super::backend::{Backend, BackendEvent, BreakpointEdit, DebuggerReply, Launcher};
use super::backend::{BreakpointStatus, LineBreakpointRequest};
use super::breakpoints::{Breakpoint, BreakpointId, BreakpointSpec, HitCondition, Location, Registry};
use super::code_lines::{CodeLineCache, Unreadable};
use super::model::*;
use super::placement::place;
use super::pseudo_rows::PseudoRows;
use super::values;

/// Where the debuggee is in its life.
#[derive(Debug, Clone)]
pub enum Phase {
    /// Started but held before running user code, so breakpoints can be set first.
    Configuring,
    Running,
    Stopped(StopInfo),
    Exited {
        code: i64,
        signal: Option<String>,
    },
    Terminated,
}

/// The exception filters every session starts with: post-mortem by default, as pdb, pudb and VS
/// Code do. An uncaught exception stops the program at the raising frame (stack and locals still
/// there) instead of ending it; continuing lets it die with its own traceback and exit code 1.
/// `catch none` turns this off, any other `catch` replaces it. Set here, in the session, so every
/// front end (CLI run and attach, launch.json, batch, TUI) and every backend gets the same default.
pub const DEFAULT_EXCEPTION_FILTERS: &[ExceptionFilter] = &[ExceptionFilter::Uncaught];

/// A backend event received but not yet processed (see [`Session::wait_event`]).
pub struct PendingEvent(BackendEvent);

pub struct Session {
    launcher: Box<dyn Launcher>,
    backend: Box<dyn Backend>,
    events: mpsc::UnboundedReceiver<BackendEvent>,
    breakpoints: Registry,
    exception_filters: Vec<ExceptionFilter>,
    phase: Phase,
    /// The internal breakpoint of a pending run-to-line.
    run_to: Option<BreakpointId>,
    /// Children fetched since the last stop, so paging does not ask the backend again.
    children: HashMap<VarRef, Arc<Vec<Variable>>>,
    /// How the program was last resumed: a step that ends on a breakpoint line is still a step.
    last_action: ResumeAction,
    /// Which lines have code, per file: where line breakpoints go (`placement.rs`).
    code_lines: CodeLineCache,
    /// Which Locals keep their return-value and exception pseudo-rows at this stop.
    pseudo_rows: PseudoRows,
}

impl Session {
    /// Starts the backend; the session is in [`Phase::Configuring`] until [`Self::configuration_done`].
    pub async fn start(launcher: Box<dyn Launcher>) -> anyhow::Result<Session> {
        let (tx, events) = mpsc::unbounded_channel();
        let backend = launcher.start(tx).await?;
        // Still in the configuration phase: the filter is in force before any user code runs. A
        // backend that refuses it (an adapter without the filter) still debugs: no default then.
        let exception_filters = match backend.set_exception_filters(DEFAULT_EXCEPTION_FILTERS).await {
            Ok(()) => DEFAULT_EXCEPTION_FILTERS.to_vec(),
            Err(e) => {
                tracing::warn!("no post-mortem by default: {} refused the uncaught filter: {e:#}", backend.name());
                Vec::new()
            }
        };
        Ok(Session {
            launcher,
            backend,
            events,
            breakpoints: Registry::default(),
            exception_filters,
            phase: Phase::Configuring,
            run_to: None,
            children: HashMap::new(),
            last_action: ResumeAction::Continue,
            code_lines: CodeLineCache::default(),
            pseudo_rows: PseudoRows::default(),
        })
    }

    pub fn backend_name(&self) -> &str {
        self.backend.name()
    }

    pub fn capabilities(&self) -> Capabilities {
        self.backend.capabilities()
    }

    /// True when attached to a program loupe did not start.
    pub fn attached(&self) -> bool {
        self.launcher.attached()
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The thread of the current stop.
    pub fn stopped_thread(&self) -> Option<ThreadId> {
        match &self.phase {
            Phase::Stopped(s) => Some(s.thread),
            _ => None,
        }
    }

    pub fn breakpoints(&self) -> impl Iterator<Item = &Breakpoint> {
        self.breakpoints.all()
    }

    pub fn breakpoint(&self, id: BreakpointId) -> Option<&Breakpoint> {
        self.breakpoints.get(id).filter(|b| !b.internal)
    }

    /// Makes a user-typed path absolute the way the backend expects.
    pub fn absolute(&self, file: &Path) -> std::path::PathBuf {
        self.launcher.absolute(file)
    }

    // ----- breakpoints -----

    pub async fn add_breakpoint(&mut self, mut spec: BreakpointSpec) -> anyhow::Result<Breakpoint> {
        if let Location::Line { file, line } = &mut spec.location {
            *file = self.launcher.absolute(file);
            if *line < 1 {
                bail!("line numbers start at 1 (got {line})");
            }
            if let Some(existing) = self.breakpoints.find_line(file, *line).filter(|b| !b.internal) {
                bail!("breakpoint {} is already set at {}:{line}", existing.id, file.display());
            }
            // Refused here, before anything is sent: no backend may show it as set.
            let placed = self.place_line(file, *line).await?;
            if let Some(existing) =
                self.breakpoints.all().find(|b| b.file() == Some(file.as_path()) && b.line() == Some(placed))
            {
                bail!(
                    "breakpoint {} is already at {}:{placed}, where one on line {line} goes (no code on line {line})",
                    existing.id,
                    file.display()
                );
            }
        }
        if spec.log_message.is_some() && !self.capabilities().log_points {
            bail!("the {} backend does not support log messages", self.backend_name());
        }
        let location = spec.location.clone();
        let id = self.breakpoints.insert(spec, false);
        if let Err(e) = self.sync_location(&location).await {
            self.breakpoints.remove(id);
            return Err(e);
        }
        self.breakpoint(id).cloned().ok_or_else(|| anyhow!("breakpoint {id} vanished"))
    }

    pub async fn remove_breakpoint(&mut self, id: BreakpointId) -> anyhow::Result<()> {
        let removed = self
            .breakpoint(id)
            .is_some()
            .then(|| self.breakpoints.remove(id))
            .flatten()
            .ok_or_else(|| anyhow!("no breakpoint number {id}"))?;
        self.sync_location(&removed.spec.location).await
    }

    pub async fn set_breakpoint_enabled(&mut self, id: BreakpointId, enabled: bool) -> anyhow::Result<Breakpoint> {
        let b =
            self.breakpoints.get_mut(id).filter(|b| !b.internal).ok_or_else(|| anyhow!("no breakpoint number {id}"))?;
        b.enabled = enabled;
        if !enabled {
            b.verified = false;
            b.backend_id = None;
        }
        let location = b.spec.location.clone();
        self.sync_location(&location).await?;
        self.breakpoint(id).cloned().ok_or_else(|| anyhow!("breakpoint {id} vanished"))
    }

    /// Changes a breakpoint's condition, hit condition and log message (its location stays).
    pub async fn update_breakpoint(
        &mut self,
        id: BreakpointId,
        condition: Option<String>,
        hit_condition: Option<HitCondition>,
        log_message: Option<String>,
    ) -> anyhow::Result<Breakpoint> {
        if log_message.is_some() && !self.capabilities().log_points {
            bail!("the {} backend does not support log messages", self.backend_name());
        }
        let b =
            self.breakpoints.get_mut(id).filter(|b| !b.internal).ok_or_else(|| anyhow!("no breakpoint number {id}"))?;
        let before = b.spec.clone();
        b.spec.condition = condition;
        b.spec.hit_condition = hit_condition;
        b.spec.log_message = log_message;
        b.hits = 0;
        let location = b.spec.location.clone();
        if let Err(e) = self.sync_location(&location).await {
            if let Some(b) = self.breakpoints.get_mut(id) {
                b.spec = before;
            }
            return Err(e);
        }
        self.breakpoint(id).cloned().ok_or_else(|| anyhow!("breakpoint {id} vanished"))
    }

    pub async fn set_exception_filters(&mut self, filters: &[ExceptionFilter]) -> anyhow::Result<()> {
        self.backend.set_exception_filters(filters).await?;
        self.exception_filters = filters.to_vec();
        Ok(())
    }

    pub fn exception_filters(&self) -> &[ExceptionFilter] {
        &self.exception_filters
    }

    /// Sends the backend every breakpoint at `location`'s file (or every function breakpoint).
    async fn sync_location(&mut self, location: &Location) -> anyhow::Result<()> {
        match location {
            Location::Line { file, .. } => self.sync_file(&file.clone()).await,
            Location::Function { .. } => {
                let (ids, reqs) = self.breakpoints.function_requests(self.capabilities().counts_hits);
                let statuses = self.backend.set_function_breakpoints(&reqs).await?;
                self.breakpoints.apply(&ids, &statuses);
                Ok(())
            }
        }
    }

    /// Where a breakpoint on `file:line` goes, or why it cannot be set (`placement.rs`).
    async fn place_line(&mut self, file: &Path, line: i64) -> anyhow::Result<i64> {
        let lines = match self.code_lines.get(file, self.launcher.program()).await {
            Ok(lines) => lines,
            // Attached: the file may exist only where the program runs; debugpy decides.
            Err(Unreadable::Missing) if self.launcher.attached() => return Ok(line),
            Err(Unreadable::Missing) => {
                bail!("no such file: {} (give a path relative to the working directory, or absolute)", file.display())
            }
            Err(Unreadable::Other(why)) => bail!("{why}"),
        };
        place(file, line, &lines).map_err(|why| anyhow!("cannot set a breakpoint at {}:{line}: {why}", file.display()))
    }

    async fn sync_file(&mut self, file: &Path) -> anyhow::Result<()> {
        let (ids, reqs) = self.breakpoints.requests_for(file, self.capabilities().counts_hits);
        // Each breakpoint goes where `place_line` says; one that cannot be placed (the file
        // changed or went away since) is not sent and stays unverified with the reason.
        let mut sent: Vec<LineBreakpointRequest> = Vec::with_capacity(reqs.len());
        let mut refused: Vec<Option<String>> = Vec::with_capacity(reqs.len());
        for mut req in reqs {
            match self.place_line(file, req.line).await {
                Ok(line) => {
                    req.line = line;
                    refused.push(None);
                    sent.push(req);
                }
                Err(why) => refused.push(Some(format!("{why:#}"))),
            }
        }
        let mut answers = self
            .backend
            .set_line_breakpoints(file, &sent)
            .await
            .with_context(|| format!("setting breakpoints in {}", file.display()))?
            .into_iter();
        let statuses: Vec<BreakpointStatus> = refused
            .into_iter()
            .map(|why| match why {
                None => answers.next().unwrap_or_default(),
                Some(why) => BreakpointStatus { message: Some(why), ..Default::default() },
            })
            .collect();
        self.breakpoints.apply(&ids, &statuses);
        Ok(())
    }

    async fn sync_everything(&mut self) -> anyhow::Result<()> {
        for file in self.breakpoints.files() {
            self.sync_file(&file).await?;
        }
        let (ids, reqs) = self.breakpoints.function_requests(self.capabilities().counts_hits);
        if !reqs.is_empty() {
            let statuses = self.backend.set_function_breakpoints(&reqs).await?;
            self.breakpoints.apply(&ids, &statuses);
        }
        // Sent even when empty: the list is the session's, whatever a new backend starts with.
        self.backend.set_exception_filters(&self.exception_filters).await?;
        Ok(())
    }

    // ----- running -----

    /// Lets the program run (ends the configuration phase).
    pub async fn configuration_done(&mut self) -> anyhow::Result<()> {
        if !matches!(self.phase, Phase::Configuring) {
            return Ok(());
        }
        self.phase = Phase::Running;
        self.backend.configuration_done().await
    }

    pub async fn resume(&mut self, thread: ThreadId, action: ResumeAction) -> anyhow::Result<()> {
        self.require_stopped()?;
        self.children.clear();
        self.pseudo_rows.resumed();
        self.phase = Phase::Running;
        self.last_action = action;
        self.backend.resume(thread, action).await
    }

    pub async fn pause(&mut self, thread: ThreadId) -> anyhow::Result<()> {
        self.backend.pause(thread).await
    }

    /// Continues until `file:line` (or an earlier stop). The helper breakpoint goes away at the
    /// next stop, whatever causes it.
    pub async fn run_to_line(&mut self, thread: ThreadId, file: &Path, line: i64) -> anyhow::Result<()> {
        self.require_stopped()?;
        let file = self.launcher.absolute(file);
        if self.breakpoints.find_line(&file, line).is_none() {
            let id = self.breakpoints.insert(BreakpointSpec::line(file.clone(), line), true);
            self.run_to = Some(id);
            self.sync_file(&file).await?;
            let b = self.breakpoints.get(id);
            if let Some(b) = b.filter(|b| !b.verified) {
                let why = b.message.clone().unwrap_or_else(|| "no code on that line".into());
                self.clear_run_to().await?;
                bail!("cannot run to {}:{line}: {why}", file.display());
            }
        }
        self.resume(thread, ResumeAction::Continue).await
    }

    /// Sets the next statement to `file:line` in the current frame.
    pub async fn jump(&mut self, thread: ThreadId, file: &Path, line: i64) -> anyhow::Result<()> {
        self.require_stopped()?;
        if !self.capabilities().jump {
            bail!("the {} backend cannot jump", self.backend_name());
        }
        self.children.clear();
        let file = self.launcher.absolute(file);
        self.backend.jump(thread, &file, line).await
    }

    /// Starts the program again with the same breakpoints (emulated: debugpy has no restart).
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        if self.launcher.attached() {
            bail!("restart is not possible when attached: loupe did not start this program");
        }
        if !matches!(self.phase, Phase::Exited { .. } | Phase::Terminated) {
            let _ = self.backend.disconnect(true).await;
        }
        self.clear_run_to_local();
        let (tx, events) = mpsc::unbounded_channel();
        self.backend = self.launcher.start(tx).await.context("restarting")?;
        self.events = events;
        self.children.clear();
        self.breakpoints.reset_backend_state();
        self.phase = Phase::Configuring;
        self.last_action = ResumeAction::Continue;
        self.sync_everything().await?;
        self.configuration_done().await
    }

    /// Starts the program again with other arguments (the tests overlay's "run this test").
    pub async fn restart_with_args(&mut self, args: Vec<String>) -> anyhow::Result<()> {
        let Some(launcher) = self.launcher.with_args(args) else {
            bail!("loupe did not start this program, so it cannot start it with other arguments");
        };
        self.launcher = launcher;
        self.restart().await
    }

    /// The program loupe started (None when attached).
    pub fn program(&self) -> Option<&super::ProgramSpec> {
        self.launcher.program()
    }

    /// Sends a line (or any text) to the program's standard input.
    pub async fn write_stdin(&self, text: &str) -> anyhow::Result<()> {
        self.backend.write_stdin(text).await
    }

    pub async fn terminate(&mut self) -> anyhow::Result<()> {
        self.backend.terminate().await
    }

    pub async fn disconnect(&mut self, terminate_debuggee: bool) -> anyhow::Result<()> {
        self.backend.disconnect(terminate_debuggee).await
    }

    fn require_stopped(&self) -> anyhow::Result<()> {
        match &self.phase {
            Phase::Stopped(_) => Ok(()),
            Phase::Configuring => bail!("the program has not started yet"),
            Phase::Running => bail!("the program is running; pause it first"),
            Phase::Exited { code, .. } => bail!("the program has exited (code {code})"),
            Phase::Terminated => bail!("the debug session has ended"),
        }
    }

    async fn clear_run_to(&mut self) -> anyhow::Result<()> {
        if let Some(id) = self.run_to.take() {
            if let Some(b) = self.breakpoints.remove(id) {
                if let Location::Line { file, .. } = b.spec.location {
                    self.sync_file(&file).await?;
                }
            }
        }
        Ok(())
    }

    fn clear_run_to_local(&mut self) {
        if let Some(id) = self.run_to.take() {
            self.breakpoints.remove(id);
        }
    }

    // ----- events -----

    /// The next event, after the session's own bookkeeping. `None` when the backend is gone.
    pub async fn next_event(&mut self) -> Option<SessionEvent> {
        loop {
            let event = self.events.recv().await?;
            if let Some(e) = self.absorb(event).await {
                return Some(e);
            }
        }
    }

    /// Waits for the backend's next event without processing it. Unlike [`Self::next_event`] this
    /// is cancel-safe, so a front end can `select!` on it next to its own requests and then hand
    /// the event to [`Self::process_event`], which must not be cancelled.
    pub async fn wait_event(&mut self) -> Option<PendingEvent> {
        self.events.recv().await.map(PendingEvent)
    }

    /// The session's bookkeeping for an event from [`Self::wait_event`]; `Some` when front ends
    /// should see it (an unmet hit condition, for one, is absorbed and the program continued).
    pub async fn process_event(&mut self, event: PendingEvent) -> Option<SessionEvent> {
        self.absorb(event.0).await
    }

    /// An event if one is already waiting.
    pub async fn try_next_event(&mut self) -> Option<SessionEvent> {
        loop {
            let event = self.events.try_recv().ok()?;
            if let Some(e) = self.absorb(event).await {
                return Some(e);
            }
        }
    }

    /// An exception stop for the program's own `SystemExit`, which only `catch raised` wants.
    fn is_exit_request(&self, info: &StopInfo) -> bool {
        info.reason == StopReason::Exception
            && info.text.as_deref() == Some("SystemExit")
            && !self.exception_filters.contains(&ExceptionFilter::Raised)
    }

    async fn absorb(&mut self, event: BackendEvent) -> Option<SessionEvent> {
        match event {
            BackendEvent::Stopped { mut info, hit_backend_ids } => {
                self.children.clear();
                if self.is_exit_request(&info) {
                    // `sys.exit("message")` is how a program chooses to end, not a crash: debugpy
                    // stops there (pydevd breaks on any exit code that is not an int), pdb and
                    // Python's own post-mortem do not. Only `catch raised` asks for it.
                    match self.backend.resume(info.thread, ResumeAction::Continue).await {
                        Ok(()) => {
                            self.phase = Phase::Running;
                            return None;
                        }
                        Err(e) => tracing::warn!("continuing past the program's SystemExit: {e:#}"),
                    }
                }
                let at_breakpoint = matches!(info.reason, StopReason::Breakpoint | StopReason::FunctionBreakpoint);
                let hit = if at_breakpoint { self.hit_breakpoints(&info, &hit_backend_ids).await } else { Vec::new() };
                let mut temporaries = Vec::new();
                let mut reached_run_to = false;
                let mut stops = hit.is_empty();
                let counted = self.capabilities().counts_hits;
                for id in &hit {
                    let Some(b) = self.breakpoints.get_mut(*id) else { continue };
                    if !counted {
                        b.hits += 1;
                        if !b.spec.hit_condition.is_none_or(|h| h.matches(b.hits)) {
                            continue;
                        }
                    }
                    stops = true;
                    if b.internal {
                        reached_run_to = true;
                    } else {
                        info.hit_breakpoints.push(b.id);
                    }
                    if b.spec.temporary {
                        temporaries.push(b.id);
                    }
                }
                let stepping = self.last_action != ResumeAction::Continue;
                if !stops && stepping {
                    // The step ended on a line whose breakpoint waits for a later hit.
                    info.reason = StopReason::Step;
                    stops = true;
                }
                if !stops {
                    // Every breakpoint here is waiting for a later hit: carry on.
                    match self.backend.resume(info.thread, ResumeAction::Continue).await {
                        Ok(()) => {
                            self.phase = Phase::Running;
                            return None;
                        }
                        Err(e) => tracing::warn!("continuing past a breakpoint whose hit count is not reached: {e:#}"),
                    }
                }
                // Arriving at a run-to-line target is the end of a step, not a breakpoint.
                if reached_run_to && info.hit_breakpoints.is_empty() && info.reason == StopReason::Breakpoint {
                    info.reason = StopReason::Step;
                }
                if let Err(e) = self.clear_run_to().await {
                    tracing::warn!("removing the run-to-line breakpoint: {e:#}");
                }
                for id in temporaries {
                    if let Err(e) = self.remove_breakpoint(id).await {
                        tracing::warn!("removing temporary breakpoint {id}: {e:#}");
                    }
                }
                self.pseudo_rows.stopped(&info.reason, self.last_action);
                self.phase = Phase::Stopped(info.clone());
                Some(SessionEvent::Stopped(info))
            }
            BackendEvent::BreakpointUpdate { status } => {
                let b = self.breakpoints.apply_update(&status)?;
                (!b.internal).then(|| SessionEvent::BreakpointChanged(b.clone()))
            }
            BackendEvent::BreakpointEdited(edit) => self.adopt_edit(edit),
            BackendEvent::HitCounts(counts) => {
                for (backend_id, hits) in counts {
                    if let Some(b) = self.breakpoints.by_backend_id(backend_id) {
                        b.hits = hits;
                    }
                }
                None
            }
            BackendEvent::Session(e) => {
                match &e {
                    SessionEvent::Continued { .. } => {
                        self.children.clear();
                        self.pseudo_rows.resumed();
                        if matches!(self.phase, Phase::Stopped(_)) {
                            self.phase = Phase::Running;
                        }
                    }
                    SessionEvent::Exited { code, signal } => {
                        self.phase = Phase::Exited { code: *code, signal: signal.clone() };
                    }
                    SessionEvent::Terminated if !matches!(self.phase, Phase::Exited { .. }) => {
                        self.phase = Phase::Terminated;
                    }
                    _ => {}
                }
                Some(e)
            }
        }
    }

    /// Takes into the registry what was done to breakpoints at the backend's own prompt, so every
    /// front end shows them and loupe's later requests keep them.
    fn adopt_edit(&mut self, edit: BreakpointEdit) -> Option<SessionEvent> {
        match edit {
            BreakpointEdit::Added { backend_id, spec, enabled } => {
                if self.breakpoints.by_backend_id(backend_id).is_some() {
                    return None;
                }
                let b = self.breakpoints.adopt(spec, enabled, backend_id);
                Some(SessionEvent::BreakpointChanged(b.clone()))
            }
            BreakpointEdit::Changed { backend_id, condition, enabled } => {
                let b = self.breakpoints.by_backend_id(backend_id)?;
                b.spec.condition = condition;
                // A breakpoint disabled there stays known by its number, so `enable` typed there
                // later finds it; loupe's next request for the file omits it (and so clears it).
                b.enabled = enabled;
                (!b.internal).then(|| SessionEvent::BreakpointChanged(b.clone()))
            }
            BreakpointEdit::Removed { backend_id } => {
                let id = self.breakpoints.by_backend_id(backend_id)?.id;
                let removed = self.breakpoints.remove(id)?;
                if self.run_to == Some(id) {
                    self.run_to = None;
                }
                (!removed.internal).then_some(SessionEvent::BreakpointRemoved(id))
            }
        }
    }

    /// Types `text` at the backend's own debugger prompt (pdb's), as a user would. What it does
    /// to breakpoints comes back as events; if it resumed the program, a stop or the end follows.
    pub async fn debugger_command(&mut self, text: &str) -> anyhow::Result<DebuggerReply> {
        self.require_stopped()?;
        let reply = self.backend.debugger_command(text).await?;
        if reply.resumed {
            self.children.clear();
            self.pseudo_rows.resumed();
            self.phase = Phase::Running;
            // Whatever it was (`next`, `until 30`), the backend ends it; see `counts_hits`.
            self.last_action = ResumeAction::Continue;
        }
        Ok(reply)
    }

    /// loupe's breakpoints that caused a stop: by the backend's ids, or when the backend gave none
    /// (debugpy omits them when two breakpoints share a line), by the top frame's location.
    async fn hit_breakpoints(&mut self, info: &StopInfo, backend_ids: &[i64]) -> Vec<BreakpointId> {
        let mut ids: Vec<BreakpointId> =
            backend_ids.iter().filter_map(|b| self.breakpoints.by_backend_id(*b).map(|b| b.id)).collect();
        if ids.is_empty() && info.reason == StopReason::Breakpoint {
            if let Ok(frames) = self.backend.stack_trace(info.thread, Some(1)).await {
                if let Some(Frame { file: Some(file), line, .. }) = frames.first() {
                    ids = self
                        .breakpoints
                        .all_including_internal()
                        .filter(|b| b.enabled && b.file() == Some(file.as_path()) && b.line() == Some(*line))
                        .map(|b| b.id)
                        .collect();
                }
            }
        }
        ids
    }

    // ----- inspection -----

    pub async fn threads(&self) -> anyhow::Result<Vec<ThreadInfo>> {
        self.backend.threads().await
    }

    pub async fn stack_trace(&mut self, thread: ThreadId, levels: Option<i64>) -> anyhow::Result<Vec<Frame>> {
        let frames = self.backend.stack_trace(thread, levels).await?;
        if self.stopped_thread() == Some(thread) {
            self.pseudo_rows.saw_stack(frames.first().map(|f| f.id));
        }
        Ok(frames)
    }

    pub async fn scopes(&mut self, frame: FrameId) -> anyhow::Result<Vec<Scope>> {
        let scopes = self.backend.scopes(frame).await?;
        self.pseudo_rows.saw_scopes(frame, &scopes);
        Ok(scopes)
    }

    /// A page of the children of `reference`, values capped.
    pub async fn variables(&mut self, reference: VarRef, start: usize, count: usize) -> anyhow::Result<VariablePage> {
        let all = match self.children.get(&reference) {
            Some(all) => all.clone(),
            None => {
                let mut vars = self.backend.variables(reference).await?;
                self.pseudo_rows.filter(reference, &mut vars);
                for v in &mut vars {
                    let (value, cut) = values::cap_text(std::mem::take(&mut v.value), values::MAX_VALUE_CHARS);
                    v.value = value;
                    v.truncated |= cut;
                }
                let all = Arc::new(vars);
                self.children.insert(reference, all.clone());
                all
            }
        };
        Ok(values::page(&all, start, count))
    }

    pub async fn evaluate(
        &self,
        expression: &str,
        frame: Option<FrameId>,
        context: EvalContext,
    ) -> anyhow::Result<EvalResult> {
        let mut r = self.backend.evaluate(expression, frame, context).await?;
        let cap = match context {
            EvalContext::Clipboard => values::MAX_FULL_VALUE_CHARS,
            _ => values::MAX_VALUE_CHARS,
        };
        let (value, cut) = values::cap_text(std::mem::take(&mut r.value), cap);
        r.value = value;
        r.truncated |= cut;
        Ok(r)
    }

    pub async fn set_variable(&mut self, reference: VarRef, name: &str, value: &str) -> anyhow::Result<EvalResult> {
        if !self.capabilities().set_variable {
            bail!("the {} backend cannot set variables", self.backend_name());
        }
        self.children.clear();
        let mut r = self.backend.set_variable(reference, name, value).await?;
        let (text, cut) = values::cap_text(std::mem::take(&mut r.value), values::MAX_VALUE_CHARS);
        r.value = text;
        r.truncated |= cut;
        Ok(r)
    }

    pub async fn completions(
        &self,
        frame: Option<FrameId>,
        text: &str,
        column: i64,
    ) -> anyhow::Result<Vec<Completion>> {
        self.backend.completions(frame, text, column).await
    }

    pub async fn exception_info(&self, thread: ThreadId) -> anyhow::Result<ExceptionInfo> {
        self.backend.exception_info(thread).await
    }
}
