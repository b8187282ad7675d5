//! The pdb and ipdb backend: the standard library's debugger (or IPython's) in a pseudo-terminal,
//! with a bridge (`adapters/pdb/loupe_pdb*.py`) that reports structured state over a Unix socket.
//! Needs nothing installed beyond Python (ipdb for `--backend ipdb`). Protocol:
//! `docs/PDB_BRIDGE.md`.

mod backend;
mod channel;
mod protocol;

pub use backend::{Debugger, PdbBackend, PdbLauncher, PdbSpec};
