//! Batch mode: gdb-like commands in, JSON Lines out. The same command language is what the TUI
//! console accepts.

pub mod command;
pub mod output;
pub mod runner;

pub use command::{parse, parse_break, Command};
pub use output::JsonLines;
pub use runner::{Outcome, Runner};
