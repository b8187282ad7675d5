//! loupe: a terminal debugger and profiler for Python.
//!
//! The crate is layered (see `docs/ARCHITECTURE.md`); each module depends only on the ones listed
//! after it:
//!
//! - [`cli`]: clap commands, turns arguments into sessions.
//! - [`batch`]: the scriptable, gdb-like command language and its JSON Lines output.
//! - [`session`]: the backend-agnostic debugger model every front end talks to.
//! - [`dap`]: the Debug Adapter Protocol client and the debugpy backend.
//! - [`pdb`]: the pdb/ipdb backend: a bridge inside the debuggee, a PTY and a Unix socket.
//! - [`profile`]: pstats files, call trees and flamegraph outputs (the profiler).
//! - [`adapters`]: the Python loupe runs inside debuggees, written out from the binary.
//! - [`config`]: `.vscode/launch.json` and friends.
//! - [`analyze`]: static analysis of Python source (`loupe analyze`).
//! - [`pyenv`]: finding and identifying Python interpreters.
//! - [`sandbox`]: the one place where Python processes are started.
//! - [`paths`], [`logging`]: XDG locations and diagnostics.

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
pub mod paths;
pub mod pdb;
pub mod profile;
pub mod pyenv;
pub mod sandbox;
pub mod session;
pub mod tui;
