//! Installed distributions, read straight from `*.dist-info` and `*.egg-info` metadata in
//! site-packages directories (no pip, no Python process): name, version, installer, whether the
//! user asked for it, and the requirements it declares.
//!
//! A directory earlier in the list shadows a later one for the same name, as on `sys.path`.
//! Metadata that cannot be read or makes no sense is kept as a [`MetadataProblem`] instead of
//! being dropped silently. What a directory holds is cached by [`super::site_cache`].

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// As written in its metadata (`Jinja2`).
    pub name: String,
    pub version: String,
    /// `pip`, `uv`, ... from the `INSTALLER` file; None when there is none (egg-info, distutils).
    pub installer: Option<String>,
    /// A `REQUESTED` file exists: the user installed it by name, not as a dependency.
    pub requested: bool,
    /// The site-packages directory it is installed in.
    pub location: PathBuf,
    /// The `*.dist-info` / `*.egg-info` entry.
    pub metadata_path: PathBuf,
    /// `Requires-Dist` lines, unparsed (see `pyenv::check`).
    pub requires: Vec<String>,
}

impl Package {
    /// The PEP 503 normalised name: lower case, runs of `-`, `_`, `.` as one `-`.
    pub fn normalized_name(&self) -> String {
        normalize_name(&self.name)
    }
}

/// Metadata that could not be used, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataProblem {
    /// The distribution's name as far as it is known (from the directory name otherwise).
    pub package: String,
    pub path: PathBuf,
    pub message: String,
}

/// What is installed in some site-packages directories.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Installed {
    pub packages: Vec<Package>,
    pub problems: Vec<MetadataProblem>,
}

/// The distribution to install for a top-level import name: the name itself, except for the
/// well-known packages whose import name differs from what pip installs.
pub fn distribution_for_import(module: &str) -> &str {
    match module {
        "yaml" => "PyYAML",
        "PIL" => "Pillow",
        "cv2" => "opencv-python",
        "sklearn" => "scikit-learn",
        "bs4" => "beautifulsoup4",
        "dateutil" => "python-dateutil",
        "dotenv" => "python-dotenv",
        "jwt" => "PyJWT",
        "Crypto" => "pycryptodome",
        "OpenSSL" => "pyOpenSSL",
        "serial" => "pyserial",
        "magic" => "python-magic",
        "attr" => "attrs",
        "google.protobuf" | "google" => "protobuf",
        other => other,
    }
}

pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !out.is_empty() {
            out.push('-');
        }
        separator = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Reads every distribution in `dirs` (missing directories are skipped: a fresh venv has no user
/// site). Packages come sorted by normalised name.
pub fn read_installed(dirs: &[PathBuf]) -> Installed {
    let mut installed = read_installed_as_found(dirs);
    installed.packages.sort_by_key(Package::normalized_name);
    installed
}

/// Like [`read_installed`], with the packages in the order Python's `importlib.metadata` finds
/// them (directory by directory, each in listing order), which is the order `pip check` reports in.
pub fn read_installed_as_found(dirs: &[PathBuf]) -> Installed {
    let mut installed = Installed::default();
    let mut seen = HashSet::new();
    for dir in dirs {
        let one = super::site_cache::read_dir_cached(dir);
        installed.packages.extend(one.packages.into_iter().filter(|p| seen.insert(p.normalized_name())));
        installed.problems.extend(one.problems);
    }
    installed
}

/// What one directory entry turned out to be, as the cache keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum EntryRead {
    Package(Package),
    Problem(MetadataProblem),
}

/// Reads one entry of a site-packages directory: `None` when it is not distribution metadata
/// (`*.dist-info` directories, `*.egg-info` directories and files).
pub fn read_entry(path: &Path, location: &Path) -> Option<EntryRead> {
    let file_name = path.file_name().and_then(|n| n.to_str())?;
    let read = if file_name.ends_with(".dist-info") && path.is_dir() {
        read_dist_info(path, location)
    } else if file_name.ends_with(".egg-info") {
        read_egg_info(path, location)
    } else {
        return None;
    };
    Some(match read {
        Ok(package) => EntryRead::Package(package),
        Err(message) => EntryRead::Problem(MetadataProblem {
            package: name_from_entry(file_name),
            path: path.to_path_buf(),
            message,
        }),
    })
}

/// `foo_bar-1.0.dist-info` → `foo_bar`.
fn name_from_entry(file_name: &str) -> String {
    let stem = file_name.trim_end_matches(".dist-info").trim_end_matches(".egg-info");
    stem.split('-').next().unwrap_or(stem).to_string()
}

fn read_dist_info(dir: &Path, location: &Path) -> Result<Package, String> {
    let metadata_file = dir.join("METADATA");
    let text = read_text(&metadata_file)?;
    let headers = parse_headers(&text);
    let (name, version) = name_and_version(&headers, &metadata_file)?;
    let installer = fs::read_to_string(dir.join("INSTALLER"))
        .ok()
        .and_then(|t| t.lines().next().map(str::trim).map(str::to_string))
        .filter(|t| !t.is_empty());
    Ok(Package {
        name,
        version,
        installer,
        requested: dir.join("REQUESTED").exists(),
        location: location.to_path_buf(),
        metadata_path: dir.to_path_buf(),
        requires: values(&headers, "Requires-Dist"),
    })
}

/// An `.egg-info` directory (PKG-INFO, requires.txt) or a single PKG-INFO-format file.
fn read_egg_info(path: &Path, location: &Path) -> Result<Package, String> {
    let metadata_file = if path.is_dir() { path.join("PKG-INFO") } else { path.to_path_buf() };
    let text = read_text(&metadata_file)?;
    let headers = parse_headers(&text);
    let (name, version) = name_and_version(&headers, &metadata_file)?;
    let requires = if path.is_dir() { egg_requires(&path.join("requires.txt")) } else { Vec::new() };
    Ok(Package {
        name,
        version,
        installer: None,
        requested: false,
        location: location.to_path_buf(),
        metadata_path: path.to_path_buf(),
        requires,
    })
}

fn read_text(file: &Path) -> Result<String, String> {
    let bytes = fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    // Metadata is UTF-8 by specification; old distributions wrote Latin-1. Keep what is readable.
    Ok(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn name_and_version(headers: &[(String, String)], file: &Path) -> Result<(String, String), String> {
    let first =
        |key: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.trim().to_string());
    let name =
        first("Name").filter(|n| !n.is_empty()).ok_or_else(|| format!("{} has no Name field", file.display()))?;
    let version =
        first("Version").filter(|v| !v.is_empty()).ok_or_else(|| format!("{} has no Version field", file.display()))?;
    if let Err(e) = version.parse::<pep440_rs::Version>() {
        return Err(format!("{}: version {version:?} is not a valid version ({e})", file.display()));
    }
    Ok((name, version))
}

fn values(headers: &[(String, String)], key: &str) -> Vec<String> {
    headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.trim().to_string()).collect()
}

/// The header block of a core-metadata file (RFC 822 style: `Key: value`, continuation lines
/// indented), up to the first blank line, where the description body starts.
fn parse_headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    headers
}

/// setuptools' `requires.txt`: plain requirements, then `[extra]` or `[:marker]` sections.
/// Extras are not dependencies of a plain install; `[:marker]` sections become `; marker`.
fn egg_requires(file: &Path) -> Vec<String> {
    let Ok(text) = fs::read_to_string(file) else { return Vec::new() };
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = Some(name.to_string());
            continue;
        }
        match section.as_deref() {
            None => out.push(line.to_string()),
            Some(s) if s.starts_with(':') => out.push(format!("{line}; {}", &s[1..])),
            Some(_) => {} // an extra
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_pep_503_says() {
        assert_eq!(normalize_name("Jinja2"), "jinja2");
        assert_eq!(normalize_name("typing_extensions"), "typing-extensions");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("A--B__c"), "a-b-c");
    }

    #[test]
    fn headers_stop_at_the_body_and_keep_repeats() {
        let text = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: a>=1\nRequires-Dist: b; \
                    python_version < \"3.9\"\nLicense: long\n  second line\n\nRequires-Dist: not-a-header\n";
        let headers = parse_headers(text);
        assert_eq!(values(&headers, "requires-dist"), ["a>=1", "b; python_version < \"3.9\""]);
        assert_eq!(values(&headers, "License"), ["long\nsecond line"]);
    }

    #[test]
    fn egg_requires_keeps_markers_and_drops_extras() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("requires.txt");
        fs::write(&file, "six\n\n[:python_version < \"3\"]\nfutures\n\n[test]\npytest\n").unwrap();
        assert_eq!(egg_requires(&file), ["six", "futures; python_version < \"3\""]);
    }
}
