//! Running the real loupe binary as a normal user from tests that CI runs as root: privileges
//! are dropped with `setpriv` (util-linux) to a uid with no home and no groups, in a temporary
//! directory that user owns. Everything that user runs must be reachable by it: loupe's binary
//! is copied there when the target directory is not, and the interpreter is
//! `.venv-test/nobody` (the system's Python, made by `scripts/setup-test-env.sh`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// `nobody`, the usual unprivileged user.
pub const NOBODY: u32 = 65534;

pub struct Unprivileged {
    pub uid: u32,
    _root: tempfile::TempDir,
    /// The working directory (the user's).
    pub work: PathBuf,
    /// The user's home directory.
    pub home: PathBuf,
    /// A directory the user may write, outside the working directory.
    pub outside: PathBuf,
    loupe: PathBuf,
    pub python: PathBuf,
    drop_privileges: bool,
}

impl Unprivileged {
    /// As uid `uid` (when the tests run as root; as the current user otherwise). `None`, after
    /// saying why loudly, only where the kernel refuses that user a user namespace.
    pub fn new(uid: u32) -> Option<Unprivileged> {
        // SAFETY: geteuid cannot fail.
        let drop_privileges = unsafe { libc::geteuid() } == 0;
        let uid = if drop_privileges { uid } else { unsafe { libc::geteuid() } };
        let root = tempfile::Builder::new().prefix("loupe-unprivileged-").tempdir().unwrap();
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let dir = |name: &str| {
            let path = root.path().join(name);
            std::fs::create_dir(&path).unwrap();
            if drop_privileges {
                std::os::unix::fs::chown(&path, Some(uid), Some(uid)).unwrap();
            }
            path
        };
        let (work, home, outside) = (dir("work"), dir("home"), dir("outside"));
        let mut user = Unprivileged {
            uid,
            work,
            home,
            outside,
            loupe: PathBuf::from(env!("CARGO_BIN_EXE_loupe")),
            python: super::repo().join(".venv-test/nobody/bin/python"),
            drop_privileges,
            _root: root,
        };
        let probe = user.command("unshare").args(["-r", "-n", "-p", "-f", "--mount-proc", "true"]).output().unwrap();
        if !probe.status.success() {
            eprintln!(
                "\n!!! SKIPPED: this kernel refuses uid {uid} a user namespace (`unshare -rnpf` failed: {})\n",
                String::from_utf8_lossy(&probe.stderr).trim()
            );
            return None;
        }
        if !user.command("test").arg("-x").arg(&user.loupe).status().unwrap().success() {
            let copy = user._root.path().join("loupe");
            copy_executable(&user.loupe, &copy);
            user.loupe = copy;
        }
        let usable = user.command(&user.python).args(["-c", "import debugpy, ipdb"]).status();
        assert!(
            usable.is_ok_and(|s| s.success()),
            "{} is missing or not usable by uid {uid}: run scripts/setup-test-env.sh",
            user.python.display()
        );
        Some(user)
    }

    /// `program` as this user, in its working directory, with its home and no XDG directories
    /// of the caller's.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = if self.drop_privileges {
            let mut c = Command::new("setpriv");
            let id = self.uid.to_string();
            c.args(["--reuid", &id, "--regid", &id, "--clear-groups", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        command.current_dir(&self.work).env("HOME", &self.home);
        for name in ["XDG_RUNTIME_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "TMPDIR"] {
            command.env_remove(name);
        }
        command
    }

    /// The loupe binary this user runs.
    pub fn loupe_path(&self) -> &Path {
        &self.loupe
    }

    /// `loupe ARGS` as this user.
    pub fn loupe(&self, args: &[&str]) -> Command {
        let mut command = self.command(&self.loupe);
        command.args(args);
        command
    }

    /// `loupe exec --json --python PYTHON ARGS` as this user, inside a guard.
    pub fn exec_json(&self, args: &[&str]) -> (super::Run, Value) {
        let mut full = vec!["exec", "--json", "--python", self.python.to_str().unwrap()];
        full.extend_from_slice(args);
        let run = super::guarded(self.loupe(&full), None, None);
        let json = run.json();
        (run, json)
    }

    /// `loupe sandbox check --json` as this user.
    pub fn check(&self) -> Value {
        let out = self.loupe(&["sandbox", "check", "--json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// A copy of the test program `tests/programs/<name>` in the working directory.
    pub fn program(&self, name: &str) -> PathBuf {
        let source = super::repo().join("tests/programs").join(name);
        let copy = self.work.join(Path::new(name).file_name().unwrap());
        std::fs::copy(source, &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644)).unwrap();
        copy
    }

    /// Writes `text` to `path` (under the user's directories), owned by the user.
    pub fn write(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        if self.drop_privileges {
            for p in [path, path.parent().unwrap()] {
                std::os::unix::fs::chown(p, Some(self.uid), Some(self.uid)).unwrap();
            }
        }
    }
}

/// Copies the program `source` to `dest`, mode 0755, through `cp`: a file this process held open
/// for writing would be inherited by whatever another test forks meanwhile, until that child
/// execs, and running the copy then fails with ETXTBSY ("Text file busy", seen in a full run).
pub fn copy_executable(source: &Path, dest: &Path) {
    let copied = std::process::Command::new("cp").arg(source).arg(dest).status().expect("run cp");
    assert!(copied.success(), "cp {} {} failed", source.display(), dest.display());
    std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o755)).unwrap();
}
