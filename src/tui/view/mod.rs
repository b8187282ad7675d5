//! Rendering: pure functions from state to a ratatui frame.

pub mod help;
pub mod source;
