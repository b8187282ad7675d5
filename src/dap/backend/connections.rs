//! Opening connections to the adapter: the main one (initialize, then `launch` or `attach`, up to
//! `initialized`), and one per child process debugpy announces with `startDebugging`, which gets
//! the main connection's breakpoints and exception filters replayed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::convert::{function_breakpoints_args, set_breakpoints_args};
use super::state::{Connection, Shared};
use super::{StartResponse, START_TIMEOUT};
use crate::dap::client::{Client, Incoming};
use crate::dap::types::{self as t};

/// How long the adapter may take, after `launch`/`attach`, to send `initialized` (debugpy sends
/// it once the debuggee's debug server has connected: well under a second normally).
const READY_TIMEOUT: Duration = Duration::from_secs(30);

impl Shared {
    /// Registers a connection, starts its event pump, and runs initialize + launch/attach up to
    /// the `initialized` event.
    pub(super) async fn open_connection(
        self: Arc<Self>,
        client: Client,
        incoming: mpsc::UnboundedReceiver<Incoming>,
        request: &str,
        arguments: Value,
        label: String,
    ) -> anyhow::Result<(t::Capabilities, StartResponse, usize)> {
        let index = {
            let mut conns = self.connections.lock().map_err(|_| anyhow!("internal lock poisoned"))?;
            conns.push(Some(Connection { client: client.clone(), breakpoint_ids: HashMap::new(), label }));
            conns.len() - 1
        };
        let (initialized_tx, initialized_rx) = oneshot::channel();
        tokio::spawn(self.clone().pump(index, incoming, Some(initialized_tx)));

        let caps = client
            .request::<t::Initialize>(&t::InitializeArguments::loupe("debugpy"))
            .await
            .context("initializing the debug adapter")?;
        let pending = client.send_raw(request, arguments)?;
        // debugpy answers launch/attach only after configurationDone, but reports failures (bad
        // arguments, unreachable debuggee) as an early error response: watch for both.
        let (response_tx, mut response) = oneshot::channel();
        tokio::spawn(async move {
            let _ = response_tx.send(pending.wait_raw(Duration::from_secs(24 * 3600)).await);
        });
        let ready = async {
            tokio::select! {
                r = initialized_rx => {
                    r.map_err(|_| anyhow!("the debug adapter closed before it was ready{}", self.stderr_hint()))?;
                    Ok(())
                }
                r = &mut response => {
                    match r {
                        Ok(Err(e)) => Err(anyhow!("{e}{}", self.stderr_hint())),
                        _ => bail!("the debug adapter accepted {request} without sending `initialized`"),
                    }
                }
            }
        };
        match tokio::time::timeout(READY_TIMEOUT, ready).await {
            Ok(r) => r.map(|()| (caps, response, index)),
            Err(_) => bail!(
                "the debug adapter answered `initialize` but neither sent `initialized` nor answered `{request}` \
                 within {} s{}",
                READY_TIMEOUT.as_secs(),
                self.stderr_hint()
            ),
        }
    }

    /// Opens a session for a child process and configures it like the main one.
    pub(super) async fn attach_child(self: Arc<Self>, args: t::StartDebuggingArguments) -> anyhow::Result<()> {
        let configuration = Value::Object(args.configuration);
        let host = configuration.pointer("/connect/host").and_then(Value::as_str).unwrap_or("127.0.0.1").to_string();
        let port = configuration
            .pointer("/connect/port")
            .and_then(Value::as_u64)
            .ok_or_else(|| anyhow!("startDebugging without a connect port"))?;
        let pid = configuration.get("subProcessId").and_then(Value::as_i64);
        let label = pid.map(|p| format!("child process {p}")).unwrap_or_else(|| "child process".into());
        let stream = match self.sandbox.as_ref().and_then(|s| s.network()) {
            Some(network) => network.connect(&host, port as u16).await,
            None => tokio::net::TcpStream::connect((host.as_str(), port as u16)).await.map_err(Into::into),
        }
        .with_context(|| format!("connecting to the adapter at {host}:{port} for {label}"))?;
        stream.set_nodelay(true)?;
        let (reader, writer) = stream.into_split();
        let (client, incoming) = Client::start(reader, writer, &label);
        let request = if args.request.is_empty() { "attach".to_string() } else { args.request.clone() };
        let (_caps, pending, index) =
            self.clone().open_connection(client.clone(), incoming, &request, configuration, label).await?;
        // Replay the main connection's configuration.
        let (files, functions, filters) = {
            let r = self.replay.lock().map_err(|_| anyhow!("internal lock poisoned"))?;
            let files: Vec<_> = r
                .files
                .iter()
                .map(|(f, reqs)| (f.clone(), reqs.clone(), r.main_ids.get(f).cloned().unwrap_or_default()))
                .collect();
            (files, r.functions.clone(), r.exception_filters.clone())
        };
        for (file, reqs, main_ids) in files {
            let body =
                client.request::<t::SetBreakpoints>(&set_breakpoints_args(&self.remote_file(&file), &reqs)).await?;
            if let Ok(mut conns) = self.connections.lock() {
                if let Some(Some(conn)) = conns.get_mut(index) {
                    for (child, main) in body.breakpoints.iter().zip(main_ids) {
                        if let (Some(c), Some(m)) = (child.id, main) {
                            conn.breakpoint_ids.insert(c, m);
                        }
                    }
                }
            }
        }
        if !functions.is_empty() {
            client.request::<t::SetFunctionBreakpoints>(&function_breakpoints_args(&functions)).await?;
        }
        client.request::<t::SetExceptionBreakpoints>(&t::SetExceptionBreakpointsArguments { filters }).await?;
        client.request::<t::ConfigurationDone>(&t::Empty {}).await?;
        match tokio::time::timeout(START_TIMEOUT, pending).await {
            Ok(Ok(Err(e))) => Err(e.into()),
            _ => Ok(()),
        }
    }
}
