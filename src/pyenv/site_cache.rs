//! The cache of what a site-packages directory holds (`$XDG_CACHE_HOME/loupe/env/site-*.json`),
//! invalidated by what changed rather than as a whole:
//!
//! - the directory's modification time decides whether its listing is read again (installs and
//!   uninstalls add and remove `*.dist-info` directories);
//! - each metadata entry is read again when its own stamp changes: the modification time and size
//!   of the entry and of the files read from it (`METADATA`; `PKG-INFO` and `requires.txt` of an
//!   egg-info). Deleting or editing a `METADATA` file is therefore noticed on the next run even
//!   though the directory itself did not change.
//!
//! Entries keep the directory's listing order, which is the order Python finds them in.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::packages::{read_entry, EntryRead, Installed};

/// Bumped when the format changes, so an old cache is read again rather than misread.
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct CachedDir {
    format: u32,
    stamp: String,
    entries: Vec<CachedEntry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct CachedEntry {
    name: String,
    stamp: String,
    read: EntryRead,
}

/// What `dir` holds, reading only what changed since the cached run.
pub fn read_dir_cached(dir: &Path) -> Installed {
    let Some(dir_stamp) = stamp(dir) else { return Installed::default() };
    let file = cache_file(dir);
    let cached =
        fs::read(&file).ok().and_then(|b| serde_json::from_slice::<CachedDir>(&b).ok()).filter(|c| c.format == FORMAT);
    let names: Vec<String> = match &cached {
        Some(c) if c.stamp == dir_stamp => c.entries.iter().map(|e| e.name.clone()).collect(),
        _ => list(dir),
    };
    let previous: HashMap<&str, &CachedEntry> =
        cached.iter().flat_map(|c| c.entries.iter()).map(|e| (e.name.as_str(), e)).collect();
    let mut changed = cached.as_ref().is_none_or(|c| c.stamp != dir_stamp);
    let mut entries = Vec::with_capacity(names.len());
    for name in names {
        let path = dir.join(&name);
        let entry_stamp = entry_stamp(&path);
        match previous.get(name.as_str()) {
            Some(old) if old.stamp == entry_stamp => entries.push((*old).clone()),
            _ => {
                changed = true;
                if let Some(read) = read_entry(&path, dir) {
                    entries.push(CachedEntry { name, stamp: entry_stamp, read });
                }
            }
        }
    }
    let mut installed = Installed::default();
    for entry in &entries {
        match &entry.read {
            EntryRead::Package(p) => installed.packages.push(p.clone()),
            EntryRead::Problem(p) => installed.problems.push(p.clone()),
        }
    }
    if changed {
        let cached = CachedDir { format: FORMAT, stamp: dir_stamp, entries };
        // A cache that cannot be written only costs the next run a directory read.
        if let Ok(bytes) = serde_json::to_vec(&cached) {
            let _ = file.parent().map(fs::create_dir_all).transpose().and_then(|_| fs::write(&file, bytes));
        }
    }
    installed
}

fn cache_file(dir: &Path) -> PathBuf {
    crate::paths::cache_dir()
        .join("env")
        .join(format!("site-{}.json", super::facts::cache_key(&dir.display().to_string())))
}

/// The metadata entries of `dir`, in listing order.
fn list(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".dist-info") || n.ends_with(".egg-info"))
        .collect()
}

/// Modification time and size of `path`; None when it cannot be read.
fn stamp(path: &Path) -> Option<String> {
    let metadata = fs::metadata(path).ok()?;
    let nanos = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some(format!("{nanos}:{}", metadata.len()))
}

/// The stamps of an entry and of the files read from it (`-` for one that is missing).
fn entry_stamp(path: &Path) -> String {
    let files: &[&str] = if path.extension().is_some_and(|e| e == "dist-info") {
        &["METADATA"]
    } else if path.is_dir() {
        &["PKG-INFO", "requires.txt"]
    } else {
        &[]
    };
    let mut out = stamp(path).unwrap_or_else(|| "-".into());
    for file in files {
        out.push('|');
        out.push_str(&stamp(&path.join(file)).unwrap_or_else(|| "-".into()));
    }
    out
}
