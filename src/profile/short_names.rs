//! Shorter file names for the SVG's frame labels: standard-library files relative to their
//! `lib/pythonX.Y`, installed packages relative to their `site-packages`, the program's own files
//! relative to the directory loupe runs in. Tracebacks-style absolute paths repeated in every
//! frame's title and text made most of the bytes of a flamegraph (and of the text inferno parses).
//!
//! Only the SVG uses them: folded stacks, speedscope and the flame view keep the full names (the
//! flame view's jump to source needs them). A short name is used only when no other file of the
//! profile shortens to the same text, so a label never becomes ambiguous.

use std::fmt::Write as _;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::pstats::Profile;

/// The label of each function for the SVG (`name (file:line)` with the file shortened where
/// that is unambiguous), for the functions `wanted` says; others get an empty string.
pub fn svg_labels(profile: &Profile, wanted: &[bool], base: Option<&Path>) -> Vec<String> {
    let base = base.and_then(|b| b.to_str()).map(|b| b.trim_end_matches('/'));
    // The file each wanted function's label shows, decided once per distinct file (a profile has
    // far fewer files than functions): its short name, or the full name when another file of the
    // profile shortens to the same text.
    let mut short_of: FxHashMap<&str, &str> = FxHashMap::default();
    // Which full file name each short name stands for; `None` once two files claim it.
    let mut claimed: FxHashMap<&str, Option<&str>> = FxHashMap::default();
    for (f, function) in profile.functions.iter().enumerate() {
        if !wanted[f] || function.key.is_builtin() {
            continue;
        }
        let full = function.key.file.as_str();
        if short_of.contains_key(full) {
            continue;
        }
        let short = shorten(full, base);
        short_of.insert(full, short);
        claimed.entry(short).and_modify(|owner| *owner = owner.filter(|&o| o == full)).or_insert(Some(full));
    }
    profile
        .functions
        .iter()
        .enumerate()
        .map(|(f, function)| {
            if !wanted[f] {
                return String::new();
            }
            let key = &function.key;
            let label = if key.is_builtin() {
                key.name.clone()
            } else {
                let full = key.file.as_str();
                let short = short_of[full];
                let file = if claimed[short].is_some() { short } else { full };
                let mut label = String::with_capacity(key.name.len() + file.len() + 14);
                write!(label, "{} ({}:{})", key.name, file, key.line).expect("writing to a String");
                label
            };
            super::folded::clean_label(label)
        })
        .collect()
}

/// `json/decoder.py` for `/…/lib/python3.11/json/decoder.py`, `requests/api.py` for
/// `/…/site-packages/requests/api.py`, `app/main.py` for `BASE/app/main.py`; else `file` as is.
/// `file` shortened: inside `site-packages` or the standard library from there, else relative
/// to `base` when under it, else as it is. The memory flamegraph names its files the same way.
pub(crate) fn shorten<'a>(file: &'a str, base: Option<&str>) -> &'a str {
    for marker in ["/site-packages/", "/dist-packages/"] {
        if let Some(at) = file.rfind(marker) {
            return nonempty(&file[at + marker.len()..], file);
        }
    }
    if let Some(rest) = stdlib_relative(file) {
        return nonempty(rest, file);
    }
    if let Some(base) = base.filter(|b| !b.is_empty()) {
        if let Some(rest) = file.strip_prefix(base).and_then(|r| r.strip_prefix('/')) {
            return nonempty(rest, file);
        }
    }
    file
}

/// The part after `lib/python3.X/` of a standard-library file.
fn stdlib_relative(file: &str) -> Option<&str> {
    let at = file.find("/lib/python3")?;
    let rest = &file[at + "/lib/".len()..];
    let slash = rest.find('/')?;
    Some(&rest[slash + 1..])
}

fn nonempty<'a>(short: &'a str, full: &'a str) -> &'a str {
    if short.is_empty() {
        full
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::pstats::{Figures, Function, FunctionKey};

    fn profile(files: &[&str]) -> Profile {
        let functions = files
            .iter()
            .enumerate()
            .map(|(i, file)| Function {
                key: FunctionKey { file: file.to_string(), line: i as u32 + 1, name: format!("f{i}") },
                figures: Figures::default(),
                callers: Vec::new(),
                callees: Vec::new(),
            })
            .collect();
        Profile { functions, samples: None }
    }

    #[test]
    fn library_and_project_files_lose_their_roots() {
        let p = profile(&[
            "/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py",
            "/v/lib/python3.11/site-packages/requests/api.py",
            "/home/me/project/app/main.py",
            "/elsewhere/tool.py",
            "~",
        ]);
        let labels = svg_labels(&p, &[true; 5], Some(Path::new("/home/me/project")));
        assert_eq!(labels[0], "f0 (json/decoder.py:1)");
        assert_eq!(labels[1], "f1 (requests/api.py:2)");
        assert_eq!(labels[2], "f2 (app/main.py:3)");
        assert_eq!(labels[3], "f3 (/elsewhere/tool.py:4)");
        assert_eq!(labels[4], "f4");
    }

    #[test]
    fn names_that_would_collide_stay_whole() {
        // The project has its own json/decoder.py: neither it nor the stdlib one is shortened.
        let p = profile(&[
            "/usr/lib/python3.12/json/decoder.py",
            "/home/me/project/json/decoder.py",
            "/home/me/project/app.py",
        ]);
        let labels = svg_labels(&p, &[true, true, true], Some(Path::new("/home/me/project")));
        assert_eq!(labels[0], "f0 (/usr/lib/python3.12/json/decoder.py:1)");
        assert_eq!(labels[1], "f1 (/home/me/project/json/decoder.py:2)");
        assert_eq!(labels[2], "f2 (app.py:3)");
        // Functions not wanted get no label (and take no part in collisions).
        let labels = svg_labels(&p, &[true, false, false], Some(Path::new("/home/me/project")));
        assert_eq!(labels, ["f0 (json/decoder.py:1)", "", ""]);
    }
}
