//! loupe: a terminal debugger and profiler for Python.
//!
//! The crate is layered (see `docs/ARCHITECTURE.md`). Each top-level module may use only the
//! modules its entry names; `tests/architecture.rs` reads this list and fails on any other import,
//! so the list is the rule, kept true by the build.
//!
//! - [`cli`]: clap commands; turns arguments into sessions, conversions and reports.
//!   Uses: tui, mcp, batch, session, dap, pdb, profile, analyze, config, pyenv, sandbox, adapters, paths, logging.
//! - [`mcp`]: `loupe mcp`, the Model Context Protocol server: runs, debugs, profiles and analyses
//!   for an assistant. Uses: batch, session, dap, pdb, profile, analyze, pyenv, sandbox, adapters.
//! - [`tui`]: the interactive front end (debugger panes, flame view, overlays); draws the session
//!   model, never a backend. Uses: session, batch, profile, analyze, pyenv, paths.
//! - [`batch`]: the scriptable, gdb-like command language and its JSON Lines output.
//!   Uses: session.
//! - [`dap`]: the Debug Adapter Protocol client and the debugpy backend.
//!   Uses: session, config, pyenv, sandbox, adapters, paths.
//! - [`pdb`]: the pdb/ipdb backend: a bridge inside the debuggee, a PTY and a Unix socket.
//!   Uses: session, pyenv, sandbox, adapters, paths.
//! - [`session`]: the backend-agnostic debugger model every front end talks to, the program to
//!   debug and its terminal. Uses: pyenv, sandbox.
//! - [`config`]: `.vscode/launch.json` and friends. Uses: nothing.
//! - [`profile`]: pstats files, call trees and flamegraph outputs (the profiler).
//!   Uses: analyze.
//! - [`analyze`]: static analysis of Python source (`loupe analyze`).
//!   Uses: sandbox.
//! - [`pyenv`]: finding and identifying Python interpreters, environments and packages.
//!   Uses: sandbox, paths.
//! - [`sandbox`]: the one place where Python processes are started.
//!   Uses: paths.
//! - [`adapters`]: the Python loupe runs inside debuggees, written out from the binary.
//!   Uses: paths.
//! - [`logging`]: diagnostics. Uses: paths.
//! - [`paths`]: XDG locations. Uses: nothing.

/// `eprintln!` that cannot panic: when standard error is closed (`loupe … 2>&1 | head`), the
/// message is lost instead of loupe ending in a panic (Rust ignores SIGPIPE, so the write fails
/// with EPIPE, which `eprintln!` turns into a panic). Defined before the modules, so every one of
/// them can use it.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// `note!` without the newline (progress lines redrawn in place).
macro_rules! note_inline {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub mod adapters;
pub mod analyze;
pub mod batch;
pub mod cli;
pub mod config;
pub mod dap;
pub mod logging;
pub mod mcp;
pub mod paths;
pub mod pdb;
pub mod profile;
pub mod pyenv;
pub mod sandbox;
pub mod session;
pub mod tui;
