//! Translations between DAP bodies and session types, in both directions: breakpoint requests
//! and statuses, hit conditions in debugpy's syntax, frames, scopes and variables (ids widened to
//! their connection), errors.

use std::path::{Path, PathBuf};

use super::ids::widen;
use crate::dap::client::DapError;
use crate::dap::types::{self as t};
use crate::session::{
    BreakpointStatus, Frame, FunctionBreakpointRequest, HitCondition, LineBreakpointRequest, Scope, ScopeKind,
    Variable, VariableGroup,
};

/// debugpy groups dunder, callable and protected members under pseudo-variables with no value
/// and no type ("special variables", "function variables", "class variables", ...).
pub(super) fn group_of(v: &t::Variable) -> Option<VariableGroup> {
    let is_group = v.value.is_empty()
        && v.type_name.as_deref().unwrap_or("").is_empty()
        && v.variables_reference > 0
        && v.name.ends_with(" variables");
    match v.name.as_str() {
        _ if !is_group => None,
        "special variables" => Some(VariableGroup::Special),
        _ => Some(VariableGroup::Members),
    }
}

pub(super) fn frame_of(connection: usize, f: t::StackFrame) -> Frame {
    Frame {
        id: widen(connection, f.id),
        function: f.name,
        file: f.source.and_then(|s| s.path).map(PathBuf::from),
        line: f.line,
        column: f.column,
    }
}

pub(super) fn scope_of(connection: usize, s: t::Scope) -> Scope {
    let kind = match (s.presentation_hint.as_deref(), s.name.as_str()) {
        (Some("locals"), _) | (_, "Locals") => ScopeKind::Locals,
        (_, "Globals") => ScopeKind::Globals,
        _ => ScopeKind::Other,
    };
    Scope { name: s.name, kind, variables: widen(connection, s.variables_reference), expensive: s.expensive }
}

pub(super) fn variable_of(connection: usize, v: t::Variable) -> Variable {
    Variable {
        group: group_of(&v),
        name: v.name,
        value: v.value,
        truncated: false,
        type_name: v.type_name.filter(|t| !t.is_empty()),
        children: widen(connection, v.variables_reference),
        evaluate_name: v.evaluate_name,
        child_count: match (v.named_variables, v.indexed_variables) {
            (None, None) => None,
            (n, i) => Some(n.unwrap_or(0) + i.unwrap_or(0)),
        },
    }
}

pub(super) fn status_of(b: &t::Breakpoint) -> BreakpointStatus {
    let message = b.message.clone().map(super::just_my_code::explain);
    BreakpointStatus { backend_id: b.id, verified: b.verified, line: b.line, message }
}

pub(super) fn set_breakpoints_args(file: &Path, reqs: &[LineBreakpointRequest]) -> t::SetBreakpointsArguments {
    t::SetBreakpointsArguments {
        source: t::Source {
            name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
            path: Some(file.to_string_lossy().into_owned()),
            source_reference: None,
        },
        breakpoints: reqs
            .iter()
            .map(|r| t::SourceBreakpoint {
                line: r.line,
                condition: r.condition.clone(),
                hit_condition: r.hit_condition.map(dap_hit_condition),
                log_message: r.log_message.clone(),
            })
            .collect(),
        source_modified: false,
    }
}

pub(super) fn function_breakpoints_args(functions: &[FunctionBreakpointRequest]) -> t::SetFunctionBreakpointsArguments {
    t::SetFunctionBreakpointsArguments {
        breakpoints: functions
            .iter()
            .map(|f| t::FunctionBreakpoint {
                name: f.name.clone(),
                condition: f.condition.clone(),
                hit_condition: f.hit_condition.map(dap_hit_condition),
            })
            .collect(),
    }
}

/// DAP's `hitCondition` is free text the adapter interprets; debugpy reads `==N`, `>=N` and `%N`.
pub(super) fn dap_hit_condition(condition: HitCondition) -> String {
    match condition {
        HitCondition::Eq(n) => format!("=={n}"),
        HitCondition::Ge(n) => format!(">={n}"),
        HitCondition::Mod(n) => format!("%{n}"),
    }
}

pub(super) fn dap_err(e: DapError) -> anyhow::Error {
    anyhow::Error::new(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hit_conditions_are_written_as_debugpy_reads_them() {
        assert_eq!(dap_hit_condition(HitCondition::Eq(3)), "==3");
        assert_eq!(dap_hit_condition(HitCondition::Ge(2)), ">=2");
        assert_eq!(dap_hit_condition(HitCondition::Mod(4)), "%4");
    }
}
