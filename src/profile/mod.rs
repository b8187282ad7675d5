//! The profiler's model: pstats files (cProfile's output) read in Rust, turned into call trees,
//! and written as folded stacks, speedscope JSON, SVG flamegraphs and differentials.
//!
//! - [`marshal`]: the subset of Python's marshal format pstats files use.
//! - [`pstats`]: the typed model (functions, figures, caller edges); `pstats_direct` reads
//!   cProfile's usual layout straight into it.
//! - [`attribution`]: call trees with every frame marked measured, sampled or inferred.
//! - [`folded`], [`speedscope`], [`svg`], [`diff`]: the outputs; [`short_names`]: the SVG's
//!   shorter file names; [`calls`]: call counts as text.
//! - [`samples`]: the wall-clock stacks `loupe profile` samples beside cProfile.
//! - [`first_line`]: where a breakpoint in a profiled function stops on every call.
//! - [`lines`]: line-level profiles (`loupe profile --lines`) and line_profiler's table.
//! - [`alloc`]: `loupe profile --alloc`'s tracemalloc report: peak, top sites, memory flamegraph.

pub mod alloc;
pub mod attribution;
pub mod calls;
pub mod diff;
pub mod first_line;
pub mod folded;
pub mod lines;
pub mod marshal;
pub mod pstats;
mod pstats_direct;
pub mod samples;
pub mod short_names;
pub mod speedscope;
pub mod svg;

pub use attribution::{CallTree, Evidence, Limits, Node, NodeKind};
pub use pstats::{CallerEdge, Figures, Function, FunctionKey, Profile};
