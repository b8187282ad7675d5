//! Diagnostics: `tracing` to a log file, never to the terminal.
//!
//! The terminal belongs to the TUI (or to batch output), so [`init`] installs a global
//! `tracing-subscriber` that writes plain text (no ANSI colours) with timestamps and targets to a
//! file, by default [`paths::default_log_file`], appending across runs.
//!
//! The level is an `EnvFilter` directive list such as `info`, `debug`, `trace` or
//! `warn,loupe::dap=trace`. The `LOUPE_LOG` environment variable, when set and not empty, wins
//! over the level given by the caller (like `RUST_LOG` for other programs).
//!
//! Useful targets:
//!
//! - `loupe::dap::wire` at `trace` logs every Debug Adapter Protocol message sent and received
//!   (the DAP client uses `tracing::trace!(target: "loupe::dap::wire", ...)`). It is verbose and
//!   includes launch environments, so it is off unless asked for:
//!   `LOUPE_LOG=info,loupe::dap::wire=trace`.
//! - `loupe::dap`, `loupe::session`, `loupe::sandbox`: each module logs under its own path.
//!
//! The log file is created with mode 0600 and its directory with 0700 (on Unix): it can hold
//! environment variables and program data.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::sync::OnceLock;

use anyhow::Context as _;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::writer::OptionalWriter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::paths;

/// The environment variable whose value, when set, replaces the `level` given to [`init`].
pub const LEVEL_OVERRIDE_VARIABLE: &str = "LOUPE_LOG";

/// Target of the trace events that record every DAP message on the wire.
pub const DAP_WIRE_TARGET: &str = "loupe::dap::wire";

/// When the log file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// At once, with a first "logging started" line (an error if it cannot be opened).
    Now,
    /// With the first event, if there is one: `loupe exec` and `loupe tool` normally log nothing,
    /// and their start-up is what they are measured by.
    OnFirstEvent,
}

/// Sends `tracing` events at `level` (or `$LOUPE_LOG`) to `file` (or the default log file).
///
/// Returns the path of the log file. Fails if the filter is invalid, if the file cannot be
/// opened (with [`Opening::Now`]), or if a global subscriber was already installed (call this
/// once, early in `main`).
pub fn init(level: &str, file: Option<&Path>, opening: Opening) -> anyhow::Result<PathBuf> {
    let override_level = std::env::var(LEVEL_OVERRIDE_VARIABLE).ok().filter(|value| !value.trim().is_empty());
    let (directives, source) = match &override_level {
        Some(value) => (value.as_str(), format!("${LEVEL_OVERRIDE_VARIABLE}")),
        None => (level, "the log level".to_string()),
    };
    let filter = parse_filter(directives).with_context(|| format!("invalid {source}"))?;

    let log_path = match file {
        Some(path) => path.to_path_buf(),
        None => paths::default_log_file(),
    };
    let log_file = match opening {
        Opening::Now => LogFile::opened(open_log_file(&log_path)?),
        Opening::OnFirstEvent => LogFile::later(log_path.clone()),
    };

    tracing_subscriber::fmt()
        .with_writer(log_file)
        .with_ansi(false)
        .with_target(true)
        .with_env_filter(filter)
        .try_init()
        .map_err(|error| anyhow::anyhow!("cannot install the log subscriber: {error}"))?;

    if opening == Opening::OnFirstEvent {
        return Ok(log_path);
    }
    tracing::info!(
        target: "loupe",
        version = env!("CARGO_PKG_VERSION"),
        pid = std::process::id(),
        filter = directives,
        "logging started"
    );
    Ok(log_path)
}

/// The log file, open or opened on first use (then, if it cannot be opened, events are dropped).
struct LogFile {
    path: PathBuf,
    file: OnceLock<Option<File>>,
}

impl LogFile {
    fn opened(file: File) -> LogFile {
        LogFile { path: PathBuf::new(), file: OnceLock::from(Some(file)) }
    }

    fn later(path: PathBuf) -> LogFile {
        LogFile { path, file: OnceLock::new() }
    }
}

impl<'a> MakeWriter<'a> for LogFile {
    /// The file, or nowhere when it could not be opened.
    type Writer = OptionalWriter<&'a File>;

    fn make_writer(&'a self) -> Self::Writer {
        match self.file.get_or_init(|| open_log_file(&self.path).ok()) {
            Some(file) => OptionalWriter::some(file),
            None => OptionalWriter::none(),
        }
    }
}

/// Parses an `EnvFilter` directive list, rejecting bare words that are not level names.
///
/// `EnvFilter` itself reads a bare word such as `verbose` as "everything from target `verbose`",
/// which silently logs nothing useful; a typo for a level should be an error instead. Targets are
/// still available as `target=level` (for example `loupe::dap=trace`).
pub fn parse_filter(directives: &str) -> anyhow::Result<EnvFilter> {
    let directive_list: Vec<&str> =
        directives.split(',').map(str::trim).filter(|directive| !directive.is_empty()).collect();
    for directive in &directive_list {
        let is_bare_word = !directive.contains(['=', '[', ':']) && LevelFilter::from_str(directive).is_err();
        if is_bare_word {
            anyhow::bail!(
                "{directives:?}: {directive:?} is not a log level (use trace, debug, info, \
                 warn, error or off, or target=level such as loupe::dap=trace)"
            );
        }
    }
    EnvFilter::builder().parse(directive_list.join(",")).map_err(|error| anyhow::anyhow!("{directives:?}: {error}"))
}

/// Opens `path` for appending, creating it and its parent directories.
fn open_log_file(path: &Path) -> anyhow::Result<File> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        create_private_dir_all(parent).with_context(|| {
            format!(
                "cannot create the log directory {} (choose another log file or fix its \
                 permissions)",
                parent.display()
            )
        })?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path).with_context(|| {
        format!(
            "cannot open the log file {} for appending (choose another log file or fix its \
             permissions)",
            path.display()
        )
    })
}

fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_and_target_directives_parse() {
        for directives in [
            "info",
            "DEBUG",
            "trace",
            "off",
            "warn,loupe::dap=trace",
            "loupe::dap::wire=trace",
            "info, loupe=debug",
            "",
        ] {
            assert!(parse_filter(directives).is_ok(), "{directives:?}");
        }
    }

    #[test]
    fn invalid_directives_are_named_in_the_error() {
        for (directives, named) in [("verbose", "verbose"), ("info,lots", "lots"), ("loupe=loud", "loupe=loud")] {
            let message = format!("{:#}", parse_filter(directives).unwrap_err());
            assert!(message.contains(named), "{directives:?}: {message}");
        }
    }

    #[test]
    fn invalid_level_fails_before_touching_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("never").join("loupe.log");
        if std::env::var_os(LEVEL_OVERRIDE_VARIABLE).is_some() {
            return; // The override would replace the level under test.
        }
        let message = format!("{:#}", init("chatty", Some(&log), Opening::Now).unwrap_err());
        assert!(message.contains("chatty"), "{message}");
        assert!(!log.exists());
    }

    #[test]
    fn unopenable_file_error_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        // A directory cannot be opened as a log file.
        let message = format!("{:#}", open_log_file(dir.path()).unwrap_err());
        assert!(message.contains(&dir.path().display().to_string()), "{message}");
        assert!(message.contains("log file"), "{message}");

        // A parent that is a regular file cannot be created as a directory.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "").unwrap();
        let message = format!("{:#}", open_log_file(&blocker.join("loupe.log")).unwrap_err());
        assert!(message.contains("blocker"), "{message}");
    }

    #[test]
    fn log_file_is_appended_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("nested").join("dirs").join("loupe.log");
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        std::fs::write(&log, "earlier run\n").unwrap();
        use std::io::Write as _;
        writeln!(open_log_file(&log).unwrap(), "this run").unwrap();
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "earlier run\nthis run\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let fresh = dir.path().join("fresh").join("loupe.log");
            drop(open_log_file(&fresh).unwrap());
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(fresh.parent().unwrap()).unwrap().permissions().mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
    }

    /// Set in the child process started by `init_writes_events_to_the_file_only`.
    const CHILD_LOG_FILE: &str = "LOUPE_LOGGING_TEST_CHILD_LOG";

    /// Runs the test `child` of this binary alone, in a child process with `log` in the
    /// variable `log_variable` and `level` (or no level) in `$LOUPE_LOG`: `init` installs a
    /// process-wide subscriber, which other tests of this process may want for themselves.
    /// Returns the child's stdout and stderr.
    fn run_child_test(child: &str, log_variable: &str, log: &Path, level: Option<&str>) -> String {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command.args(["--exact", child, "--test-threads=1", "--nocapture"]).env(log_variable, log);
        match level {
            Some(level) => command.env(LEVEL_OVERRIDE_VARIABLE, level),
            None => command.env_remove(LEVEL_OVERRIDE_VARIABLE),
        };
        let output = command.output().unwrap();
        let printed =
            format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "child failed:\n{printed}");
        printed
    }

    #[test]
    fn init_writes_events_to_the_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("state").join("loupe.log");
        let printed = run_child_test(
            "logging::tests::child_initialises_logging",
            CHILD_LOG_FILE,
            &log,
            Some("info,loupe::dap::wire=trace"),
        );
        assert!(!printed.contains("wire message"));

        let contents = std::fs::read_to_string(&log).unwrap();
        assert!(contents.contains("logging started"), "{contents}");
        assert!(contents.contains("loupe::dap::wire"), "{contents}");
        assert!(contents.contains("wire message"), "{contents}");
        assert!(contents.contains("TRACE"), "{contents}");
        assert!(!contents.contains("hidden debug"), "{contents}");
        assert!(!contents.contains('\u{1b}'), "no ANSI escapes: {contents}");
    }

    /// Set in the child process started by `a_lazy_log_file_appears_with_the_first_event`.
    const LAZY_CHILD_LOG_FILE: &str = "LOUPE_LOGGING_TEST_LAZY_CHILD_LOG";

    #[test]
    fn a_lazy_log_file_appears_with_the_first_event() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("state").join("loupe.log");
        run_child_test("logging::tests::child_logs_lazily", LAZY_CHILD_LOG_FILE, &log, None);
        let contents = std::fs::read_to_string(&log).unwrap();
        assert!(contents.contains("the first event"), "{contents}");
        assert!(!contents.contains("logging started"), "{contents}");
    }

    #[test]
    fn child_logs_lazily() {
        let Some(log) = std::env::var_os(LAZY_CHILD_LOG_FILE).map(PathBuf::from) else {
            return; // Only meaningful inside the child process started above.
        };
        init("info", Some(&log), Opening::OnFirstEvent).unwrap();
        tracing::debug!("below the level: opens nothing");
        assert!(!log.exists(), "opened before any event");
        tracing::warn!("the first event");
        assert!(log.exists(), "not opened by the first event");
    }

    #[test]
    fn child_initialises_logging() {
        let Some(log) = std::env::var_os(CHILD_LOG_FILE).map(PathBuf::from) else {
            return; // Only meaningful inside the child process started above.
        };
        // LOUPE_LOG (set by the parent) overrides the "error" passed here.
        let returned = init("error", Some(&log), Opening::Now).unwrap();
        assert_eq!(returned, log);
        tracing::trace!(target: "loupe::dap::wire", "wire message");
        tracing::debug!(target: "loupe::session", "hidden debug");
        let second = format!("{:#}", init("info", Some(&log), Opening::Now).unwrap_err());
        assert!(second.contains("subscriber"), "{second}");
    }
}
