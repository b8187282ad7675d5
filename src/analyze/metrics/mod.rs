//! Metrics of a parsed module: radon-compatible cyclomatic complexity, Halstead, raw line
//! counts and maintainability index, and SonarSource cognitive complexity.

pub mod cognitive;
pub mod cyclomatic;
pub mod halstead;
pub mod maintainability;
pub mod raw;
