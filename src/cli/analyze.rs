//! `loupe analyze`: static analysis of Python files, printed as text, JSON or SARIF.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};

use crate::analyze::files::analyze_paths;
use crate::analyze::report::Level;
use crate::analyze::{output, AnalyzeOptions, ImportEnvironment, TargetVersion};
use crate::pyenv::interpreter::{locate, SearchContext};

/// Exit code when findings at or above `--min-severity` exist.
pub const EXIT_FINDINGS: u8 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Args, Clone)]
pub struct AnalyzeArgs {
    /// Files and directories to analyse (directories are walked, honouring .gitignore).
    #[arg(required_unless_present = "list_rules", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print every security test (bandit ID, name, CWE) and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Only these security tests (comma-separated bandit IDs, e.g. B101,B602).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub select: Vec<String>,
    /// Skip these security tests (comma-separated bandit IDs).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub ignore: Vec<String>,
    /// Report (and fail on) findings of at least this severity.
    #[arg(long, value_enum, default_value = "low")]
    pub min_severity: MinSeverity,
    /// Grammar version to check syntax against, e.g. 3.11 (default: the interpreter's version,
    /// else 3.13).
    #[arg(long, value_name = "VERSION")]
    pub python: Option<String>,
    /// Interpreter whose standard library and installed packages classify imports (default:
    /// python3.X for --python 3.X, else the active python3).
    #[arg(long, value_name = "PATH")]
    pub interpreter: Option<PathBuf>,
}

/// Runs the analysis and prints the report; returns the process exit code.
pub async fn run(args: AnalyzeArgs) -> Result<u8> {
    if args.list_rules {
        let lines: Vec<String> = crate::analyze::security::all_tests()
            .into_iter()
            .map(|(id, name, cwe)| format!("{id}  {name:<45} CWE-{cwe}"))
            .collect();
        super::stdout::print_line(lines.join("\n"))?;
        return Ok(0);
    }
    let requested_target = match &args.python {
        Some(v) => Some(v.parse::<TargetVersion>().map_err(anyhow::Error::msg)?),
        None => None,
    };
    for id in args.select.iter().chain(&args.ignore) {
        if !is_test_id(id) {
            bail!("`{id}` is not a bandit test ID: write IDs like B101 or B602, separated by commas");
        }
    }
    let environment = probe_environment(&args, requested_target).await;
    let target = requested_target
        .or_else(|| environment.python_version.as_deref().and_then(|v| v.parse().ok()))
        .unwrap_or(TargetVersion::DEFAULT);
    let options = AnalyzeOptions { target, environment };
    let paths = args.paths.clone();
    // CPU-bound work on rayon's threads, off the async runtime.
    let mut report = tokio::task::spawn_blocking(move || analyze_paths(&paths, &options))
        .await
        .map_err(|e| anyhow::anyhow!("the analysis stopped unexpectedly: {e}"))?;
    let threshold = match args.min_severity {
        MinSeverity::Low => Level::Low,
        MinSeverity::Medium => Level::Medium,
        MinSeverity::High => Level::High,
    };
    report.keep_findings(&args.select, &args.ignore, threshold);
    let rendered = match args.format {
        OutputFormat::Text => output::text::render(&report),
        OutputFormat::Json => output::json::render(&report),
        OutputFormat::Sarif => output::sarif::render(&report, &sarif_root()),
    };
    super::stdout::print_line(rendered.trim_end())?;
    if report.files.is_empty() && !report.errors.is_empty() {
        bail!("nothing could be analysed (see the errors above)");
    }
    let has_findings = report.files.iter().any(|f| !f.findings.is_empty());
    Ok(if has_findings { EXIT_FINDINGS } else { 0 })
}

/// The root SARIF locations are relative to: the project the working directory is in (the
/// nearest directory above it with `.git`, `pyproject.toml` and the like), else itself.
fn sarif_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    crate::tui::persist::project_root(&cwd)
}

fn is_test_id(id: &str) -> bool {
    id.len() == 4 && id.starts_with('B') && id[1..].chars().all(|c| c.is_ascii_digit())
}

/// Asks the interpreter for its module names; without one, imports are still classified
/// (anything not local is third-party) and `installed` is null.
async fn probe_environment(args: &AnalyzeArgs, target: Option<TargetVersion>) -> ImportEnvironment {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let context = SearchContext::from_env();
    let requested =
        args.interpreter.clone().or_else(|| target.map(|t| PathBuf::from(format!("python{}.{}", t.major, t.minor))));
    let located = locate(requested.as_deref(), &cwd, &context).or_else(|e| match &args.interpreter {
        Some(_) => Err(e),
        None => locate(None, &cwd, &context),
    });
    let probed = match located {
        Ok(python) => ImportEnvironment::probe(&python).await,
        Err(e) => Err(anyhow::Error::from(e)),
    };
    match probed {
        Ok(environment) => environment,
        Err(e) => {
            note!("loupe: warning: imports are classified without an interpreter: {e:#}");
            ImportEnvironment::default()
        }
    }
}
