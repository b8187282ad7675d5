//! One environment as front ends show it: the interpreter's facts, what is installed, and what
//! is wrong, assembled from `facts`, `packages` and `check`.

use std::path::Path;

use super::check::{self, MarkerFacts, Problem};
use super::facts::{self, Facts};
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
