//! Resolving the interpreter the user asked for to a real executable, and asking it what it is.
//!
//! Three steps:
//! 1. [`locate`]: turn `--python` (a path, a command name, or nothing) into an executable path.
//! 2. [`resolve_shim_with`]: if that path is a pyenv shim, find the interpreter the shim would run
//!    by reading pyenv's files, because running the shim costs ~250 ms on every start.
//! 3. [`probe`]: run the interpreter once and read its version, prefix and whether `debugpy` is
//!    importable.
//!
//! Paths are never canonicalized: a virtual environment's `bin/python` is a symlink to the base
//! interpreter, and following it would silently drop the environment's packages.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::sandbox::{self, PythonProcess, StdioMode};

/// How long the probe may take before the interpreter is declared broken. A cold start on a busy
/// machine with a large `site-packages` can take a second; ten leaves a wide margin.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The oldest Python debugpy supports.
pub const MINIMUM_VERSION: (u32, u32) = (3, 8);

/// A resolved interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// The real executable, shims resolved, symlinks kept (so a virtualenv stays a virtualenv).
    pub path: PathBuf,
    /// `major.minor.micro`, e.g. `3.11.7`.
    pub version: String,
    /// The same version as numbers, for comparisons.
    pub version_tuple: (u32, u32, u32),
    /// `sys.implementation.name`: `cpython`, `pypy`, ...
    pub implementation: String,
    /// `sys.prefix`: the virtual environment's directory when inside one.
    pub prefix: PathBuf,
    /// `sys.base_prefix`: the installation the environment was created from.
    pub base_prefix: PathBuf,
    /// `sys.abiflags` (`t` marks a free-threaded build, whose compiled modules differ).
    pub abiflags: String,
    /// debugpy's version, if the interpreter can already import it.
    pub debugpy: Option<String>,
}

impl Interpreter {
    /// Whether the interpreter runs inside a virtual environment.
    pub fn is_virtualenv(&self) -> bool {
        self.prefix != self.base_prefix
    }

    /// `major.minor`, e.g. `3.11`.
    pub fn minor_version(&self) -> String {
        format!("{}.{}", self.version_tuple.0, self.version_tuple.1)
    }
}

/// Why an interpreter could not be resolved. Each message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    #[error("python interpreter '{name}' not found on PATH; install Python 3 or pass --python PATH")]
    NotOnPath { name: String },

    #[error(
        "python interpreter '{}' does not exist; pass --python with the path of a Python 3 \
         interpreter",
        path.display()
    )]
    NoSuchFile { path: PathBuf },

    #[error(
        "VIRTUAL_ENV is set to '{}', but '{}' does not exist; activate an existing virtual \
         environment, unset VIRTUAL_ENV, or pass --python PATH",
        virtual_env.display(),
        path.display()
    )]
    StaleVirtualEnv { virtual_env: PathBuf, path: PathBuf },

    #[error(
        "'{}' is a directory, not a Python interpreter; pass the interpreter inside it (for a \
         virtual environment, '{}')",
        path.display(),
        path.join("bin").join("python").display()
    )]
    IsDirectory { path: PathBuf },

    #[error(
        "'{}' is not executable; check its permissions or pass --python with a Python 3 interpreter",
        path.display()
    )]
    NotExecutable { path: PathBuf },

    #[error("'{}' is not a Python interpreter: {detail}", path.display())]
    NotPython { path: PathBuf, detail: String },

    #[error(
        "'{}' did not report its version within {} s; check that it is a working Python \
         interpreter (try running it by hand) or pass --python with another one",
        path.display(),
        timeout.as_secs()
    )]
    ProbeTimedOut { path: PathBuf, timeout: Duration },

    #[error(
        "'{}' is Python {version}; debugpy needs Python {}.{}+ — pass --python with a newer \
         interpreter",
        path.display(),
        MINIMUM_VERSION.0,
        MINIMUM_VERSION.1
    )]
    TooOld { path: PathBuf, version: String },

    #[error("could not run '{}' to ask for its version: {source}", path.display())]
    Spawn {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The parts of the environment that decide which interpreter a name or a shim means.
///
/// Kept as data rather than read from the process environment inside the resolver, so that tests
/// (which run in parallel threads sharing one environment) can describe any situation.
#[derive(Debug, Clone, Default)]
pub struct SearchContext {
    /// `$PATH`.
    pub path: Option<OsString>,
    /// `$VIRTUAL_ENV`: an activated virtual environment wins over `PATH` for the default.
    pub virtual_env: Option<PathBuf>,
    /// `$PYENV_ROOT`.
    pub pyenv_root: Option<PathBuf>,
    /// `$PYENV_VERSION`: overrides `.python-version` files.
    pub pyenv_version: Option<String>,
}

impl SearchContext {
    /// The context described by loupe's own environment. Empty variables count as unset, as they
    /// do for the shells and for pyenv.
    pub fn from_env() -> Self {
        let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        SearchContext {
            path: non_empty("PATH"),
            virtual_env: non_empty("VIRTUAL_ENV").map(PathBuf::from),
            pyenv_root: non_empty("PYENV_ROOT").map(PathBuf::from),
            pyenv_version: non_empty("PYENV_VERSION").map(|v| v.to_string_lossy().into_owned()),
        }
    }
}

/// Resolves `requested` (a path or a command name such as `python3`; `None` for the default) and
/// probes it.
pub async fn resolve(requested: Option<&Path>, cwd: &Path) -> anyhow::Result<Interpreter> {
    resolve_with(requested, cwd, &SearchContext::from_env()).await
}

/// [`resolve`] with an explicit environment.
pub async fn resolve_with(
    requested: Option<&Path>,
    cwd: &Path,
    context: &SearchContext,
) -> anyhow::Result<Interpreter> {
    let path = locate(requested, cwd, context)?;
    Ok(probe(&path, cwd).await?)
}

/// Finds the executable `requested` names, without running anything.
///
/// `None` means `$VIRTUAL_ENV/bin/python` if a virtual environment is active, else `python3`,
/// else `python` on `PATH`. A bare name is looked up on `PATH`; anything with a `/` is a path,
/// relative to `cwd`. A pyenv shim is replaced by the interpreter it would run.
pub fn locate(requested: Option<&Path>, cwd: &Path, context: &SearchContext) -> Result<PathBuf, InterpreterError> {
    let candidate = match requested {
        None => {
            if let Some(virtual_env) = &context.virtual_env {
                let path = virtual_env.join("bin").join("python");
                if !path.exists() {
                    return Err(InterpreterError::StaleVirtualEnv { virtual_env: virtual_env.clone(), path });
                }
                path
            } else {
                find_on_path(OsStr::new("python3"), cwd, context.path.as_deref())
                    .or_else(|| find_on_path(OsStr::new("python"), cwd, context.path.as_deref()))
                    .ok_or_else(|| InterpreterError::NotOnPath { name: "python3".to_string() })?
            }
        }
        Some(requested) if is_bare_name(requested) => find_on_path(requested.as_os_str(), cwd, context.path.as_deref())
            .ok_or_else(|| InterpreterError::NotOnPath { name: requested.display().to_string() })?,
        Some(requested) => cwd.join(requested),
    };

    check_executable(&candidate)?;
    Ok(resolve_shim_with(&candidate, cwd, context).unwrap_or(candidate))
}

/// Whether `path` is a command name to look up on `PATH` rather than a path (no `/` in it).
fn is_bare_name(path: &Path) -> bool {
    let mut components = path.components();
    matches!((components.next(), components.next()), (Some(Component::Normal(_)), None))
        && !path.as_os_str().to_string_lossy().contains('/')
}

fn find_on_path(name: &OsStr, cwd: &Path, path: Option<&OsStr>) -> Option<PathBuf> {
    let path = path?;
    which::which_in(name, Some(path), cwd).ok()
}

fn check_executable(path: &Path) -> Result<(), InterpreterError> {
    let metadata = std::fs::metadata(path).map_err(|_| InterpreterError::NoSuchFile { path: path.to_path_buf() })?;
    if metadata.is_dir() {
        return Err(InterpreterError::IsDirectory { path: path.to_path_buf() });
    }
    if !is_executable_file(path) {
        return Err(InterpreterError::NotExecutable { path: path.to_path_buf() });
    }
    Ok(())
}

#[cfg(unix)]
pub(crate) fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
pub(crate) fn is_executable_file(path: &Path) -> bool {
    path.is_file()
}

// ---------------------------------------------------------------------------------------------
// pyenv shims
// ---------------------------------------------------------------------------------------------

/// If `path` is a pyenv shim, the interpreter it would run from `cwd`, decided the way pyenv
/// decides it; `None` if it is not a shim or pyenv would find nothing (then running the shim
/// gives the user pyenv's own error message). Reads loupe's environment.
pub fn resolve_shim(path: &Path, cwd: &Path) -> Option<PathBuf> {
    resolve_shim_with(path, cwd, &SearchContext::from_env())
}

/// [`resolve_shim`] with an explicit environment.
///
/// A shim is a file in a directory named `shims` that belongs to a pyenv root. The version list
/// comes from `PYENV_VERSION`, else the nearest `.python-version` from `cwd` upwards, else
/// `$PYENV_ROOT/version`, else `system`; the first version that has the executable wins, and
/// `system` (the next match on `PATH` outside the shims) is always the last resort, as in
/// `pyenv which`.
pub fn resolve_shim_with(path: &Path, cwd: &Path, context: &SearchContext) -> Option<PathBuf> {
    let shims_dir = path.parent()?;
    if shims_dir.file_name()? != "shims" {
        return None;
    }
    let executable_name = path.file_name()?;
    let pyenv_root = pyenv_root_of_shim(path, shims_dir, context)?;

    let version_spec = match context.pyenv_version.as_deref() {
        Some(spec) if !spec.trim().is_empty() => spec.to_string(),
        _ => selected_version_from_files(&pyenv_root, cwd),
    };
    let mut versions: Vec<&str> =
        version_spec.split(|c: char| c == ':' || c.is_whitespace()).filter(|name| !name.is_empty()).collect();
    versions.push("system");

    for version in versions {
        let found = if version == "system" {
            let shim_dirs = [shims_dir.to_path_buf(), pyenv_root.join("shims")];
            find_outside_shims(executable_name, cwd, context.path.as_deref(), &shim_dirs)
        } else {
            installed_version_dir(&pyenv_root, version)
                .map(|dir| dir.join("bin").join(executable_name))
                .filter(|candidate| is_executable_file(candidate))
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The pyenv root a shim belongs to. A real shim script names its root (`export PYENV_ROOT=...`),
/// and that is the root it uses whatever the environment says; otherwise `$PYENV_ROOT` if the shim
/// lives in its `shims`, else the shim's grandparent if it looks like a pyenv root.
fn pyenv_root_of_shim(path: &Path, shims_dir: &Path, context: &SearchContext) -> Option<PathBuf> {
    if let Some(root) = root_named_in_shim_script(path) {
        if root.join("versions").is_dir() || root.join("shims") == shims_dir {
            return Some(root);
        }
    }
    if let Some(root) = &context.pyenv_root {
        if same_directory(&root.join("shims"), shims_dir) {
            return Some(root.clone());
        }
    }
    let grandparent = shims_dir.parent()?;
    grandparent.join("versions").is_dir().then(|| grandparent.to_path_buf())
}

/// Reads `export PYENV_ROOT="..."` from the start of a shim script. Shims are short text files;
/// anything else (a binary, an unreadable file) simply has no named root.
fn root_named_in_shim_script(path: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path).ok()?.take(4096).read_to_end(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head);
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix("export PYENV_ROOT=")?;
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        (!value.is_empty() && !value.contains('$')).then(|| PathBuf::from(value))
    })
}

fn same_directory(a: &Path, b: &Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// The version list pyenv reads from files: the nearest `.python-version` from `cwd` upwards
/// (even an empty one: pyenv then means `system`), else `$PYENV_ROOT/version`.
fn selected_version_from_files(pyenv_root: &Path, cwd: &Path) -> String {
    let local_file = cwd.ancestors().map(|dir| dir.join(".python-version")).find(|file| file.is_file());
    let file = local_file.unwrap_or_else(|| pyenv_root.join("version"));
    read_version_file(&file).unwrap_or_default()
}

/// Reads a pyenv version file: the first word of each line, skipping blank lines and `#`
/// comments, joined with `:`. Names that could escape `versions/` are ignored, as pyenv does.
fn read_version_file(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let names: Vec<&str> = text
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|word| !word.starts_with('#'))
        .filter(|word| is_safe_version_name(word))
        .collect();
    Some(names.join(":"))
}

/// pyenv allows `3.11.7/envs/name` (pyenv-virtualenv) but nothing that leaves `versions/`.
fn is_safe_version_name(name: &str) -> bool {
    Path::new(name).components().all(|component| matches!(component, Component::Normal(_)))
}

/// The directory of an installed version named `name`: an exact directory, the same without a
/// `python-` prefix, or the highest installed version `name` is a prefix of (`3.11` → `3.11.7`).
fn installed_version_dir(pyenv_root: &Path, name: &str) -> Option<PathBuf> {
    if !is_safe_version_name(name) {
        return None;
    }
    let versions_dir = pyenv_root.join("versions");
    let normalized = name.strip_prefix("python-").unwrap_or(name);
    for candidate in [name, normalized] {
        let dir = versions_dir.join(candidate);
        if dir.is_dir() {
            return Some(dir);
        }
    }
    latest_installed_matching(&versions_dir, name)
        .or_else(|| latest_installed_matching(&versions_dir, normalized))
        .map(|version| versions_dir.join(version))
}

/// `pyenv latest`: among installed versions (virtual environments excluded), those that continue
/// `prefix` with `.` or `-`, without pre-releases or development builds and (unless the prefix
/// asks for one with a trailing `t`) free-threaded builds; the highest one.
fn latest_installed_matching(versions_dir: &Path, prefix: &str) -> Option<String> {
    let (prefix, wants_free_threaded) = match prefix.strip_suffix('t') {
        Some(stripped) if stripped.ends_with(|c: char| c.is_ascii_digit()) => (stripped, true),
        _ => (prefix, false),
    };
    let installed = std::fs::read_dir(versions_dir).ok()?;
    installed
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir() && !entry.path().join("pyvenv.cfg").exists())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| {
            let Some(rest) = name.strip_prefix(prefix) else {
                return false;
            };
            let continues_prefix = rest.starts_with('.') || rest.starts_with('-');
            let free_threaded = ends_with_digit_then_t(name);
            continues_prefix && !is_prerelease_or_dev(name) && free_threaded == wants_free_threaded
        })
        .max_by(|a, b| version_sort_key(a).cmp(&version_sort_key(b)))
}

fn ends_with_digit_then_t(name: &str) -> bool {
    name.strip_suffix('t').is_some_and(|stem| stem.ends_with(|c: char| c.is_ascii_digit()))
}

fn is_prerelease_or_dev(name: &str) -> bool {
    if name.ends_with("-dev") || name.ends_with("-src") || name.ends_with("-latest") {
        return true;
    }
    // `3.13.0rc2`, `3.12.0b1`, `3.14.0a7`: letters then digits at the end.
    let without_digits = name.trim_end_matches(|c: char| c.is_ascii_digit());
    without_digits.len() < name.len()
        && (without_digits.ends_with("rc") || without_digits.ends_with('a') || without_digits.ends_with('b'))
}

/// The order `pyenv latest` sorts by: the first dot-separated field as text (so `pypy3.10-7.3`
/// and `3.11.7` are grouped by family), then up to three fields by their leading number.
fn version_sort_key(name: &str) -> (String, [u64; 3]) {
    // pyenv turns `pypy3.10-7.3.12` into fields `pypy3`, `10`, `7`, `3`, `12`.
    let normalized = name.replacen('-', ".", 1);
    let mut fields = normalized.split('.');
    let family = fields.next().unwrap_or_default().to_string();
    let mut numbers = [0u64; 3];
    for (slot, field) in numbers.iter_mut().zip(fields) {
        let digits: String = field.chars().take_while(|c| c.is_ascii_digit()).collect();
        *slot = digits.parse().unwrap_or(0);
    }
    (family, numbers)
}

/// The first `name` on `path` outside pyenv's shim directories: what pyenv calls `system`.
fn find_outside_shims(name: &OsStr, cwd: &Path, path: Option<&OsStr>, shim_dirs: &[PathBuf]) -> Option<PathBuf> {
    let path = path?;
    let remaining: Vec<PathBuf> = std::env::split_paths(path)
        .filter(|dir| !shim_dirs.iter().any(|shims| dir == shims || same_directory(dir, shims)))
        .collect();
    let remaining = std::env::join_paths(remaining).ok()?;
    which::which_in(name, Some(remaining), cwd).ok()
}

// ---------------------------------------------------------------------------------------------
// Probing
// ---------------------------------------------------------------------------------------------

/// Marks the probe's answer, so that whatever a `sitecustomize` or a `.pth` file prints on start-up
/// cannot be mistaken for it.
const PROBE_MARKER: &str = "@@loupe-probe@@";

/// Runs without isolation flags, so the answer (notably whether `debugpy` imports) is what the
/// debuggee will see. Written to also run on Python 2, so an old interpreter is reported by its
/// version rather than as "not Python".
const PROBE_CODE: &str = r#"
import sys, json
impl = getattr(sys, "implementation", None)
info = {
    "version": list(sys.version_info[:3]),
    "implementation": impl.name if impl is not None else "cpython",
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "abiflags": getattr(sys, "abiflags", ""),
    "debugpy": None,
}
try:
    import importlib.util
    if importlib.util.find_spec("debugpy") is not None:
        import debugpy
        info["debugpy"] = str(getattr(debugpy, "__version__", "unknown"))
except Exception:
    pass
sys.stdout.write("\n@@loupe-probe@@" + json.dumps(info) + "\n")
sys.stdout.flush()
"#;

#[derive(Debug, Deserialize)]
struct ProbeReport {
    version: Vec<u32>,
    implementation: String,
    prefix: PathBuf,
    base_prefix: PathBuf,
    #[serde(default)]
    abiflags: String,
    debugpy: Option<String>,
}

/// Runs `path` once (in `cwd` when it exists, so local `sitecustomize` and `.pth` effects match
/// the debuggee's) and reads what it is. Fails if it is not Python or older than 3.8.
pub async fn probe(path: &Path, cwd: &Path) -> Result<Interpreter, InterpreterError> {
    let mut process = PythonProcess::new(path, ["-c", PROBE_CODE]);
    process.stdin = StdioMode::Null;
    if cwd.is_dir() {
        process.cwd = Some(cwd.to_path_buf());
    }
    let child = sandbox::spawn(&process).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => InterpreterError::NoSuchFile { path: path.to_path_buf() },
        std::io::ErrorKind::PermissionDenied => InterpreterError::NotExecutable { path: path.to_path_buf() },
        _ => InterpreterError::Spawn { path: path.to_path_buf(), source },
    })?;
    // Dropping the child on timeout kills it (kill_on_drop).
    let output = tokio::time::timeout(PROBE_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| InterpreterError::ProbeTimedOut { path: path.to_path_buf(), timeout: PROBE_TIMEOUT })?
        .map_err(|source| InterpreterError::Spawn { path: path.to_path_buf(), source })?;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = stdout
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(PROBE_MARKER))
        .and_then(|json| serde_json::from_str::<ProbeReport>(json).ok());
    let Some(report) = report else {
        return Err(InterpreterError::NotPython {
            path: path.to_path_buf(),
            detail: describe_failed_probe(output.status, &output.stderr),
        });
    };
    interpreter_from_report(path, report)
}

fn interpreter_from_report(path: &Path, report: ProbeReport) -> Result<Interpreter, InterpreterError> {
    let number = |index: usize| report.version.get(index).copied().unwrap_or(0);
    let version_tuple = (number(0), number(1), number(2));
    let version = format!("{}.{}.{}", version_tuple.0, version_tuple.1, version_tuple.2);
    if (version_tuple.0, version_tuple.1) < MINIMUM_VERSION {
        return Err(InterpreterError::TooOld { path: path.to_path_buf(), version });
    }
    Ok(Interpreter {
        path: path.to_path_buf(),
        version,
        version_tuple,
        implementation: report.implementation,
        prefix: report.prefix,
        base_prefix: report.base_prefix,
        abiflags: report.abiflags,
        debugpy: report.debugpy,
    })
}

/// Explains a probe that produced no answer: the exit status and the end of stderr, which for a
/// broken interpreter or a pyenv shim with no matching version says what is wrong.
fn describe_failed_probe(status: std::process::ExitStatus, stderr: &[u8]) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    let tail: Vec<&str> = stderr.lines().filter(|line| !line.trim().is_empty()).collect();
    let tail = &tail[tail.len().saturating_sub(5)..];
    let mut detail =
        format!("running it with `-c` printed no Python version information ({})", ExitDescription(status));
    if !tail.is_empty() {
        detail.push_str("; it said:\n    ");
        detail.push_str(&tail.join("\n    "));
    }
    detail
}

struct ExitDescription(std::process::ExitStatus);

impl fmt::Display for ExitDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.code() {
            Some(code) => write!(f, "exit status {code}"),
            None => write!(f, "{}", self.0),
        }
    }
}
