//! The file system a confined program sees, enforced with Landlock: read (and execute) access
//! to the system, the interpreter, its libraries and site-packages, the project; write access to
//! the working directory and a private temporary directory; nothing else of the home directory.
//!
//! The rules are turned into a Landlock ruleset here, in loupe; the child only calls
//! `landlock_restrict_self` on the ruleset's descriptor between fork and exec.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use landlock::{
    path_beneath_rules, Access, AccessFs, CompatLevel, Compatible, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, ABI,
};
use serde::Serialize;

/// Paths by kind of access.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FsRules {
    pub read: Vec<PathBuf>,
    pub write: Vec<PathBuf>,
    /// Device files that are safe to read and write (`/dev/null`, terminals, ...).
    pub devices: Vec<PathBuf>,
}

/// System directories every interpreter needs (libraries, certificates, time zones, locale).
const SYSTEM_READ: &[&str] = &["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys"];
/// Devices: the harmless ones only, never disks or memory.
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/pts",
    "/dev/ptmx",
    "/dev/shm",
    "/dev/fd",
];

impl FsRules {
    /// The rules for one process: system directories, `interpreter`'s installation, the
    /// `project` directories (read), the `writable` ones, and what the policy adds.
    pub fn for_process(
        interpreter: &Path,
        project: &[PathBuf],
        writable: &[PathBuf],
        extra_read: &[PathBuf],
    ) -> FsRules {
        let mut rules = FsRules::default();
        rules.read.extend(SYSTEM_READ.iter().map(PathBuf::from));
        rules.read.extend(interpreter_dirs(interpreter));
        if let Some(home) = dirs::home_dir() {
            // User site-packages (`pip install --user`).
            rules.read.push(home.join(".local/lib"));
        }
        rules.read.extend(project.iter().cloned());
        rules.read.extend(extra_read.iter().cloned());
        rules.write.extend(writable.iter().cloned());
        rules.devices.extend(DEVICES.iter().map(PathBuf::from));
        for list in [&mut rules.read, &mut rules.write, &mut rules.devices] {
            list.retain(|p| p.exists());
            list.sort();
            list.dedup();
        }
        rules
    }

    /// Builds the Landlock ruleset (best effort for the kernel's ABI, signals and abstract Unix
    /// sockets scoped where the ABI has it). Returns its descriptor.
    pub fn ruleset(&self, abi_version: i32, scope_signals: bool) -> anyhow::Result<OwnedFd> {
        let abi = abi_from(abi_version);
        let mut ruleset = Ruleset::default()
            .set_compatibility(CompatLevel::BestEffort)
            .handle_access(AccessFs::from_all(abi))
            .context("Landlock: file system access")?;
        if scope_signals {
            ruleset = ruleset.scope(Scope::Signal).context("Landlock: signal scope")?;
        }
        let ruleset = ruleset
            .scope(Scope::AbstractUnixSocket)
            .context("Landlock: abstract Unix socket scope")?
            .create()
            .context("Landlock: creating the ruleset")?
            .add_rules(path_beneath_rules(&self.read, AccessFs::from_read(abi)))
            .context("Landlock: read rules")?
            .add_rules(path_beneath_rules(&self.write, AccessFs::from_all(abi)))
            .context("Landlock: write rules")?
            .add_rules(path_beneath_rules(
                &self.devices,
                AccessFs::from_read(abi) | AccessFs::WriteFile | AccessFs::Truncate | AccessFs::IoctlDev,
            ))
            .context("Landlock: device rules")?;
        let fd: Option<OwnedFd> = ruleset.into();
        fd.ok_or_else(|| anyhow!("Landlock is not supported by this kernel"))
    }
}

/// The Landlock access bits of a writable directory under `abi_version` (for rules the child adds
/// itself, like the private `/dev/shm`).
pub fn write_access_bits(abi_version: i32) -> u64 {
    AccessFs::from_all(abi_from(abi_version)).bits()
}

/// Secrets that read access to `/etc` would show a program running as root: password hashes,
/// sudo rules, SSH host keys. Hidden behind `/dev/null` in the program's mount namespace.
pub fn masked_secrets() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["shadow", "shadow-", "gshadow", "gshadow-", "sudoers", "security/opasswd"]
        .iter()
        .map(|name| Path::new("/etc").join(name))
        .collect();
    if let Ok(entries) = std::fs::read_dir("/etc/ssh") {
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("ssh_host_") && n.ends_with("_key"))
        }));
    }
    files.retain(|f| f.is_file());
    files.sort();
    files
}

fn abi_from(version: i32) -> ABI {
    match version {
        ..=0 => ABI::Unsupported,
        1 => ABI::V1,
        2 => ABI::V2,
        3 => ABI::V3,
        4 => ABI::V4,
        5 => ABI::V5,
        _ => ABI::V6,
    }
}

/// The interpreter's installation, for the path as given (a virtual environment) and for the real
/// file (the base installation its standard library lives in): `bin/..` of each.
fn interpreter_dirs(interpreter: &Path) -> Vec<PathBuf> {
    let home = dirs::home_dir();
    let mut dirs: Vec<PathBuf> = installation(interpreter, home.as_deref()).into_iter().collect();
    if let Ok(real) = interpreter.canonicalize() {
        dirs.extend(installation(&real, home.as_deref()));
    }
    dirs
}

/// `bin/..` of `interpreter` when its directory is a `bin`; otherwise that directory itself. A
/// directory that holds other things than an installation is never granted whole: the file
/// system's root, the home directory or one of its parents, or a shared temporary directory
/// (a wrapper at `~/bin/python` or `/tmp/x/python` must not open `~/.ssh` or all of `/tmp`);
/// then only the next level down toward the interpreter (or the interpreter file) is.
fn installation(interpreter: &Path, home: Option<&Path>) -> Option<PathBuf> {
    let dir = interpreter.parent()?;
    let shared =
        |d: &Path| holds_the_home(d, home) || ["/tmp", "/var/tmp", "/dev/shm"].iter().any(|t| d == Path::new(t));
    let prefix = dir.parent().filter(|_| dir.file_name().is_some_and(|n| n == "bin"));
    match prefix {
        Some(prefix) if !shared(prefix) => Some(prefix.to_path_buf()),
        // `/bin/python3` lands here: `/` is never granted.
        _ if !shared(dir) => Some(dir.to_path_buf()),
        _ => Some(interpreter.to_path_buf()),
    }
}

/// Whether granting `dir` would grant the home directory: it is the root, the home directory or
/// one of its parents (`/home` for `/home/alice`). Such a directory is never granted for the
/// interpreter's installation nor as the project; `--allow-read` / `--allow-write` still can.
pub(super) fn holds_the_home(dir: &Path, home: Option<&Path>) -> bool {
    dir.parent().is_none() || home.is_some_and(|home| home.starts_with(dir))
}

/// Applies the ruleset `fd` to the calling process. Between fork and exec: no allocation.
///
/// # Safety
/// Only for a freshly forked child.
pub unsafe fn restrict_self(fd: &OwnedFd) -> std::io::Result<()> {
    if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if libc::syscall(libc::SYS_landlock_restrict_self, fd.as_raw_fd(), 0u32) != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_that_holds_the_home_directory_is_never_granted() {
        let home = Some(Path::new("/home/alice"));
        assert!(!holds_the_home(Path::new("/home/alice/project"), home));
        assert!(!holds_the_home(Path::new("/home/bob"), home));
        assert!(!holds_the_home(Path::new("/tmp"), home));
        assert!(holds_the_home(Path::new("/home/alice"), home));
        assert!(holds_the_home(Path::new("/home"), home));
        assert!(holds_the_home(Path::new("/"), home));
        // Not a prefix of the path's text: a component-wise ancestor only.
        assert!(!holds_the_home(Path::new("/home/ali"), home));
        assert!(!holds_the_home(Path::new("/srv"), None));
        assert!(holds_the_home(Path::new("/"), None));
    }

    #[test]
    fn an_interpreter_grants_its_installation_never_a_shared_directory() {
        let home = Path::new("/home/ada");
        let grant = |p: &str| installation(Path::new(p), Some(home)).unwrap();
        assert_eq!(grant("/home/ada/proj/.venv/bin/python"), Path::new("/home/ada/proj/.venv"));
        assert_eq!(grant("/opt/python3.12/bin/python3"), Path::new("/opt/python3.12"));
        // A wrapper or symlink in ~/bin, /tmp/x or /tmp/bin: its own directory, not ~ or /tmp.
        assert_eq!(grant("/home/ada/bin/python"), Path::new("/home/ada/bin"));
        assert_eq!(grant("/tmp/x/python"), Path::new("/tmp/x"));
        assert_eq!(grant("/tmp/bin/python"), Path::new("/tmp/bin"));
        // Directly in a shared directory: the file alone.
        assert_eq!(grant("/tmp/python"), Path::new("/tmp/python"));
        assert_eq!(grant("/home/ada/python"), Path::new("/home/ada/python"));
        // /usr/bin/python3 and /bin/python3 would give `/`: /usr/bin (and /usr, a system path).
        assert_eq!(grant("/usr/bin/python3"), Path::new("/usr"));
        assert_eq!(grant("/bin/python3"), Path::new("/bin"));
    }

    #[test]
    fn the_home_directory_is_not_readable_but_the_interpreter_is() {
        let home = dirs::home_dir().unwrap();
        let python = PathBuf::from("/usr/bin/python3");
        let project = std::env::current_dir().unwrap();
        let rules = FsRules::for_process(&python, std::slice::from_ref(&project), &[], &[]);
        assert!(!rules.read.contains(&home), "{:?}", rules.read);
        assert!(rules.read.contains(&project));
        assert!(rules.read.iter().all(|p| p != Path::new("/")));
        assert!(rules.devices.contains(&PathBuf::from("/dev/null")));
        assert!(!rules.devices.iter().any(|d| d.starts_with("/dev/sd")));
    }
}
