//! `loupe env`: the interpreters on this machine, what an environment has installed, and whether
//! its dependencies hold together (docs/ENV.md). Text for people, `--json` for tools.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use serde_json::json;

use super::args::{EnvArgs, EnvCommand};
use crate::pyenv::check::{self, MarkerFacts, Problem};
use crate::pyenv::discover::{self, DiscoverContext, Found};
use crate::pyenv::facts::{self, Facts};
use crate::pyenv::interpreter::{locate, SearchContext};
use crate::pyenv::packages::{self, Installed};

/// Exit code of `env check` when it found problems.
const EXIT_PROBLEMS: u8 = 1;

pub async fn run(args: EnvArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    match args.command {
        EnvCommand::List { json } => list(&cwd, json).await,
        EnvCommand::Show { python, json } => show(&cwd, python.as_deref(), json).await,
        EnvCommand::Check { python, json } => check_command(&cwd, python.as_deref(), json).await,
    }
}

async fn list(cwd: &Path, as_json: bool) -> anyhow::Result<u8> {
    let mut found = discover::discover(&DiscoverContext::from_env(cwd));
    facts::fill_versions(&mut found).await;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", json!({ "interpreters": found }))?;
        return Ok(0);
    }
    if found.is_empty() {
        writeln!(out, "no Python interpreter found (PATH, pyenv, conda, uv, virtual environments)")?;
        return Ok(0);
    }
    for f in &found {
        let version = f.version.as_deref().unwrap_or("?");
        let kind = serde_json::to_value(f.kind)?.as_str().unwrap_or("").to_string();
        write!(out, "{version:<9} {:<8} {:<6} {}", f.implementation, kind, f.path.display())?;
        if let Some(problem) = &f.problem {
            write!(out, "  ✗ {problem}")?;
        }
        writeln!(out)?;
    }
    Ok(0)
}

/// An environment's facts, packages and problems.
struct Environment {
    facts: Facts,
    installed: Installed,
    problems: Vec<Problem>,
}

async fn environment(cwd: &Path, python: Option<&Path>) -> anyhow::Result<Environment> {
    let executable = choose(cwd, python)?;
    let facts = facts::facts(&executable).await?;
    let installed = packages::read_installed(&facts.site_packages);
    let markers = MarkerFacts {
        implementation_name: facts.implementation.clone(),
        implementation_version: facts.implementation_version.clone(),
        python_full_version: facts.version.clone(),
        platform_python_implementation: match facts.implementation.as_str() {
            "cpython" => "CPython".into(),
            "pypy" => "PyPy".into(),
            other => other.to_string(),
        },
    }
    .environment()?;
    let problems = check::check(&installed, &markers);
    Ok(Environment { facts, installed, problems })
}

/// `--python` as a path or command name (shims resolved), a version such as `3.12` (the first
/// interpreter found with it), or the default interpreter `loupe run` would use.
fn choose(cwd: &Path, python: Option<&Path>) -> anyhow::Result<PathBuf> {
    let context = SearchContext::from_env();
    if let Some(version) = python.and_then(Path::to_str).filter(|p| looks_like_version(p) && !Path::new(p).exists()) {
        let found = discover::discover(&DiscoverContext::from_env(cwd));
        let matching = |f: &&Found| {
            f.problem.is_none()
                && f.version.as_deref().is_some_and(|v| v == version || v.starts_with(&format!("{version}.")))
        };
        return found.iter().find(matching).map(|f| f.path.clone()).ok_or_else(|| {
            anyhow!("no Python {version} found (see `loupe env list`); pass --python with a path instead")
        });
    }
    Ok(locate(python, cwd, &context)?)
}

fn looks_like_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    (1..=3).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

async fn show(cwd: &Path, python: Option<&Path>, as_json: bool) -> anyhow::Result<u8> {
    let env = environment(cwd, python).await?;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", show_json(&env))?;
        return Ok(0);
    }
    let f = &env.facts;
    writeln!(out, "Python {} ({}) {}", f.version, f.implementation, f.executable.display())?;
    if f.prefix != f.base_prefix {
        writeln!(out, "virtual environment {} (from {})", f.prefix.display(), f.base_prefix.display())?;
    }
    for dir in &f.site_packages {
        writeln!(out, "site-packages {}", dir.display())?;
    }
    writeln!(out, "PYTHONPATH {}", f.pythonpath.as_deref().unwrap_or("(not set)"))?;
    writeln!(out, "sys.path")?;
    for p in &f.sys_path {
        writeln!(out, "  {}", p.display())?;
    }
    writeln!(out, "\n{} packages", env.installed.packages.len())?;
    let width = env.installed.packages.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in &env.installed.packages {
        let requested = if p.requested { "requested" } else { "" };
        writeln!(
            out,
            "  {:<width$}  {:<12} {:<6} {requested}",
            p.name,
            p.version,
            p.installer.as_deref().unwrap_or("-")
        )?;
    }
    write_problems(&mut out, &env.problems)?;
    Ok(0)
}

fn show_json(env: &Environment) -> serde_json::Value {
    let f = &env.facts;
    json!({
        "interpreter": {
            "path": f.executable,
            "version": f.version,
            "implementation": f.implementation,
            "prefix": f.prefix,
            "base_prefix": f.base_prefix,
            "virtualenv": f.prefix != f.base_prefix,
        },
        "site_packages": f.site_packages,
        "sys_path": f.sys_path,
        "pythonpath": f.pythonpath,
        "packages": env.installed.packages,
        "problems": env.problems,
    })
}

async fn check_command(cwd: &Path, python: Option<&Path>, as_json: bool) -> anyhow::Result<u8> {
    let env = environment(cwd, python).await?;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", json!({ "interpreter": env.facts.executable, "problems": env.problems }))?;
    } else if env.problems.is_empty() {
        writeln!(out, "No broken requirements found ({} packages).", env.installed.packages.len())?;
    } else {
        write_problems(&mut out, &env.problems)?;
    }
    Ok(if env.problems.is_empty() { 0 } else { EXIT_PROBLEMS })
}

fn write_problems(out: &mut impl Write, problems: &[Problem]) -> std::io::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{} problem{}", problems.len(), if problems.len() == 1 { "" } else { "s" })?;
    for p in problems {
        writeln!(out, "  {}: {}", p.kind.replace('_', " "), p.message)?;
    }
    Ok(())
}
