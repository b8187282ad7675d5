//! Content-Length framing over a byte stream, one task per direction.
//!
//! The writer sends each message as a single buffer (header and body together), so a peer that
//! reads with small buffers or Nagle-delays partial writes never sees a half message. The reader
//! survives bad input where it can: an oversized body is skipped, a body that is not JSON is
//! reported and dropped; only a broken header (the stream can no longer be framed) ends it.

use std::io;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use super::protocol::Message;

/// Bodies larger than this are skipped and reported. debugpy caps values itself at well under
/// this; anything bigger is a broken or hostile peer.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// A header line longer than this means the stream is not DAP.
const MAX_HEADER_LINE: usize = 1024;

/// What the reader task produces.
#[derive(Debug)]
pub enum Inbound {
    Message(Box<Message>),
    /// A message was lost but the stream is still framed.
    Problem(String),
    /// The stream ended; `None` for a clean end of file.
    Closed(Option<String>),
}

/// Frames a message: header and body in one buffer.
pub fn encode(message: &Message) -> Vec<u8> {
    // Serializing our own enum of strings and JSON values cannot fail.
    let body = serde_json::to_vec(message).unwrap_or_default();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Spawns the writer task: every buffer received is written whole, then flushed.
pub fn spawn_writer<W>(mut writer: W, name: String) -> mpsc::UnboundedSender<Vec<u8>>
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(buf) = rx.recv().await {
            if let Err(e) = writer.write_all(&buf).await {
                tracing::debug!("{name}: write failed: {e}");
                break;
            }
            if let Err(e) = writer.flush().await {
                tracing::debug!("{name}: flush failed: {e}");
                break;
            }
        }
        let _ = writer.shutdown().await;
    });
    tx
}

/// Spawns the reader task; it ends after sending [`Inbound::Closed`].
pub fn spawn_reader<R>(reader: R, name: String, tx: mpsc::UnboundedSender<Inbound>)
where
    R: AsyncRead + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut reader = BufReader::with_capacity(64 * 1024, reader);
        loop {
            match read_frame(&mut reader).await {
                Ok(Frame::Body(body)) => {
                    tracing::trace!(target: "loupe::dap::wire", "{name} <- {}", String::from_utf8_lossy(&body));
                    match serde_json::from_slice::<Message>(&body) {
                        Ok(m) => {
                            if tx.send(Inbound::Message(Box::new(m))).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let preview: String = String::from_utf8_lossy(&body).chars().take(200).collect();
                            let _ = tx.send(Inbound::Problem(format!(
                                "{name}: dropped a DAP message that is not valid JSON ({e}): {preview}"
                            )));
                        }
                    }
                }
                Ok(Frame::Skipped(len)) => {
                    let _ = tx.send(Inbound::Problem(format!(
                        "{name}: dropped a {len}-byte DAP message (limit {MAX_BODY_BYTES} bytes)"
                    )));
                }
                Ok(Frame::Eof) => {
                    let _ = tx.send(Inbound::Closed(None));
                    return;
                }
                Err(e) => {
                    let _ = tx.send(Inbound::Closed(Some(format!("{name}: {e}"))));
                    return;
                }
            }
        }
    });
}

enum Frame {
    Body(Vec<u8>),
    Skipped(usize),
    Eof,
}

async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> io::Result<Frame> {
    let mut content_length: Option<usize> = None;
    let mut line = Vec::with_capacity(64);
    let mut first = true;
    loop {
        line.clear();
        let n = (&mut *reader).take(MAX_HEADER_LINE as u64 + 1).read_until(b'\n', &mut line).await?;
        if n == 0 {
            if first {
                return Ok(Frame::Eof);
            }
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ended inside a DAP header"));
        }
        first = false;
        if line.len() > MAX_HEADER_LINE || !line.ends_with(b"\n") {
            return Err(bad_header(&line, "header line too long"));
        }
        let text = std::str::from_utf8(&line)
            .map_err(|_| bad_header(&line, "header is not UTF-8"))?
            .trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        let (key, value) = text.split_once(':').ok_or_else(|| bad_header(&line, "expected `Name: value`"))?;
        if key.trim().eq_ignore_ascii_case("content-length") {
            let len = value.trim().parse::<usize>().map_err(|_| bad_header(&line, "Content-Length is not a number"))?;
            content_length = Some(len);
        }
    }
    let len = content_length
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "DAP header without Content-Length"))?;
    if len > MAX_BODY_BYTES {
        let skipped = tokio::io::copy(&mut (&mut *reader).take(len as u64), &mut tokio::io::sink()).await?;
        if (skipped as usize) < len {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "stream ended inside an oversized DAP message"));
        }
        return Ok(Frame::Skipped(len));
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).await?;
    Ok(Frame::Body(body))
}

fn bad_header(line: &[u8], why: &str) -> io::Error {
    let preview: String = String::from_utf8_lossy(line).chars().take(80).collect();
    io::Error::new(io::ErrorKind::InvalidData, format!("malformed DAP header ({why}): {preview:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dap::protocol::{Event, Message};
    use serde_json::json;

    async fn collect(input: Vec<u8>) -> Vec<Inbound> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        spawn_reader(std::io::Cursor::new(input), "test".into(), tx);
        let mut out = Vec::new();
        while let Some(m) = rx.recv().await {
            let done = matches!(m, Inbound::Closed(_));
            out.push(m);
            if done {
                break;
            }
        }
        out
    }

    fn event(seq: i64) -> Message {
        Message::Event(Event { seq, event: "output".into(), body: json!({"output": "hi"}) })
    }

    #[tokio::test]
    async fn round_trips_several_messages() {
        let mut input = encode(&event(1));
        input.extend(encode(&event(2)));
        let got = collect(input).await;
        assert_eq!(got.len(), 3);
        assert!(matches!(&got[1], Inbound::Message(m) if **m == event(2)));
        assert!(matches!(got[2], Inbound::Closed(None)));
    }

    #[tokio::test]
    async fn skips_oversized_and_non_json_bodies_and_keeps_going() {
        let mut input = format!("Content-Length: {}\r\n\r\n", MAX_BODY_BYTES + 10).into_bytes();
        input.extend(std::iter::repeat_n(b'x', MAX_BODY_BYTES + 10));
        input.extend(b"Content-Length: 5\r\n\r\nnope!");
        input.extend(encode(&event(3)));
        let got = collect(input).await;
        assert!(matches!(&got[0], Inbound::Problem(p) if p.contains("limit")));
        assert!(matches!(&got[1], Inbound::Problem(p) if p.contains("not valid JSON")));
        assert!(matches!(&got[2], Inbound::Message(m) if **m == event(3)));
    }

    #[tokio::test]
    async fn broken_header_closes_with_reason() {
        let got = collect(b"hello there\r\n\r\n".to_vec()).await;
        assert!(matches!(&got[0], Inbound::Closed(Some(r)) if r.contains("malformed DAP header")));
        let got = collect(b"Content-Length: 10\r\n\r\n{\"a\"".to_vec()).await;
        assert!(matches!(&got[0], Inbound::Closed(Some(_))));
    }
}
