//! The backend-agnostic debugger model.
//!
//! Front ends (batch mode, the TUI) talk to a [`Session`]; backends (debugpy over DAP, pdb over a
//! PTY) implement [`Backend`] and translate. The session owns what is the same for every backend:
//! the breakpoint registry and its ids, temporary breakpoints, run-to-line, emulated restart, stop
//! bookkeeping, and capping and paging of values so a huge value never floods a front end.

mod backend;
mod breakpoints;
mod code_lines;
mod core;
mod model;
mod placement;
mod program;
mod pseudo_rows;
pub mod terminal;
pub mod test_collect;
mod test_run;
pub mod values;

pub use self::core::{PendingEvent, Phase, Session, DEFAULT_EXCEPTION_FILTERS};
pub use backend::{
    absolute_source_path, Backend, BackendEvent, BreakpointEdit, BreakpointStatus, DebuggerReply, EventSink,
    FunctionBreakpointRequest, Launcher, LineBreakpointRequest,
};
pub use breakpoints::{Breakpoint, BreakpointId, BreakpointSpec, HitCondition, Location};
pub use model::*;
pub use program::{ProgramSpec, Target};
pub use terminal::{ProgramTerminal, TerminalSlot};
pub use test_run::{is_test_runner, CurrentTest, TEST_FAILURE_FILTERS};
