//! The sandbox policy: what the user asked for (`off`, `standard`, `strict` and the limits),
//! merged from the config file's `[sandbox]` table and the command line, resolved into the
//! settings every Python process of a run is started with.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use serde::{Deserialize, Serialize};

/// How much confinement a run gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// No confinement beyond a session of its own (the way loupe ran programs before).
    Off,
    /// What a user debugging their own script expects: no network, no access to the rest of the
    /// home directory, a reduced environment, generous limits.
    #[default]
    Standard,
    /// Standard, plus a read-only working directory and tighter limits.
    Strict,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Standard => "standard",
            Level::Strict => "strict",
        }
    }
}

/// What kind of run the policy is for: debugging sessions last as long as the user likes, so
/// they get no wall-clock or CPU limit by default; `exec` and `tool` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Debug,
    Exec,
}

/// Settings as given (config file or flags): everything optional, merged field by field.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyOverrides {
    pub level: Option<Level>,
    pub timeout: Option<f64>,
    pub cpu: Option<u64>,
    pub memory: Option<u64>,
    pub max_procs: Option<u64>,
    pub max_file_size: Option<u64>,
    pub max_output: Option<u64>,
    pub allow_network: Option<bool>,
    #[serde(default)]
    pub allow_read: Vec<PathBuf>,
    #[serde(default)]
    pub allow_write: Vec<PathBuf>,
    #[serde(default)]
    pub env: Vec<String>,
}

impl PolicyOverrides {
    /// `later` wins for single values; lists add up.
    pub fn merged_with(mut self, later: PolicyOverrides) -> PolicyOverrides {
        self.level = later.level.or(self.level);
        self.timeout = later.timeout.or(self.timeout);
        self.cpu = later.cpu.or(self.cpu);
        self.memory = later.memory.or(self.memory);
        self.max_procs = later.max_procs.or(self.max_procs);
        self.max_file_size = later.max_file_size.or(self.max_file_size);
        self.max_output = later.max_output.or(self.max_output);
        self.allow_network = later.allow_network.or(self.allow_network);
        self.allow_read.extend(later.allow_read);
        self.allow_write.extend(later.allow_write);
        self.env.extend(later.env);
        self
    }
}

/// One `--env` entry: pass the variable through from loupe's environment, or set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvRule {
    pub name: String,
    pub value: Option<String>,
}

impl EnvRule {
    pub fn parse(text: &str) -> anyhow::Result<EnvRule> {
        let (name, value) = match text.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (text, None),
        };
        if name.is_empty() || name.contains('\0') {
            bail!("--env {text:?}: expected NAME or NAME=VALUE");
        }
        Ok(EnvRule { name: name.to_string(), value })
    }
}

/// The resolved policy: what every process of a run is started with (before the machine's
/// capabilities decide what can actually be enforced).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub level: Level,
    /// Wall-clock limit, seconds.
    pub timeout: Option<f64>,
    /// CPU time limit, seconds.
    pub cpu: Option<u64>,
    /// Memory limit, MB.
    pub memory_mb: Option<u64>,
    pub max_procs: Option<u64>,
    pub max_file_size_mb: Option<u64>,
    pub max_output_mb: Option<u64>,
    pub allow_network: bool,
    pub allow_read: Vec<PathBuf>,
    pub allow_write: Vec<PathBuf>,
    pub env: Vec<EnvRule>,
    /// Whether the project and working directory are writable (not in strict mode).
    pub project_writable: bool,
}

impl Policy {
    /// The defaults of `level` for `purpose`, before overrides.
    pub fn defaults(level: Level, purpose: Purpose) -> Policy {
        let exec = purpose == Purpose::Exec;
        match level {
            Level::Off => Policy {
                level,
                timeout: None,
                cpu: None,
                memory_mb: None,
                max_procs: None,
                max_file_size_mb: None,
                max_output_mb: None,
                allow_network: true,
                allow_read: Vec::new(),
                allow_write: Vec::new(),
                env: Vec::new(),
                project_writable: true,
            },
            Level::Standard => Policy {
                level,
                timeout: exec.then_some(60.0),
                cpu: exec.then_some(60),
                memory_mb: Some(512),
                max_procs: Some(64),
                max_file_size_mb: Some(64),
                max_output_mb: exec.then_some(16),
                allow_network: false,
                allow_read: Vec::new(),
                allow_write: Vec::new(),
                env: Vec::new(),
                project_writable: true,
            },
            Level::Strict => Policy {
                level,
                timeout: exec.then_some(10.0),
                cpu: exec.then_some(10),
                memory_mb: Some(256),
                max_procs: Some(16),
                max_file_size_mb: Some(8),
                max_output_mb: exec.then_some(4),
                allow_network: false,
                allow_read: Vec::new(),
                allow_write: Vec::new(),
                env: Vec::new(),
                project_writable: false,
            },
        }
    }

    /// The level's defaults with `overrides` applied. A limit of 0 means "no limit".
    pub fn resolve(overrides: &PolicyOverrides, purpose: Purpose) -> anyhow::Result<Policy> {
        let level = overrides.level.unwrap_or_default();
        let mut policy = Policy::defaults(level, purpose);
        if let Some(t) = overrides.timeout {
            if !t.is_finite() || t < 0.0 {
                bail!("--timeout {t}: expected a number of seconds (0 for no limit)");
            }
            policy.timeout = (t > 0.0).then_some(t);
        }
        let nonzero = |v: Option<u64>, current: Option<u64>| match v {
            Some(0) => None,
            Some(v) => Some(v),
            None => current,
        };
        policy.cpu = nonzero(overrides.cpu, policy.cpu);
        policy.memory_mb = nonzero(overrides.memory, policy.memory_mb);
        policy.max_procs = nonzero(overrides.max_procs, policy.max_procs);
        policy.max_file_size_mb = nonzero(overrides.max_file_size, policy.max_file_size_mb);
        policy.max_output_mb = nonzero(overrides.max_output, policy.max_output_mb);
        if let Some(n) = overrides.allow_network {
            policy.allow_network = n || level == Level::Off;
        }
        for path in &overrides.allow_read {
            policy.allow_read.push(absolute(path, "--allow-read")?);
        }
        for path in &overrides.allow_write {
            policy.allow_write.push(absolute(path, "--allow-write")?);
        }
        for e in &overrides.env {
            policy.env.push(EnvRule::parse(e)?);
        }
        Ok(policy)
    }

    pub fn is_off(&self) -> bool {
        self.level == Level::Off
    }
}

fn absolute(path: &std::path::Path, flag: &str) -> anyhow::Result<PathBuf> {
    let absolute = std::path::absolute(path).with_context(|| format!("{flag} {}", path.display()))?;
    if !absolute.exists() {
        return Err(anyhow!("{flag} {}: no such file or directory", path.display()));
    }
    Ok(absolute)
}

/// Reads the `[sandbox]` table of loupe's config file (`$XDG_CONFIG_HOME/loupe/config.toml`);
/// a missing file or table is no settings. A malformed table is an error naming the file, so a
/// typo never silently weakens (or strengthens) the sandbox.
pub fn config_file_overrides() -> anyhow::Result<PolicyOverrides> {
    let path = crate::paths::config_dir().join("config.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(PolicyOverrides::default()),
        Err(e) => return Err(anyhow!("cannot read {}: {e}", path.display())),
    };
    overrides_from_toml(&text).with_context(|| format!("{}: [sandbox]", path.display()))
}

/// The `[sandbox]` table of a config file's text.
pub fn overrides_from_toml(text: &str) -> anyhow::Result<PolicyOverrides> {
    let table: toml::Table = toml::from_str(text).context("not valid TOML")?;
    match table.get("sandbox") {
        None => Ok(PolicyOverrides::default()),
        Some(value) => {
            let overrides: PolicyOverrides = value.clone().try_into().map_err(|e| anyhow!("{e}"))?;
            Ok(overrides)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_config_file_and_lists_add_up() {
        let file =
            overrides_from_toml("theme = 'dark'\n[sandbox]\nlevel = 'strict'\nmemory = 128\nallow-read = ['/tmp']\n")
                .unwrap();
        let flags = PolicyOverrides { memory: Some(64), allow_read: vec!["/".into()], ..Default::default() };
        let merged = file.merged_with(flags);
        let policy = Policy::resolve(&merged, Purpose::Exec).unwrap();
        assert_eq!(policy.level, Level::Strict);
        assert_eq!(policy.memory_mb, Some(64));
        assert_eq!(policy.allow_read, [PathBuf::from("/tmp"), PathBuf::from("/")]);
        assert!(!policy.project_writable);
    }

    #[test]
    fn zero_means_no_limit_and_debugging_has_no_clock() {
        let overrides = PolicyOverrides { memory: Some(0), ..Default::default() };
        let policy = Policy::resolve(&overrides, Purpose::Debug).unwrap();
        assert_eq!(policy.memory_mb, None);
        assert_eq!(policy.timeout, None);
        assert_eq!(policy.max_procs, Some(64));
    }

    #[test]
    fn bad_settings_are_named() {
        let error = overrides_from_toml("[sandbox]\nnetwork = true\n").unwrap_err();
        assert!(format!("{error:#}").contains("unknown field `network`"), "{error:#}");
        let error = EnvRule::parse("=x").unwrap_err();
        assert!(error.to_string().contains("NAME or NAME=VALUE"));
        let error = Policy::resolve(
            &PolicyOverrides { allow_write: vec!["/nonexistent/x".into()], ..Default::default() },
            Purpose::Exec,
        )
        .unwrap_err();
        assert!(error.to_string().contains("--allow-write /nonexistent/x: no such file"), "{error}");
    }
}
