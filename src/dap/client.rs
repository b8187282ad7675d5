//! A DAP client over one connection: typed requests with timeouts, and everything the adapter
//! sends on its own (events, reverse requests, transport problems) as one stream of messages.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};

use super::protocol::{Event, Message, Request, Response};
use super::transport::{self, Inbound};
use super::types::DapRequest;

/// Requests that get no answer within this are reported as timed out.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request did not produce a body.
#[derive(Debug, thiserror::Error, Clone)]
pub enum DapError {
    #[error("{command}: no answer from the debug adapter within {secs} s")]
    Timeout { command: String, secs: u64 },
    #[error("{message}")]
    Failed { command: String, message: String },
    #[error("{command}: the debug adapter connection is closed ({reason})")]
    Closed { command: String, reason: String },
    #[error("{command}: unexpected response body from the debug adapter: {detail}")]
    Decode { command: String, detail: String },
}

/// What the adapter sent that was not a response.
#[derive(Debug)]
pub enum Incoming {
    Event(Event),
    ReverseRequest(Request),
    /// A message was lost; the connection goes on.
    Problem(String),
    /// The connection ended (after this, every request fails with [`DapError::Closed`]).
    Closed(Option<String>),
}

type Pending = HashMap<i64, (String, oneshot::Sender<Response>)>;

struct Shared {
    name: String,
    seq: AtomicI64,
    outbox: mpsc::UnboundedSender<Vec<u8>>,
    pending: Mutex<Pending>,
    closed: Mutex<Option<String>>,
}

/// A handle to one DAP connection; cheap to clone.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

/// A request that has been sent and whose response can be awaited later (debugpy answers `launch`
/// only after `configurationDone`).
pub struct PendingResponse {
    command: String,
    rx: oneshot::Receiver<Response>,
    shared: Arc<Shared>,
}

impl Client {
    /// Starts the reader and writer tasks over `reader`/`writer`.
    pub fn start<R, W>(reader: R, writer: W, name: &str) -> (Client, mpsc::UnboundedReceiver<Incoming>)
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let outbox = transport::spawn_writer(writer, name.to_string());
        let shared = Arc::new(Shared {
            name: name.to_string(),
            seq: AtomicI64::new(1),
            outbox,
            pending: Mutex::new(HashMap::new()),
            closed: Mutex::new(None),
        });
        let (in_tx, mut in_rx) = mpsc::unbounded_channel();
        transport::spawn_reader(reader, name.to_string(), in_tx);
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        let router = shared.clone();
        tokio::spawn(async move {
            while let Some(inbound) = in_rx.recv().await {
                let forward = match inbound {
                    Inbound::Message(m) => match *m {
                        Message::Response(r) => {
                            router.deliver(r);
                            None
                        }
                        Message::Event(e) => Some(Incoming::Event(e)),
                        Message::Request(r) => Some(Incoming::ReverseRequest(r)),
                    },
                    Inbound::Problem(p) => {
                        tracing::warn!("{p}");
                        Some(Incoming::Problem(p))
                    }
                    Inbound::Closed(reason) => {
                        router.close(reason.clone().unwrap_or_else(|| "end of stream".into()));
                        let _ = out_tx.send(Incoming::Closed(reason));
                        return;
                    }
                };
                if let Some(f) = forward {
                    let _ = out_tx.send(f);
                }
            }
        });
        (Client { shared }, out_rx)
    }

    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Sends a typed request and waits for its body.
    pub async fn request<R: DapRequest>(&self, args: &R::Arguments) -> Result<R::Body, DapError> {
        self.request_with_timeout::<R>(args, DEFAULT_TIMEOUT).await
    }

    pub async fn request_with_timeout<R: DapRequest>(
        &self,
        args: &R::Arguments,
        timeout: Duration,
    ) -> Result<R::Body, DapError> {
        self.send::<R>(args)?.wait::<R>(timeout).await
    }

    /// Sends a typed request without waiting.
    pub fn send<R: DapRequest>(&self, args: &R::Arguments) -> Result<PendingResponse, DapError> {
        let arguments = serde_json::to_value(args)
            .map_err(|e| DapError::Decode { command: R::COMMAND.into(), detail: e.to_string() })?;
        self.send_raw(R::COMMAND, arguments)
    }

    /// Sends a request with free-form arguments (launch and attach configurations).
    pub fn send_raw(&self, command: &str, arguments: Value) -> Result<PendingResponse, DapError> {
        let (tx, rx) = oneshot::channel();
        let seq = self.shared.seq.fetch_add(1, Ordering::Relaxed);
        {
            if let Some(reason) = lock(&self.shared.closed).clone() {
                return Err(DapError::Closed { command: command.into(), reason });
            }
            lock(&self.shared.pending).insert(seq, (command.to_string(), tx));
        }
        let message = Message::Request(Request { seq, command: command.into(), arguments });
        self.write(&message);
        Ok(PendingResponse { command: command.into(), rx, shared: self.shared.clone() })
    }

    /// Answers a reverse request.
    pub fn respond(&self, request: &Request, result: Result<Value, String>) {
        let (success, message, body) = match result {
            Ok(body) => (true, None, body),
            Err(m) => (false, Some(m), Value::Null),
        };
        let seq = self.shared.seq.fetch_add(1, Ordering::Relaxed);
        self.write(&Message::Response(Response {
            seq,
            request_seq: request.seq,
            success,
            command: request.command.clone(),
            message,
            body,
        }));
    }

    fn write(&self, message: &Message) {
        let frame = transport::encode(message);
        if tracing::enabled!(target: "loupe::dap::wire", tracing::Level::TRACE) {
            let body = &frame[frame.iter().position(|&b| b == b'{').unwrap_or(0)..];
            tracing::trace!(target: "loupe::dap::wire", "{} -> {}", self.shared.name, String::from_utf8_lossy(body));
        }
        // A send error means the writer is gone; the reader reports the close.
        let _ = self.shared.outbox.send(frame);
    }
}

impl PendingResponse {
    /// Waits for the response and decodes its body.
    pub async fn wait<R: DapRequest>(self, timeout: Duration) -> Result<R::Body, DapError> {
        let body = self.wait_raw(timeout).await?;
        decode::<R::Body>(R::COMMAND, body)
    }

    /// Waits for the response and returns its raw body.
    pub async fn wait_raw(self, timeout: Duration) -> Result<Value, DapError> {
        let command = self.command.clone();
        match tokio::time::timeout(timeout, self.rx).await {
            Err(_) => Err(DapError::Timeout { command, secs: timeout.as_secs() }),
            Ok(Err(_)) => {
                let reason = lock(&self.shared.closed).clone().unwrap_or_else(|| "connection lost".into());
                Err(DapError::Closed { command, reason })
            }
            Ok(Ok(r)) if r.success => Ok(r.body),
            Ok(Ok(r)) => Err(DapError::Failed { command, message: r.error_text() }),
        }
    }
}

impl Shared {
    fn deliver(&self, response: Response) {
        let waiter = lock(&self.pending).remove(&response.request_seq);
        match waiter {
            Some((_, tx)) => {
                let _ = tx.send(response);
            }
            None => tracing::debug!(
                "{}: response to unknown request {} ({}) ignored",
                self.name,
                response.request_seq,
                response.command
            ),
        }
    }

    fn close(&self, reason: String) {
        lock(&self.closed).get_or_insert(reason);
        // Dropping the senders wakes every waiter with a "closed" error.
        lock(&self.pending).clear();
    }
}

fn decode<T: DeserializeOwned>(command: &str, body: Value) -> Result<T, DapError> {
    let body = if body.is_null() { Value::Object(Default::default()) } else { body };
    serde_json::from_value(body).map_err(|e| DapError::Decode { command: command.into(), detail: e.to_string() })
}

/// Locks a mutex, recovering from poisoning: the data guarded here (maps, flags) stays
/// consistent even if a holder panicked.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Decodes an event body into its typed form.
pub fn event_body<T: DeserializeOwned + Default>(event: &Event) -> T {
    match serde_json::from_value(event.body.clone()) {
        Ok(b) => b,
        Err(e) => {
            tracing::debug!("event {} has an unexpected body ({e}); using defaults", event.event);
            T::default()
        }
    }
}
