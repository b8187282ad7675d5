//! Requirements files and `pyproject.toml` dependencies, read and validated before pip sees them,
//! so a typo is reported with its file and line and nothing is half-installed.
//!
//! Requirements files follow pip's format: one requirement per line, `#` comments, `\`
//! continuations, `-r`/`-c` includes (relative to the including file), `-e` editables and
//! options (`--index-url`, `--hash`, ...), which are kept for pip but not checked here.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context};
use pep508_rs::{Requirement, VerbatimUrl};

/// One requirement and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// As written (markers and all), ready for pip.
    pub text: String,
    pub file: PathBuf,
    pub line: usize,
}

/// A requirement that is not valid PEP 508, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequirement {
    pub file: PathBuf,
    pub line: usize,
    pub text: String,
    pub reason: String,
}

impl std::fmt::Display for InvalidRequirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: invalid requirement {:?}: {}", self.file.display(), self.line, self.text, self.reason)
    }
}

/// What a file asks for.
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    pub requirements: Vec<Located>,
    /// Lines pip understands that are not requirements (`-e .`, `--index-url ...`).
    pub pip_lines: Vec<Located>,
    pub invalid: Vec<InvalidRequirement>,
}

/// Options, editables, local paths and bare URLs: not PEP 508, pip's to interpret.
pub fn is_for_pip(text: &str) -> bool {
    text.starts_with(['-', '.', '/', '~']) || text.split_whitespace().next().is_some_and(|w| w.contains("://"))
}

/// Checks one requirement as a user typed it on the command line.
pub fn parse_one(text: &str) -> Result<Requirement<VerbatimUrl>, String> {
    Requirement::<VerbatimUrl>::from_str(text).map_err(|e| e.to_string().lines().next().unwrap_or("").to_string())
}

/// Reads `file`: a requirements file, or `pyproject.toml` (its `[project]` dependencies).
pub fn read(file: &Path) -> anyhow::Result<Requirements> {
    let mut out = Requirements::default();
    if file.file_name().is_some_and(|n| n == "pyproject.toml") {
        read_pyproject(file, &mut out)?;
    } else {
        read_requirements_file(file, &mut out, 0)?;
    }
    Ok(out)
}

fn read_requirements_file(file: &Path, out: &mut Requirements, depth: usize) -> anyhow::Result<()> {
    if depth > 16 {
        bail!("{}: requirements files include each other more than 16 levels deep", file.display());
    }
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read requirements file {}", file.display()))?;
    let mut pending = String::new();
    let mut start_line = 0;
    for (index, raw) in text.lines().enumerate() {
        if pending.is_empty() {
            start_line = index + 1;
        }
        if let Some(continued) = raw.strip_suffix('\\') {
            pending.push_str(continued);
            pending.push(' ');
            continue;
        }
        pending.push_str(raw);
        let line = strip_comment(&pending).trim().to_string();
        pending.clear();
        if line.is_empty() {
            continue;
        }
        let located = Located { text: line.clone(), file: file.to_path_buf(), line: start_line };
        if let Some(include) = line.strip_prefix("-r").or_else(|| line.strip_prefix("--requirement")) {
            let included = file.parent().unwrap_or(Path::new(".")).join(include.trim_start_matches('=').trim());
            read_requirements_file(&included, out, depth + 1)
                .with_context(|| format!("included from {}:{start_line}", file.display()))?;
            continue;
        }
        if is_for_pip(&line) {
            out.pip_lines.push(located);
            continue;
        }
        // Per-requirement options (`--hash=...`) follow the requirement.
        let requirement = line.split(" --").next().unwrap_or(&line).trim();
        match parse_one(requirement) {
            Ok(_) => out.requirements.push(located),
            Err(reason) => out.invalid.push(InvalidRequirement {
                file: file.to_path_buf(),
                line: start_line,
                text: requirement.to_string(),
                reason,
            }),
        }
    }
    Ok(())
}

/// A `#` starts a comment at the start of a line or after whitespace (URLs keep their fragments).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

fn read_pyproject(file: &Path, out: &mut Requirements) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let document: toml::Table =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not valid TOML: {}", file.display(), e.message()))?;
    let Some(project) = document.get("project").and_then(toml::Value::as_table) else {
        bail!("{} has no [project] table: nothing to install (Poetry's own tables are not read)", file.display());
    };
    let mut lists: Vec<&toml::Value> = project.get("dependencies").into_iter().collect();
    if let Some(optional) = project.get("optional-dependencies").and_then(toml::Value::as_table) {
        lists.extend(optional.values());
    }
    let mut search_from = 0;
    for list in lists {
        let Some(items) = list.as_array() else {
            bail!("{}: [project] dependencies must be a list of strings", file.display());
        };
        for item in items {
            let Some(requirement) = item.as_str() else {
                bail!("{}: a dependency is not a string: {item}", file.display());
            };
            let line = line_of(&text, requirement, &mut search_from);
            let located = Located { text: requirement.to_string(), file: file.to_path_buf(), line };
            match parse_one(requirement) {
                Ok(_) => out.requirements.push(located),
                Err(reason) => out.invalid.push(InvalidRequirement {
                    file: file.to_path_buf(),
                    line,
                    text: requirement.to_string(),
                    reason,
                }),
            }
        }
    }
    Ok(())
}

/// The line where the quoted `value` appears next (TOML values are read without positions).
fn line_of(text: &str, value: &str, search_from: &mut usize) -> usize {
    let found = ["\"", "'"].iter().find_map(|q| text[*search_from..].find(&format!("{q}{value}{q}")));
    match found {
        Some(at) => {
            *search_from += at + 1;
            text[..*search_from].lines().count()
        }
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_files_with_includes_options_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.txt"),
            "six>=1.9  # comment\nrequests[socks] ==2.31.* ; python_version >= '3.8'\n",
        )
        .unwrap();
        let main = dir.path().join("requirements.txt");
        std::fs::write(
            &main,
            "# top\n-r base.txt\n--index-url https://example.org/simple\n-e .\nattrs \\\n  >=23\nfoo==\nbar --hash=sha256:abc\nhttps://x/y.whl#egg=y\n",
        )
        .unwrap();
        let read = read(&main).unwrap();
        let texts: Vec<(&str, usize)> = read.requirements.iter().map(|r| (r.text.as_str(), r.line)).collect();
        assert_eq!(
            texts,
            [
                ("six>=1.9", 1),
                ("requests[socks] ==2.31.* ; python_version >= '3.8'", 2),
                ("attrs    >=23", 5),
                ("bar --hash=sha256:abc", 8),
            ]
        );
        assert_eq!(read.pip_lines.len(), 3, "options, `-e .` and a bare URL are left to pip");
        assert_eq!(read.invalid.len(), 1, "{:?}", read.invalid);
        assert_eq!((read.invalid[0].line, read.invalid[0].text.as_str()), (7, "foo=="));
        assert!(read.invalid[0]
            .to_string()
            .starts_with(&format!("{}:7: invalid requirement \"foo==\"", main.display())));
    }

    #[test]
    fn pyproject_dependencies_point_at_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pyproject.toml");
        std::fs::write(
            &file,
            "[project]\nname = \"demo\"\ndependencies = [\n  \"click>=8\",\n  \"bad ===\",\n]\n\n[project.optional-dependencies]\ntest = [\"pytest\"]\n",
        )
        .unwrap();
        let read = read(&file).unwrap();
        let ok: Vec<(&str, usize)> = read.requirements.iter().map(|r| (r.text.as_str(), r.line)).collect();
        assert_eq!(ok, [("click>=8", 4), ("pytest", 9)]);
        assert_eq!((read.invalid[0].line, read.invalid[0].text.as_str()), (5, "bad ==="));
        let missing = dir.path().join("none/pyproject.toml");
        assert!(super::read(&missing).unwrap_err().to_string().contains("cannot read"));
    }
}
