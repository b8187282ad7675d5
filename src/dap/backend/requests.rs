//! The [`Backend`] calls over DAP: each request goes to the connection its thread, frame or
//! variable id belongs to; breakpoints and filters go to every connection (and are remembered for
//! children yet to come).

use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail};
use async_trait::async_trait;

use super::convert::{
    dap_err, frame_of, function_breakpoints_args, scope_of, set_breakpoints_args, status_of, variable_of,
};
use super::ids::{narrow, narrow_frame, widen};
use super::{DapBackend, START_TIMEOUT};
use crate::dap::client::DapError;
use crate::dap::types::{self as t};
use crate::session::{
    Backend, BreakpointStatus, Capabilities, Completion, EvalContext, EvalResult, ExceptionFilter, ExceptionInfo,
    Frame, FunctionBreakpointRequest, LineBreakpointRequest, ResumeAction, Scope, ThreadId, ThreadInfo, VarRef,
    Variable,
};

/// Empties the return values pydevd keeps in a frame's locals (`__pydevd_ret_val_dict`, absent
/// until a call in the frame returned during a step).
const CLEAR_RETURN_VALUES: &str = "locals().get('__pydevd_ret_val_dict', {}).clear()";

#[async_trait]
impl Backend for DapBackend {
    fn name(&self) -> &str {
        "debugpy"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            jump: self.caps.supports_goto_targets_request,
            set_variable: self.caps.supports_set_variable,
            completions: self.caps.supports_completions_request,
            exception_info: self.caps.supports_exception_info_request,
            function_breakpoints: self.caps.supports_function_breakpoints,
            log_points: self.caps.supports_log_points,
            hit_conditions: self.caps.supports_hit_conditional_breakpoints,
            counts_hits: false,
        }
    }

    async fn set_line_breakpoints(
        &self,
        file: &Path,
        breakpoints: &[LineBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>> {
        // Under an inferred path mapping, debugpy needs the debuggee's path for the file.
        let args = set_breakpoints_args(&self.shared.remote_file(file), breakpoints);
        let body = self.request::<t::SetBreakpoints>(0, &args).await?;
        let statuses: Vec<BreakpointStatus> = body.breakpoints.iter().map(status_of).collect();
        if let Ok(mut r) = self.shared.replay.lock() {
            r.files.insert(file.to_path_buf(), breakpoints.to_vec());
            r.main_ids.insert(file.to_path_buf(), statuses.iter().map(|s| s.backend_id).collect());
        }
        for (index, client) in self.all_clients().into_iter().skip(1) {
            match client.request::<t::SetBreakpoints>(&args).await {
                Ok(child) => {
                    if let Ok(mut conns) = self.shared.connections.lock() {
                        if let Some(Some(conn)) = conns.get_mut(index) {
                            for (c, m) in child.breakpoints.iter().zip(&statuses) {
                                if let (Some(c), Some(m)) = (c.id, m.backend_id) {
                                    conn.breakpoint_ids.insert(c, m);
                                }
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!("setting breakpoints in {}: {e}", client.name()),
            }
        }
        Ok(statuses)
    }

    async fn set_function_breakpoints(
        &self,
        breakpoints: &[FunctionBreakpointRequest],
    ) -> anyhow::Result<Vec<BreakpointStatus>> {
        let args = function_breakpoints_args(breakpoints);
        if let Ok(mut r) = self.shared.replay.lock() {
            r.functions = breakpoints.to_vec();
        }
        let mut statuses = Vec::new();
        for (index, client) in self.all_clients() {
            let body = client.request::<t::SetFunctionBreakpoints>(&args).await;
            if index == 0 {
                statuses = body.map_err(dap_err)?.breakpoints.iter().map(status_of).collect();
            }
        }
        Ok(statuses)
    }

    async fn set_exception_filters(&self, filters: &[ExceptionFilter]) -> anyhow::Result<()> {
        let available = self.shared.exception_filter_names.lock().map(|n| n.clone()).unwrap_or_default();
        let mut names = Vec::new();
        for f in filters {
            let name = match f {
                ExceptionFilter::Raised => "raised",
                ExceptionFilter::Uncaught => "uncaught",
                ExceptionFilter::UserUnhandled => "userUnhandled",
            };
            if !available.iter().any(|a| a == name) {
                bail!("debugpy does not offer the {name:?} exception filter (it has: {})", available.join(", "));
            }
            names.push(name.to_string());
        }
        if let Ok(mut r) = self.shared.replay.lock() {
            r.exception_filters = names.clone();
        }
        let args = t::SetExceptionBreakpointsArguments { filters: names };
        for (index, client) in self.all_clients() {
            let r = client.request::<t::SetExceptionBreakpoints>(&args).await;
            if index == 0 {
                r.map_err(dap_err)?;
            }
        }
        Ok(())
    }

    async fn configuration_done(&self) -> anyhow::Result<()> {
        self.request::<t::ConfigurationDone>(0, &t::Empty {}).await?;
        if let Some(response) = self.start_response.lock().await.take() {
            match tokio::time::timeout(START_TIMEOUT, response).await {
                Ok(Ok(Ok(_))) => {}
                Ok(Ok(Err(e))) => bail!("{e}{}", self.shared.stderr_hint()),
                Ok(Err(_)) => bail!("the debug adapter went away while starting{}", self.shared.stderr_hint()),
                Err(_) => bail!("the debug adapter did not finish starting within {} s", START_TIMEOUT.as_secs()),
            }
        }
        Ok(())
    }

    async fn resume(&self, thread: ThreadId, action: ResumeAction) -> anyhow::Result<()> {
        let (index, id) = narrow(thread);
        let client = self.client(index)?;
        let args = t::ThreadArguments { thread_id: id };
        let top_frame = self.top_frames.lock().ok().and_then(|mut frames| frames.remove(&thread));
        if let (Some(frame), true) = (top_frame, action != ResumeAction::Continue) {
            // pydevd keeps every return value seen in a frame (`__pydevd_ret_val_dict`) until the
            // frame ends, so after `a = f()`, `b = g()` both would still show as news. Emptying
            // it as the step starts leaves only what this step returned. The request is sent, not
            // awaited: pydevd runs it on the stopped thread before the step, at no round trip.
            let clear = t::EvaluateArguments {
                expression: CLEAR_RETURN_VALUES.into(),
                frame_id: Some(narrow(frame).1),
                context: "hover".into(),
            };
            let _ = client.send::<t::Evaluate>(&clear);
        }
        match action {
            ResumeAction::Continue => client.request::<t::Continue>(&args).await.map(drop),
            ResumeAction::Next => client.request::<t::Next>(&args).await.map(drop),
            ResumeAction::StepIn => client.request::<t::StepIn>(&args).await.map(drop),
            ResumeAction::StepOut => client.request::<t::StepOut>(&args).await.map(drop),
        }
        .map_err(dap_err)
    }

    async fn pause(&self, thread: ThreadId) -> anyhow::Result<()> {
        let (index, id) = narrow(thread);
        self.request::<t::Pause>(index, &t::ThreadArguments { thread_id: id }).await?;
        Ok(())
    }

    async fn jump(&self, thread: ThreadId, file: &Path, line: i64) -> anyhow::Result<()> {
        let (index, id) = narrow(thread);
        let client = self.client(index)?;
        let remote = self.shared.remote_file(file);
        let source =
            t::Source { name: None, path: Some(remote.to_string_lossy().into_owned()), source_reference: None };
        let targets =
            client.request::<t::GotoTargets>(&t::GotoTargetsArguments { source, line }).await.map_err(dap_err)?;
        let target = targets
            .targets
            .first()
            .ok_or_else(|| anyhow!("cannot jump to {}:{line}: no code there", file.display()))?;
        client.request::<t::Goto>(&t::GotoArguments { thread_id: id, target_id: target.id }).await.map_err(dap_err)?;
        Ok(())
    }

    async fn threads(&self) -> anyhow::Result<Vec<ThreadInfo>> {
        let mut out = Vec::new();
        for (index, client) in self.all_clients() {
            let body = match client.request::<t::Threads>(&t::Empty {}).await {
                Ok(b) => b,
                Err(e) if index == 0 => return Err(dap_err(e)),
                Err(_) => continue,
            };
            let prefix = if index == 0 { String::new() } else { format!("[{}] ", client.name()) };
            out.extend(
                body.threads
                    .into_iter()
                    .map(|th| ThreadInfo { id: widen(index, th.id), name: format!("{prefix}{}", th.name) }),
            );
        }
        Ok(out)
    }

    async fn stack_trace(&self, thread: ThreadId, levels: Option<i64>) -> anyhow::Result<Vec<Frame>> {
        let (index, id) = narrow(thread);
        let args = t::StackTraceArguments { thread_id: id, start_frame: None, levels };
        let body = self.request::<t::StackTrace>(index, &args).await?;
        let mut frames: Vec<Frame> = body.stack_frames.into_iter().map(|f| frame_of(index, f)).collect();
        self.localize_frames(&mut frames).await;
        if let (Some(top), Ok(mut tops)) = (frames.first(), self.top_frames.lock()) {
            tops.insert(thread, top.id);
        }
        Ok(frames)
    }

    async fn scopes(&self, frame: i64) -> anyhow::Result<Vec<Scope>> {
        let (index, id) = narrow(frame);
        let body = self.request::<t::Scopes>(index, &t::ScopesArguments { frame_id: id }).await?;
        Ok(body.scopes.into_iter().map(|s| scope_of(index, s)).collect())
    }

    async fn variables(&self, reference: VarRef) -> anyhow::Result<Vec<Variable>> {
        let (index, id) = narrow(reference);
        let args = t::VariablesArguments { variables_reference: id, start: None, count: None };
        let body = self.request::<t::Variables>(index, &args).await?;
        Ok(body.variables.into_iter().map(|v| variable_of(index, v)).collect())
    }

    async fn evaluate(&self, expression: &str, frame: Option<i64>, context: EvalContext) -> anyhow::Result<EvalResult> {
        let (index, frame_id) = narrow_frame(frame);
        let args =
            t::EvaluateArguments { expression: expression.to_string(), frame_id, context: context.as_dap().into() };
        let body = self.request::<t::Evaluate>(index, &args).await?;
        Ok(EvalResult {
            value: body.result,
            truncated: false,
            type_name: body.type_name.filter(|t| !t.is_empty()),
            children: widen(index, body.variables_reference),
        })
    }

    async fn set_variable(&self, reference: VarRef, name: &str, value: &str) -> anyhow::Result<EvalResult> {
        let (index, id) = narrow(reference);
        let args = t::SetVariableArguments { variables_reference: id, name: name.into(), value: value.into() };
        let body = self.request::<t::SetVariable>(index, &args).await?;
        Ok(EvalResult {
            value: body.value,
            truncated: false,
            type_name: body.type_name,
            children: widen(index, body.variables_reference.unwrap_or(0)),
        })
    }

    async fn completions(&self, frame: Option<i64>, text: &str, column: i64) -> anyhow::Result<Vec<Completion>> {
        let (index, frame_id) = narrow_frame(frame);
        let args = t::CompletionsArguments { frame_id, text: text.into(), column };
        let body = self.request::<t::Completions>(index, &args).await?;
        Ok(body
            .targets
            .into_iter()
            .map(|c| Completion { text: c.text.unwrap_or_else(|| c.label.clone()), label: c.label, kind: c.kind })
            .collect())
    }

    async fn exception_info(&self, thread: ThreadId) -> anyhow::Result<ExceptionInfo> {
        let (index, id) = narrow(thread);
        let body = self.request::<t::ExceptionInfo>(index, &t::ThreadArguments { thread_id: id }).await?;
        Ok(ExceptionInfo {
            exception_id: body.exception_id,
            description: body.description,
            break_mode: body.break_mode,
            stack_trace: body.details.and_then(|d| d.stack_trace),
        })
    }

    async fn write_stdin(&self, text: &str) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let Some(slot) = &self.program_stdin else {
            bail!("the program's input is not connected to loupe (attached sessions read input where they run)");
        };
        let mut stdin = slot.lock().await;
        let pipe = stdin.as_mut().ok_or_else(|| anyhow!("the program has not started or its input is closed"))?;
        let written = async {
            pipe.write_all(text.as_bytes()).await?;
            pipe.flush().await
        };
        if let Err(e) = written.await {
            *stdin = None;
            bail!("writing to the program's input: {e}");
        }
        Ok(())
    }

    async fn terminate(&self) -> anyhow::Result<()> {
        let main = self.main()?;
        if self.caps.supports_terminate_request
            && main.request_with_timeout::<t::Terminate>(&t::Empty {}, Duration::from_secs(5)).await.is_ok()
        {
            return Ok(());
        }
        self.disconnect(true).await
    }

    async fn disconnect(&self, terminate_debuggee: bool) -> anyhow::Result<()> {
        if let Ok(mut f) = self.shared.finished.lock() {
            *f = true;
        }
        let main = self.main()?;
        let args = t::DisconnectArguments { restart: false, terminate_debuggee };
        match main.request_with_timeout::<t::Disconnect>(&args, Duration::from_secs(5)).await {
            Ok(_) | Err(DapError::Closed { .. }) => Ok(()),
            Err(e) => Err(dap_err(e)),
        }
    }
}
