//! The layer map made executable. `src/lib.rs` lists each top-level module with the modules it may
//! use ("Uses: a, b."); this test reads that list (so the allowed edges are written once, where a
//! reader looks for them) and every source file under `src/`, and fails on any reference from one
//! module to another its entry does not allow — through `crate::`, a `use crate::{…}` group, or a
//! `super::` chain that climbs out of the module. A module missing from the map fails too.
//!
//! The checker itself is tested on a fixture crate with known violations
//! (`tests/fixtures/architecture`), so a broken checker cannot pass silently.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module name → the modules it may use.
type LayerMap = BTreeMap<String, BTreeSet<String>>;

/// The map in the doc comment of `lib`: entries `//! - [`name`]: … Uses: a, b.` (the "Uses:"
/// part may run over the entry's following lines; "Uses: nothing." allows none).
fn layer_map(lib: &str) -> Result<LayerMap, String> {
    let mut map = LayerMap::new();
    let mut entry: Option<(String, String)> = None;
    let finish = |entry: Option<(String, String)>, map: &mut LayerMap| -> Result<(), String> {
        let Some((name, text)) = entry else { return Ok(()) };
        let uses = text.split_once("Uses:").ok_or_else(|| format!("the entry for `{name}` has no \"Uses:\""))?.1;
        let uses = uses.split('.').next().unwrap_or("");
        let allowed = uses
            .split(',')
            .map(|m| m.trim().trim_matches('`').to_string())
            .filter(|m| !m.is_empty() && m != "nothing")
            .collect();
        map.insert(name, allowed);
        Ok(())
    };
    for line in lib.lines() {
        let Some(doc) = line.strip_prefix("//!") else { continue };
        let doc = doc.trim();
        if let Some(rest) = doc.strip_prefix("- [`") {
            finish(entry.take(), &mut map)?;
            let name = rest.split('`').next().unwrap_or("").to_string();
            entry = Some((name, rest.to_string()));
        } else if doc.is_empty() {
            finish(entry.take(), &mut map)?;
        } else if let Some((_, text)) = &mut entry {
            text.push(' ');
            text.push_str(doc);
        }
    }
    finish(entry, &mut map)?;
    Ok(map)
}

/// One line of `source` without comments and string literals (whose text is not code).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&chars, i) {
            // A raw string: r"…", r#"…"#, …
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let closing: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let rest: String = chars[j..].iter().collect();
            let end = rest.find(&closing).map_or(chars.len(), |e| j + rest[..e].chars().count() + closing.len());
            i = end;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The top-level modules a file refers to, with the line of each reference. `module_path` is
/// the file's own module path (`["tui", "app"]` for src/tui/app/mod.rs or src/tui/app.rs).
fn references(source: &str, module_path: &[String]) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    // Line by line, so every reference has its line; a block comment or string spanning lines is
    // rare in imports, and `code_only` on each line handles the one-line forms.
    let mut in_block_comment = false;
    for (n, raw) in source.lines().enumerate() {
        let mut line = raw.to_string();
        if in_block_comment {
            match line.find("*/") {
                Some(end) => {
                    line = line[end + 2..].to_string();
                    in_block_comment = false;
                }
                None => continue,
            }
        }
        if let Some(start) = line.find("/*") {
            if !line[start..].contains("*/") {
                in_block_comment = true;
                line.truncate(start);
            }
        }
        let code = code_only(&line);
        for (at, _) in code.match_indices("crate::") {
            if prev_is_ident(&code.chars().collect::<Vec<_>>(), code[..at].chars().count()) {
                continue; // `loupe_crate::` or the like
            }
            let rest = &code[at + "crate::".len()..];
            for module in first_segments(rest) {
                found.push((module, n + 1));
            }
        }
        for (at, _) in code.match_indices("super::") {
            if code[..at].ends_with("super::")
                || prev_is_ident(&code.chars().collect::<Vec<_>>(), code[..at].chars().count())
            {
                continue; // counted from the first `super::` of the chain
            }
            let mut rest = &code[at..];
            let mut up = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                up += 1;
                rest = r;
            }
            // `super` from module a::b is a: climbing out of the top-level module lands at the root.
            if up >= module_path.len() {
                for module in first_segments(rest) {
                    found.push((module, n + 1));
                }
            }
        }
    }
    found
}

/// The first path segment of `rest` (`tui::app` → tui), or of each path in a `{…}` group.
fn first_segments(rest: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let Some(group) = rest.strip_prefix('{') else {
        let name = ident(rest);
        return if name.is_empty() { Vec::new() } else { vec![name] };
    };
    // Top-level items of the group, nested braces skipped.
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.into_iter().map(|item| ident(item.trim())).filter(|n| !n.is_empty() && n != "self").collect()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The module path of a file under `src`: src/tui/app/mod.rs and src/tui/app.rs are tui::app.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// Every reference in the crate at `root` that its layer map forbids, as `file:line: message`.
fn violations(root: &Path) -> Result<Vec<String>, String> {
    let src = root.join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).map_err(|e| format!("src/lib.rs: {e}"))?;
    let map = layer_map(&lib)?;
    if map.is_empty() {
        return Err("src/lib.rs has no layer map (`//! - [`name`]: … Uses: …` entries)".into());
    }
    let mut problems = Vec::new();
    for file in rust_files(&src) {
        let path = module_path(&src, &file);
        let Some(module) = path.first() else { continue }; // lib.rs, main.rs: the root uses all
        let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
        let Some(allowed) = map.get(module) else {
            problems.push(format!("{shown}: module `{module}` is not in src/lib.rs's layer map"));
            continue;
        };
        let source = std::fs::read_to_string(&file).map_err(|e| format!("{shown}: {e}"))?;
        for (used, line) in references(&source, &path) {
            if used != *module && map.contains_key(&used) && !allowed.contains(&used) {
                problems.push(format!("{shown}:{line}: `{module}` uses `{used}`, which src/lib.rs does not allow it"));
            }
        }
    }
    Ok(problems)
}

#[test]
fn the_layer_map_holds() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let problems = violations(&root).unwrap();
    assert!(problems.is_empty(), "imports against the layer map in src/lib.rs:\n{}", problems.join("\n"));
}

#[test]
fn the_checker_finds_forbidden_imports_in_a_fixture() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/architecture");
    let problems = violations(&root).unwrap();
    assert_eq!(
        problems,
        [
            "src/low.rs:2: `low` uses `high`, which src/lib.rs does not allow it",
            "src/mid/mod.rs:8: `mid` uses `high`, which src/lib.rs does not allow it",
        ],
        "comments, strings and `super::` inside a module are not imports; the rest are found"
    );
}

#[test]
fn the_map_is_read_from_the_doc() {
    let map = layer_map(
        "//! - [`a`]: top.\n//!   Uses: b, c.\n//! - [`b`]: middle, with a long\n//!   description. Uses: c.\n//! - [`c`]: Uses: nothing.\n",
    )
    .unwrap();
    let names = |m: &str| map[m].iter().cloned().collect::<Vec<_>>();
    assert_eq!(names("a"), ["b", "c"]);
    assert_eq!(names("b"), ["c"]);
    assert!(names("c").is_empty());
    assert!(layer_map("//! - [`a`]: no uses here.\n").is_err(), "an entry without Uses: is an error");
}
