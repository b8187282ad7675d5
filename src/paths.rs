//! Where loupe keeps its files, following the XDG base directory specification.
//!
//! Each function reads its `XDG_*_HOME` variable when called (so tests and child processes can
//! point loupe elsewhere) and appends `loupe`. As the specification says, a variable that is unset,
//! empty or relative is ignored and the default under the home directory is used instead. The
//! same layout is used on every platform. Nothing here creates directories: callers create what
//! they write to.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

const APPLICATION_DIRECTORY: &str = "loupe";

/// Logs and other state worth keeping between runs: `$XDG_STATE_HOME/loupe`, by default
/// `~/.local/state/loupe`.
pub fn state_dir() -> PathBuf {
    xdg_application_dir("XDG_STATE_HOME", &[".local", "state"])
}

/// Data loupe can recompute: `$XDG_CACHE_HOME/loupe`, by default `~/.cache/loupe`.
pub fn cache_dir() -> PathBuf {
    xdg_application_dir("XDG_CACHE_HOME", &[".cache"])
}

/// User settings and themes: `$XDG_CONFIG_HOME/loupe`, by default `~/.config/loupe`.
pub fn config_dir() -> PathBuf {
    xdg_application_dir("XDG_CONFIG_HOME", &[".config"])
}

/// The log file used when none is given: `state_dir()/loupe.log`.
pub fn default_log_file() -> PathBuf {
    state_dir().join("loupe.log")
}

fn xdg_application_dir(variable: &str, default_under_home: &[&str]) -> PathBuf {
    xdg_base_dir(std::env::var_os(variable), dirs::home_dir(), default_under_home).join(APPLICATION_DIRECTORY)
}

/// The base directory from an `XDG_*_HOME` value, or `home` joined with `default_under_home`.
///
/// Without a home directory (no `$HOME` and no passwd entry) the temporary directory stands in
/// for it, so loupe still has somewhere to write.
fn xdg_base_dir(variable_value: Option<OsString>, home: Option<PathBuf>, default_under_home: &[&str]) -> PathBuf {
    if let Some(value) = variable_value {
        let candidate = Path::new(&value);
        if candidate.is_absolute() {
            return candidate.to_path_buf();
        }
    }
    let home = home.filter(|home| home.is_absolute()).unwrap_or_else(std::env::temp_dir);
    default_under_home.iter().fold(home, |path, component| path.join(component))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> Option<PathBuf> {
        Some(PathBuf::from("/home/ada"))
    }

    #[test]
    fn absolute_xdg_value_wins() {
        assert_eq!(xdg_base_dir(Some("/xdg/state".into()), home(), &[".local", "state"]), PathBuf::from("/xdg/state"));
    }

    #[test]
    fn unset_empty_or_relative_xdg_values_fall_back_to_home() {
        for value in [None, Some(OsString::new()), Some("relative/dir".into())] {
            assert_eq!(
                xdg_base_dir(value.clone(), home(), &[".local", "state"]),
                PathBuf::from("/home/ada/.local/state"),
                "{value:?}"
            );
        }
    }

    #[test]
    fn missing_home_falls_back_to_the_temporary_directory() {
        assert_eq!(xdg_base_dir(None, None, &[".cache"]), std::env::temp_dir().join(".cache"));
    }

    /// Set by `public_functions_follow_the_environment` in the child process it starts.
    const CHILD_MARKER: &str = "LOUPE_PATHS_TEST_CHILD";

    /// Runs the assertions below in a child process, so that setting `XDG_*` variables cannot
    /// race with other tests reading the environment in this process.
    #[test]
    fn public_functions_follow_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "paths::tests::child_checks_environment_paths", "--test-threads=1", "--nocapture"])
            .env(CHILD_MARKER, dir.path())
            .env("XDG_STATE_HOME", "relative/state")
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("HOME", dir.path().join("home"))
            .status()
            .unwrap();
        assert!(status.success(), "child test failed: {status}");
    }

    #[test]
    fn child_checks_environment_paths() {
        let Some(root) = std::env::var_os(CHILD_MARKER).map(PathBuf::from) else {
            return; // Only meaningful inside the child process started above.
        };
        assert_eq!(cache_dir(), root.join("cache").join("loupe"));
        assert_eq!(config_dir(), root.join("config").join("loupe"));
        // The relative XDG_STATE_HOME is ignored in favour of $HOME/.local/state.
        let state = root.join("home").join(".local").join("state").join("loupe");
        assert_eq!(state_dir(), state);
        assert_eq!(default_log_file(), state.join("loupe.log"));
    }
}
