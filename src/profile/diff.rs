//! Differential profiles: how the time moved from profile A to profile B, stack by stack.
//!
//! The SVG is inferno's differential flamegraph (shaped like B, red where B spends more, blue
//! where it spends less), with A normalised to B's total first so a slower run overall does not
//! paint everything red. The same deltas, per stack, drive the TUI's colouring.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;

use super::attribution::CallTree;
use super::folded;
use super::pstats::Profile;
use super::svg::{self, Titles};

/// Nanoseconds per folded stack in A (scaled to B's total) and B.
pub struct Differential {
    /// stack → (A normalised, B)
    pub stacks: HashMap<String, (f64, f64)>,
    pub total_a: u64,
    pub total_b: u64,
}

impl Differential {
    pub fn new(a: (&Profile, &CallTree), b: (&Profile, &CallTree)) -> Differential {
        let fa = folded::stacks(a.0, a.1);
        let fb = folded::stacks(b.0, b.1);
        let total_a: u64 = fa.iter().map(|(_, c)| c).sum();
        let total_b: u64 = fb.iter().map(|(_, c)| c).sum();
        let scale = if total_a > 0 { total_b as f64 / total_a as f64 } else { 1.0 };
        let mut stacks: HashMap<String, (f64, f64)> = HashMap::new();
        for (s, c) in fa {
            stacks.entry(s).or_default().0 += c as f64 * scale;
        }
        for (s, c) in fb {
            stacks.entry(s).or_default().1 += c as f64;
        }
        Differential { stacks, total_a, total_b }
    }

    /// The change in a stack's self time from A (normalised) to B, as a fraction of B's total.
    pub fn delta(&self, stack: &str) -> f64 {
        let (a, b) = self.stacks.get(stack).copied().unwrap_or_default();
        if self.total_b > 0 {
            (b - a) / self.total_b as f64
        } else {
            0.0
        }
    }

    /// Differential folded lines: `stack countA countB` (A normalised; inferno colours by the
    /// difference and sizes by B).
    pub fn folded_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> =
            self.stacks.iter().map(|(s, (a, b))| format!("{s} {} {}", a.round() as u64, b.round() as u64)).collect();
        lines.sort();
        lines
    }

    /// The differential flamegraph as SVG.
    pub fn write_svg(&self, titles: &Titles, out: impl Write) -> anyhow::Result<()> {
        let lines = self.folded_lines();
        svg::write_folded(lines.iter().map(String::as_str), titles, false, out).context("drawing the differential")
    }
}
