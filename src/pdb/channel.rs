//! The Unix socket to the bridge: one task reads lines (events go to a channel, responses to the
//! request waiting for them), one task writes; requests are typed calls with a timeout.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{anyhow, Context};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};

use super::protocol::{BridgeEvent, Incoming};

/// Longest a request may take: evaluating user code can be slow, but a bridge that never answers
/// must not hang loupe.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

pub struct Channel {
    outgoing: mpsc::UnboundedSender<String>,
    pending: Pending,
    next_id: AtomicU64,
}

impl Channel {
    /// Starts the reader and writer tasks on `stream`; events arrive on the returned receiver,
    /// which closes when the bridge goes away.
    pub fn start(stream: UnixStream) -> (Channel, mpsc::UnboundedReceiver<BridgeEvent>) {
        let (read, mut write) = stream.into_split();
        let (outgoing, mut to_send) = mpsc::unbounded_channel::<String>();
        let (events_tx, events) = mpsc::unbounded_channel();
        let pending: Pending = Arc::default();

        tokio::spawn(async move {
            while let Some(line) = to_send.recv().await {
                // One write per message: the line and its newline together.
                if let Err(e) = write.write_all(line.as_bytes()).await {
                    tracing::debug!("writing to the pdb bridge: {e}");
                    break;
                }
            }
        });

        let waiting = Arc::clone(&pending);
        tokio::spawn(async move {
            let mut lines = BufReader::new(read).lines();
            loop {
                match lines.next_line().await {
                    Ok(Some(line)) => {
                        tracing::trace!(target: "loupe::pdb::wire", "<- {line}");
                        match Incoming::parse(&line) {
                            Ok(Incoming::Event(event)) => {
                                let _ = events_tx.send(event);
                            }
                            Ok(Incoming::Response { id, result }) => {
                                let sender = waiting.lock().ok().and_then(|mut p| p.remove(&id));
                                match sender {
                                    Some(sender) => {
                                        let _ = sender.send(result);
                                    }
                                    None => tracing::warn!("the pdb bridge answered request {id}, which nobody asked"),
                                }
                            }
                            Err(why) => tracing::warn!("ignoring a line from the pdb bridge: {why}: {line:.200}"),
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::debug!("reading from the pdb bridge: {e}");
                        break;
                    }
                }
            }
            // Whoever still waits gets an answer now rather than at the timeout.
            if let Ok(mut p) = waiting.lock() {
                for (_, sender) in p.drain() {
                    let _ = sender.send(Err("the debugged program has ended".into()));
                }
            }
        });

        (Channel { outgoing, pending, next_id: AtomicU64::new(1) }, events)
    }

    /// Sends `method` with `params` and waits for the result.
    pub async fn request<T: DeserializeOwned>(&self, method: &str, params: Value) -> anyhow::Result<T> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().map_err(|_| anyhow!("the pdb bridge connection is broken"))?.insert(id, tx);
        let line = format!("{}\n", json!({ "id": id, "method": method, "params": params }));
        tracing::trace!(target: "loupe::pdb::wire", "-> {}", line.trim_end());
        if self.outgoing.send(line).is_err() {
            self.forget(id);
            anyhow::bail!("the debugged program has ended");
        }
        let result = match tokio::time::timeout(REQUEST_TIMEOUT, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err("the debugged program has ended".to_string()),
            Err(_) => {
                self.forget(id);
                Err(format!("the pdb bridge did not answer {method} within {}s", REQUEST_TIMEOUT.as_secs()))
            }
        };
        let value = result.map_err(|message| anyhow!(message))?;
        serde_json::from_value(value).with_context(|| format!("the pdb bridge's answer to {method} is malformed"))
    }

    fn forget(&self, id: u64) {
        if let Ok(mut p) = self.pending.lock() {
            p.remove(&id);
        }
    }
}
