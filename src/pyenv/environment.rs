//! One environment as front ends show it: the interpreter's facts, what is installed, and what
//! is wrong, assembled from `facts`, `packages` and `check`.

use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::check::{self, MarkerFacts, Problem};
use super::discover::{self, DiscoverContext, Found};
use super::facts::{self, Facts};
use super::interpreter::{locate, SearchContext};
use super::packages::{self, Installed, Package};

#[derive(Debug, Clone)]
pub struct Environment {
    pub facts: Facts,
    pub installed: Installed,
    pub problems: Vec<Problem>,
}

/// The environment of the interpreter `executable` (a virtual environment's `bin/python`, or an
/// installation's): cached facts, packages read from their metadata, pip-check problems.
pub async fn load(executable: &Path) -> anyhow::Result<Environment> {
    let facts = facts::facts(executable).await?;
    let mut installed = packages::read_installed_as_found(&facts.site_packages);
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
    installed.packages.sort_by_key(Package::normalized_name);
    Ok(Environment { facts, installed, problems })
}

/// The interpreter a front end's `--python` names: a path or command name (shims resolved), a
/// version such as `3.12` (the first interpreter found with it), or, without one, the default
/// interpreter `loupe run` would use. `cwd` is where the search starts.
pub fn choose(cwd: &Path, python: Option<&Path>) -> anyhow::Result<PathBuf> {
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
