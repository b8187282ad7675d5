//! The interactive debugger: a ratatui front end over a [`crate::session::Session`].
//!
//! Shaped like gitui: the session lives on its own task ([`worker`]) and talks to the UI only
//! through messages, so a slow backend never freezes a key press. The UI is state and update
//! ([`app`]: events in, requests out) and view ([`view`]: a pure render of state).

pub mod analysis_task;
pub mod app;
pub mod config;
pub mod flame;
pub mod highlight;
pub mod keymap;
pub mod layout;
pub mod line_report;
pub mod persist;
mod run;
mod screen;
pub mod source;
pub mod terminal;
pub mod theme;
pub mod view;
pub mod worker;

pub use run::{build_app, run, TuiOptions};
