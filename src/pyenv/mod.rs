//! Python interpreters: finding them, resolving shims, and asking them what they are.

pub mod interpreter;

pub use interpreter::{resolve, Interpreter, InterpreterError};
