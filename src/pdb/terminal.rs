//! The pdb backend's name for the program's terminal, which lives in the session layer
//! (`session::terminal`) so that front ends can draw it without depending on this backend.
//! `backend.rs` still says `DebuggeeTerminal`; once it imports `ProgramTerminal` from the session
//! layer itself, this file goes.

pub use crate::session::terminal::{ExitStatus, ProgramTerminal as DebuggeeTerminal};
