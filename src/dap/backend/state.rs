//! The DAP backend's shared state: its connections (main and children), what was sent to the
//! main one (replayed to children), and the event sink; with the small accessors over them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::anyhow;
use tokio::sync::mpsc;

use super::TerminalSpawner;
use crate::dap::client::Client;
use crate::dap::pathmap::{Learned, PathMap};
use crate::session::{BackendEvent, EventSink, FunctionBreakpointRequest, LineBreakpointRequest, SessionEvent};

pub(super) struct Connection {
    pub(super) client: Client,
    /// For children: their breakpoint ids mapped to the main connection's.
    pub(super) breakpoint_ids: HashMap<i64, i64>,
    pub(super) label: String,
}

/// What has been sent to the adapter, so children can be configured the same way.
#[derive(Default)]
pub(super) struct Replay {
    pub(super) files: HashMap<PathBuf, Vec<LineBreakpointRequest>>,
    /// The main connection's breakpoint ids per file, in request order.
    pub(super) main_ids: HashMap<PathBuf, Vec<Option<i64>>>,
    pub(super) functions: Vec<FunctionBreakpointRequest>,
    pub(super) exception_filters: Vec<String>,
}

/// What the backend and its connections' event pumps share.
pub(crate) struct Shared {
    pub(super) sink: EventSink,
    pub(super) connections: Mutex<Vec<Option<Connection>>>,
    pub(super) replay: Mutex<Replay>,
    pub(super) terminal: Option<TerminalSpawner>,
    pub(super) exception_filter_names: Mutex<Vec<String>>,
    /// Whether connections still need [`NODELAY_INJECTION`], and which ones have had it.
    pub(super) nodelay_at_first_stop: bool,
    pub(super) nodelay_done: Mutex<std::collections::HashSet<usize>>,
    /// Closed (recv gives `None`) once the program's stdout and stderr reached end of file.
    pub(super) output_done: Mutex<Option<mpsc::Receiver<()>>>,
    /// The adapter's stderr tail, for explaining an unexpected end.
    pub(super) adapter_stderr: Arc<Mutex<Vec<String>>>,
    pub(super) finished: Mutex<bool>,
    pub(super) sandbox: Option<Arc<crate::sandbox::Sandbox>>,
    /// Attached sessions' inferred path mappings (off when loupe launched the program).
    pub(super) paths: Mutex<PathMap>,
}

impl Shared {
    pub(super) fn client(&self, connection: usize) -> anyhow::Result<Client> {
        let conns = self.connections.lock().map_err(|_| anyhow!("internal lock poisoned"))?;
        conns.get(connection).and_then(|c| c.as_ref()).map(|c| c.client.clone()).ok_or_else(|| match connection {
            0 => anyhow!("the debug adapter connection is closed"),
            _ => anyhow!("that process is no longer being debugged"),
        })
    }

    pub(super) fn all_clients(&self) -> Vec<(usize, Client)> {
        self.connections
            .lock()
            .map(|c| c.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (i, c.client.clone()))).collect())
            .unwrap_or_default()
    }

    pub(super) fn emit(&self, event: BackendEvent) {
        let _ = self.sink.send(event);
    }

    pub(super) fn emit_session(&self, event: SessionEvent) {
        self.emit(BackendEvent::Session(event));
    }

    pub(super) fn stderr_hint(&self) -> String {
        let lines = self.adapter_stderr.lock().map(|l| l.clone()).unwrap_or_default();
        if lines.is_empty() {
            String::new()
        } else {
            format!("\nadapter output:\n  {}", lines.join("\n  "))
        }
    }

    pub(super) fn label(&self, index: usize) -> String {
        self.connections
            .lock()
            .ok()
            .and_then(|c| c.get(index).and_then(|c| c.as_ref().map(|c| c.label.clone())))
            .unwrap_or_else(|| format!("process {index}"))
    }

    pub(super) fn map_hit_ids(&self, index: usize, ids: &[i64]) -> Vec<i64> {
        let conns = match self.connections.lock() {
            Ok(c) => c,
            Err(_) => return Vec::new(),
        };
        let Some(Some(conn)) = conns.get(index) else { return Vec::new() };
        if index == 0 {
            // The main connection's ids are the session's, except for files sent again under an
            // inferred path mapping (`remap.rs`).
            return ids.iter().map(|id| conn.breakpoint_ids.get(id).copied().unwrap_or(*id)).collect();
        }
        ids.iter().filter_map(|id| conn.breakpoint_ids.get(id).copied()).collect()
    }

    /// A local file as the debuggee knows it (see [`PathMap::to_remote`]).
    pub(super) fn remote_file(&self, local: &Path) -> PathBuf {
        self.paths.lock().map(|p| p.to_remote(local)).unwrap_or_else(|_| local.to_path_buf())
    }

    /// A path from the debuggee as a local file, with what was learned on the way. A new
    /// mapping is always told (`SessionEvent::Notice`); the rest only if `tell` says so.
    pub(super) fn local_file(&self, remote: &Path, mut tell: impl FnMut(&Learned) -> bool) -> (PathBuf, bool) {
        let Ok(mut paths) = self.paths.lock() else { return (remote.to_path_buf(), false) };
        let (local, learned) = paths.to_local(remote);
        drop(paths);
        let inferred = matches!(learned, Some(Learned::Inferred { .. }));
        if let Some(learned) = learned.filter(|l| inferred || tell(l)) {
            self.emit_session(SessionEvent::Notice(learned.to_string()));
        }
        (local, inferred)
    }
}
