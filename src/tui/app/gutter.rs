//! What a breakpoint is, as the gutter and the Breakpoints pane show it: its kind (plain,
//! conditional, logpoint, ...), worked out from the app's state. The app owns the kind; how a
//! kind is drawn (glyph, colour) is `view/source.rs`'s.

use std::collections::HashMap;

use super::{App, RunState};
use crate::session::Breakpoint;

/// A breakpoint's kind, as the gutter shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GutterMark {
    Breakpoint,
    Conditional,
    HitCondition,
    Logpoint,
    Disabled,
    Unverified,
}

impl App {
    /// Gutter marks for the open file.
    pub fn gutter_marks(&self) -> HashMap<usize, GutterMark> {
        let Some(path) = self.source.path() else { return HashMap::new() };
        self.breakpoints
            .iter()
            .filter(|b| b.file() == Some(path))
            .filter_map(|b| Some((usize::try_from(b.line()?).ok()?, self.mark_of(b))))
            .collect()
    }

    /// How a breakpoint is shown, in the gutter and in the Breakpoints pane alike. Unverified is
    /// only said once the backend has had its say (not while the program is starting).
    pub fn mark_of(&self, b: &Breakpoint) -> GutterMark {
        if !b.enabled {
            GutterMark::Disabled
        } else if b.spec.log_message.is_some() {
            GutterMark::Logpoint
        } else if b.spec.condition.is_some() {
            GutterMark::Conditional
        } else if b.spec.hit_condition.is_some() {
            GutterMark::HitCondition
        } else if !b.verified && self.state != RunState::Starting {
            GutterMark::Unverified
        } else {
            GutterMark::Breakpoint
        }
    }
}
