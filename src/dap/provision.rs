//! Making debugpy importable by the chosen interpreter.
//!
//! If the interpreter already imports debugpy, that copy is used. Otherwise loupe keeps its own
//! copy per Python minor version in the cache (`<cache>/debugpy/py3.11`, a `pip install --target`
//! directory) and puts it on the adapter's and debuggee's `PYTHONPATH`, so the user's environment
//! is never modified. The first use installs it with the interpreter's own pip, streaming pip's
//! output to a progress callback.
//!
//! A cache directory is valid only once it holds [`COMPLETE_MARKER`]. The install happens in a
//! temporary sibling directory that gets the marker before it is renamed into place, so another
//! loupe process never sees a half-installed copy, and two concurrent installs both end up using
//! whichever finished first.

use std::collections::{BTreeMap, VecDeque};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use crate::pyenv::Interpreter;
use crate::sandbox::{self, PythonProcess, StdioMode};

/// Written into a cache directory (containing debugpy's version) once the install is verified.
pub const COMPLETE_MARKER: &str = ".loupe-complete";

/// How long pip may take. A normal install from PyPI takes a few seconds; this only catches a
/// network that hangs.
pub const INSTALL_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How long the check that the installed copy imports may take.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many of pip's last output lines an error message quotes.
const OUTPUT_TAIL_LINES: usize = 12;

/// Where the debugpy that loupe will use comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DebugpySource {
    /// The interpreter imports debugpy by itself (installed in its environment).
    Installed { version: String },
    /// loupe's own copy in the cache; `dir` must be prepended to `PYTHONPATH`.
    Cache { dir: PathBuf, version: String },
}

impl DebugpySource {
    pub fn version(&self) -> &str {
        match self {
            DebugpySource::Installed { version } | DebugpySource::Cache { version, .. } => version,
        }
    }
}

/// Why debugpy could not be made available. Each message says what the user can run instead.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(
        "{interpreter} has no pip; install debugpy with your package manager, or run \
         `{interpreter} -m ensurepip`, or pass --python with an interpreter that has debugpy or pip"
    )]
    NoPip { interpreter: String },

    #[error(
        "installing debugpy for {interpreter} failed ({status}); the last lines of pip's \
         output:\n{output_tail}\nTo install it yourself, run: {interpreter} -m pip install debugpy"
    )]
    InstallFailed { interpreter: String, status: String, output_tail: String },

    #[error(
        "installing debugpy for {interpreter} did not finish within {} minutes (is the network \
         slow or unreachable?); the last lines of pip's output:\n{output_tail}\nTo install it \
         yourself, run: {interpreter} -m pip install debugpy",
        timeout.as_secs() / 60
    )]
    InstallTimedOut { interpreter: String, timeout: Duration, output_tail: String },

    #[error(
        "debugpy was installed into {} but {interpreter} cannot import it: {detail}\nTo install \
         it yourself, run: {interpreter} -m pip install debugpy",
        dir.display()
    )]
    VerifyFailed { interpreter: String, dir: PathBuf, detail: String },
}

/// Makes sure `interp` can use debugpy, installing loupe's cached copy on first use.
/// Pip's output (and a line saying what is happening) goes to `progress`, one line per call.
pub async fn ensure_debugpy(
    interp: &Interpreter,
    progress: &mut (dyn FnMut(&str) + Send),
) -> anyhow::Result<DebugpySource> {
    ensure_debugpy_in(&crate::paths::cache_dir(), interp, &BTreeMap::new(), progress).await
}

/// [`ensure_debugpy`] with an explicit cache root (loupe's cache directory; the copy goes under
/// `debugpy/` in it) and extra environment variables for pip and the check (for example
/// `PIP_NO_INDEX` and `PIP_FIND_LINKS`). pip's own variables in loupe's environment are inherited
/// and never overridden.
pub async fn ensure_debugpy_in(
    cache_root: &Path,
    interp: &Interpreter,
    extra_env: &BTreeMap<OsString, OsString>,
    progress: &mut (dyn FnMut(&str) + Send),
) -> anyhow::Result<DebugpySource> {
    if let Some(version) = &interp.debugpy {
        return Ok(DebugpySource::Installed { version: version.clone() });
    }
    let final_dir = cache_dir_for(cache_root, interp);
    if let Some(version) = complete_cache_version(&final_dir) {
        return Ok(DebugpySource::Cache { dir: final_dir, version });
    }
    install_into_cache(&final_dir, interp, extra_env, progress).await
}

/// The directory to prepend to `PYTHONPATH` for the adapter and the debuggee, if any.
pub fn debuggee_pythonpath(source: &DebugpySource) -> Option<PathBuf> {
    match source {
        DebugpySource::Installed { .. } => None,
        DebugpySource::Cache { dir, .. } => Some(dir.clone()),
    }
}

/// Where loupe's copy of debugpy for `interp` lives under `cache_root`.
///
/// debugpy ships compiled modules built per Python minor version and ABI, so the key is the minor
/// version (`py3.11`), prefixed with the implementation when it is not CPython and suffixed with
/// `t` for free-threaded builds.
pub fn cache_dir_for(cache_root: &Path, interp: &Interpreter) -> PathBuf {
    let (major, minor, _) = interp.version_tuple;
    let mut key = format!("py{major}.{minor}");
    if !interp.implementation.is_empty() && interp.implementation != "cpython" {
        key = format!("{}-{key}", interp.implementation);
    }
    if interp.abiflags.contains('t') {
        key.push('t');
    }
    cache_root.join("debugpy").join(key)
}

/// debugpy's version if `dir` holds a complete install, else `None`.
fn complete_cache_version(dir: &Path) -> Option<String> {
    let marker = std::fs::read_to_string(dir.join(COMPLETE_MARKER)).ok()?;
    if !dir.join("debugpy").join("__init__.py").is_file() {
        return None;
    }
    let version = marker.trim();
    Some(if version.is_empty() { "unknown".to_string() } else { version.to_string() })
}

async fn install_into_cache(
    final_dir: &Path,
    interp: &Interpreter,
    extra_env: &BTreeMap<OsString, OsString>,
    progress: &mut (dyn FnMut(&str) + Send),
) -> anyhow::Result<DebugpySource> {
    let parent = final_dir.parent().context("the debugpy cache directory has no parent")?;
    let key = final_dir.file_name().context("the debugpy cache directory has no name")?.to_string_lossy().into_owned();
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the cache directory {}", parent.display()))?;
    remove_abandoned_temp_dirs(parent, &key);

    let temp_dir = TempDir::create(parent, &key)?;
    progress(&format!(
        "debugpy is not installed for {} (Python {}); installing it into {} (once per Python \
         version)",
        interp.path.display(),
        interp.version,
        final_dir.display()
    ));
    run_pip_install(interp, temp_dir.path(), extra_env, progress).await?;
    let version = verify_import(interp, temp_dir.path(), extra_env).await?;
    std::fs::write(temp_dir.path().join(COMPLETE_MARKER), format!("{version}\n"))
        .with_context(|| format!("cannot write {} in {}", COMPLETE_MARKER, temp_dir.path().display()))?;

    let version = move_into_place(temp_dir, final_dir, &version, progress)?;
    progress(&format!("debugpy {version} is ready in {}", final_dir.display()));
    Ok(DebugpySource::Cache { dir: final_dir.to_path_buf(), version })
}

/// Renames the finished install to `final_dir` and returns the version now there. If another
/// loupe finished first, its copy is kept and ours is deleted.
fn move_into_place(
    temp_dir: TempDir,
    final_dir: &Path,
    version: &str,
    progress: &mut (dyn FnMut(&str) + Send),
) -> anyhow::Result<String> {
    // rename(2) replaces a missing or empty directory and fails on a non-empty one.
    if std::fs::rename(temp_dir.path(), final_dir).is_ok() {
        temp_dir.keep();
        return Ok(version.to_string());
    }
    if let Some(existing) = complete_cache_version(final_dir) {
        progress("another loupe process installed debugpy at the same time; using its copy");
        return Ok(existing); // `temp_dir` is deleted on drop.
    }
    // Something incomplete that we did not write (an interrupted older layout, manual edits):
    // move it aside atomically rather than deleting in place, then take its spot.
    let aside = temp_dir.sibling_name("stale");
    if final_dir.exists() {
        std::fs::rename(final_dir, &aside).with_context(|| {
            format!("cannot move the incomplete debugpy cache {} out of the way", final_dir.display())
        })?;
    }
    let result = std::fs::rename(temp_dir.path(), final_dir);
    let _ = std::fs::remove_dir_all(&aside);
    match result {
        Ok(()) => {
            temp_dir.keep();
            Ok(version.to_string())
        }
        Err(error) => complete_cache_version(final_dir).ok_or_else(|| {
            anyhow::Error::new(error).context(format!(
                "cannot move the debugpy install from {} to {}",
                temp_dir.path().display(),
                final_dir.display()
            ))
        }),
    }
}

/// Runs `pip install --target dir debugpy`, streaming every output line to `progress`.
async fn run_pip_install(
    interp: &Interpreter,
    target: &Path,
    extra_env: &BTreeMap<OsString, OsString>,
    progress: &mut (dyn FnMut(&str) + Send),
) -> anyhow::Result<()> {
    let interpreter = shell_quote(&interp.path);
    let mut process = PythonProcess::new(
        &interp.path,
        [
            OsString::from("-m"),
            "pip".into(),
            "install".into(),
            "--disable-pip-version-check".into(),
            "--no-input".into(),
            "--target".into(),
            target.as_os_str().to_owned(),
            "debugpy".into(),
        ],
    );
    process.env = extra_env.clone();
    // pip writes through Python's buffered stdout; unbuffered, its lines arrive as they happen.
    process.env.entry("PYTHONUNBUFFERED".into()).or_insert_with(|| "1".into());
    // `-m pip` puts the working directory on sys.path: run where no stray `pip` package can be.
    process.cwd = target.parent().map(Path::to_path_buf);
    process.stdin = StdioMode::Null;
    process.stdout = StdioMode::Piped;
    process.stderr = StdioMode::Piped;

    let mut child = sandbox::spawn(&process).with_context(|| format!("could not run pip with {interpreter}"))?;
    let mut tail = OutputTail::default();
    let outcome =
        tokio::time::timeout(INSTALL_TIMEOUT, stream_output_until_exit(&mut child, &mut tail, progress)).await;
    let status = match outcome {
        Err(_elapsed) => {
            let _ = child.kill().await;
            return Err(ProvisionError::InstallTimedOut {
                interpreter,
                timeout: INSTALL_TIMEOUT,
                output_tail: tail.render(),
            }
            .into());
        }
        Ok(result) => result.with_context(|| format!("lost track of pip run by {interpreter}"))?,
    };
    if status.success() {
        return Ok(());
    }
    if tail.contains("No module named pip") {
        return Err(ProvisionError::NoPip { interpreter }.into());
    }
    Err(ProvisionError::InstallFailed { interpreter, status: describe_status(status), output_tail: tail.render() }
        .into())
}

/// Forwards the child's stdout and stderr lines to `progress` (keeping the last few) until both
/// close, then waits for the exit status.
async fn stream_output_until_exit(
    child: &mut tokio::process::Child,
    tail: &mut OutputTail,
    progress: &mut (dyn FnMut(&str) + Send),
) -> std::io::Result<ExitStatus> {
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let mut stdout = LineSource::new(stdout);
    let mut stderr = LineSource::new(stderr);
    while stdout.is_open() || stderr.is_open() {
        // `read_until` is cancel-safe: a partial line stays in the source's buffer.
        let line = tokio::select! {
            line = stdout.next_line(), if stdout.is_open() => line?,
            line = stderr.next_line(), if stderr.is_open() => line?,
        };
        if let Some(line) = line {
            // A progress bar redraws with carriage returns; each redraw is a line of its own.
            for segment in line.split('\r').map(str::trim_end) {
                if !segment.trim().is_empty() {
                    progress(segment);
                    tail.push(segment);
                }
            }
        }
    }
    child.wait().await
}

/// Lines from one of the child's output pipes, tolerating output that is not UTF-8.
struct LineSource<R> {
    reader: Option<BufReader<R>>,
    buffer: Vec<u8>,
}

impl<R: AsyncRead + Unpin> LineSource<R> {
    fn new(reader: Option<R>) -> Self {
        LineSource { reader: reader.map(BufReader::new), buffer: Vec::new() }
    }

    fn is_open(&self) -> bool {
        self.reader.is_some()
    }

    /// The next line, or `None` when the pipe has just closed.
    async fn next_line(&mut self) -> std::io::Result<Option<String>> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        let read = reader.read_until(b'\n', &mut self.buffer).await?;
        if read == 0 {
            self.reader = None;
            if self.buffer.is_empty() {
                return Ok(None);
            }
        }
        let line = String::from_utf8_lossy(&self.buffer).trim_end_matches(['\n', '\r']).to_string();
        self.buffer.clear();
        Ok(Some(line))
    }
}

/// Imports debugpy from `dir` with the interpreter and returns its version.
async fn verify_import(
    interp: &Interpreter,
    dir: &Path,
    extra_env: &BTreeMap<OsString, OsString>,
) -> Result<String, ProvisionError> {
    let verify_failed = |detail: String| ProvisionError::VerifyFailed {
        interpreter: shell_quote(&interp.path),
        dir: dir.to_path_buf(),
        detail,
    };
    let mut process = PythonProcess::new(&interp.path, ["-c", "import debugpy; print(debugpy.__version__)"]);
    process.env = extra_env.clone();
    process.env.insert("PYTHONPATH".into(), dir.as_os_str().to_owned());
    process.cwd = Some(dir.to_path_buf());

    let child = sandbox::spawn(&process).map_err(|error| verify_failed(error.to_string()))?;
    let output = tokio::time::timeout(VERIFY_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| verify_failed(format!("importing it did not finish within {} s", VERIFY_TIMEOUT.as_secs())))?
        .map_err(|error| verify_failed(error.to_string()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let version = stdout.lines().rev().map(str::trim).find(|l| !l.is_empty());
    match version {
        Some(version) if output.status.success() => Ok(version.to_string()),
        _ => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let mut tail = OutputTail::default();
            stderr.lines().for_each(|line| tail.push(line));
            Err(verify_failed(format!("{}\n{}", describe_status(output.status), tail.render())))
        }
    }
}

/// The last [`OUTPUT_TAIL_LINES`] lines of a process's output, for error messages.
#[derive(Default)]
struct OutputTail {
    lines: VecDeque<String>,
}

impl OutputTail {
    fn push(&mut self, line: &str) {
        if self.lines.len() == OUTPUT_TAIL_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line.to_string());
    }

    fn contains(&self, needle: &str) -> bool {
        self.lines.iter().any(|line| line.contains(needle))
    }

    fn render(&self) -> String {
        if self.lines.is_empty() {
            return "    (no output)".to_string();
        }
        self.lines.iter().map(|line| format!("    {line}")).collect::<Vec<_>>().join("\n")
    }
}

fn describe_status(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

/// `path` as it would be typed in a shell, so the suggested commands can be pasted.
fn shell_quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    let plain = text.chars().all(|c| c.is_ascii_alphanumeric() || "_-./+=:,@%".contains(c));
    if plain && !text.is_empty() {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// A temporary install directory next to the final one (same filesystem, so the rename is
/// atomic), removed on drop unless kept: a failed, cancelled or losing install leaves nothing.
struct TempDir {
    path: PathBuf,
    keep: bool,
}

impl TempDir {
    fn create(parent: &Path, key: &str) -> anyhow::Result<Self> {
        let nanos =
            SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|elapsed| elapsed.as_nanos()).unwrap_or(0);
        let path = parent.join(format!("{}{}-{nanos}", temp_prefix(key), std::process::id()));
        std::fs::create_dir(&path)
            .with_context(|| format!("cannot create the temporary install directory {}", path.display()))?;
        Ok(TempDir { path, keep: false })
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn sibling_name(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{suffix}"));
        PathBuf::from(name)
    }

    fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Temporary directories are hidden siblings named after the final directory.
fn temp_prefix(key: &str) -> String {
    format!(".{key}.tmp-")
}

/// Deletes temporary directories left by installs that were killed. Anything older than twice the
/// install timeout cannot belong to a running install.
fn remove_abandoned_temp_dirs(parent: &Path, key: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = temp_prefix(key);
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let age =
            entry.metadata().and_then(|metadata| metadata.modified()).ok().and_then(|modified| modified.elapsed().ok());
        if age.is_some_and(|age| age > INSTALL_TIMEOUT * 2) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
