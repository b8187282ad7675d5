//! Finding the Python files under the given paths (honouring .gitignore, like ripgrep) and
//! analysing them in parallel, each failure recorded against its file.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::report::{FileError, FileReport, Report};
use super::source::{self, MAX_SOURCE_BYTES};
use super::{analyze_source, AnalyzeOptions};

/// One file to analyse, with the root that decides which of its imports are local.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    pub project_root: PathBuf,
}

/// Expands `paths` to Python files. Files named explicitly are taken whatever their extension;
/// directories are walked for `*.py`, `*.pyi` and scripts without an extension whose first line
/// is a python shebang, skipping what .gitignore and .ignore exclude and hidden directories. Walk problems (a missing path, a symlink loop) become errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<Candidate>, Vec<FileError>) {
    let mut candidates = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        let metadata = match fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                errors.push(FileError {
                    path: root.display().to_string(),
                    message: format!("cannot read this path: {e}; check that it exists and is readable"),
                });
                continue;
            }
        };
        if metadata.is_file() {
            let project_root = root.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
            candidates.push(Candidate { path: root.clone(), project_root });
            continue;
        }
        let walker = ignore::WalkBuilder::new(root).follow_links(true).require_git(false).build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let is_python = match path.extension() {
                        Some(e) => e == "py" || e == "pyi",
                        None => is_file && has_python_shebang(path),
                    };
                    if is_python && is_file {
                        candidates.push(Candidate { path: path.to_path_buf(), project_root: root.clone() });
                    }
                }
                Err(e) => errors.push(FileError {
                    path: error_path(&e).unwrap_or_else(|| root.display().to_string()),
                    message: format!("skipped while walking the directory: {e}"),
                }),
            }
        }
    }
    candidates.sort_by(|a, b| a.path.cmp(&b.path));
    candidates.dedup_by(|a, b| a.path == b.path);
    (candidates, errors)
}

/// Whether the file starts with a shebang that runs Python: `#!/usr/bin/python3.11`,
/// `#!/usr/bin/env python3`, `#!/usr/bin/env -S python3 -u`, `#!/opt/pypy/bin/pypy3`.
pub fn has_python_shebang(path: &Path) -> bool {
    let mut head = [0u8; 256];
    let read = fs::File::open(path).and_then(|mut f| f.read(&mut head)).unwrap_or(0);
    let line = head[..read].split(|b| *b == b'\n').next().unwrap_or_default();
    let Some(command) = line.strip_prefix(b"#!") else { return false };
    let command = String::from_utf8_lossy(command);
    let mut words = command.split_whitespace();
    let Some(interpreter) = words.next() else { return false };
    let is_python = |word: &str| {
        let name = word.rsplit('/').next().unwrap_or(word);
        name.starts_with("python") || name.starts_with("pypy")
    };
    if interpreter.rsplit('/').next() == Some("env") {
        // env's options (-S, -u NAME, -i) and NAME=value assignments come before the command.
        return words.find(|w| !w.starts_with('-') && !w.contains('=')).is_some_and(is_python);
    }
    is_python(interpreter)
}

fn error_path(error: &ignore::Error) -> Option<String> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.display().to_string()),
        _ => None,
    }
}

/// Reads and analyses one file.
pub fn analyze_file(candidate: &Candidate, options: &AnalyzeOptions) -> Result<FileReport, FileError> {
    let display = candidate.path.display().to_string();
    let fail = |message: String| FileError { path: display.clone(), message };
    let bytes = read_limited(&candidate.path).map_err(fail)?;
    let text = source::decode(&bytes).map_err(|e| fail(format!("cannot decode the file as Python source: {e}")))?;
    Ok(analyze_source(&candidate.path, display.clone(), &text, &candidate.project_root, options))
}

fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| format!("cannot open the file: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(format!(
            "the file is larger than {} MB, which loupe does not analyse (generated code?); exclude it with .gitignore or .ignore",
            MAX_SOURCE_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// Analyses every file under `paths` on rayon's thread pool; the report lists files in path
/// order whatever order they finished in.
pub fn analyze_paths(paths: &[PathBuf], options: &AnalyzeOptions) -> Report {
    let (candidates, mut errors) = discover(paths);
    let results: Vec<Result<FileReport, FileError>> =
        candidates.par_iter().map(|candidate| analyze_file(candidate, options)).collect();
    let mut files = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    Report { files, errors }
}
