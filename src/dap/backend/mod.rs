//! [`Backend`] over DAP: one connection to the adapter for the main process, plus one per child
//! process that debugpy reports through `startDebugging`.
//!
//! Ids from different connections can collide (each pydevd counts from 1), so thread, frame and
//! variable ids are widened: `connection << 32 | id` (`ids.rs`). The main connection is number 0,
//! so its ids pass through unchanged.
//!
//! This file holds the backend and its start-up; `state.rs` what it shares with its event pumps,
//! `connections.rs` opening the main and child connections, `events.rs` what the adapter sends,
//! `requests.rs` the [`Backend`] calls routed to the right connection, `convert.rs` the
//! translations between DAP bodies and session types, and `remap.rs` inferred path mappings
//! applied (the program's paths asked for at attach, frames mapped, breakpoints sent again).

mod connections;
mod convert;
mod events;
mod ids;
mod just_my_code;
mod remap;
mod requests;
mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use self::state::{Replay, Shared};
use super::client::{Client, DapError, Incoming};
use super::types::{self as t, DapRequest};
use crate::session::EventSink;

/// How long `launch`/`attach` may take to answer after `configurationDone`.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// `launch` or `attach`, with debugpy's configuration.
pub(crate) struct StartRequest {
    pub request: &'static str,
    pub arguments: Value,
    /// Turn on TCP_NODELAY inside the debuggee at its first stop (attach: loupe did not start
    /// the debuggee, so its `sitecustomize` is not there).
    pub nodelay_at_first_stop: bool,
    /// Attach: the path mappings to infer (`PathMap::off()` when launching).
    pub paths: crate::dap::pathmap::PathMap,
}

/// The adapter process loupe started (none when attaching to a port), and its stderr tail.
pub(crate) struct AdapterProcess {
    pub child: Option<tokio::process::Child>,
    pub stderr_tail: Arc<Mutex<Vec<String>>>,
    /// The run's sandbox: with a network namespace of its own, loupe connects to the adapter
    /// for child processes from inside it.
    pub sandbox: Option<Arc<crate::sandbox::Sandbox>>,
}

/// The answer to `launch`/`attach`, which debugpy sends after `configurationDone`.
type StartResponse = oneshot::Receiver<Result<Value, DapError>>;

/// Starts a debuggee for a `runInTerminal` request; returns its pid.
/// The spawner hands a clone of the `mpsc::Sender<()>` to every task that forwards the program's
/// output and drops it at end of file, so the backend can tell when all output has arrived.
pub type TerminalSpawner =
    Arc<dyn Fn(&t::RunInTerminalArguments, EventSink, mpsc::Sender<()>) -> anyhow::Result<Option<u32>> + Send + Sync>;

/// A DAP debug session with debugpy.
pub struct DapBackend {
    shared: Arc<Shared>,
    caps: t::Capabilities,
    start_response: tokio::sync::Mutex<Option<StartResponse>>,
    /// Processes to keep alive (and kill on drop): the adapter.
    _adapter: Mutex<Option<tokio::process::Child>>,
    /// The launched program's stdin, when loupe started it with a pipe.
    pub(crate) program_stdin: Option<ProgramStdin>,
    /// Each stopped thread's top frame, as its last stack trace gave it: a step starts by
    /// clearing the return values pydevd keeps in that frame (`requests.rs`, `resume`).
    top_frames: Mutex<std::collections::HashMap<crate::session::ThreadId, i64>>,
}

/// Where the `runInTerminal` spawner leaves the program's stdin pipe.
pub type ProgramStdin = Arc<tokio::sync::Mutex<Option<tokio::process::ChildStdin>>>;

impl DapBackend {
    /// Runs the DAP start-up on `client` as the main connection: initialize, send the launch
    /// or attach request, wait for `initialized`.
    pub(crate) async fn start(
        client: Client,
        incoming: mpsc::UnboundedReceiver<Incoming>,
        sink: EventSink,
        start: StartRequest,
        terminal: Option<TerminalSpawner>,
        adapter: AdapterProcess,
    ) -> anyhow::Result<DapBackend> {
        let StartRequest { request, arguments, nodelay_at_first_stop, paths } = start;
        let AdapterProcess { child: adapter, stderr_tail: adapter_stderr, sandbox } = adapter;
        let shared = Arc::new(Shared {
            sink,
            connections: Mutex::new(Vec::new()),
            replay: Mutex::new(Replay::default()),
            terminal,
            exception_filter_names: Mutex::new(Vec::new()),
            output_done: Mutex::new(None),
            nodelay_at_first_stop,
            nodelay_done: Mutex::new(Default::default()),
            adapter_stderr,
            finished: Mutex::new(false),
            sandbox,
            paths: Mutex::new(paths),
        });
        let (caps, pending, _) =
            shared.clone().open_connection(client, incoming, request, arguments, "main".into()).await?;
        if let Ok(mut names) = shared.exception_filter_names.lock() {
            *names = caps.exception_breakpoint_filters.iter().map(|f| f.filter.clone()).collect();
        }
        Ok(DapBackend {
            shared,
            caps,
            start_response: tokio::sync::Mutex::new(Some(pending)),
            _adapter: Mutex::new(adapter),
            program_stdin: None,
            top_frames: Mutex::default(),
        })
    }

    fn client(&self, connection: usize) -> anyhow::Result<Client> {
        self.shared.client(connection)
    }

    /// Sends a request on `connection` and waits for its body.
    async fn request<R: DapRequest>(&self, connection: usize, args: &R::Arguments) -> anyhow::Result<R::Body> {
        self.client(connection)?.request::<R>(args).await.map_err(convert::dap_err)
    }

    fn main(&self) -> anyhow::Result<Client> {
        self.client(0)
    }

    fn all_clients(&self) -> Vec<(usize, Client)> {
        self.shared.all_clients()
    }
}
