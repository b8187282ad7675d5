//! Finding every Python interpreter on the machine without running any: `PATH`, pyenv versions,
//! conda environments, uv-managed Pythons, and virtual environments in and above the project.
//!
//! Versions come from files the installers leave behind (`pyvenv.cfg`, pyenv's and uv's directory
//! names, conda's `conda-meta`); an interpreter that has none (a distribution's `/usr/bin/python3`)
//! is left with `version: None` for the caller to probe (see `facts::fill_versions`). pyenv shims
//! are never listed as interpreters: they are resolved to what they run.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::interpreter::{is_executable_file, resolve_shim_with, SearchContext};

/// Where an interpreter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    System,
    Pyenv,
    Conda,
    Venv,
    Uv,
}

impl Kind {
    /// As in `env list --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::System => "system",
            Kind::Pyenv => "pyenv",
            Kind::Conda => "conda",
            Kind::Venv => "venv",
            Kind::Uv => "uv",
        }
    }
}

/// An interpreter found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub path: PathBuf,
    /// `3.11.7`; None until probed when no file says it.
    pub version: Option<String>,
    /// `cpython`, `pypy`, ...
    pub implementation: String,
    pub kind: Kind,
    /// The environment's or installation's directory (`sys.prefix`).
    pub prefix: PathBuf,
    /// For a virtual environment: the directory of the interpreter it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<PathBuf>,
    /// Why it cannot work (a virtual environment whose base Python was removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Everything discovery looks at, as data so tests can describe any machine.
#[derive(Debug, Clone, Default)]
pub struct DiscoverContext {
    pub search: SearchContext,
    pub home: Option<PathBuf>,
    /// Where virtual environments are looked for, upwards.
    pub project: PathBuf,
    /// `$CONDA_PREFIX`.
    pub conda_prefix: Option<PathBuf>,
    /// `$UV_PYTHON_INSTALL_DIR`.
    pub uv_python_dir: Option<PathBuf>,
}

impl DiscoverContext {
    pub fn from_env(project: &Path) -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        DiscoverContext {
            search: SearchContext::from_env(),
            home: dirs::home_dir(),
            project: project.to_path_buf(),
            conda_prefix: var("CONDA_PREFIX"),
            uv_python_dir: var("UV_PYTHON_INSTALL_DIR"),
        }
    }

    fn pyenv_root(&self) -> Option<PathBuf> {
        self.search.pyenv_root.clone().or_else(|| self.home.as_ref().map(|h| h.join(".pyenv")))
    }

    fn uv_dir(&self) -> Option<PathBuf> {
        self.uv_python_dir.clone().or_else(|| self.home.as_ref().map(|h| h.join(".local/share/uv/python")))
    }
}

/// Every interpreter, each once: project environments first, then `PATH` order, then pyenv,
/// conda and uv installations.
pub fn discover(context: &DiscoverContext) -> Vec<Found> {
    let mut found = Finder { context, seen: HashSet::new(), list: Vec::new() };
    found.project_environments();
    found.path();
    found.pyenv();
    found.conda();
    found.uv();
    found.list
}

struct Finder<'a> {
    context: &'a DiscoverContext,
    seen: HashSet<PathBuf>,
    list: Vec<Found>,
}

impl Finder<'_> {
    fn project_environments(&mut self) {
        if let Some(venv) = &self.context.search.virtual_env {
            self.environment(venv);
        }
        for dir in self.context.project.ancestors() {
            // The directory itself (run from inside an environment), then every subdirectory
            // holding a `pyvenv.cfg` whatever its name: the usual names first, the rest sorted.
            if dir.join("pyvenv.cfg").is_file() {
                self.environment(dir);
            }
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| dir.join(n).join("pyvenv.cfg").is_file())
                .collect();
            names.sort_by_key(|n| ([".venv", "venv", "env"].iter().position(|u| u == n).unwrap_or(3), n.clone()));
            for name in names {
                self.environment(&dir.join(name));
            }
        }
    }

    fn path(&mut self) {
        let Some(path) = self.context.search.path.clone() else { return };
        for dir in std::env::split_paths(&path) {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut names: Vec<String> =
                entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| is_python_name(n)).collect();
            names.sort_by_key(|n| (n.len(), n.clone()));
            for name in names {
                let executable = dir.join(&name);
                if dir.file_name().is_some_and(|n| n == "shims") {
                    if let Some(real) = resolve_shim_with(&executable, &self.context.project, &self.context.search) {
                        self.executable(&real);
                    }
                    continue;
                }
                self.executable(&executable);
            }
        }
    }

    fn pyenv(&mut self) {
        let Some(root) = self.context.pyenv_root() else { return };
        for dir in sorted_dirs(&root.join("versions")) {
            self.installation(&dir);
        }
    }

    fn conda(&mut self) {
        let mut roots: Vec<PathBuf> = Vec::new();
        if let Some(prefix) = &self.context.conda_prefix {
            roots.push(prefix.clone());
        }
        if let Some(home) = &self.context.home {
            if let Ok(text) = std::fs::read_to_string(home.join(".conda/environments.txt")) {
                roots.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(PathBuf::from));
            }
            for base in ["miniconda3", "anaconda3", "miniforge3", "mambaforge", ".conda"] {
                let base = home.join(base);
                if base.join("conda-meta").is_dir() {
                    roots.push(base.clone());
                }
                roots.extend(sorted_dirs(&base.join("envs")));
            }
        }
        for root in roots {
            if root.join("conda-meta").is_dir() {
                self.installation(&root);
            }
        }
    }

    fn uv(&mut self) {
        let Some(dir) = self.context.uv_dir() else { return };
        for install in sorted_dirs(&dir) {
            self.installation(&install);
        }
    }

    /// A virtual environment directory.
    fn environment(&mut self, dir: &Path) {
        if let Some(executable) = bin_python(dir) {
            self.executable(&executable);
        } else if dir.join("pyvenv.cfg").is_file() {
            // A venv whose interpreter link is gone still deserves a line saying so.
            self.add(dir.join("bin/python"), dir.to_path_buf(), "venv without bin/python".into());
        }
    }

    /// An installation directory (pyenv version, conda environment, uv Python).
    fn installation(&mut self, dir: &Path) {
        if let Some(executable) = bin_python(dir) {
            self.executable(&executable);
        }
    }

    fn executable(&mut self, executable: &Path) {
        let bin = executable.parent().unwrap_or(Path::new("/"));
        let prefix = bin.parent().unwrap_or(Path::new("/")).to_path_buf();
        if prefix.join("pyvenv.cfg").is_file() {
            // Its own problems (a removed base interpreter) are worth more than "not executable".
            let key = prefix.canonicalize().unwrap_or_else(|_| prefix.clone());
            if self.seen.insert(key) {
                self.list.push(venv(executable, &prefix));
            }
            return;
        }
        if !is_executable_file(executable) {
            if executable.is_symlink() {
                let prefix = executable.parent().and_then(Path::parent).unwrap_or(Path::new("/")).to_path_buf();
                self.add(executable.to_path_buf(), prefix, "its link points to nothing".into());
            }
            return;
        }
        let real = executable.canonicalize().unwrap_or_else(|_| executable.to_path_buf());
        if !self.seen.insert(real.clone()) {
            return;
        }
        let real_prefix = real.parent().and_then(Path::parent).unwrap_or(Path::new("/")).to_path_buf();
        let (kind, version, implementation) = self.classify(&real_prefix, executable);
        self.list.push(Found {
            path: executable.to_path_buf(),
            version,
            implementation,
            kind,
            prefix: real_prefix,
            base: None,
            problem: None,
        });
    }

    fn add(&mut self, path: PathBuf, prefix: PathBuf, problem: String) {
        if self.seen.insert(path.clone()) {
            self.list.push(Found {
                path,
                version: None,
                implementation: "cpython".into(),
                kind: Kind::Venv,
                prefix,
                base: None,
                problem: Some(problem),
            });
        }
    }

    /// Kind, version and implementation of an installation from its files alone.
    fn classify(&self, prefix: &Path, executable: &Path) -> (Kind, Option<String>, String) {
        let name = prefix.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if prefix.join("conda-meta").is_dir() {
            let version = conda_python_version(prefix);
            let implementation = if executable_name_is_pypy(executable) { "pypy" } else { "cpython" };
            return (Kind::Conda, version, implementation.into());
        }
        let under =
            |root: Option<PathBuf>| root.and_then(|r| r.canonicalize().ok()).is_some_and(|r| prefix.starts_with(r));
        if under(self.context.pyenv_root().map(|r| r.join("versions"))) {
            let (implementation, version) = match name.strip_prefix("pypy") {
                Some(rest) => ("pypy", rest.split('-').next().filter(|v| is_version(v)).map(str::to_string)),
                None => ("cpython", is_version(name).then(|| name.to_string())),
            };
            return (Kind::Pyenv, version, implementation.into());
        }
        if under(self.context.uv_dir()) {
            // cpython-3.12.1-linux-x86_64-gnu
            let mut parts = name.split('-');
            let implementation = parts.next().unwrap_or("cpython").to_string();
            let version = parts.next().filter(|v| is_version(v)).map(str::to_string);
            return (Kind::Uv, version, implementation);
        }
        (Kind::System, None, "cpython".into())
    }
}

fn venv(executable: &Path, prefix: &Path) -> Found {
    let config = read_pyvenv_cfg(&prefix.join("pyvenv.cfg"));
    let get = |key: &str| config.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let version =
        get("version").or_else(|| get("version_info")).map(|v| v.split('.').take(3).collect::<Vec<_>>().join("."));
    let base = get("home").map(PathBuf::from);
    let problem = match &base {
        Some(home) if !home.is_dir() => Some(format!(
            "its base interpreter's directory {} no longer exists: recreate the environment",
            home.display()
        )),
        _ if !is_executable_file(executable) => Some("its interpreter does not run: the link is broken".into()),
        _ => None,
    };
    let implementation = get("implementation").map(|i| i.to_lowercase()).unwrap_or_else(|| "cpython".into());
    Found {
        path: executable.to_path_buf(),
        version,
        implementation,
        kind: Kind::Venv,
        prefix: prefix.to_path_buf(),
        base,
        problem,
    }
}

/// `key = value` lines of a `pyvenv.cfg` (as written by `python -m venv`, virtualenv and uv).
pub fn read_pyvenv_cfg(file: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(file) else { return Vec::new() };
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect()
}

fn bin_python(dir: &Path) -> Option<PathBuf> {
    ["bin/python3", "bin/python", "bin/pypy3"].iter().map(|n| dir.join(n)).find(|p| p.exists() || p.is_symlink())
}

/// `python`, `python3`, `python3.11`, `pypy3` (not `python3-config` or `python3.11-gdb.py`).
fn is_python_name(name: &str) -> bool {
    let rest = name.strip_prefix("python").or_else(|| name.strip_prefix("pypy"));
    match rest {
        Some("") | Some("3") => true,
        Some(r) => {
            r.strip_prefix("3.").is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

fn executable_name_is_pypy(executable: &Path) -> bool {
    executable.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("pypy"))
}

fn is_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    (2..=3).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// conda records the installed python as `conda-meta/python-3.11.5-h955ad1f_0.json`.
fn conda_python_version(prefix: &Path) -> Option<String> {
    let entries = std::fs::read_dir(prefix.join("conda-meta")).ok()?;
    entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).find_map(|name| {
        let rest = name.strip_prefix("python-")?;
        let version = rest.split('-').next()?;
        is_version(version).then(|| version.to_string())
    })
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_json_names() {
        for kind in [Kind::System, Kind::Pyenv, Kind::Conda, Kind::Venv, Kind::Uv] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn python_names() {
        for name in ["python", "python3", "python3.11", "pypy3"] {
            assert!(is_python_name(name), "{name}");
        }
        for name in ["python3-config", "python3.11-config", "python3.", "pythonw", "python2"] {
            assert!(!is_python_name(name), "{name}");
        }
    }

    #[test]
    fn a_machine_described_by_files() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        let exe = |dir: &Path| {
            std::fs::create_dir_all(dir.join("bin")).unwrap();
            let p = dir.join("bin/python3");
            std::fs::write(&p, "#!/bin/sh\n").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            p
        };
        exe(&r.join("pyenv/versions/3.12.1"));
        exe(&r.join("home/.local/share/uv/python/cpython-3.13.0-linux-x86_64-gnu"));
        let conda = r.join("home/miniconda3");
        exe(&conda);
        std::fs::create_dir_all(conda.join("conda-meta")).unwrap();
        std::fs::write(conda.join("conda-meta/python-3.10.4-h12debd9_0.json"), "{}").unwrap();
        let project = r.join("work/project");
        let venv = project.join(".venv");
        exe(&venv);
        std::fs::write(
            venv.join("pyvenv.cfg"),
            format!("home = {}\nversion_info = 3.12.1.final.0\n", r.join("pyenv/versions/3.12.1/bin").display()),
        )
        .unwrap();
        // Any directory holding a pyvenv.cfg is an environment, whatever its name.
        let named_v = project.join("v");
        exe(&named_v);
        std::fs::write(named_v.join("pyvenv.cfg"), "home = /usr/bin\nversion = 3.11.2\n").unwrap();
        let stale = r.join("work/venv");
        exe(&stale);
        std::fs::write(stale.join("pyvenv.cfg"), "home = /nonexistent/bin\nversion = 3.9.1\n").unwrap();
        let system = exe(&r.join("usr"));

        let context = DiscoverContext {
            search: SearchContext {
                path: Some(std::env::join_paths([system.parent().unwrap()]).unwrap()),
                pyenv_root: Some(r.join("pyenv")),
                ..SearchContext::default()
            },
            home: Some(r.join("home")),
            project: project.clone(),
            conda_prefix: None,
            uv_python_dir: None,
        };
        // Environments above the temporary root are the machine's, not the test's.
        let found: Vec<Found> = discover(&context).into_iter().filter(|f| f.path.starts_with(r)).collect();
        let summary: Vec<(Kind, Option<&str>, &str, bool)> = found
            .iter()
            .map(|f| (f.kind, f.version.as_deref(), f.implementation.as_str(), f.problem.is_some()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Kind::Venv, Some("3.12.1"), "cpython", false),
                (Kind::Venv, Some("3.11.2"), "cpython", false),
                (Kind::Venv, Some("3.9.1"), "cpython", true),
                (Kind::System, None, "cpython", false),
                (Kind::Pyenv, Some("3.12.1"), "cpython", false),
                (Kind::Conda, Some("3.10.4"), "cpython", false),
                (Kind::Uv, Some("3.13.0"), "cpython", false),
            ],
            "{found:#?}"
        );
        assert!(found[2].problem.as_deref().unwrap().contains("/nonexistent/bin no longer exists"));
    }
}
