//! Running the installer (pip, or uv's `uv pip`; see `installer.rs`) for installs and
//! uninstalls, with progress a front end can show and a way to cancel, and an account of what
//! changed even when it fails or is stopped halfway.
//!
//! pip 24.1 and later print machine-readable download progress with `--progress-bar raw`
//! (`Progress N of M` lines); older pip is followed by its ordinary output lines (`Collecting`,
//! `Downloading`, `Installing collected packages`, `Successfully installed`). uv, its output not a
//! terminal, writes its steps to stderr (`Resolved 4 packages in 1.2s`, ` + rich==14.0.0`) and its
//! errors as `error:` with `cause:` lines under it.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::facts::Facts;
use super::installer::Installer;
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
    /// A step the installer reports done (uv's `Resolved 4 packages in 1.2s`, ` + six==1.17.0`).
    Step(String),
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
            PipEvent::Step(what) => what.clone(),
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
    for cache in pip_cache.into_iter().chain(uv_cache_dir()) {
        // Landlock grants what exists: make the cache first (pip and uv would anyway).
        let _ = std::fs::create_dir_all(&cache);
        writable.push(cache);
    }
    // uv may live in the home directory (`~/.local/bin`), which the sandbox hides otherwise; and
    // when uv is the program, the environment's interpreter (which uv runs to inspect it) is not
    // granted as the program's own installation would be.
    let mut readable: Vec<PathBuf> = super::installer::find_uv().into_iter().collect();
    readable.extend([facts.prefix.clone(), facts.base_prefix.clone()]);
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
        allow_read: readable,
        env,
        ..PolicyOverrides::default()
    };
    let policy = Policy::resolve(&overrides, Purpose::Debug)?;
    if policy.is_off() {
        return Ok(None);
    }
    // Local requirements (`./pkg`, `-r requirements.txt`) are read from the current directory.
    let project = std::env::current_dir().into_iter().collect();
    let options = RunOptions { project, ..RunOptions::default() };
    Ok(Some(Sandbox::new(policy, options)?))
}

/// uv's cache: `UV_CACHE_DIR`, else `~/.cache/uv`.
fn uv_cache_dir() -> Option<PathBuf> {
    std::env::var_os("UV_CACHE_DIR").map(PathBuf::from).or_else(|| dirs::cache_dir().map(|c| c.join("uv")))
}

/// Runs `installer` with pip's ARGS (`install …`, `uninstall --yes …`) for the environment `facts`
/// describes (`python` is its interpreter), confined by the install policy ([`install_sandbox`]),
/// sending progress to `on_event`, until it ends or `cancel` completes (then it is killed).
pub async fn run(
    python: &Path,
    facts: &Facts,
    installer: &Installer,
    args: &[String],
    mut on_event: impl FnMut(PipEvent),
    cancel: impl std::future::Future<Output = ()>,
) -> anyhow::Result<PipOutcome> {
    let site_packages = &facts.site_packages;
    let before = read_installed(site_packages).packages;
    let tool = installer.name();
    let mut process = match installer {
        Installer::Pip => {
            let pip_version = before.iter().find(|p| p.normalized_name() == "pip").map(|p| p.version.as_str());
            let raw_progress = pip_version.is_some_and(|v| version_at_least(v, (24, 1)));
            let mut full: Vec<String> = vec!["-m".into(), "pip".into()];
            full.extend(args.iter().cloned());
            full.extend(["--disable-pip-version-check".into(), "--no-input".into()]);
            if raw_progress && args.first().is_some_and(|a| a == "install") {
                full.extend(["--progress-bar".into(), "raw".into()]);
            }
            let mut process = PythonProcess::new(python, &full);
            // pip's output must be lines, not a terminal's redraws.
            process.env.insert("PYTHONUNBUFFERED".into(), "1".into());
            process.env.insert("PIP_NO_COLOR".into(), "1".into());
            process
        }
        Installer::Uv(uv) => {
            // `uv pip uninstall` never asks, and refuses pip's `--yes`.
            let mut full: Vec<String> = vec!["pip".into()];
            full.extend(args.iter().filter(|a| *a != "--yes" && *a != "-y").cloned());
            full.extend(["--python".into(), python.display().to_string()]);
            let mut process = PythonProcess::new(uv, &full);
            process.env.insert("NO_COLOR".into(), "1".into());
            if let Some(cache) = uv_cache_dir() {
                process.env.insert("UV_CACHE_DIR".into(), cache.into_os_string());
            }
            process
        }
    };
    process.stdin = StdioMode::Null;
    process.sandbox = install_sandbox(facts)?;
    let mut child = sandbox::spawn(&process).with_context(|| format!("starting {tool} for {}", python.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("{tool}'s output is not piped"))?;
    let stderr = child.stderr.take().ok_or_else(|| anyhow!("{tool}'s error output is not piped"))?;
    // Both streams as one series of lines; `true` marks stderr.
    let (sender, mut lines) = tokio::sync::mpsc::unbounded_channel::<(bool, String)>();
    for (is_stderr, stream) in
        [(false, Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Send + Unpin>), (true, Box::new(stderr))]
    {
        let sender = sender.clone();
        tokio::spawn(async move {
            let mut stream = BufReader::new(stream).lines();
            while let Ok(Some(line)) = stream.next_line().await {
                if sender.send((is_stderr, line)).is_err() {
                    break;
                }
            }
        });
    }
    drop(sender);
    let mut error_lines: Vec<String> = Vec::new();
    let mut current_file = String::new();
    tokio::pin!(cancel);
    let mut cancelled = false;
    loop {
        tokio::select! {
            line = lines.recv() => match line {
                Some((is_stderr, line)) => {
                    if is_stderr && !line.trim().is_empty() {
                        error_lines.push(line.clone());
                        if error_lines.len() > 40 {
                            error_lines.remove(0);
                        }
                    }
                    let event = match installer {
                        Installer::Pip if !is_stderr => parse_line(&line, &mut current_file),
                        Installer::Uv(_) if is_stderr => parse_uv_line(&line),
                        _ => None,
                    };
                    if let Some(event) = event {
                        on_event(event);
                    }
                }
                None => break,
            },
            () = &mut cancel => {
                cancelled = true;
                let _ = child.start_kill();
                break;
            }
        }
    }
    let status = child.wait().await.with_context(|| format!("waiting for {tool}"))?;
    let after = read_installed(site_packages).packages;
    let change = Change::between(&before, &after);
    let failure = if cancelled {
        Some(format!("cancelled; {tool} was stopped"))
    } else if status.success() {
        None
    } else if matches!(installer, Installer::Uv(_)) {
        Some(explain_uv_failure(&error_lines, status))
    } else {
        Some(explain_failure(&error_lines, status))
    };
    Ok(PipOutcome { change, failure, cancelled })
}

/// One line of uv's stderr as an event.
fn parse_uv_line(line: &str) -> Option<PipEvent> {
    let trimmed = line.trim();
    if let Some(installed) = trimmed.strip_prefix("+ ") {
        return Some(PipEvent::Step(format!("installed {installed}")));
    }
    if let Some(removed) = trimmed.strip_prefix("- ") {
        return Some(PipEvent::Step(format!("removed {removed}")));
    }
    if let Some(rest) = trimmed.strip_prefix("Downloading ") {
        let name = rest.split_whitespace().next().unwrap_or(rest);
        return Some(PipEvent::Downloading { file: name.to_string(), done: 0, total: None });
    }
    let step = ["Resolved ", "Prepared ", "Installed ", "Uninstalled ", "Audited ", "Built ", "Downloaded "];
    if step.iter().any(|s| trimmed.starts_with(s)) {
        let mut text = trimmed.to_string();
        text[..1].make_ascii_lowercase();
        return Some(PipEvent::Step(text));
    }
    (!trimmed.is_empty()).then(|| PipEvent::Line(trimmed.to_string()))
}

/// uv's reason in one line: its `error:` and the `cause:` lines under it.
fn explain_uv_failure(stderr: &[String], status: std::process::ExitStatus) -> String {
    let start = stderr.iter().position(|l| l.starts_with("error:")).unwrap_or(stderr.len().saturating_sub(3));
    let reason: Vec<&str> = stderr[start..]
        .iter()
        .map(|l| l.trim())
        .map(|l| l.strip_prefix("error:").or_else(|| l.strip_prefix("cause:")).unwrap_or(l).trim())
        .filter(|l| !l.is_empty())
        .collect();
    let reason = if reason.is_empty() { "no error output".to_string() } else { reason.join(": ") };
    format!("uv failed ({status}): {reason}")
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
