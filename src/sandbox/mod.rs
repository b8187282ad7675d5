//! The sandbox: the one place where loupe starts Python processes, and the confinement they get.
//!
//! - [`policy`]: what the user asked for (`off|standard|strict`, limits; config file + flags).
//! - [`capabilities`]: what this kernel and these privileges allow.
//! - [`run`]: a [`Sandbox`] per run: the policy against the capabilities, the private directory,
//!   the cgroup, the shared network namespace, and the [`Enforced`] report.
//! - [`child`]: what the child does between fork and exec (rlimits, namespaces, Landlock, seccomp).
//! - [`process`]: [`PythonProcess`] and [`spawn`] / [`spawn_in_pty`], used by every caller.
//! - [`filesystem`], [`seccomp`], [`cgroup`], [`netns`] (and [`netns_pool`]), [`env`]: one
//!   mechanism each.
//!
//! See `docs/SANDBOX.md`.

pub mod capabilities;
pub mod cgroup;
pub mod child;
pub mod env;
pub mod filesystem;
pub mod netns;
pub mod netns_pool;
pub mod policy;
mod process;
pub mod report;
pub mod run;
pub mod seccomp;
pub mod supervise;
pub mod userns;

pub use policy::{Level, Policy, PolicyOverrides, Purpose};
pub use process::{command, join_pythonpath, spawn, spawn_in_pty, PythonProcess, StdioMode};
pub use report::Enforced;
pub use run::{for_debugging, RunOptions, Sandbox};
