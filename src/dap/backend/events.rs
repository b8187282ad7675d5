//! What the adapter sends on each connection: events become session events (stops, output,
//! threads, processes, the end), and reverse requests start the program (`runInTerminal`) or a
//! child's connection (`startDebugging`).

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::{mpsc, oneshot};

use super::convert::status_of;
use super::ids::widen;
use super::state::Shared;
use crate::dap::client::{event_body, Incoming};
use crate::dap::protocol::{Event, Request};
use crate::dap::types::{self as t};
use crate::session::{BackendEvent, OutputCategory, SessionEvent, StopInfo, StopReason};

/// Run inside a remote debuggee at its first stop: pydevd's socket to the adapter gets
/// TCP_NODELAY (see adapters/nodelay/sitecustomize.py for why). A fresh globals dict keeps the
/// user's namespace untouched; any failure is swallowed.
const NODELAY_INJECTION: &str = r#"exec("try:\n import pydevd, socket\n pydevd.get_global_debugger().writer.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)\nexcept Exception:\n pass", {})"#;

/// How long to wait, after the program exits, for the rest of its output.
const OUTPUT_DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

impl Shared {
    /// Routes one connection's events and reverse requests until it closes.
    pub(super) async fn pump(
        self: Arc<Self>,
        index: usize,
        mut incoming: mpsc::UnboundedReceiver<Incoming>,
        mut initialized: Option<oneshot::Sender<()>>,
    ) {
        let main = index == 0;
        while let Some(message) = incoming.recv().await {
            match message {
                Incoming::Event(e) if e.event == "initialized" => {
                    if let Some(tx) = initialized.take() {
                        let _ = tx.send(());
                    }
                }
                Incoming::Event(e) if main && e.event == "exited" => {
                    // Deliver the program's last output before its exit.
                    let done = self.output_done.lock().ok().and_then(|mut d| d.take());
                    if let Some(mut done) = done {
                        let _ = tokio::time::timeout(OUTPUT_DRAIN_TIMEOUT, done.recv()).await;
                    }
                    self.on_event(index, e)
                }
                Incoming::Event(e) if e.event == "stopped" && self.needs_nodelay(index) => {
                    self.inject_nodelay(index, &e).await;
                    self.on_event(index, e)
                }
                Incoming::Event(e) => self.on_event(index, e),
                Incoming::ReverseRequest(r) => self.clone().on_reverse_request(index, r),
                Incoming::Problem(p) => self.emit_session(SessionEvent::Problem(p)),
                Incoming::Closed(reason) => {
                    let finished = self.finished.lock().map(|f| *f).unwrap_or(true);
                    if main && !finished {
                        let why = reason.unwrap_or_else(|| "it exited".into());
                        self.emit_session(SessionEvent::Problem(format!(
                            "the debug adapter connection ended unexpectedly ({why}){}",
                            self.stderr_hint()
                        )));
                        self.emit_session(SessionEvent::Terminated);
                    }
                    if let Ok(mut conns) = self.connections.lock() {
                        if let Some(slot) = conns.get_mut(index) {
                            *slot = None;
                        }
                    }
                    return;
                }
            }
        }
    }

    fn on_event(&self, index: usize, event: Event) {
        let main = index == 0;
        match event.event.as_str() {
            "stopped" => {
                let body: t::StoppedEventBody = event_body(&event);
                let hit = self.map_hit_ids(index, &body.hit_breakpoint_ids);
                let info = StopInfo {
                    reason: StopReason::from_dap(&body.reason),
                    thread: widen(index, body.thread_id.unwrap_or(0)),
                    all_threads_stopped: body.all_threads_stopped,
                    description: body.description,
                    text: body.text,
                    hit_breakpoints: Vec::new(),
                };
                self.emit(BackendEvent::Stopped { info, hit_backend_ids: hit });
            }
            "continued" => {
                let body: t::ContinuedEventBody = event_body(&event);
                self.emit_session(SessionEvent::Continued { thread: Some(widen(index, body.thread_id)) });
            }
            "output" => {
                let body: t::OutputEventBody = event_body(&event);
                // When loupe started the program, its stdout and stderr come through loupe's own
                // pipes; what debugpy reports as stdout is then the debugger's (logpoints).
                let own_pipes = self.terminal.is_some();
                let category = match body.category.as_deref() {
                    Some("telemetry") => return,
                    Some("stdout") if !own_pipes => OutputCategory::Stdout,
                    Some("stderr") if !own_pipes => OutputCategory::Stderr,
                    _ => OutputCategory::Console,
                };
                let text = match category {
                    OutputCategory::Console => super::just_my_code::explain(body.output),
                    _ => body.output,
                };
                self.emit_session(SessionEvent::Output { category, text });
            }
            "thread" => {
                let body: t::ThreadEventBody = event_body(&event);
                self.emit_session(SessionEvent::Thread {
                    thread: widen(index, body.thread_id),
                    name: None,
                    started: body.reason == "started",
                });
            }
            "process" => {
                let body: t::ProcessEventBody = event_body(&event);
                self.emit_session(SessionEvent::Process { name: body.name, pid: body.system_process_id, child: !main });
            }
            "exited" if main => {
                let body: t::ExitedEventBody = event_body(&event);
                let (code, signal) = exit_status(body.exit_code);
                self.emit_session(SessionEvent::Exited { code, signal });
            }
            "exited" => {
                let body: t::ExitedEventBody = event_body(&event);
                let label = self.label(index);
                self.emit_session(SessionEvent::Output {
                    category: OutputCategory::Console,
                    text: format!("{label} exited with code {}\n", body.exit_code),
                });
            }
            "terminated" if main => {
                if let Ok(mut f) = self.finished.lock() {
                    *f = true;
                }
                self.emit_session(SessionEvent::Terminated);
            }
            "terminated" => {}
            "breakpoint" if main => {
                let body: t::BreakpointEventBody = event_body(&event);
                self.emit(BackendEvent::BreakpointUpdate { status: status_of(&body.breakpoint) });
            }
            other => tracing::debug!("ignoring DAP event {other} from connection {index}"),
        }
    }

    fn needs_nodelay(&self, index: usize) -> bool {
        self.nodelay_at_first_stop && self.nodelay_done.lock().map(|mut d| d.insert(index)).unwrap_or(false)
    }

    /// Speeds up every later message from this debuggee; costs two stalled round trips once.
    async fn inject_nodelay(&self, index: usize, stopped: &Event) {
        let Ok(client) = self.client(index) else { return };
        let body: t::StoppedEventBody = event_body(stopped);
        let Some(thread_id) = body.thread_id else { return };
        let args = t::StackTraceArguments { thread_id, start_frame: None, levels: Some(1) };
        let Some(frame) =
            client.request::<t::StackTrace>(&args).await.ok().and_then(|b| b.stack_frames.first().cloned())
        else {
            return;
        };
        let args = t::EvaluateArguments {
            expression: NODELAY_INJECTION.into(),
            frame_id: Some(frame.id),
            context: "watch".into(),
        };
        match client.request::<t::Evaluate>(&args).await {
            Ok(_) => tracing::debug!("TCP_NODELAY set inside the debuggee of {}", client.name()),
            Err(e) => tracing::debug!("could not set TCP_NODELAY inside the debuggee: {e}"),
        }
    }

    pub(super) fn on_reverse_request(self: Arc<Self>, index: usize, request: Request) {
        let Ok(client) = self.client(index) else { return };
        match request.command.as_str() {
            "runInTerminal" => {
                let args: t::RunInTerminalArguments =
                    serde_json::from_value(request.arguments.clone()).unwrap_or_default();
                let (done_tx, done_rx) = mpsc::channel(1);
                if let Ok(mut d) = self.output_done.lock() {
                    *d = Some(done_rx);
                }
                let result = match &self.terminal {
                    Some(spawn) => spawn(&args, self.sink.clone(), done_tx)
                        .map(|pid| pid.map(|p| json!({ "processId": p })).unwrap_or_else(|| json!({})))
                        .map_err(|e| format!("{e:#}")),
                    None => Err("loupe cannot run a terminal for this session".into()),
                };
                if let Err(e) = &result {
                    self.emit_session(SessionEvent::Problem(format!("could not start the program: {e}")));
                }
                client.respond(&request, result);
            }
            "startDebugging" => {
                client.respond(&request, Ok(json!({})));
                let args: t::StartDebuggingArguments =
                    serde_json::from_value(request.arguments.clone()).unwrap_or_default();
                tokio::spawn(async move {
                    if let Err(e) = self.clone().attach_child(args).await {
                        self.emit_session(SessionEvent::Problem(format!("could not debug a child process: {e:#}")));
                    }
                });
            }
            other => {
                tracing::debug!("unsupported reverse request {other}");
                client.respond(&request, Err(format!("loupe does not support {other}")));
            }
        }
    }
}

/// debugpy's launcher reports a signal death as `returncode & 0xFF` (SIGKILL → 247). Codes that
/// stand for the usual fatal signals are reported as the signal, with the shell's `128 + N` code.
/// 255 (SIGHUP) is left alone: `sys.exit(-1)` gives the same number and is far more common.
fn exit_status(code: i64) -> (i64, Option<String>) {
    const FATAL: &[(i64, &str)] = &[
        (2, "SIGINT"),
        (3, "SIGQUIT"),
        (4, "SIGILL"),
        (6, "SIGABRT"),
        (7, "SIGBUS"),
        (8, "SIGFPE"),
        (9, "SIGKILL"),
        (11, "SIGSEGV"),
        (13, "SIGPIPE"),
        (15, "SIGTERM"),
        (24, "SIGXCPU"),
        (25, "SIGXFSZ"),
    ];
    if cfg!(unix) {
        if let Some((n, name)) = FATAL.iter().find(|(n, _)| 256 - n == code || -n == code) {
            return (128 + n, Some((*name).to_string()));
        }
    }
    (code, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_exit_codes_are_recognised() {
        assert_eq!(exit_status(247), (137, Some("SIGKILL".into())));
        assert_eq!(exit_status(255), (255, None));
        assert_eq!(exit_status(3), (3, None));
    }
}
