//! `loupe mcp`: loupe served to assistants as a Model Context Protocol server over stdio (the
//! official `rmcp` SDK does the protocol). Every tool runs the same code as the command it mirrors:
//!
//! - [`server`]: the server, its tool list and the shared result helpers.
//! - [`run`]: `run_python` (as `loupe exec`) and `profile_script` (as `loupe profile`), both in
//!   the sandbox with a wall-clock limit.
//! - [`debug`]: `debug_script`, a batch debugging session whose JSON Lines become the result.
//! - [`inspect`]: `analyze`, `env_list` and `env_check` (as `loupe analyze --format json`,
//!   `loupe env list --json`, `loupe env check --json`).
//!
//! Standard output is the protocol channel: nothing else may write to it, so every program a tool
//! starts has its output captured, and its standard input is never loupe's. When the client goes
//! away the server returns and loupe exits; the programs still running die with it (their PID
//! namespace's init has `PR_SET_PDEATHSIG`, see `sandbox::child`).

mod debug;
mod inspect;
mod run;
mod server;

pub use server::serve;
