//! Inferred path mappings at work in the DAP backend (the inference itself is `dap::pathmap`).
//!
//! - At attach, before any breakpoint is sent, the debuggee is asked where its program is: an
//!   `evaluate` without a frame, which debugpy answers while it waits for `configurationDone`.
//!   A mapping inferred from that path is in force for the breakpoints set next.
//! - Stack frames' paths are mapped to local files; a frame can teach a mapping the start did
//!   not (a program that embeds debugpy reports its launcher script there).
//! - When a mapping is learned after breakpoints were sent, the files it covers are sent again
//!   under their remote paths; debugpy's new ids are mapped back to the ones the session holds.

use std::path::PathBuf;

use super::convert::set_breakpoints_args;
use super::DapBackend;
use crate::dap::pathmap::Learned;
use crate::dap::types::{self as t};
use crate::session::{Frame, SessionEvent};

/// The debuggee's program, as absolute paths in order of trust: `sys.argv[0]` (debugpy's CLI sets
/// it to the script before it waits for a client), then `__main__.__file__` (a program that
/// calls `debugpy.listen()` itself). debugpy's own `__main__` is left out. Hex-encoded JSON, so
/// the `repr` debugpy answers with needs no unquoting. Nothing is assigned in the debuggee.
const PROGRAM_PATHS: &str = "(lambda os, sys: __import__('json').dumps([os.path.abspath(p) for p in \
    ((sys.argv[0] if sys.argv else ''), (getattr(sys.modules.get('__main__'), '__file__', None) or '')) \
    if p and p != '-c' and 'debugpy' not in p.split(os.sep)]).encode().hex())(__import__('os'), __import__('sys'))";

impl DapBackend {
    /// Asks the attached debuggee for its program's path and infers a mapping from it, telling
    /// the user what was inferred, or why nothing was.
    pub(crate) async fn infer_from_program(&self) {
        let args = t::EvaluateArguments { expression: PROGRAM_PATHS.into(), frame_id: None, context: "repl".into() };
        let answer = match self.request::<t::Evaluate>(0, &args).await {
            Ok(body) => body.result,
            Err(e) => {
                tracing::info!("asking the debuggee for its program's path: {e:#}");
                return;
            }
        };
        let Some(paths) = decode_paths(&answer) else {
            tracing::info!("unexpected answer for the program's path: {answer:?}");
            return;
        };
        tracing::info!("the debuggee's program: {paths:?}");
        let mut first_no_match = None;
        for path in paths {
            let mut no_match = None;
            let (local, _) = self.shared.local_file(&path, |l| match l {
                Learned::NoMatch { .. } => {
                    no_match = Some(l.to_string());
                    false
                }
                _ => true,
            });
            if no_match.is_none() && (local != path || path.exists()) {
                // Mapped, or the program is a local file already (the same machine).
                return;
            }
            first_no_match = first_no_match.or(no_match);
        }
        if let Some(text) = first_no_match {
            self.shared.emit_session(SessionEvent::Notice(text));
        }
    }

    /// Frames with local paths; a mapping learned from them applies to breakpoints sent before.
    pub(super) async fn localize_frames(&self, frames: &mut [Frame]) {
        let mut learned = false;
        for (i, frame) in frames.iter_mut().enumerate() {
            let Some(file) = frame.file.take() else { continue };
            // Library files of the debuggee seldom exist here; only the file the user stopped
            // in is worth a word when it cannot be mapped.
            let (local, new) = self.shared.local_file(&file, |l| i == 0 && matches!(l, Learned::Ambiguous { .. }));
            frame.file = Some(local);
            learned |= new;
        }
        if learned {
            self.resend_remapped().await;
        }
    }

    /// Sends every file's breakpoints again whose remote path a new mapping changed.
    async fn resend_remapped(&self) {
        let files: Vec<_> = match self.shared.replay.lock() {
            Ok(r) => r
                .files
                .iter()
                .map(|(f, reqs)| (f.clone(), reqs.clone(), r.main_ids.get(f).cloned().unwrap_or_default()))
                .collect(),
            Err(_) => return,
        };
        for (file, reqs, main_ids) in files {
            let remote: PathBuf = self.shared.remote_file(&file);
            if remote == file {
                continue;
            }
            let args = set_breakpoints_args(&remote, &reqs);
            for (index, client) in self.all_clients() {
                let body = match client.request::<t::SetBreakpoints>(&args).await {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::warn!("sending {}'s breakpoints again to {}: {e}", file.display(), client.name());
                        continue;
                    }
                };
                if let Ok(mut conns) = self.shared.connections.lock() {
                    if let Some(Some(conn)) = conns.get_mut(index) {
                        for (new, old) in body.breakpoints.iter().zip(&main_ids) {
                            if let (Some(n), Some(o)) = (new.id, old) {
                                conn.breakpoint_ids.insert(n, *o);
                            }
                        }
                    }
                }
            }
            tracing::info!("breakpoints in {} sent again as {}", file.display(), remote.display());
        }
    }
}

/// The paths in [`PROGRAM_PATHS`]'s answer: `'6a73…'` (a Python string's repr).
fn decode_paths(answer: &str) -> Option<Vec<PathBuf>> {
    let hex = answer.trim().trim_matches(|c| c == '\'' || c == '"');
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect();
    serde_json::from_slice::<Vec<String>>(&bytes?).ok().map(|v| v.into_iter().map(PathBuf::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_hex_json_answer() {
        let hex: String = br#"["/app/main.py"]"#.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(decode_paths(&format!("'{hex}'")), Some(vec![PathBuf::from("/app/main.py")]));
        assert_eq!(decode_paths("'zz'"), None);
        assert_eq!(decode_paths("NameError: x"), None);
    }
}
