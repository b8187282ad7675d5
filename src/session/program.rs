//! The program to debug, whatever the backend: what runs (a script or `-m module`), with which
//! arguments, where, in which environment, under which interpreter and sandbox.
//!
//! The CLI builds one from its arguments and launch.json; each backend wraps it with its own
//! knobs (debugpy's `justMyCode`, pdb or ipdb) and starts it its own way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::bail;

use crate::pyenv::interpreter::Interpreter;
use crate::sandbox::Sandbox;

/// What to run: `python SCRIPT` or `python -m MODULE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A script, by absolute path.
    Program(PathBuf),
    Module(String),
}

impl Target {
    /// The script, when the target is one (a module's file is found by Python, not by loupe).
    pub fn script(&self) -> Option<&Path> {
        match self {
            Target::Program(path) => Some(path),
            Target::Module(_) => None,
        }
    }

    /// Refuses a script that is missing or a directory. Cheap: the CLI calls it before it
    /// resolves an interpreter or installs anything, and each backend again before it starts.
    pub fn check(&self) -> anyhow::Result<()> {
        let Some(script) = self.script() else { return Ok(()) };
        if !script.exists() {
            bail!("script not found: {}", script.display());
        }
        if !script.is_file() {
            bail!("not a Python script: {} is a directory", script.display());
        }
        Ok(())
    }
}

/// A program for a backend to launch.
#[derive(Debug, Clone)]
pub struct ProgramSpec {
    pub target: Target,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// Set in the program's environment, over what it inherits.
    pub env: BTreeMap<String, String>,
    /// Removed from the inherited environment (`"NAME": null` in launch.json).
    pub unset_env: Vec<String>,
    /// Report the program's first line as a stop instead of running on after configuration.
    pub stop_on_entry: bool,
    pub interpreter: Interpreter,
    /// The run's sandbox: everything that runs the user's code is confined by it (`None`: not
    /// confined, as with `--sandbox off`).
    pub sandbox: Option<Arc<Sandbox>>,
}

impl ProgramSpec {
    /// The script, when the program is one.
    pub fn script(&self) -> Option<&Path> {
        self.target.script()
    }

    /// See [`Target::check`].
    pub fn check(&self) -> anyhow::Result<()> {
        self.target.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_missing_scripts_and_directories_but_not_modules() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Target::Program(dir.path().join("gone.py"));
        assert!(missing.check().unwrap_err().to_string().starts_with("script not found"));
        let directory = Target::Program(dir.path().to_path_buf());
        assert!(directory.check().unwrap_err().to_string().contains("is a directory"));
        assert!(Target::Module("json.tool".into()).check().is_ok());
    }
}
