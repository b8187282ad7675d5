//! Breakpoints and watches saved per project, so they come back next time.
//!
//! One JSON file per project root under `$XDG_STATE_HOME/loupe/projects/`, named after the root's
//! path (readable, and stable across loupe versions, unlike a hash). A file that cannot be read
//! is reported and left alone (renamed aside), never silently overwritten.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::session::{Breakpoint, BreakpointSpec, HitCondition, Location};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedBreakpoint {
    pub file: Option<PathBuf>,
    pub line: Option<i64>,
    pub function: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit_condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_message: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Persisted {
    #[serde(default)]
    pub breakpoints: Vec<SavedBreakpoint>,
    #[serde(default)]
    pub watches: Vec<String>,
    /// The interpreter chosen in the Environment pane: `loupe run` uses it when given no other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<PathBuf>,
    /// Where this is saved; None: not saved (no state directory).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Persisted {
    /// Loads the project's saved state. Problems are returned as warnings; the state is then empty.
    pub fn load(project_root: &Path) -> (Persisted, Option<String>) {
        let Some(path) = state_file(project_root) else { return (Persisted::default(), None) };
        let mut warning = None;
        let mut loaded = match std::fs::read_to_string(&path) {
            Ok(text) => match serde_json::from_str::<Persisted>(&text) {
                Ok(p) => p,
                Err(e) => {
                    let aside = path.with_extension("json.bad");
                    let _ = std::fs::rename(&path, &aside);
                    warning = Some(format!(
                        "saved breakpoints in {} could not be read ({e}); moved it to {} and started fresh",
                        path.display(),
                        aside.display()
                    ));
                    Persisted::default()
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Persisted::default(),
            Err(e) => {
                warning = Some(format!("cannot read saved breakpoints {}: {e}", path.display()));
                Persisted::default()
            }
        };
        loaded.path = Some(path);
        (loaded, warning)
    }

    pub fn set_breakpoints(&mut self, breakpoints: &[Breakpoint]) {
        self.breakpoints = breakpoints
            .iter()
            .filter(|b| !b.spec.temporary)
            .map(|b| {
                let (file, line, function) = match &b.spec.location {
                    Location::Line { file, line } => (Some(file.clone()), Some(*line), None),
                    Location::Function { name } => (None, None, Some(name.clone())),
                };
                SavedBreakpoint {
                    file,
                    line,
                    function,
                    condition: b.spec.condition.clone(),
                    hit_condition: b.spec.hit_condition.map(|h| h.compact()),
                    log_message: b.spec.log_message.clone(),
                    enabled: b.enabled,
                }
            })
            .collect();
    }

    /// The saved breakpoints as specs, with whether each is enabled. Entries that no longer make
    /// sense (a file that is gone) are skipped.
    pub fn breakpoint_specs(&self) -> Vec<(BreakpointSpec, bool)> {
        self.breakpoints
            .iter()
            .filter_map(|b| {
                let location = match (&b.file, b.line, &b.function) {
                    (Some(file), Some(line), _) if file.is_file() => Location::Line { file: file.clone(), line },
                    (None, None, Some(name)) => Location::Function { name: name.clone() },
                    _ => return None,
                };
                let spec = BreakpointSpec {
                    location,
                    condition: b.condition.clone(),
                    hit_condition: b.hit_condition.as_deref().and_then(|h| HitCondition::parse(h).ok()),
                    log_message: b.log_message.clone(),
                    temporary: false,
                };
                Some((spec, b.enabled))
            })
            .collect()
    }

    /// Writes the state (atomically: a temporary file renamed over the old one).
    pub fn save(&self) -> anyhow::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("creating {} for saved breakpoints: {e}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| anyhow::anyhow!("replacing {}: {e}", path.display()))?;
        Ok(())
    }
}

/// The state file for a project root.
pub fn state_file(project_root: &Path) -> Option<PathBuf> {
    let name: String = project_root
        .to_string_lossy()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' => '%',
            c => c,
        })
        .collect();
    Some(crate::paths::state_dir().join("projects").join(format!("{name}.json")))
}

/// The project a script belongs to: the nearest directory above it with `.git` (or another
/// project marker), else the script's own directory.
pub fn project_root(start: &Path) -> PathBuf {
    let dir = if start.is_dir() { start } else { start.parent().unwrap_or(start) };
    dir.ancestors()
        .find(|d| [".git", "pyproject.toml", "setup.py", ".vscode"].iter().any(|m| d.join(m).exists()))
        .unwrap_or(dir)
        .to_path_buf()
}
