//! Running pip for installs and uninstalls, with progress a front end can show and a way to
//! cancel, and an account of what changed even when pip fails or is stopped halfway.
//!
//! pip 24.1 and later print machine-readable download progress with `--progress-bar raw`
//! (`Progress N of M` lines); older pip is followed by its ordinary output lines (`Collecting`,
//! `Downloading`, `Installing collected packages`, `Successfully installed`).

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::facts::Facts;
use super::packages::{read_installed, Package};
use crate::sandbox::{self, Policy, PolicyOverrides, Purpose, PythonProcess, RunOptions, Sandbox, StdioMode};

/// Something pip is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipEvent {
    /// Resolving a requirement (`Collecting six`).
    Collecting(String),
    /// Downloading a file: name and, once known, `done` of `total` bytes.
    Downloading {
        file: String,
        done: u64,
        total: Option<u64>,
    },
    /// Installing these distributions.
    Installing(Vec<String>),
    Uninstalling(String),
    /// Any other line pip printed.
    Line(String),
}

impl PipEvent {
    /// One line for a person (`downloading six-1.16.0.whl 40%`); None for pip's other lines.
    pub fn summary(&self) -> Option<String> {
        Some(match self {
            PipEvent::Collecting(what) => format!("collecting {what}"),
            PipEvent::Downloading { file, done, total: Some(total) } if *total > 0 => {
                format!("downloading {file} {}%", done * 100 / total)
            }
            PipEvent::Downloading { file, .. } => format!("downloading {file}"),
            PipEvent::Installing(names) => format!("installing {}", names.join(", ")),
            PipEvent::Uninstalling(what) => format!("uninstalling {what}"),
            PipEvent::Line(_) => return None,
        })
    }
}

/// What an install or uninstall changed, read from the environment before and after.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
    /// Same name, new version: (name, old, new).
    pub changed: Vec<(String, String, String)>,
}

impl Change {
    pub fn between(before: &[Package], after: &[Package]) -> Change {
        let find = |list: &[Package], name: &str| list.iter().find(|p| p.normalized_name() == name).cloned();
        let mut change = Change::default();
        for p in after {
            match find(before, &p.normalized_name()) {
                None => change.added.push((p.name.clone(), p.version.clone())),
                Some(old) if old.version != p.version => {
                    change.changed.push((p.name.clone(), old.version.clone(), p.version.clone()))
                }
                Some(_) => {}
            }
        }
        for p in before {
            if find(after, &p.normalized_name()).is_none() {
                change.removed.push((p.name.clone(), p.version.clone()));
            }
        }
        change
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            return write!(f, "nothing changed");
        }
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            let list: Vec<String> = self.added.iter().map(|(n, v)| format!("{n} {v}")).collect();
            parts.push(format!("installed {}", list.join(", ")));
        }
        if !self.changed.is_empty() {
            let list: Vec<String> = self.changed.iter().map(|(n, a, b)| format!("{n} {a} → {b}")).collect();
            parts.push(format!("changed {}", list.join(", ")));
        }
        if !self.removed.is_empty() {
            let list: Vec<String> = self.removed.iter().map(|(n, v)| format!("{n} {v}")).collect();
            parts.push(format!("removed {}", list.join(", ")));
        }
        write!(f, "{}", parts.join("; "))
    }
}

/// How pip ended.
#[derive(Debug)]
pub struct PipOutcome {
    pub change: Change,
    /// None when pip succeeded; else why it failed, with pip's last words.
    pub failure: Option<String>,
    pub cancelled: bool,
}

/// The install policy: the sandbox (at the config file's level, standard by default) with the
/// network on, the environment's directories writable and pip's cache too, no caps a large wheel
/// or a parallel build would hit, and pip's, the proxies' and the certificates' variables passed
/// through; the rest of the home directory (`~/.ssh`, `~/.aws`, ...) stays unreadable. None when
/// the sandbox is off.
pub fn install_sandbox(facts: &Facts) -> anyhow::Result<Option<std::sync::Arc<Sandbox>>> {
    let configured = sandbox::policy::config_file_overrides()?;
    let mut writable: Vec<PathBuf> = facts.site_packages.clone();
    if facts.prefix != facts.base_prefix {
        writable.push(facts.prefix.clone()); // a virtual environment: bin/, include/, share/
    } else {
        writable.push(facts.prefix.join("bin"));
    }
    let pip_cache =
        std::env::var_os("PIP_CACHE_DIR").map(PathBuf::from).or_else(|| dirs::cache_dir().map(|c| c.join("pip")));
    if let Some(cache) = pip_cache {
        // Landlock grants what exists: make the cache first (pip would anyway).
        let _ = std::fs::create_dir_all(&cache);
        writable.push(cache);
    }
    let passed_through = |name: &str| {
        name.starts_with("PIP_")
            || name.starts_with("UV_")
            || matches!(
                name.to_ascii_uppercase().as_str(),
                "HTTP_PROXY"
                    | "HTTPS_PROXY"
                    | "NO_PROXY"
                    | "ALL_PROXY"
                    | "SSL_CERT_FILE"
                    | "SSL_CERT_DIR"
                    | "REQUESTS_CA_BUNDLE"
                    | "CURL_CA_BUNDLE"
            )
    };
    let env: Vec<String> =
        std::env::vars_os().filter_map(|(k, _)| k.into_string().ok()).filter(|k| passed_through(k)).collect();
    let overrides = PolicyOverrides {
        level: configured.level,
        allow_network: Some(true),
        memory: Some(0),
        max_file_size: Some(0),
        max_procs: Some(0),
        allow_write: writable,
        env,
        ..PolicyOverrides::default()
    };
    let policy = Policy::resolve(&overrides, Purpose::Debug)?;
    if policy.is_off() {
        return Ok(None);
    }
    // Local requirements (`./pkg`, `-r requirements.txt`) are read from the current directory.
    let project = std::env::current_dir().into_iter().collect();
    let options = RunOptions { project, share_network: false, loupe_read: Vec::new() };
    Ok(Some(Sandbox::new(policy, options)?))
}

/// Runs `python -m pip ARGS` for the environment `facts` describes, confined by the install policy
/// ([`install_sandbox`]), sending progress to `on_event`, until pip ends or `cancel` completes
/// (then pip is killed). pip must be installed in the environment.
pub async fn run(
    python: &Path,
    facts: &Facts,
    args: &[String],
    mut on_event: impl FnMut(PipEvent),
    cancel: impl std::future::Future<Output = ()>,
) -> anyhow::Result<PipOutcome> {
    let site_packages = &facts.site_packages;
    let before = read_installed(site_packages).packages;
    let Some(pip) = before.iter().find(|p| p.normalized_name() == "pip") else {
        bail!(
            "pip is not installed for {}: run `{} -m ensurepip`, or recreate the environment with `loupe env create`",
            python.display(),
            python.display()
        );
    };
    let raw_progress = version_at_least(&pip.version, (24, 1));
    let mut full: Vec<String> = vec!["-m".into(), "pip".into()];
    full.extend(args.iter().cloned());
    full.extend(["--disable-pip-version-check".into(), "--no-input".into()]);
    if raw_progress && args.first().is_some_and(|a| a == "install") {
        full.extend(["--progress-bar".into(), "raw".into()]);
    }
    let mut process = PythonProcess::new(python, &full);
    process.stdin = StdioMode::Null;
    process.sandbox = install_sandbox(facts)?;
    // pip's output must be lines, not a terminal's redraws.
    process.env.insert("PYTHONUNBUFFERED".into(), "1".into());
    process.env.insert("PIP_NO_COLOR".into(), "1".into());
    let mut child = sandbox::spawn(&process).with_context(|| format!("starting pip for {}", python.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("pip's output is not piped"))?;
    let stderr = child.stderr.take().ok_or_else(|| anyhow!("pip's error output is not piped"))?;
    let errors = tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        let mut kept: Vec<String> = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if !line.trim().is_empty() {
                kept.push(line);
                if kept.len() > 40 {
                    kept.remove(0);
                }
            }
        }
        kept
    });
    let mut lines = BufReader::new(stdout).lines();
    let mut current_file = String::new();
    tokio::pin!(cancel);
    let mut cancelled = false;
    loop {
        tokio::select! {
            line = lines.next_line() => match line {
                Ok(Some(line)) => {
                    if let Some(event) = parse_line(&line, &mut current_file) {
                        on_event(event);
                    }
                }
                _ => break,
            },
            () = &mut cancel => {
                cancelled = true;
                let _ = child.start_kill();
                break;
            }
        }
    }
    let status = child.wait().await.context("waiting for pip")?;
    let error_lines = errors.await.unwrap_or_default();
    let after = read_installed(site_packages).packages;
    let change = Change::between(&before, &after);
    let failure = if cancelled {
        Some("cancelled; pip was stopped".to_string())
    } else if status.success() {
        None
    } else {
        Some(explain_failure(&error_lines, status))
    };
    Ok(PipOutcome { change, failure, cancelled })
}

fn version_at_least(version: &str, wanted: (u64, u64)) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= wanted
}

/// One pip output line as an event (None for lines not worth one).
fn parse_line(line: &str, current_file: &mut String) -> Option<PipEvent> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    if let Some(rest) = line.strip_prefix("Progress ") {
        let (done, total) = rest.split_once(" of ")?;
        return Some(PipEvent::Downloading {
            file: current_file.clone(),
            done: done.trim().parse().ok()?,
            total: total.trim().parse().ok(),
        });
    }
    if let Some(rest) = line.strip_prefix("Collecting ") {
        return Some(PipEvent::Collecting(rest.split_whitespace().next().unwrap_or(rest).to_string()));
    }
    if let Some(rest) = line.strip_prefix("Downloading ") {
        let file = rest.split_whitespace().next().unwrap_or(rest);
        *current_file = file.rsplit('/').next().unwrap_or(file).to_string();
        return Some(PipEvent::Downloading { file: current_file.clone(), done: 0, total: None });
    }
    if let Some(rest) = line.strip_prefix("Installing collected packages:") {
        return Some(PipEvent::Installing(
            rest.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        ));
    }
    if let Some(rest) = line.strip_prefix("Found existing installation:") {
        return Some(PipEvent::Uninstalling(rest.trim().to_string()));
    }
    Some(PipEvent::Line(line.to_string()))
}

/// pip's own error, and what it most likely means.
fn explain_failure(stderr: &[String], status: std::process::ExitStatus) -> String {
    let text = stderr.join("\n");
    let hint = if text.contains("NewConnectionError")
        || text.contains("Failed to establish a new connection")
        || text.contains("Temporary failure in name resolution")
        || text.contains("Network is unreachable")
    {
        " — the package index could not be reached: check the network (or pass --index-url / a local wheel)"
    } else if text.contains("No matching distribution found") {
        " — no release matches: check the name and version, and the interpreter's Python version"
    } else if text.contains("ResolutionImpossible") {
        " — the requirements conflict with each other or with what is installed"
    } else {
        ""
    };
    let last: Vec<&String> = stderr.iter().filter(|l| l.contains("ERROR") || l.contains("error")).collect();
    let shown = if last.is_empty() {
        stderr.iter().rev().take(3).rev().cloned().collect::<Vec<_>>().join("\n")
    } else {
        last.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    };
    format!("pip failed ({status}){hint}\n{shown}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_lines_become_events() {
        let mut file = String::new();
        assert_eq!(parse_line("Collecting six==1.16.0", &mut file), Some(PipEvent::Collecting("six==1.16.0".into())));
        assert_eq!(
            parse_line("  Downloading https://files/six-1.16.0-py2.py3-none-any.whl (11 kB)", &mut file),
            Some(PipEvent::Downloading { file: "six-1.16.0-py2.py3-none-any.whl".into(), done: 0, total: None })
        );
        assert_eq!(
            parse_line("Progress 4096 of 11053", &mut file),
            Some(PipEvent::Downloading {
                file: "six-1.16.0-py2.py3-none-any.whl".into(),
                done: 4096,
                total: Some(11053)
            })
        );
        assert_eq!(
            parse_line("Installing collected packages: six, bleach", &mut file),
            Some(PipEvent::Installing(vec!["six".into(), "bleach".into()]))
        );
        assert!(version_at_least("24.1", (24, 1)) && version_at_least("25.0.1", (24, 1)));
        assert!(!version_at_least("23.2.1", (24, 1)));
    }
}
