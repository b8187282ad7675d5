//! Python interpreters and their environments: finding them (`discover`), resolving shims and
//! probing one (`interpreter`), what an environment holds (`facts`, `packages`, cached by
//! `site_cache`) and whether it is healthy (`check`).

pub mod check;
pub mod discover;
pub mod environment;
pub mod facts;
pub mod installer;
pub mod interpreter;
pub mod packages;
pub mod pip;
pub mod requirements;
mod site_cache;
pub mod venv;

pub use interpreter::{resolve, Interpreter, InterpreterError};
