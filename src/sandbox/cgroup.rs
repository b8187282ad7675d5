//! A cgroup per run: the process limit (`pids`), the memory limit, and a way to kill everything
//! the program started, whatever it did to its session or process group. Machines have cgroup v1,
//! v2, or both at once (hybrid: these machines have the controllers on v1 and an empty v2), so
//! each controller is found where it is actually mounted, under the cgroup loupe itself is in
//! (a run never escapes the limits loupe is under).

use std::fs;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::Context;
use serde::Serialize;

/// How the cgroup file systems are mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    None,
    V1,
    V2,
    Hybrid,
}

/// A controller loupe uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Controller {
    Pids,
    Memory,
}

impl Controller {
    pub fn name(self) -> &'static str {
        match self {
            Controller::Pids => "pids",
            Controller::Memory => "memory",
        }
    }
}

/// Where a controller can be used: the directory under which loupe may create cgroups, and
/// which hierarchy it is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControllerPlace {
    pub controller: Controller,
    pub version: u8,
    pub parent: PathBuf,
}

/// What the machine offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CgroupFacts {
    pub layout: Layout,
    /// Controllers loupe can create cgroups for (writable), with their place.
    pub usable: Vec<ControllerPlace>,
    /// Why a wanted controller is not usable, for the report.
    pub unusable: Vec<String>,
}

impl CgroupFacts {
    pub fn place(&self, controller: Controller) -> Option<&ControllerPlace> {
        self.usable.iter().find(|p| p.controller == controller)
    }
}

/// Reads `/proc/self/mounts` and `/proc/self/cgroup`.
pub fn detect() -> CgroupFacts {
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let membership = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    detect_from(&mounts, &membership, &|p| is_writable_dir(p))
}

fn is_writable_dir(path: &Path) -> bool {
    path.is_dir() && nix::unistd::access(path, nix::unistd::AccessFlags::W_OK).is_ok()
}

fn detect_from(mounts: &str, membership: &str, writable: &dyn Fn(&Path) -> bool) -> CgroupFacts {
    let mut v1_mounts: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let mut v2_mount: Option<PathBuf> = None;
    for line in mounts.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 4 {
            continue;
        }
        match fields[2] {
            "cgroup" => v1_mounts.push((PathBuf::from(fields[1]), fields[3].split(',').map(str::to_string).collect())),
            "cgroup2" => v2_mount = Some(PathBuf::from(fields[1])),
            _ => {}
        }
    }
    let layout = match (v1_mounts.is_empty(), v2_mount.is_some()) {
        (true, false) => Layout::None,
        (false, false) => Layout::V1,
        (true, true) => Layout::V2,
        (false, true) => Layout::Hybrid,
    };
    // /proc/self/cgroup: "ID:controllers:path"; v2 is "0::path".
    let mut v1_paths: Vec<(Vec<String>, String)> = Vec::new();
    let mut v2_path: Option<String> = None;
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if controllers.is_empty() {
            v2_path = Some(path.to_string());
        } else {
            v1_paths.push((controllers.split(',').map(str::to_string).collect(), path.to_string()));
        }
    }
    let mut usable = Vec::new();
    let mut unusable = Vec::new();
    for controller in [Controller::Pids, Controller::Memory] {
        let name = controller.name();
        let v1 = v1_mounts.iter().find(|(_, opts)| opts.iter().any(|o| o == name));
        if let Some((mount, _)) = v1 {
            let own =
                v1_paths.iter().find(|(c, _)| c.iter().any(|c| c == name)).map(|(_, p)| p.as_str()).unwrap_or("/");
            let parent = mount.join(own.trim_start_matches('/'));
            if writable(&parent) {
                usable.push(ControllerPlace { controller, version: 1, parent });
            } else {
                unusable.push(format!("{name}: {} is not writable", parent.display()));
            }
            continue;
        }
        if let Some(mount) = &v2_mount {
            let own = v2_path.as_deref().unwrap_or("/");
            let parent = mount.join(own.trim_start_matches('/'));
            let enabled = fs::read_to_string(parent.join("cgroup.subtree_control")).unwrap_or_default();
            if !enabled.split_whitespace().any(|c| c == name) {
                unusable.push(format!(
                    "{name}: not enabled for child cgroups of {} (cgroup v2 cgroup.subtree_control)",
                    parent.display()
                ));
            } else if writable(&parent) {
                usable.push(ControllerPlace { controller, version: 2, parent });
            } else {
                unusable.push(format!("{name}: {} is not writable", parent.display()));
            }
            continue;
        }
        unusable.push(format!("{name}: no cgroup hierarchy has this controller"));
    }
    CgroupFacts { layout, usable, unusable }
}

/// How a user without privileges gets `controller` for loupe's runs, for the report: loupe makes
/// a run's cgroup under its own, so its own must be writable by that user.
pub fn fix_for_user(facts: &CgroupFacts, controller: Controller) -> String {
    let name = controller.name();
    match facts.layout {
        Layout::V1 | Layout::Hybrid => format!(
            "fix: start loupe in a {name} cgroup this user owns, e.g. `sudo mkdir /sys/fs/cgroup/{name}/loupe-$USER && \
             sudo chown -R $USER /sys/fs/cgroup/{name}/loupe-$USER`, then `echo $$ > \
             /sys/fs/cgroup/{name}/loupe-$USER/cgroup.procs` in the user's shell"
        ),
        Layout::V2 | Layout::None => format!(
            "fix: run loupe as root; a cgroup v2 subtree delegated by systemd (`systemd-run --user --scope -p \
             Delegate=yes`) is not used yet, since loupe would first have to move itself out of its own cgroup \
             to enable {name} for the runs' cgroups"
        ),
    }
}

/// One cgroup (per controller) for one run, removed when dropped (after killing what is left
/// in it).
#[derive(Debug)]
pub struct RunCgroup {
    dirs: Vec<(ControllerPlace, PathBuf)>,
    /// `tasks` (v1) or `cgroup.procs` (v2) of each directory, opened before any child exists: a
    /// child joins by writing "0" (itself) there between fork and exec, where nothing may allocate.
    procs: Vec<OwnedFd>,
}

static NEXT_RUN: AtomicU32 = AtomicU32::new(0);

impl RunCgroup {
    /// Creates the cgroups and writes the limits. A controller that fails is left out (and the
    /// report says so through [`RunCgroup::controllers`]).
    pub fn create(
        facts: &CgroupFacts,
        memory_mb: Option<u64>,
        max_procs: Option<u64>,
        problems: &mut Vec<String>,
    ) -> RunCgroup {
        let name = format!("loupe-{}-{}", std::process::id(), NEXT_RUN.fetch_add(1, Ordering::Relaxed));
        for place in &facts.usable {
            remove_stale(&place.parent);
        }
        let mut cgroup = RunCgroup { dirs: Vec::new(), procs: Vec::new() };
        let wanted = [(Controller::Pids, max_procs), (Controller::Memory, memory_mb.map(|m| m * 1024 * 1024))];
        for (controller, limit) in wanted {
            let (Some(limit), Some(place)) = (limit, facts.place(controller)) else { continue };
            let dir = place.parent.join(&name);
            match setup(place, &dir, limit) {
                Ok(fd) => {
                    cgroup.dirs.push((place.clone(), dir));
                    cgroup.procs.push(fd);
                }
                Err(e) => {
                    let _ = fs::remove_dir(&dir);
                    problems.push(format!("{}: {e:#}", controller.name()));
                }
            }
        }
        cgroup
    }

    pub fn controllers(&self) -> Vec<(Controller, u8)> {
        self.dirs.iter().map(|(p, _)| (p.controller, p.version)).collect()
    }

    /// Raw descriptors of the `cgroup.procs` files, for the child to join.
    pub fn procs_fds(&self) -> Vec<i32> {
        self.procs.iter().map(|f| f.as_raw_fd()).collect()
    }

    fn dir(&self, controller: Controller) -> Option<&(ControllerPlace, PathBuf)> {
        self.dirs.iter().find(|(p, _)| p.controller == controller)
    }

    /// Whether a fork was refused because of the process limit.
    pub fn hit_process_limit(&self) -> bool {
        self.dir(Controller::Pids)
            .and_then(|(_, d)| fs::read_to_string(d.join("pids.events")).ok())
            .map(|events| counter(&events, "max") > 0)
            .unwrap_or(false)
    }

    /// Whether the memory limit made the kernel kill a process (or refuse memory).
    pub fn hit_memory_limit(&self) -> bool {
        let Some((place, dir)) = self.dir(Controller::Memory) else { return false };
        if place.version == 1 {
            let oom = fs::read_to_string(dir.join("memory.oom_control")).unwrap_or_default();
            let failcnt = fs::read_to_string(dir.join("memory.failcnt")).unwrap_or_default();
            counter(&oom, "oom_kill") > 0 || failcnt.trim().parse::<u64>().unwrap_or(0) > 0
        } else {
            let events = fs::read_to_string(dir.join("memory.events")).unwrap_or_default();
            counter(&events, "oom_kill") > 0 || counter(&events, "max") > 0
        }
    }

    /// SIGKILLs every process still in the run's cgroups (those a PID namespace did not already
    /// take down), a few rounds in case one was forking.
    pub fn kill_all(&self) {
        for _ in 0..5 {
            let mut any = false;
            for (place, dir) in &self.dirs {
                if place.version == 2 && dir.join("cgroup.kill").exists() {
                    let _ = fs::write(dir.join("cgroup.kill"), "1");
                }
                let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
                for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    any = true;
                    // SAFETY: plain syscall.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
            if !any {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for RunCgroup {
    fn drop(&mut self) {
        for (_, dir) in &self.dirs {
            // Usually empty by now (a PID namespace ends with its init); otherwise what is left is
            // killed, and the last process can take a moment to leave after SIGKILL.
            for attempt in 0..50 {
                if fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                if attempt == 0 {
                    self.kill_all();
                } else {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
            }
        }
    }
}

/// Removes the empty cgroups of loupe processes that no longer exist (a loupe killed with
/// SIGKILL never ran its cleanup). A cgroup with processes in it cannot be removed, so a live
/// run is never touched.
fn remove_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("loupe-")).and_then(|r| r.split('-').next()) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir(entry.path());
        }
    }
}

fn setup(place: &ControllerPlace, dir: &Path, limit: u64) -> anyhow::Result<OwnedFd> {
    fs::create_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (file, value) = match (place.controller, place.version) {
        (Controller::Pids, _) => ("pids.max", limit.to_string()),
        (Controller::Memory, 1) => ("memory.limit_in_bytes", limit.to_string()),
        (Controller::Memory, _) => ("memory.max", limit.to_string()),
    };
    write(&dir.join(file), &value)?;
    if place.controller == Controller::Memory && place.version == 1 {
        // Without this the memory limit is only on RAM and a program can fill swap instead.
        let _ = write(&dir.join("memory.memsw.limit_in_bytes"), &value);
    }
    if place.controller == Controller::Memory && place.version == 2 {
        let _ = write(&dir.join("memory.swap.max"), "0");
    }
    // v1: the child joins through `tasks` (its only thread; what it forks later inherits the
    // cgroup). Writing "0" there skips the global threadgroup lock that `cgroup.procs` takes,
    // whose RCU grace period cost ~5-30 ms per run on a busy machine (measured).
    let procs = dir.join(if place.version == 1 { "tasks" } else { "cgroup.procs" });
    let file =
        fs::OpenOptions::new().write(true).open(&procs).with_context(|| format!("opening {}", procs.display()))?;
    Ok(OwnedFd::from(file))
}

fn write(path: &Path, value: &str) -> anyhow::Result<()> {
    let mut file =
        fs::OpenOptions::new().write(true).open(path).with_context(|| format!("opening {}", path.display()))?;
    file.write_all(value.as_bytes()).with_context(|| format!("writing {value} to {}", path.display()))
}

/// The number after `key` in a `key value` file (pids.events, memory.events, memory.oom_control).
fn counter(text: &str, key: &str) -> u64 {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID_MOUNTS: &str = "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0\n\
        cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0\n\
        cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n";

    #[test]
    fn hybrid_machines_use_the_v1_controllers_under_loupes_own_cgroup() {
        let membership = "8:pids:/\n4:memory:/process_api/abc\n0::/\n";
        let facts = detect_from(HYBRID_MOUNTS, membership, &|_| true);
        assert_eq!(facts.layout, Layout::Hybrid);
        assert_eq!(facts.place(Controller::Pids).unwrap().parent, PathBuf::from("/sys/fs/cgroup/pids"));
        let memory = facts.place(Controller::Memory).unwrap();
        assert_eq!((memory.version, memory.parent.as_path()), (1, Path::new("/sys/fs/cgroup/memory/process_api/abc")));
    }

    #[test]
    fn unwritable_or_missing_controllers_are_explained() {
        let facts = detect_from(HYBRID_MOUNTS, "0::/\n", &|_| false);
        assert!(facts.usable.is_empty());
        assert!(facts.unusable[0].contains("not writable"), "{:?}", facts.unusable);
        let facts = detect_from("", "", &|_| true);
        assert_eq!(facts.layout, Layout::None);
        assert!(facts.unusable.iter().all(|u| u.contains("no cgroup hierarchy")));
    }

    #[test]
    fn counters() {
        assert_eq!(counter("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "oom_kill"), 2);
        assert_eq!(counter("max 0\n", "max"), 0);
    }
}
