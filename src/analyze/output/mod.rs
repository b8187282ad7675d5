//! Rendering a report: JSON (the stable shape of docs/ANALYZER.md), human text, SARIF 2.1.0.

pub mod json;
pub mod sarif;
pub mod text;
