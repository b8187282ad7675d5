//! The tests of a pytest run, as pytest itself collects them, and how they last ended: what the
//! TUI's tests overlay lists and runs.
//!
//! Collection is `python -m pytest --collect-only -q ARGS` with the program's own interpreter,
//! working directory, environment and sandbox (collecting imports the user's test modules, which
//! is running their code). The last outcomes are pytest's own record: the `lastfailed` entry of
//! its cache (`.pytest_cache/v/cache/lastfailed`), the same list `pytest --lf` reruns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::ProgramSpec;
use crate::sandbox::{self, PythonProcess, StdioMode};

/// pytest's collection: node ids in pytest's order, and what went wrong collecting, if anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collection {
    pub node_ids: Vec<String>,
    /// pytest's own lines about errors during collection (`ERROR tests/test_x.py`, the exception
    /// line `E   ModuleNotFoundError: ...`) and its summary (`1 error in 0.12s`), when collection
    /// did not go cleanly.
    pub problems: Vec<String>,
    /// The node ids that failed the last time pytest ran them (from its cache).
    pub last_failed: BTreeSet<String>,
}

/// The pytest arguments that choose *what* runs (paths, node ids, `-k`, `-m`, ...), which
/// collection must see too; everything is passed, as pytest ignores run-only options when it
/// only collects.
pub async fn collect(program: &ProgramSpec, mut progress: impl FnMut(usize)) -> anyhow::Result<Collection> {
    let mut args: Vec<String> = vec!["-m".into(), "pytest".into(), "--collect-only".into(), "-q".into()];
    // Colour codes and the progress bar would only be in the way of reading the ids.
    args.extend(["--color=no".into(), "-p".into(), "no:sugar".into()]);
    args.extend(program.args.iter().cloned());
    let mut process = PythonProcess::new(&program.interpreter.path, args);
    process.cwd = Some(program.cwd.clone());
    process.sandbox = program.sandbox.clone();
    for (name, value) in &program.env {
        process.env.insert(name.into(), value.into());
    }
    process.remove_env.extend(program.unset_env.iter().map(Into::into));
    process.stdin = StdioMode::Null;
    process.stdout = StdioMode::Piped;
    process.stderr = StdioMode::Piped;
    let mut child = sandbox::spawn(&process).context("starting pytest to collect the tests")?;
    let stdout = child.stdout.take().context("pytest's output")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut output = Vec::new();
    let mut seen = 0;
    while let Some(line) = lines.next_line().await.context("reading pytest's output")? {
        if is_node_id(&line) {
            seen += 1;
            progress(seen);
        }
        output.push(line);
    }
    let finished = child.wait_with_output().await.context("waiting for pytest")?;
    let stderr = String::from_utf8_lossy(&finished.stderr);
    let mut collection = parse(&output);
    // 0: collected; 5: nothing matched. Anything else with no tests is a failure to explain.
    let code = finished.status.code();
    if collection.node_ids.is_empty() && !matches!(code, Some(0 | 5)) {
        let mut reason: Vec<&str> = collection.problems.iter().map(String::as_str).collect();
        reason.extend(stderr.lines().filter(|l| !l.trim().is_empty()).take(5));
        if reason.is_empty() {
            reason.extend(output.iter().rev().take(5).map(String::as_str));
        }
        bail!("pytest could not collect the tests (exit status {code:?}): {}", reason.join(" | "));
    }
    collection.last_failed = last_failed(&program.cwd);
    Ok(collection)
}

/// A line of `--collect-only -q` output that names a test (`path::name[params]`).
fn is_node_id(line: &str) -> bool {
    !line.starts_with(' ') && !line.starts_with('=') && !line.starts_with("ERROR") && line.contains("::")
}

/// Reads `pytest --collect-only -q` output.
pub fn parse(lines: &[String]) -> Collection {
    let mut collection = Collection::default();
    for line in lines {
        if is_node_id(line) {
            collection.node_ids.push(line.trim_end().to_string());
        } else if line.starts_with("ERROR ") || line.starts_with("E   ") || is_error_summary(line) {
            collection.problems.push(line.trim_matches(|c: char| c == '=' || c.is_whitespace()).to_string());
        }
    }
    collection
}

/// pytest's last line when collection had errors: `1 error in 0.05s`, `3 tests collected, 1 error
/// in 0.10s` (possibly between `=` rules).
fn is_error_summary(line: &str) -> bool {
    let text = line.trim_matches(|c: char| c == '=' || c.is_whitespace());
    text.contains(" error") && text.contains(" in ") && text.ends_with('s')
}

/// pytest's record of the tests that failed when last run: `.pytest_cache/v/cache/lastfailed` in
/// the nearest directory at or above `cwd` that has one (pytest keeps it at its rootdir).
pub fn last_failed(cwd: &Path) -> BTreeSet<String> {
    let Some(file) = cwd.ancestors().map(|d| d.join(".pytest_cache/v/cache/lastfailed")).find(|f| f.is_file()) else {
        return BTreeSet::new();
    };
    let root: PathBuf = file.ancestors().nth(4).map(Path::to_path_buf).unwrap_or_default();
    let Ok(text) = std::fs::read_to_string(&file) else { return BTreeSet::new() };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text) else {
        tracing::debug!("unreadable pytest cache {}", file.display());
        return BTreeSet::new();
    };
    // Node ids in the cache are relative to pytest's rootdir; collection prints them relative to
    // the working directory. Re-root them when the two differ.
    let prefix =
        cwd.strip_prefix(&root).ok().filter(|p| !p.as_os_str().is_empty()).map(|p| format!("{}/", p.display()));
    map.keys()
        .map(|id| match &prefix {
            Some(prefix) => id.strip_prefix(prefix.as_str()).unwrap_or(id).to_string(),
            None => id.clone(),
        })
        .collect()
}

/// The file part of a node id (`tests/test_shop.py::test_total[1]` → `tests/test_shop.py`).
pub fn node_file(node_id: &str) -> &str {
    node_id.split("::").next().unwrap_or(node_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn collect_only_output_gives_node_ids_in_order() {
        let out = lines(
            "tests/test_a.py::test_one\ntests/test_a.py::TestX::test_two[1-2]\ntests/test_b.py::test_three\n\n3 tests collected in 0.01s\n",
        );
        let c = parse(&out);
        assert_eq!(
            c.node_ids,
            ["tests/test_a.py::test_one", "tests/test_a.py::TestX::test_two[1-2]", "tests/test_b.py::test_three"]
        );
        assert!(c.problems.is_empty());
    }

    #[test]
    fn collection_errors_are_kept_in_pytests_words() {
        let out = lines(
            "tests/test_a.py::test_one\n\n==================================== ERRORS ====================================\n\
             _______________ ERROR collecting tests/test_bad.py _______________\n\
             tests/test_bad.py:1: in <module>\n    import nothing_here\nE   ModuleNotFoundError: No module named 'nothing_here'\n\
             =========================== short test summary info ============================\n\
             ERROR tests/test_bad.py\n!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!\n\
             1 test collected, 1 error in 0.08s\n",
        );
        let c = parse(&out);
        assert_eq!(c.node_ids, ["tests/test_a.py::test_one"]);
        assert_eq!(
            c.problems,
            [
                "E   ModuleNotFoundError: No module named 'nothing_here'",
                "ERROR tests/test_bad.py",
                "1 test collected, 1 error in 0.08s"
            ]
        );
    }

    #[test]
    fn last_failed_is_read_from_pytests_cache_and_rerooted() {
        let root = tempfile::tempdir().unwrap();
        let cache = root.path().join(".pytest_cache/v/cache");
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::write(cache.join("lastfailed"), r#"{"sub/tests/test_a.py::test_one": true, "other.py::t": true}"#)
            .unwrap();
        let failed = last_failed(root.path());
        assert!(failed.contains("sub/tests/test_a.py::test_one") && failed.contains("other.py::t"));
        let sub = root.path().join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        assert!(last_failed(&sub).contains("tests/test_a.py::test_one"));
        assert!(last_failed(Path::new("/nonexistent/dir")).is_empty());
        assert_eq!(node_file("a/b.py::C::t[x::y]"), "a/b.py");
    }
}
