//! The interactive debugger: a ratatui front end over a [`crate::session::Session`].
//!
//! Shaped like gitui: the session lives on its own task ([`worker`]) and talks to the UI only
//! through messages, so a slow backend never freezes a key press. The UI is state ([`app`]),
//! update (events in, requests out) and view (a pure render of state, [`view`]).

pub mod config;
pub mod highlight;
pub mod keymap;
pub mod source;
pub mod theme;
pub mod view;
