//! `analyze`, `env_list` and `env_check`: the data of `loupe analyze --format json`, `loupe env
//! list --json` and `loupe env check --json`, from the same functions.

use std::path::PathBuf;

use anyhow::{bail, Context};
use rmcp::schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::run::working_directory;
use crate::analyze::files::analyze_paths;
use crate::analyze::report::Level;
use crate::analyze::{output, AnalyzeOptions, ImportEnvironment, TargetVersion};
use crate::pyenv::discover::{self, DiscoverContext};
use crate::pyenv::{environment, facts};

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Low,
    Medium,
    High,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct Analyze {
    /// Files and directories to analyse (directories are walked, honouring .gitignore).
    pub paths: Vec<PathBuf>,
    /// Report security findings of at least this severity (default low).
    #[serde(default)]
    pub min_severity: Severity,
    /// Interpreter whose standard library and packages classify imports, and whose version the
    /// syntax is checked against (default: the active python3).
    pub python: Option<PathBuf>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct AnalyzeResult {
    /// Per file: imports, definitions, complexity, maintainability, security findings; and the
    /// files that could not be analysed (docs/ANALYZER.md).
    pub report: Value,
    /// Whether any security finding at or above `min_severity` was reported.
    pub has_findings: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct EnvList {
    /// Where to look for virtual environments (in and above it; default: the server's directory).
    pub cwd: Option<PathBuf>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct EnvListResult {
    /// Each interpreter: path, version, implementation, kind, problem (docs/ENV.md).
    pub interpreters: Value,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct EnvCheck {
    /// The interpreter: a path, a command name or a version such as 3.12 (default: as `loupe run`
    /// chooses).
    pub python: Option<PathBuf>,
    /// Where the default interpreter is looked for (default: the server's directory).
    pub cwd: Option<PathBuf>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct EnvCheckResult {
    pub interpreter: PathBuf,
    /// Missing dependencies, version conflicts, broken metadata (empty when all is well).
    pub problems: Value,
}

pub async fn analyze(request: Analyze) -> anyhow::Result<AnalyzeResult> {
    if request.paths.is_empty() {
        bail!("nothing to analyse: give `paths` (Python files or directories)");
    }
    let cwd = working_directory(None)?;
    // Imports are classified with the interpreter's names; without one they still are (anything
    // not local is third-party), as `loupe analyze` does.
    let environment = match environment::choose(&cwd, request.python.as_deref()) {
        Ok(python) => ImportEnvironment::probe(&python).await.unwrap_or_default(),
        Err(e) if request.python.is_some() => return Err(e),
        Err(_) => ImportEnvironment::default(),
    };
    let target = environment.python_version.as_deref().and_then(|v| v.parse().ok()).unwrap_or(TargetVersion::DEFAULT);
    let options = AnalyzeOptions { target, environment };
    let paths = request.paths.clone();
    let mut report = tokio::task::spawn_blocking(move || analyze_paths(&paths, &options))
        .await
        .context("the analysis stopped unexpectedly")?;
    if report.files.is_empty() && !report.errors.is_empty() {
        let reasons: Vec<String> = report.errors.iter().map(|e| format!("{}: {}", e.path, e.message)).collect();
        bail!("nothing could be analysed: {}", reasons.join("; "));
    }
    let threshold = match request.min_severity {
        Severity::Low => Level::Low,
        Severity::Medium => Level::Medium,
        Severity::High => Level::High,
    };
    report.keep_findings(&[], &[], threshold);
    let has_findings = report.files.iter().any(|f| !f.findings.is_empty());
    let report = serde_json::from_str(&output::json::render(&report)).context("reading the analysis report")?;
    Ok(AnalyzeResult { report, has_findings })
}

pub async fn env_list(request: EnvList) -> anyhow::Result<EnvListResult> {
    let cwd = working_directory(request.cwd.as_deref())?;
    let mut found = discover::discover(&DiscoverContext::from_env(&cwd));
    facts::fill_versions(&mut found).await;
    Ok(EnvListResult { interpreters: serde_json::to_value(found)? })
}

pub async fn env_check(request: EnvCheck) -> anyhow::Result<EnvCheckResult> {
    let cwd = working_directory(request.cwd.as_deref())?;
    let env = environment::load(&environment::choose(&cwd, request.python.as_deref())?).await?;
    Ok(EnvCheckResult { interpreter: env.facts.executable.clone(), problems: serde_json::to_value(&env.problems)? })
}
