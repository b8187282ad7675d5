//! Runs batch commands against a [`Session`] in order and reports everything as JSON Lines.
//!
//! The program is held in its configuration phase until a command needs it running: `break`,
//! `catch` and friends given first are in force before any user code runs. A command that needs
//! a stop (`locals`, `next`, ...) given before the program has started runs it to its first stop.
//! When the commands run out, the program is continued to its end; stops on the way are reported.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail};
use serde_json::json;

use super::command::{self, Command};
use super::output::{self, JsonLines};
use crate::session::{
    values, EvalContext, Frame, Phase, ResumeAction, ScopeKind, Session, SessionEvent, StopInfo, StopReason, ThreadId,
    VariableGroup,
};

/// How the run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The program exited with this code (128 + N for signal N).
    Exited(i64),
    /// loupe stopped debugging (quit, or an attach session that ended) without an exit code.
    Detached,
    /// The debugger went away; the message says why.
    Failed(String),
}

pub struct Runner {
    session: Session,
    out: JsonLines,
    thread: Option<ThreadId>,
    frames: Vec<Frame>,
    frame_index: usize,
    watches: Vec<String>,
    exit: Option<i64>,
    ended: bool,
    failure: Option<String>,
}

impl Runner {
    pub fn new(session: Session, out: JsonLines) -> Self {
        Runner {
            session,
            out,
            thread: None,
            frames: Vec::new(),
            frame_index: 0,
            watches: Vec::new(),
            exit: None,
            ended: false,
            failure: None,
        }
    }

    /// Runs `commands`, then the program to its end.
    pub async fn run(mut self, commands: &[String]) -> Outcome {
        for text in commands {
            if self.ended {
                let word = text.split_whitespace().next().unwrap_or("");
                self.out.error(word, "the program has ended; no further commands run");
                continue;
            }
            let command = match command::parse(text) {
                Ok(c) => c,
                Err(message) => {
                    let word = text.split_whitespace().next().unwrap_or("");
                    self.out.error(word, &message);
                    continue;
                }
            };
            if command == Command::Quit {
                self.quit().await;
                return self.outcome();
            }
            let name = command.name();
            if let Err(e) = self.execute(command).await {
                self.out.error(name, &format!("{e:#}"));
            }
        }
        self.run_to_end().await;
        self.outcome()
    }

    fn outcome(&self) -> Outcome {
        match (self.exit, &self.failure) {
            (Some(code), _) => Outcome::Exited(code),
            (None, Some(f)) => Outcome::Failed(f.clone()),
            (None, None) => Outcome::Detached,
        }
    }

    async fn execute(&mut self, command: Command) -> anyhow::Result<()> {
        let name = command.name();
        match command {
            Command::Break(spec) => {
                let b = self.session.add_breakpoint(spec).await?;
                self.out.result(name, json!({ "breakpoint": output::breakpoint(&b) }));
            }
            Command::Delete(id) => {
                self.session.remove_breakpoint(id).await?;
                self.out.result(name, json!({ "id": id }));
            }
            Command::Disable(id) | Command::Enable(id) => {
                let b = self.session.set_breakpoint_enabled(id, name == "enable").await?;
                self.out.result(name, json!({ "breakpoint": output::breakpoint(&b) }));
            }
            Command::Catch(filters) => {
                self.session.set_exception_filters(&filters).await?;
                let names: Vec<&str> = filters
                    .iter()
                    .map(|f| match f {
                        crate::session::ExceptionFilter::Raised => "raised",
                        crate::session::ExceptionFilter::Uncaught => "uncaught",
                        crate::session::ExceptionFilter::UserUnhandled => "user-unhandled",
                    })
                    .collect();
                self.out.result(name, json!({ "filters": names }));
            }
            Command::Continue => {
                if self.start_if_needed().await? {
                    return Ok(());
                }
                let thread = self.stopped_thread()?;
                self.session.resume(thread, ResumeAction::Continue).await?;
                self.wait_for_stop().await;
            }
            Command::Next | Command::Step | Command::Finish => {
                self.start_if_needed().await?;
                let thread = self.stopped_thread()?;
                let action = match name {
                    "next" => ResumeAction::Next,
                    "step" => ResumeAction::StepIn,
                    _ => ResumeAction::StepOut,
                };
                self.session.resume(thread, action).await?;
                self.wait_for_stop().await;
            }
            Command::Until(line) => {
                self.start_if_needed().await?;
                let thread = self.stopped_thread()?;
                let file = self.current_file()?;
                self.session.run_to_line(thread, &file, line).await?;
                self.wait_for_stop().await;
            }
            Command::Jump(line) => {
                self.start_if_needed().await?;
                let thread = self.stopped_thread()?;
                if self.frame_index != 0 {
                    bail!("jump works in the innermost frame only; use `frame 0` first");
                }
                let file = self.current_file()?;
                self.session.jump(thread, &file, line).await?;
                self.wait_for_stop().await;
            }
            Command::Pause => {
                // Batch commands run at stops, so `pause` means: let it run, then interrupt it
                // wherever it is (to see where a busy program spends its time).
                match self.session.phase() {
                    Phase::Configuring => self.session.configuration_done().await?,
                    Phase::Stopped(stop) => {
                        let thread = stop.thread;
                        self.session.resume(thread, ResumeAction::Continue).await?;
                    }
                    _ => {}
                }
                let thread = match self.thread {
                    Some(t) => t,
                    None => self.session.threads().await?.first().map(|t| t.id).ok_or_else(|| anyhow!("no threads"))?,
                };
                self.session.pause(thread).await?;
                self.wait_for_stop().await;
            }
            Command::Restart => {
                self.session.restart().await?;
                self.frames.clear();
                self.exit = None;
                self.wait_for_stop().await;
            }
            Command::Debugger(text) => {
                self.start_if_needed().await?;
                let reply = self.session.debugger_command(&text).await?;
                // What the command did to breakpoints (or the frame) is already queued: first.
                let mut stopped = false;
                while let Some(event) = self.session.try_next_event().await {
                    if self.report(event).await {
                        stopped = true; // `jump` stops without running
                        break;
                    }
                }
                self.out.result(name, json!({ "text": text, "output": reply.output, "resumed": reply.resumed }));
                if reply.resumed && !stopped {
                    self.wait_for_stop().await;
                }
            }
            Command::Quit => unreachable!("handled by run"),
            inspection => {
                self.start_if_needed().await?;
                self.inspect(inspection).await?;
            }
        }
        Ok(())
    }

    async fn inspect(&mut self, command: Command) -> anyhow::Result<()> {
        let name = command.name();
        self.stopped_thread()?;
        match command {
            Command::Stack => {
                let thread = self.stopped_thread()?;
                self.frames = self.session.stack_trace(thread, None).await?;
                self.frame_index = self.frame_index.min(self.frames.len().saturating_sub(1));
                let frames: Vec<_> = self.frames.iter().map(output::frame).collect();
                self.out.result(name, json!({ "thread": thread, "frames": frames, "selected": self.frame_index }));
            }
            Command::Threads => {
                let threads: Vec<_> = self
                    .session
                    .threads()
                    .await?
                    .into_iter()
                    .map(|t| json!({ "id": t.id, "name": t.name, "selected": Some(t.id) == self.thread }))
                    .collect();
                self.out.result(name, json!({ "threads": threads }));
            }
            Command::Thread(id) => {
                let threads = self.session.threads().await?;
                if !threads.iter().any(|t| t.id == id) {
                    let ids: Vec<String> = threads.iter().map(|t| t.id.to_string()).collect();
                    bail!("no thread {id} (threads: {})", ids.join(", "));
                }
                self.thread = Some(id);
                self.frames = self.session.stack_trace(id, None).await?;
                self.frame_index = 0;
                let top = self.frames.first().map(output::frame);
                self.out.result(name, json!({ "thread": id, "frame": top }));
            }
            Command::Frame(index) => self.select_frame(name, index as i64).await?,
            Command::Up => self.select_frame(name, self.frame_index as i64 + 1).await?,
            Command::Down => self.select_frame(name, self.frame_index as i64 - 1).await?,
            Command::Locals | Command::Globals => {
                let kind = if name == "locals" { ScopeKind::Locals } else { ScopeKind::Globals };
                let frame = self.current_frame().await?;
                let scope = self
                    .session
                    .scopes(frame.id)
                    .await?
                    .into_iter()
                    .find(|s| s.kind == kind)
                    .ok_or_else(|| anyhow!("this frame has no {name}"))?;
                let mut page = self.session.variables(scope.variables, 0, values::DEFAULT_PAGE_SIZE).await?;
                // Functions and classes sit in debugpy's member groups: list them with the rest.
                let groups: Vec<_> = page
                    .variables
                    .iter()
                    .filter(|v| v.group == Some(VariableGroup::Members))
                    .map(|v| v.children)
                    .collect();
                for group in groups {
                    let members = self.session.variables(group, 0, values::DEFAULT_PAGE_SIZE).await?;
                    page.total += members.total;
                    page.variables.extend(members.variables);
                }
                self.out.result(name, output::variables(&page));
            }
            Command::Print(expression) => {
                let frame = self.current_frame().await?;
                let r = self.session.evaluate(&expression, Some(frame.id), EvalContext::Repl).await?;
                let mut fields = json!({ "expression": expression, "value": r.value, "value_type": r.type_name });
                if r.truncated {
                    fields["truncated"] = json!(true);
                }
                self.out.result(name, fields);
            }
            Command::Set { name: variable, expression } => {
                let frame = self.current_frame().await?;
                let scopes = self.session.scopes(frame.id).await?;
                let mut target = None;
                for scope in scopes.iter().filter(|s| s.kind != ScopeKind::Other) {
                    let page = self.session.variables(scope.variables, 0, usize::MAX).await?;
                    if page.variables.iter().any(|v| v.name == variable) {
                        target = Some(scope.variables);
                        break;
                    }
                }
                let reference = target
                    .ok_or_else(|| anyhow!("no variable `{variable}` in the selected frame's locals or globals"))?;
                let r = self.session.set_variable(reference, &variable, &expression).await?;
                self.out.result(name, json!({ "name": variable, "value": r.value, "value_type": r.type_name }));
            }
            Command::Watch(expression) => {
                self.watches.push(expression.clone());
                self.report_watch(&expression).await;
            }
            other => bail!("`{}` is not an inspection command", other.name()),
        }
        Ok(())
    }

    async fn select_frame(&mut self, name: &str, index: i64) -> anyhow::Result<()> {
        let thread = self.stopped_thread()?;
        if self.frames.is_empty() {
            self.frames = self.session.stack_trace(thread, None).await?;
        }
        if index < 0 || index as usize >= self.frames.len() {
            bail!("no frame {index}: the stack has frames 0 to {}", self.frames.len().saturating_sub(1));
        }
        self.frame_index = index as usize;
        let f = output::frame(&self.frames[self.frame_index]);
        self.out.result(name, json!({ "index": index, "frame": f }));
        Ok(())
    }

    async fn current_frame(&mut self) -> anyhow::Result<Frame> {
        let thread = self.stopped_thread()?;
        if self.frames.is_empty() {
            self.frames = self.session.stack_trace(thread, None).await?;
        }
        self.frames.get(self.frame_index).cloned().ok_or_else(|| anyhow!("the stopped thread has no frames"))
    }

    fn current_file(&self) -> anyhow::Result<PathBuf> {
        self.frames
            .get(self.frame_index)
            .and_then(|f| f.file.clone())
            .ok_or_else(|| anyhow!("the selected frame has no source file"))
    }

    fn stopped_thread(&self) -> anyhow::Result<ThreadId> {
        match self.session.phase() {
            Phase::Stopped(_) => self.thread.ok_or_else(|| anyhow!("no thread selected")),
            Phase::Configuring => bail!("the program has not started"),
            Phase::Running => bail!("the program is running"),
            Phase::Exited { code, .. } => bail!("the program has exited (code {code})"),
            Phase::Terminated => bail!("the debug session has ended"),
        }
    }

    /// Starts the program if it is still held, and waits for its first stop. True if it did.
    async fn start_if_needed(&mut self) -> anyhow::Result<bool> {
        if !matches!(self.session.phase(), Phase::Configuring) {
            return Ok(false);
        }
        self.session.configuration_done().await?;
        self.wait_for_stop().await;
        Ok(true)
    }

    /// Reports events until the next stop or the end of the session.
    async fn wait_for_stop(&mut self) {
        while let Some(event) = self.session.next_event().await {
            if self.report(event).await {
                return;
            }
        }
        self.note_backend_gone();
    }

    fn note_backend_gone(&mut self) {
        if !self.ended {
            self.ended = true;
            if self.exit.is_none() && self.failure.is_none() {
                self.failure = Some("the debugger stopped sending events".into());
            }
        }
    }

    /// Prints one event; true when it ends a wait (a stop, or the end of the session).
    async fn report(&mut self, event: SessionEvent) -> bool {
        match &event {
            SessionEvent::Stopped(stop) => {
                self.thread = Some(stop.thread);
                self.frame_index = 0;
                self.frames = match self.session.stack_trace(stop.thread, None).await {
                    Ok(f) => f,
                    Err(e) => {
                        self.out.error("stack", &format!("{e:#}"));
                        Vec::new()
                    }
                };
                let traceback = self.traceback_of(stop).await;
                let test = self.test_of(stop).await;
                self.out.stopped(stop, self.frames.first(), traceback.as_deref(), test.as_ref());
                for expression in self.watches.clone() {
                    self.report_watch(&expression).await;
                }
                true
            }
            SessionEvent::Exited { code, .. } => {
                self.exit = Some(*code);
                self.out.event(&event);
                false
            }
            SessionEvent::Terminated => {
                self.out.event(&event);
                self.ended = true;
                true
            }
            SessionEvent::Problem(message) => {
                self.out.event(&event);
                if self.failure.is_none() && message.contains("ended unexpectedly") {
                    self.failure = Some(message.clone());
                }
                false
            }
            _ => {
                self.out.event(&event);
                false
            }
        }
    }

    /// The traceback of an exception stop (a post-mortem one above all), so the output shows
    /// what the program would have printed. Asked only on exception stops: steps stay one round
    /// trip.
    async fn traceback_of(&self, stop: &StopInfo) -> Option<String> {
        if stop.reason != StopReason::Exception || !self.session.capabilities().exception_info {
            return None;
        }
        match self.session.exception_info(stop.thread).await {
            Ok(info) => info.stack_trace,
            Err(e) => {
                tracing::debug!("no exception info at an exception stop: {e:#}");
                None
            }
        }
    }

    /// The pytest test an exception stop belongs to (a failing test), if any.
    async fn test_of(&self, stop: &StopInfo) -> Option<crate::session::CurrentTest> {
        if stop.reason != StopReason::Exception {
            return None;
        }
        self.session.current_test(self.frames.first()?.id).await
    }

    async fn report_watch(&mut self, expression: &str) {
        if !matches!(self.session.phase(), Phase::Stopped(_)) {
            self.out.result("watch", json!({ "expression": expression, "value": null }));
            return;
        }
        let frame = match self.current_frame().await {
            Ok(f) => f,
            Err(e) => return self.out.error("watch", &format!("{e:#}")),
        };
        match self.session.evaluate(expression, Some(frame.id), EvalContext::Watch).await {
            Ok(r) => self
                .out
                .result("watch", json!({ "expression": expression, "value": r.value, "value_type": r.type_name })),
            Err(e) => self.out.error("watch", &format!("{expression}: {e:#}")),
        }
    }

    /// Lets the program finish, reporting (and continuing past) every stop.
    async fn run_to_end(&mut self) {
        if self.ended {
            return;
        }
        if matches!(self.session.phase(), Phase::Configuring) {
            if let Err(e) = self.session.configuration_done().await {
                self.out.error("continue", &format!("{e:#}"));
                self.failure = Some(format!("{e:#}"));
                return;
            }
        }
        loop {
            if let Phase::Stopped(stop) = self.session.phase() {
                let thread = stop.thread;
                if let Err(e) = self.session.resume(thread, ResumeAction::Continue).await {
                    self.out.error("continue", &format!("{e:#}"));
                    // The reason (the adapter died, the program exited) is usually an event
                    // still in the queue: report it before giving up.
                    self.drain_events(Duration::from_secs(2)).await;
                    self.failure.get_or_insert(format!("{e:#}"));
                    self.ended = true;
                    return;
                }
            }
            self.wait_for_stop().await;
            if self.ended {
                return;
            }
        }
    }

    /// Reports queued events until the session ends or `limit` passes.
    async fn drain_events(&mut self, limit: Duration) {
        let _ = tokio::time::timeout(limit, async {
            while let Some(event) = self.session.next_event().await {
                if self.report(event).await && self.ended {
                    break;
                }
            }
        })
        .await;
    }

    async fn quit(&mut self) {
        if self.ended {
            return;
        }
        if matches!(self.session.phase(), Phase::Exited { .. } | Phase::Terminated) {
            return;
        }
        // Leaving an attached program detaches (it keeps running); a launched one is ended.
        let attached = self.session.attached();
        let _ = self.session.disconnect(!attached).await;
        // Report the exit that follows, if the backend sends one.
        self.drain_events(Duration::from_secs(5)).await;
        self.ended = true;
    }
}
