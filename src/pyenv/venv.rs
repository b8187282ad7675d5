//! Creating virtual environments: with uv when the installer is uv (it takes milliseconds; pip is
//! put in only when asked, since uv installs without it), else with the interpreter's own `venv`
//! module (pip included, so `loupe env install` works in it).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::sandbox::{self, PythonProcess, StdioMode};

/// How the environment was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub python: PathBuf,
    pub tool: &'static str,
}

/// Makes a virtual environment at `dir` from `base` (a real interpreter), with `uv` when given
/// (`seed_pip`: with pip in it too). Refuses to overwrite anything that is not an empty directory.
pub async fn create(dir: &Path, base: &Path, uv: Option<&Path>, seed_pip: bool) -> anyhow::Result<Created> {
    if dir.exists() {
        let empty = dir.is_dir() && std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty {
            bail!("{} already exists; choose a new directory (loupe never overwrites an environment)", dir.display());
        }
    }
    let (program, args, tool): (PathBuf, Vec<String>, &'static str) = match uv {
        Some(uv) => {
            let mut args: Vec<String> = vec!["venv".into()];
            if seed_pip {
                args.push("--seed".into());
            }
            args.extend(["--python".into(), base.display().to_string(), dir.display().to_string()]);
            (uv.to_path_buf(), args, "uv")
        }
        None => (base.to_path_buf(), vec!["-m".into(), "venv".into(), dir.display().to_string()], "venv"),
    };
    let mut process = PythonProcess::new(&program, &args);
    process.stdin = StdioMode::Null;
    let output = sandbox::spawn(&process)
        .with_context(|| format!("starting {}", program.display()))?
        .wait_with_output()
        .await
        .context("waiting for the environment to be created")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let said = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no error output");
        let hint = if said.contains("ensurepip") {
            " (on Debian and Ubuntu the system Python needs the python3-venv package)"
        } else {
            ""
        };
        bail!("creating {} with {tool} failed: {said}{hint}", dir.display());
    }
    let python = dir.join("bin/python");
    if !python.exists() {
        bail!("{tool} reported success but {} does not exist", python.display());
    }
    Ok(Created { python, tool })
}
