//! Return-value and exception pseudo-rows in Locals, kept only where they are news.
//!
//! Backends put them in a frame's locals and leave them there: pydevd keeps `(return) square` in
//! the caller's locals for the rest of the call, with the value of whatever step recorded it
//! last; pdb writes `__return__` and `__exception__` into the frame's own locals. Shown at a
//! later breakpoint, or in an outer frame picked with `up`, they are stale values that look
//! current. So a row is kept only in the top frame of the stop its step produced (a step that
//! returned, or an exception stop); every other stop and frame drops them. No request is added:
//! the decision uses the stack and scopes front ends ask for anyway.

use std::collections::HashMap;

use super::model::{FrameId, ResumeAction, Scope, ScopeKind, StopReason, VarRef, Variable};

/// What the session knows of the current stop to decide which Locals keep their pseudo-rows.
#[derive(Debug, Default)]
pub(super) struct PseudoRows {
    /// Whether the top frame's pseudo-rows are news at this stop.
    fresh_at_top: bool,
    /// The top frame of the stopped thread, once its stack was asked for.
    top_frame: Option<FrameId>,
    /// Locals scope references of this stop: whether their pseudo-rows stay.
    locals: HashMap<VarRef, bool>,
}

impl PseudoRows {
    /// A new stop, reached by `last_action`.
    pub(super) fn stopped(&mut self, reason: &StopReason, last_action: ResumeAction) {
        let stepped = *reason == StopReason::Step && last_action != ResumeAction::Continue;
        *self = PseudoRows { fresh_at_top: stepped || *reason == StopReason::Exception, ..Default::default() };
    }

    /// The program runs again: nothing from this stop applies any longer.
    pub(super) fn resumed(&mut self) {
        *self = PseudoRows::default();
    }

    /// The stopped thread's stack (its first frame is the top one).
    pub(super) fn saw_stack(&mut self, top: Option<FrameId>) {
        if self.top_frame.is_none() {
            self.top_frame = top;
        }
    }

    pub(super) fn saw_scopes(&mut self, frame: FrameId, scopes: &[Scope]) {
        let keep = self.fresh_at_top && self.top_frame == Some(frame);
        for scope in scopes.iter().filter(|s| s.kind == ScopeKind::Locals) {
            self.locals.insert(scope.variables, keep);
        }
    }

    /// Drops the pseudo-rows of `reference` unless they are this stop's news.
    pub(super) fn filter(&self, reference: VarRef, variables: &mut Vec<Variable>) {
        if self.locals.get(&reference) == Some(&false) {
            variables.retain(|v| !is_pseudo_row(&v.name));
        }
    }
}

/// pydevd's `(return) NAME` rows and pdb's `__return__` / `__exception__` locals.
fn is_pseudo_row(name: &str) -> bool {
    name.starts_with("(return) ") || name == "__return__" || name == "__exception__"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str) -> Variable {
        Variable {
            name: name.into(),
            value: "1".into(),
            truncated: false,
            type_name: None,
            children: 0,
            evaluate_name: None,
            child_count: None,
            group: None,
        }
    }

    fn locals(reference: VarRef) -> Vec<Scope> {
        vec![Scope { name: "Locals".into(), kind: ScopeKind::Locals, variables: reference, expensive: false }]
    }

    fn names(rows: &PseudoRows, reference: VarRef) -> Vec<String> {
        let mut vars = vec![var("i"), var("(return) square"), var("__return__"), var("__exception__")];
        rows.filter(reference, &mut vars);
        vars.into_iter().map(|v| v.name).collect()
    }

    #[test]
    fn a_step_keeps_them_in_the_top_frame_only() {
        let mut rows = PseudoRows::default();
        rows.stopped(&StopReason::Step, ResumeAction::Next);
        rows.saw_stack(Some(1));
        rows.saw_scopes(1, &locals(10));
        rows.saw_scopes(2, &locals(20));
        assert_eq!(names(&rows, 10), ["i", "(return) square", "__return__", "__exception__"]);
        assert_eq!(names(&rows, 20), ["i"], "an outer frame's rows are from an older step");
    }

    #[test]
    fn a_breakpoint_or_run_to_line_drops_them_and_a_new_stop_forgets_the_old_scopes() {
        let mut rows = PseudoRows::default();
        rows.stopped(&StopReason::Breakpoint, ResumeAction::Next);
        rows.saw_stack(Some(1));
        rows.saw_scopes(1, &locals(10));
        assert_eq!(names(&rows, 10), ["i"]);
        rows.resumed();
        // run to line: reported as a step, but the program was continued.
        rows.stopped(&StopReason::Step, ResumeAction::Continue);
        rows.saw_stack(Some(1));
        rows.saw_scopes(1, &locals(10));
        assert_eq!(names(&rows, 10), ["i"]);
        rows.stopped(&StopReason::Exception, ResumeAction::Continue);
        assert_eq!(names(&rows, 10).len(), 4, "scopes not seen at this stop are left alone");
        rows.saw_stack(Some(1));
        rows.saw_scopes(1, &locals(10));
        assert_eq!(names(&rows, 10).len(), 4, "an exception stop's own rows stay");
    }
}
