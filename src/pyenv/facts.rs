//! What only running an interpreter can tell (its `sys.path`, site-packages directories, exact
//! version), asked once and cached in `$XDG_CACHE_HOME/loupe/env/` keyed by the executable's and
//! `pyvenv.cfg`'s identity (path, size, modification time), so `loupe env` and the TUI's pane
//! answer in milliseconds after the first time.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{anyhow, Context};
use serde::{Deserialize, Serialize};

use super::discover::Found;
use crate::sandbox::{self, PythonProcess, StdioMode};

/// Facts of one interpreter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub executable: PathBuf,
    pub version: String,
    pub implementation: String,
    pub implementation_version: String,
    pub prefix: PathBuf,
    pub base_prefix: PathBuf,
    /// Where packages are installed, in import order (user site included when enabled).
    pub site_packages: Vec<PathBuf>,
    /// `sys.path` of `python -c` run in no particular directory (PYTHONPATH included).
    pub sys_path: Vec<PathBuf>,
    /// `PYTHONPATH` as loupe saw it.
    pub pythonpath: Option<String>,
}

/// Isolated from the user's current directory but not from PYTHONPATH or site (the answer must
/// be what a program sees). Runs on every Python 3 this project supports.
const FACTS_CODE: &str = r#"
import json, os, site, sys
dirs = []
try:
    dirs.extend(site.getsitepackages())
except AttributeError:  # virtualenv's old site.py
    pass
if site.ENABLE_USER_SITE and os.path.isdir(site.getusersitepackages()):
    dirs.append(site.getusersitepackages())
for p in sys.path:
    if p.endswith(("site-packages", "dist-packages")) and p not in dirs:
        dirs.append(p)
impl = sys.implementation
v = impl.version
print(json.dumps({
    "executable": sys.executable,
    "version": "%d.%d.%d" % sys.version_info[:3],
    "implementation": impl.name,
    "implementation_version": "%d.%d.%d" % (v.major, v.minor, v.micro),
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "site_packages": [d for d in dirs if os.path.isdir(d)],
    "sys_path": [p for p in sys.path if p],
    "pythonpath": os.environ.get("PYTHONPATH"),
}))
"#;

/// The facts of `executable`, from the cache when its files have not changed since.
pub async fn facts(executable: &Path) -> anyhow::Result<Facts> {
    let key = identity(executable);
    let cache_file = key.as_ref().map(|k| cache_dir().join(format!("{}.json", cache_key(k))));
    if let Some(file) = &cache_file {
        if let Ok(text) = std::fs::read_to_string(file) {
            if let Ok(cached) = serde_json::from_str::<Cached>(&text) {
                if Some(&cached.identity) == key.as_ref() && std::env::var("PYTHONPATH").ok() == cached.facts.pythonpath
                {
                    return Ok(cached.facts);
                }
            }
        }
    }
    let facts = run_probe(executable).await?;
    if let (Some(file), Some(identity)) = (cache_file, key) {
        let cached = Cached { identity, facts: facts.clone() };
        // A cache that cannot be written only costs the next run a probe.
        let _ = std::fs::create_dir_all(cache_dir())
            .and_then(|()| std::fs::write(&file, serde_json::to_vec(&cached).unwrap_or_default()));
    }
    Ok(facts)
}

/// Fills in the versions discovery could not read from files, probing those interpreters (in
/// parallel, cached). An interpreter that fails to run gets a `problem` instead.
pub async fn fill_versions(found: &mut [Found]) {
    let unknown: Vec<usize> =
        (0..found.len()).filter(|&i| found[i].version.is_none() && found[i].problem.is_none()).collect();
    let probes = unknown.iter().map(|&i| {
        let path = found[i].path.clone();
        async move { facts(&path).await }
    });
    let results = futures_util::future::join_all(probes).await;
    for (i, result) in unknown.into_iter().zip(results) {
        match result {
            Ok(f) => {
                found[i].version = Some(f.version);
                found[i].implementation = f.implementation;
            }
            Err(e) => found[i].problem = Some(format!("{e:#}")),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Cached {
    identity: String,
    facts: Facts,
}

fn cache_dir() -> PathBuf {
    crate::paths::cache_dir().join("env")
}

/// Path, size and modification time of the executable (symlinks followed) and of the
/// environment's `pyvenv.cfg`: what changes when the interpreter or the environment is replaced.
fn identity(executable: &Path) -> Option<String> {
    let stamp = |p: &Path| {
        std::fs::metadata(p).ok().map(|m| {
            let modified = m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).unwrap_or_default();
            format!("{}:{}:{}", p.display(), m.len(), modified.as_nanos())
        })
    };
    let mut id = stamp(executable)?;
    if let Some(cfg) = executable.parent().and_then(Path::parent).map(|p| p.join("pyvenv.cfg")) {
        if let Some(s) = stamp(&cfg) {
            id.push('|');
            id.push_str(&s);
        }
    }
    Some(id)
}

/// A cache file name for a key (FNV-1a: not a security boundary).
pub(crate) fn cache_key(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

async fn run_probe(executable: &Path) -> anyhow::Result<Facts> {
    let mut process = PythonProcess::new(executable, ["-c", FACTS_CODE]);
    process.stdin = StdioMode::Null;
    process.cwd = Some(std::env::temp_dir());
    let child = sandbox::spawn(&process)?;
    let output = tokio::time::timeout(super::interpreter::PROBE_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| {
            anyhow!("{} did not answer within {} s", executable.display(), super::interpreter::PROBE_TIMEOUT.as_secs())
        })?
        .with_context(|| format!("running {}", executable.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no error output");
        return Err(anyhow!("{} does not run ({}): {last}", executable.display(), output.status));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap_or("");
    serde_json::from_str(line)
        .with_context(|| format!("{} did not describe itself (is it Python 3.8 or newer?)", executable.display()))
}
