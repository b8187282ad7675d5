//! Network namespaces made ahead of time, one run at a time.
//!
//! Making a network namespace costs the kernel 0.6–1.2 ms here (every network subsystem sets
//! itself up), and `loupe exec` waited for most of it even on a thread of its own. So once a
//! run's program has started, loupe makes the *next* run's namespace in the background and keeps
//! it alive the way `ip netns add` does: bind-mounted on a file, `/run/loupe/netns/ready-*`. The
//! next run claims it in a few system calls.
//!
//! Each namespace serves exactly one run, never two:
//! - it is fresh when claimed (loopback up, nothing else: no program ever ran in it);
//! - a run claims it by creating `<entry>.claimed` with `O_EXCL` (atomic: one winner), holding
//!   its own pid; the entry and its marker are removed by that run (in the background while its
//!   program runs, at the latest when the run ends);
//! - an entry whose marker names a dead process (a run that was killed) is never handed out
//!   again: the next claimer removes it;
//! - programs never see the pool: `/run` is outside the sandbox's Landlock rules, their mount
//!   namespace has an empty tmpfs over `/run/loupe`, and seccomp refuses `setns`.
//!
//! Only a privileged loupe (the one that uses namespaces at all) keeps a pool; when anything
//! fails the run simply makes its own namespace, as before.

use std::fs::{self, File};
use std::io::Write as _;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::Context;

/// Hidden from programs by their mount namespace (see [`super::child`]).
pub const POOL_ROOT: &str = "/run/loupe";
const POOL_DIR: &str = "/run/loupe/netns";
const READY: &str = "ready-";
const CLAIMED: &str = ".claimed";
/// Namespaces kept ready: one per run that is about to start is enough for sequential runs.
const POOL_SIZE: usize = 1;
/// An entry that is still a plain file this long after it was made was abandoned half-made.
const HALF_MADE: Duration = Duration::from_secs(10);

/// A namespace taken from the pool: its descriptor, and the entry its run must remove.
pub struct Claimed {
    pub fd: OwnedFd,
    pub entry: PoolEntry,
}

/// A claimed pool entry, removed once (by [`PoolEntry::remove`] or when dropped).
#[derive(Debug, Clone)]
pub struct PoolEntry(Arc<Mutex<Option<PathBuf>>>);

impl PoolEntry {
    /// Gives an entry back unused (no process ever entered its namespace: a run that turned
    /// out to need none, e.g. `--sandbox off` from the config file): its claim marker goes, so
    /// the next run can take it. Later calls, and [`PoolEntry::remove`], do nothing.
    pub fn release(&self) {
        let mut entry = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(path) = entry.take() {
            let _ = fs::remove_file(claim_marker(&path));
        }
    }

    /// Unmounts and unlinks the entry and its claim marker; later calls do nothing.
    pub fn remove(&self) {
        let mut entry = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(path) = entry.take() {
            remove_entry(&path);
        }
    }
}

/// Takes a ready namespace from the pool, if there is one.
pub fn claim() -> Option<Claimed> {
    let entries = fs::read_dir(POOL_DIR).ok()?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(READY) || name.ends_with(CLAIMED) {
            continue;
        }
        let path = entry.path();
        let marker = claim_marker(&path);
        match File::options().write(true).create_new(true).mode(0o600).open(&marker) {
            Ok(mut file) => {
                let _ = write!(file, "{}", std::process::id());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                remove_if_abandoned(&path, &marker);
                continue;
            }
            Err(_) => return None,
        }
        // Ours now. Is it a whole one (mounted, a network namespace)?
        match open_namespace(&path) {
            Some(fd) => return Some(Claimed { fd, entry: PoolEntry(Arc::new(Mutex::new(Some(path)))) }),
            None => {
                // Half made: being made right now, or abandoned (then it goes).
                if modified_before(&path, HALF_MADE) {
                    let _ = fs::remove_file(&path);
                }
                let _ = fs::remove_file(&marker);
            }
        }
    }
    None
}

/// On a background thread: removes `used` (the entry this run claimed, if any), then makes
/// namespaces for the next runs if fewer than [`POOL_SIZE`] are ready. Called once a run's
/// program has started: the kernel's work then overlaps with the program instead of delaying the
/// next start. If loupe exits first, a later claimer removes what was left half-made.
pub fn tend_in_background(used: Option<PoolEntry>) {
    let tend = move || {
        if let Some(entry) = used {
            entry.remove();
        }
        if ready_entries() < POOL_SIZE {
            if let Err(e) = make_entry() {
                tracing::debug!("no network namespace made ahead: {e:#}");
            }
        }
    };
    if let Err(e) = std::thread::Builder::new().name("loupe-netns-pool".into()).spawn(tend) {
        tracing::debug!("no network namespace made ahead: {e}");
    }
}

/// Entries not claimed yet.
fn ready_entries() -> usize {
    let Ok(entries) = fs::read_dir(POOL_DIR) else { return 0 };
    entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(READY) && !n.ends_with(CLAIMED)))
        .filter(|e| !claim_marker(&e.path()).exists())
        .count()
}

/// On this thread (which it moves to a new network namespace): makes a namespace with loopback
/// up and mounts it as a new pool entry.
fn make_entry() -> anyhow::Result<()> {
    create_private_dirs()?;
    // SAFETY: plain system calls that change this thread's network namespace only.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        return Err(std::io::Error::last_os_error()).context("unshare(CLONE_NEWNET)");
    }
    // SAFETY: as above.
    unsafe { super::netns::loopback_up() }.context("bringing up the loopback interface")?;
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let path = Path::new(POOL_DIR).join(format!("{READY}{}-{nanos:x}", std::process::id()));
    File::options().write(true).create_new(true).mode(0o600).open(&path).context("creating a pool entry")?;
    let target = super::child::c_path(&path)?;
    // SAFETY: mount with valid C strings; binds this thread's namespace onto the new file.
    let mounted = unsafe {
        libc::mount(
            c"/proc/thread-self/ns/net".as_ptr(),
            target.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND,
            std::ptr::null(),
        )
    };
    if mounted != 0 {
        let error = std::io::Error::last_os_error();
        let _ = fs::remove_file(&path);
        return Err(error).context("mounting the namespace on its pool entry");
    }
    Ok(())
}

fn create_private_dirs() -> anyhow::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(POOL_DIR).with_context(|| format!("creating {POOL_DIR}"))
}

/// The entry's namespace, if it is mounted there and is a network namespace.
fn open_namespace(path: &Path) -> Option<OwnedFd> {
    use nix::sys::statfs::{fstatfs, NSFS_MAGIC};
    const NS_GET_NSTYPE: libc::c_ulong = 0xb703;
    let file = File::open(path).ok()?;
    let is_namespace = fstatfs(&file).is_ok_and(|s| s.filesystem_type() == NSFS_MAGIC);
    // SAFETY: the ioctl only returns a number about the descriptor.
    let is_netns = is_namespace && unsafe { libc::ioctl(file.as_raw_fd(), NS_GET_NSTYPE) } == libc::CLONE_NEWNET;
    is_netns.then(|| OwnedFd::from(file))
}

/// Removes an entry claimed by a process that no longer exists (a run that was killed).
fn remove_if_abandoned(path: &Path, marker: &Path) {
    let Ok(owner) = fs::read_to_string(marker) else { return };
    let Ok(pid) = owner.trim().parse::<libc::pid_t>() else {
        // Being written right now, or garbage from long ago.
        if modified_before(marker, HALF_MADE) {
            remove_entry(path);
        }
        return;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let alive =
        unsafe { libc::kill(pid, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    if !alive {
        remove_entry(path);
    }
}

/// Unmounts and unlinks a pool entry and its claim marker (each step best effort: an entry is
/// never handed out again while its marker exists).
fn remove_entry(path: &Path) {
    if let Ok(target) = super::child::c_path(path) {
        // SAFETY: umount2 with a valid C string; MNT_DETACH never blocks on users.
        unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    }
    let _ = fs::remove_file(path);
    let _ = fs::remove_file(claim_marker(path));
}

fn claim_marker(path: &Path) -> PathBuf {
    let mut marker = path.as_os_str().to_owned();
    marker.push(CLAIMED);
    PathBuf::from(marker)
}

fn modified_before(path: &Path, age: Duration) -> bool {
    fs::symlink_metadata(path)
        .ok()
        .and_then(|m| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(m.mtime().max(0) as u64)))
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_entry_can_be_claimed_again_and_is_not_removed_later() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ready-1-1");
        fs::write(&path, "").unwrap();
        fs::write(claim_marker(&path), "1").unwrap();
        let entry = PoolEntry(Arc::new(Mutex::new(Some(path.clone()))));
        entry.release();
        assert!(!claim_marker(&path).exists(), "the claim marker is gone, so the next run can claim it");
        entry.remove();
        assert!(path.exists(), "an entry given back is not removed by its former claimer");
    }
}
