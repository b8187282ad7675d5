//! The JSON report: the [`Report`] structure serialised as is.

use crate::analyze::report::Report;

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"errors\":[{{\"path\":\"\",\"message\":\"{e}\"}}]}}"))
}
