//! The Debug Adapter Protocol client, and the debugpy backend built on it.
//!
//! - [`protocol`]: the message envelope (requests, responses, events) with raw JSON bodies.
//! - [`transport`]: Content-Length framing over any byte stream, one task per direction.
//! - [`client`]: request/response correlation with timeouts; events and reverse requests out.
//! - [`types`]: typed request arguments and response bodies (camelCase, no nulls sent).
//! - [`debugpy`]: starting `debugpy.adapter`, launch and attach arguments, the Nagle fix.
//! - [`backend`]: [`crate::session::Backend`] implemented over one or more DAP connections.
//! - [`provision`]: making debugpy importable by the chosen interpreter.
//! - [`pathmap`]: attached sessions' path mappings, given or inferred by path suffix.
//! - [`inject`]: `loupe attach --pid`, debugpy injected into a running process.
//!
//! Why not the `dap` crate: its requests serialize without `"type":"request"`, `None` fields go out
//! as `null`, and `SourceBreakpoint` sends snake_case names, so debugpy ignores or rejects them.

pub mod backend;
pub mod client;
pub mod debugpy;
pub mod inject;
pub mod pathmap;
pub mod protocol;
pub mod provision;
pub mod transport;
pub mod types;
