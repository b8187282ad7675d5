//! What the selected interpreter can import: its standard-library module names and the
//! top-level names installed in its site-packages, asked once per run with one short script.
//!
//! Kept apart from `pyenv` on purpose: this is the only thing the analyzer needs, and it must
//! work without a debugger session.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::sandbox::{self, PythonProcess};

/// Names the interpreter knows, for classifying imports.
#[derive(Debug, Clone, Default)]
pub struct ImportEnvironment {
    pub python_version: Option<String>,
    pub stdlib: HashSet<String>,
    pub installed: HashSet<String>,
}

/// Prints `{"version": "3.11", "stdlib": [...], "installed": [...]}`. `sys.stdlib_module_names`
/// exists from 3.10; before that the stdlib directory is listed.
const PROBE: &str = r#"
import json, os, sys, sysconfig
stdlib = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)
if not hasattr(sys, "stdlib_module_names"):
    d = sysconfig.get_paths()["stdlib"]
    for n in os.listdir(d):
        if n.endswith(".py"):
            stdlib.add(n[:-3])
        elif os.path.isdir(os.path.join(d, n)) and n.isidentifier():
            stdlib.add(n)
    dyn = os.path.join(d, "lib-dynload")
    if os.path.isdir(dyn):
        stdlib.update(n.split(".")[0] for n in os.listdir(dyn))
installed = set()
for p in sys.path[1:]:
    if not os.path.isdir(p) or os.path.realpath(p) == os.path.realpath(sysconfig.get_paths()["stdlib"]):
        continue
    for n in os.listdir(p):
        full = os.path.join(p, n)
        if n.endswith((".dist-info", ".egg-info")):
            tl = os.path.join(full, "top_level.txt")
            if os.path.isfile(tl):
                installed.update(l.strip() for l in open(tl, encoding="utf-8", errors="replace") if l.strip())
        elif n.endswith(".py"):
            installed.add(n[:-3])
        elif n.endswith((".so", ".pyd")):
            installed.add(n.split(".")[0])
        elif os.path.isdir(full) and n.isidentifier():
            installed.add(n)
print(json.dumps({"version": "%d.%d" % sys.version_info[:2], "stdlib": sorted(stdlib), "installed": sorted(installed - stdlib)}))
"#;

impl ImportEnvironment {
    /// Runs `python` once (through the sandbox, like every Python loupe starts) and reads its
    /// module names.
    pub async fn probe(python: &Path) -> Result<Self> {
        let process = PythonProcess::new(python, ["-I", "-c", PROBE]);
        let child =
            sandbox::spawn(&process).with_context(|| format!("cannot run {} to list its modules", python.display()))?;
        let output = child
            .wait_with_output()
            .await
            .with_context(|| format!("cannot read {}'s list of modules", python.display()))?;
        if !output.status.success() {
            bail!(
                "{} failed while listing its modules: {}",
                python.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        #[derive(serde::Deserialize)]
        struct Probed {
            version: String,
            stdlib: Vec<String>,
            installed: Vec<String>,
        }
        let probed: Probed = serde_json::from_slice(&output.stdout)
            .with_context(|| format!("unexpected output from {} while listing modules", python.display()))?;
        Ok(ImportEnvironment {
            python_version: Some(probed.version),
            stdlib: probed.stdlib.into_iter().collect(),
            installed: probed.installed.into_iter().collect(),
        })
    }

    pub fn is_stdlib(&self, top_level: &str) -> bool {
        self.stdlib.contains(top_level) || top_level == "__future__"
    }

    /// `None` when there was no interpreter to ask.
    pub fn is_installed(&self, top_level: &str) -> Option<bool> {
        self.python_version.as_ref().map(|_| self.installed.contains(top_level))
    }
}
