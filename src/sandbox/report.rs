//! The `Enforced` report: what was actually in force for a run, mechanism by mechanism, and
//! what was asked for but could not be enforced on this machine (and why). Shown by the TUI's
//! status bar (short form), `loupe exec --json` and `loupe sandbox check`.

use serde::Serialize;

use super::policy::Level;

/// One protection: in force or not, by which mechanism, or why not.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Mechanism {
    pub enforced: bool,
    /// How (when enforced) or why not (when not).
    pub detail: String,
}

impl Mechanism {
    pub fn on(detail: impl Into<String>) -> Mechanism {
        Mechanism { enforced: true, detail: detail.into() }
    }
    pub fn off(detail: impl Into<String>) -> Mechanism {
        Mechanism { enforced: false, detail: detail.into() }
    }
}

/// Limits in force, with the mechanism behind each.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Limits {
    pub timeout_s: Option<f64>,
    pub cpu_s: Option<u64>,
    pub memory_mb: Option<u64>,
    pub max_procs: Option<u64>,
    pub max_file_size_mb: Option<u64>,
    pub max_output_mb: Option<u64>,
    /// `memory: rlimit AS + cgroup v1`, ... one line per limit.
    pub how: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Enforced {
    pub level: Level,
    /// A new session: no controlling terminal, own process group.
    pub session: Mechanism,
    /// Everything the program started dies with it.
    pub process_tree: Mechanism,
    pub network: Mechanism,
    pub filesystem: Mechanism,
    pub syscalls: Mechanism,
    pub environment: Mechanism,
    pub limits: Limits,
    /// Protections asked for that this machine cannot give, in words.
    pub not_enforced: Vec<String>,
    /// What the protections mean for this run that the user should know before it fails on it
    /// (a script directly in the home directory is readable, its neighbours are not).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Enforced {
    /// The status bar's short form: `sandbox: standard (net off, fs, 512 MB)`.
    pub fn summary(&self) -> String {
        if self.level == Level::Off {
            return "sandbox: off".into();
        }
        let mut parts = Vec::new();
        parts.push(if self.network.enforced { "net off" } else { "net on" }.to_string());
        if self.filesystem.enforced {
            parts.push("fs".into());
        }
        if self.process_tree.enforced {
            parts.push("pidns".into());
        }
        if let Some(m) = self.limits.memory_mb {
            parts.push(format!("{m} MB"));
        }
        if !self.not_enforced.is_empty() {
            parts.push(format!("{} missing", self.not_enforced.len()));
        }
        format!("sandbox: {} ({})", self.level.name(), parts.join(", "))
    }

    /// Several lines for humans (`loupe sandbox check`).
    pub fn to_text(&self) -> String {
        let mut out = format!("sandbox level: {}\n", self.level.name());
        let rows = [
            ("session", &self.session),
            ("process tree", &self.process_tree),
            ("network", &self.network),
            ("file system", &self.filesystem),
            ("system calls", &self.syscalls),
            ("environment", &self.environment),
        ];
        for (name, m) in rows {
            let mark = if m.enforced { "yes" } else { "NO " };
            out.push_str(&format!("  {mark} {name:<13} {}\n", m.detail));
        }
        out.push_str("  limits:\n");
        for line in &self.limits.how {
            out.push_str(&format!("      {line}\n"));
        }
        for note in &self.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
        if !self.not_enforced.is_empty() {
            out.push_str("  not enforced on this machine:\n");
            for line in &self.not_enforced {
                out.push_str(&format!("      {line}\n"));
            }
        }
        out
    }
}
