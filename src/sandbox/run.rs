//! A sandbox for one run: the resolved policy, what this machine can enforce of it, the run's
//! private directory (its `HOME` and `TMPDIR`), its cgroup and, for debugging, the network
//! namespace the adapter and the debuggee share. Every process of the run is planned from here
//! ([`Sandbox::plan`]); the run's resources go when the last handle is dropped.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;

use super::capabilities::{self, Capabilities};
use super::cgroup::{Controller, RunCgroup};
use super::child::{c_path, ChildPlan, ExecImage, NetPlan, Rlimits};
use super::filesystem::FsRules;
use super::netns::{NetNamespace, PendingNamespace};
use super::policy::{Level, Policy};
use super::report::{Enforced, Limits, Mechanism};
use super::seccomp::{self, Filter};
use super::{env, PythonProcess};

/// How a run uses the sandbox.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Directories the program may read (the script's directory, the project).
    pub project: Vec<PathBuf>,
    /// The debug adapter and the debuggee share the run's network namespace (every process of a
    /// run does) and loupe connects into it: only the report's wording changes.
    pub share_network: bool,
    /// Directories loupe's own Python needs to read (its adapters, its debugpy).
    pub loupe_read: Vec<PathBuf>,
    /// The program's script. Its directory is normally in `project`; when that directory is the
    /// home directory (or holds it), which is never granted, the script alone is made readable.
    pub script: Option<PathBuf>,
}

#[derive(Debug)]
pub struct Sandbox {
    policy: Policy,
    options: RunOptions,
    private: Option<tempfile::TempDir>,
    cgroup: Option<RunCgroup>,
    /// The run's network namespace, once made: the kernel takes most of a millisecond, so it is
    /// waited for only when a process is planned (see [`Sandbox::plan`]).
    network: OnceLock<NetNamespace>,
    pending_network: Mutex<Option<PendingNamespace>>,
    seccomp: Option<Filter>,
    pid_namespace: bool,
    /// Without CAP_SYS_ADMIN: every process joins the run's user namespace first (the network
    /// namespace's owner, or this one when the network is allowed).
    in_user_namespace: bool,
    user_namespace: Option<std::os::fd::OwnedFd>,
    /// Secrets hidden behind `/dev/null` in each program's mount namespace.
    masked: Vec<std::ffi::CString>,
    enforced: Enforced,
}

impl Sandbox {
    /// Sets up the run: detects what can be enforced, creates the private directory, the
    /// cgroup and the network namespace.
    pub fn new(policy: Policy, options: RunOptions) -> anyhow::Result<Arc<Sandbox>> {
        let mut sandbox = Sandbox {
            enforced: off_report(&policy),
            policy,
            options,
            private: None,
            cgroup: None,
            network: OnceLock::new(),
            pending_network: Mutex::new(None),
            seccomp: None,
            pid_namespace: false,
            in_user_namespace: false,
            user_namespace: None,
            masked: Vec::new(),
        };
        let early = super::netns::take_early();
        if sandbox.policy.is_off() {
            early.into_iter().for_each(PendingNamespace::release);
            return Ok(Arc::new(sandbox));
        }
        let caps = capabilities::get();
        // Started first: the kernel's set-up of a network namespace overlaps with the rest.
        let isolate_network = !sandbox.policy.allow_network && caps.namespaces;
        let network = match (isolate_network, early) {
            (false, early) => {
                early.into_iter().for_each(PendingNamespace::release);
                None
            }
            (true, Some(early)) => Some(early),
            (true, None) => Some(NetNamespace::start()?),
        };
        let base = private_base();
        let private = tempfile::Builder::new()
            .prefix("loupe-sandbox-")
            .tempdir_in(&base)
            .with_context(|| format!("creating the sandbox's private directory in {}", base.display()))?;
        std::fs::create_dir(private.path().join("home")).context("creating the sandbox's private home")?;
        sandbox.private = Some(private);
        sandbox.setup(caps, network)?;
        Ok(Arc::new(sandbox))
    }

    fn setup(&mut self, caps: &'static Capabilities, network: Option<PendingNamespace>) -> anyhow::Result<()> {
        // Without CAP_SYS_ADMIN, namespaces come through a user namespace of the run's own,
        // made now: if the kernel refuses it, the report says which setting and how to change it.
        let mut network = network;
        let (namespaces, namespace_why) = if !caps.namespaces {
            (false, capabilities::namespaces_missing_why(caps))
        } else if caps.admin {
            (true, String::new())
        } else {
            match self.enter_user_namespace(network.take()) {
                Ok(pending) => {
                    network = pending;
                    (true, String::new())
                }
                Err(error) => (false, capabilities::user_namespace_refused(&format!("{error:#}"))),
            }
        };
        if !namespaces && !caps.admin && self.policy.level == Level::Strict {
            anyhow::bail!(
                "--sandbox strict needs PID and network namespaces, and without privileges they come from a user \
                 namespace: {namespace_why}. Not starting unconfined; use --sandbox standard to run with what \
                 this machine allows"
            );
        }
        let policy = &self.policy;
        let mut not_enforced = Vec::new();
        let mut notes = Vec::new();

        let mut problems = Vec::new();
        let cgroup = RunCgroup::create(&caps.cgroups, policy.memory_mb, policy.max_procs, &mut problems);
        for p in problems {
            not_enforced.push(format!("cgroup {p}"));
        }
        let in_cgroup = |c: Controller| cgroup.controllers().into_iter().find(|(k, _)| *k == c).map(|(_, v)| v);

        self.pid_namespace = namespaces;
        if namespaces {
            self.masked = super::filesystem::masked_secrets().iter().filter_map(|p| c_path(p).ok()).collect();
        }
        let process_tree = if namespaces {
            Mechanism::on(
                "PID namespace: all the program's descendants die with it; /proc shows only the sandbox's processes",
            )
        } else if in_cgroup(Controller::Pids).is_some() {
            not_enforced.push(format!("PID namespace: {namespace_why}"));
            Mechanism::on("cgroup: everything left in the run's cgroup is killed when it ends")
        } else {
            not_enforced.push(format!("PID namespace: {namespace_why}"));
            not_enforced.push("process tree: no PID namespace and no usable pids cgroup; a double fork escapes".into());
            Mechanism::off("only the process group is killed; setsid + double fork escapes")
        };

        let network = if policy.allow_network {
            Mechanism::off("allowed (--allow-network)")
        } else if let Some(pending) = network {
            *self.pending_network.get_mut().unwrap_or_else(|p| p.into_inner()) = Some(pending);
            Mechanism::on(if self.options.share_network {
                "network namespace shared by the debug adapter and the program: loopback only"
            } else {
                "network namespace: loopback only"
            })
        } else {
            not_enforced.push(format!("network: {namespace_why}"));
            Mechanism::off(format!("not isolated: {namespace_why}"))
        };

        let filesystem = if caps.landlock_abi > 0 {
            let writable = if policy.project_writable { "working directory, private tmp" } else { "private tmp only" };
            let private =
                if namespaces { "; /dev/shm private; /etc/shadow, sudoers and SSH host keys masked" } else { "" };
            let alone = match self.script_alone() {
                Some(script) => {
                    notes.push(script_alone_note(script));
                    format!(" (of the home directory itself, {} alone)", script.display())
                }
                None => String::new(),
            };
            Mechanism::on(format!(
                "Landlock ABI {}: read system, interpreter, project{alone}; write {writable}; rest of home hidden{private}",
                caps.landlock_abi
            ))
        } else {
            not_enforced.push("file system: this kernel has no Landlock".into());
            Mechanism::off("not restricted: this kernel has no Landlock")
        };

        self.seccomp = if caps.seccomp { Filter::build() } else { None };
        let syscalls = if self.seccomp.is_some() {
            Mechanism::on(format!("seccomp deny-list: {}", seccomp::denied_names().join(", ")))
        } else {
            not_enforced.push("system calls: no seccomp filter on this kernel or architecture".into());
            Mechanism::off("no seccomp filter on this kernel or architecture")
        };

        let mut how = Vec::new();
        if let Some(t) = policy.timeout {
            how.push(format!("wall clock {t} s: loupe kills the run"));
        }
        if let Some(c) = policy.cpu {
            how.push(format!("CPU {c} s: RLIMIT_CPU (SIGXCPU, then SIGKILL)"));
        }
        if let Some(m) = policy.memory_mb {
            how.push(match in_cgroup(Controller::Memory) {
                Some(v) => {
                    format!("memory {m} MB: cgroup v{v} memory, for the whole run (the kernel's OOM killer ends it)")
                }
                None => {
                    let fix = if caps.admin {
                        String::new()
                    } else {
                        format!(" ({})", super::cgroup::fix_for_user(&caps.cgroups, Controller::Memory))
                    };
                    not_enforced.push(format!(
                        "memory {m} MB for the whole run: no usable memory cgroup; RLIMIT_AS per process instead{fix}"
                    ));
                    format!("memory {m} MB: RLIMIT_AS per process (address space, not RAM)")
                }
            });
        }
        if let Some(n) = policy.max_procs {
            match in_cgroup(Controller::Pids) {
                Some(v) => how.push(format!("processes {n}: cgroup v{v} pids.max")),
                None if caps.admin => not_enforced
                    .push(format!("process limit {n}: no pids cgroup, and RLIMIT_NPROC does nothing for root")),
                None => {
                    how.push(format!("processes {n}: RLIMIT_NPROC (counts all of this user's processes)"));
                    not_enforced.push(format!(
                        "process limit {n} for the run: no usable pids cgroup; RLIMIT_NPROC counts all of this \
                         user's processes instead ({})",
                        super::cgroup::fix_for_user(&caps.cgroups, Controller::Pids)
                    ));
                }
            }
        }
        if let Some(f) = policy.max_file_size_mb {
            how.push(format!("file size {f} MB: RLIMIT_FSIZE"));
        }
        if let Some(o) = policy.max_output_mb {
            how.push(format!("output {o} MB: loupe cuts and stops the run"));
        }
        how.push("core files: none (RLIMIT_CORE 0)".into());

        self.enforced = Enforced {
            level: policy.level,
            session: Mechanism::on("setsid: no controlling terminal, own process group"),
            process_tree,
            network,
            filesystem,
            syscalls,
            environment: Mechanism::on(format!(
                "allowlist (PATH, LANG, LC_*, TERM, TZ, PYTHON*...) + --env; HOME and TMPDIR private{}",
                if self.private_dir().is_some_and(is_writable_tmpfs) {
                    " (a tmpfs: what is written there counts against the memory limit)"
                } else {
                    ""
                }
            )),
            notes,
            limits: Limits {
                timeout_s: policy.timeout,
                cpu_s: policy.cpu,
                memory_mb: policy.memory_mb,
                max_procs: policy.max_procs.filter(|_| in_cgroup(Controller::Pids).is_some() || !caps.admin),
                max_file_size_mb: policy.max_file_size_mb,
                max_output_mb: policy.max_output_mb,
                how,
            },
            not_enforced,
        };
        self.cgroup = Some(cgroup);
        Ok(())
    }

    /// Makes the run's user namespace (loupe lacks CAP_SYS_ADMIN): the one that owns the network
    /// namespace being made (waited for here: a refusal must be known before the report is
    /// written), or one of its own when the network is allowed.
    fn enter_user_namespace(&mut self, network: Option<PendingNamespace>) -> anyhow::Result<Option<PendingNamespace>> {
        let network = match network {
            Some(pending) => Some(PendingNamespace::Ready(pending.wait()?)),
            None => {
                self.user_namespace = Some(super::userns::create(false).context("creating a user namespace")?.user);
                None
            }
        };
        self.in_user_namespace = true;
        Ok(network)
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The script, when its directory cannot be granted (the home directory itself, or a
    /// directory that holds it): then the script is readable on its own, and nothing beside it.
    fn script_alone(&self) -> Option<&Path> {
        let script = self.options.script.as_deref()?;
        let dir = script.parent()?;
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        super::filesystem::holds_the_home(&dir, dirs::home_dir().as_deref()).then_some(script)
    }

    pub fn enforced(&self) -> &Enforced {
        &self.enforced
    }

    pub fn is_off(&self) -> bool {
        self.policy.is_off()
    }

    /// The shared network namespace, when the run has one (loupe's own connections to the
    /// debug adapter go through it).
    pub fn network(&self) -> Option<&NetNamespace> {
        self.network_namespace().ok().flatten()
    }

    /// The run's network namespace, waiting for its creation the first time.
    fn network_namespace(&self) -> anyhow::Result<Option<&NetNamespace>> {
        if let Some(namespace) = self.network.get() {
            return Ok(Some(namespace));
        }
        let mut pending = self.pending_network.lock().unwrap_or_else(|p| p.into_inner());
        match pending.take() {
            Some(started) => {
                let namespace = started.wait().context("creating the sandbox's network namespace")?;
                Ok(Some(self.network.get_or_init(|| namespace)))
            }
            // Another thread may have finished it while this one waited for the lock.
            None => Ok(self.network.get()),
        }
    }

    /// The run's private directory (`TMPDIR`); `HOME` is its `home` subdirectory.
    pub fn private_dir(&self) -> Option<&Path> {
        self.private.as_ref().map(|p| p.path())
    }

    pub fn hit_process_limit(&self) -> bool {
        self.cgroup.as_ref().is_some_and(RunCgroup::hit_process_limit)
    }

    pub fn hit_memory_limit(&self) -> bool {
        self.cgroup.as_ref().is_some_and(RunCgroup::hit_memory_limit)
    }

    /// Whether everything the program started ends with it: a PID namespace, whose init takes
    /// every process in it along when it exits.
    pub fn ends_with_program(&self) -> bool {
        self.pid_namespace
    }

    /// Whether loupe may create the PID namespace itself on the starting thread (`loupe exec`
    /// saves a process that way): only with CAP_SYS_ADMIN. In a user namespace the child does it
    /// after joining (a thread cannot join a user namespace).
    pub fn pid_namespace_from_loupe(&self) -> bool {
        self.pid_namespace && !self.in_user_namespace
    }

    /// Kills whatever is left in the run's cgroup.
    pub fn kill_all(&self) {
        if let Some(c) = &self.cgroup {
            c.kill_all();
        }
    }

    /// The environment of `process`: scrubbed (see [`env`]), or loupe's own plus its variables
    /// when the sandbox is off.
    pub fn environment(&self, process: &PythonProcess) -> BTreeMap<OsString, OsString> {
        let home = self.private_dir().map(|p| p.join("home")).unwrap_or_default();
        env::build(std::env::vars_os(), &home, &self.policy.env, &process.env, &process.remove_env)
    }

    /// What the child of `process` must do to confine itself.
    pub fn plan(&self, process: &PythonProcess) -> anyhow::Result<ChildPlan> {
        let policy = &self.policy;
        let mb = |m: u64| m.saturating_mul(1024 * 1024);
        let mut rlimits: Rlimits = vec![(libc::RLIMIT_CORE, 0, 0)];
        if let Some(c) = policy.cpu {
            rlimits.push((libc::RLIMIT_CPU, c, c + 1));
        }
        // RLIMIT_AS counts address space, not memory: every thread's arena and stack reserve
        // tens of MB, so a threaded program (debugpy's adapter has a dozen threads) fails to
        // start threads long before it uses the limit. Only the fallback without a memory cgroup.
        let memory_cgroup =
            self.cgroup.as_ref().is_some_and(|c| c.controllers().iter().any(|(k, _)| *k == Controller::Memory));
        // debugpy's adapter (debugpy's code, not the program's) is spared it: under 512 MB it
        // could not start the thread for a child process's connection, and the session hung.
        if let (Some(m), false, false) = (policy.memory_mb, memory_cgroup, is_debug_adapter(process)) {
            rlimits.push((libc::RLIMIT_AS, mb(m), mb(m)));
        }
        if let Some(f) = policy.max_file_size_mb {
            rlimits.push((libc::RLIMIT_FSIZE, mb(f), mb(f)));
        }
        if let (Some(n), false) = (policy.max_procs, capabilities::get().admin) {
            if self.cgroup.as_ref().is_none_or(|c| !c.controllers().iter().any(|(k, _)| *k == Controller::Pids)) {
                rlimits.push((libc::RLIMIT_NPROC, n, n));
            }
        }
        let mut user_namespace = self.user_namespace.as_ref().map(std::os::fd::AsRawFd::as_raw_fd);
        let net = if policy.allow_network || !self.enforced.network.enforced {
            NetPlan::Host
        } else if let Some(namespace) = self.network_namespace()? {
            user_namespace = user_namespace.or(namespace.user_fd());
            NetPlan::Join(namespace.raw_fd())
        } else {
            anyhow::bail!("the run's network namespace is missing")
        };
        if self.in_user_namespace && user_namespace.is_none() {
            anyhow::bail!("the run's user namespace is missing");
        }
        let private_shm = (self.pid_namespace && Path::new(SHM).is_dir())
            .then(|| super::filesystem::write_access_bits(capabilities::get().landlock_abi));
        // A private directory made in the machine's /dev/shm is hidden by the program's own
        // /dev/shm: the child binds it back at the same path.
        let private_in_shm = match (private_shm, self.private_dir()) {
            (Some(_), Some(dir)) if dir.parent() == Some(Path::new(SHM)) => Some(c_path(dir)?),
            _ => None,
        };
        // With a PID namespace the program process executes itself (see `child`): the same
        // interpreter, arguments and environment the command gets.
        let pid_namespace = if self.pid_namespace {
            let env = self.environment(process);
            let path = executable_path(&process.interpreter, env.get(std::ffi::OsStr::new("PATH")));
            Some(ExecImage::new(&path, process.args.iter().cloned(), env).context("preparing the program's exec")?)
        } else {
            None
        };
        let landlock = if self.enforced.filesystem.enforced {
            let rules = self.fs_rules(process);
            Some(rules.ruleset(capabilities::get().landlock_abi, true).context("building the Landlock ruleset")?)
        } else {
            None
        };
        Ok(ChildPlan {
            rlimits,
            user_namespace,
            cgroup_procs: self.cgroup.as_ref().map(RunCgroup::procs_fds).unwrap_or_default(),
            net,
            pid_namespace,
            status_fd: process.status_fd,
            pass_fds: process.pass_fds.clone(),
            masked: self.masked.clone(),
            private_shm,
            private_in_shm,
            hide_pool: self.pid_namespace && Path::new(super::netns_pool::POOL_ROOT).is_dir(),
            landlock,
            seccomp: self.seccomp.clone(),
        })
    }

    /// The file system rules for `process`.
    pub fn fs_rules(&self, process: &PythonProcess) -> FsRules {
        let cwd = process.cwd.clone().or_else(|| std::env::current_dir().ok());
        let home = dirs::home_dir();
        // The home directory, or a directory that holds it, as the working or script directory
        // would open everything the sandbox hides: it is then not granted at all.
        let grantable = |p: &PathBuf| !super::filesystem::holds_the_home(p, home.as_deref());
        let mut project: Vec<PathBuf> = self.options.project.iter().filter(|p| grantable(p)).cloned().collect();
        project.extend(cwd.iter().filter(|p| grantable(p)).cloned());
        let mut read = self.policy.allow_read.clone();
        read.extend(self.options.loupe_read.iter().cloned());
        if let Some(path) = process.env.get(std::ffi::OsStr::new("PYTHONPATH")) {
            read.extend(std::env::split_paths(path).filter(|p| p.is_absolute()));
        }
        read.extend(self.script_alone().map(Path::to_path_buf));
        let mut writable: Vec<PathBuf> = self.private_dir().map(Path::to_path_buf).into_iter().collect();
        if self.policy.project_writable {
            writable.extend(cwd.iter().filter(|p| grantable(p)).cloned());
        }
        writable.extend(self.policy.allow_write.iter().cloned());
        FsRules::for_process(&process.interpreter, &project, &writable, &read)
    }
}

/// What the user is told when the script is readable alone: why its neighbours are not, and what
/// to do about it.
fn script_alone_note(script: &Path) -> String {
    let name = script.file_name().map_or_else(|| script.display().to_string(), |n| n.to_string_lossy().into_owned());
    format!(
        "{name} is directly in the home directory, which the sandbox keeps hidden: the program can read \
         {name} but not the files beside it (importing them fails with ModuleNotFoundError, opening them \
         with PermissionError). Move it into a project directory, or give --allow-read DIR for what it \
         needs (--sandbox off lifts all of it)"
    )
}

/// Whether `process` is debugpy's adapter, which loupe starts as `python -m debugpy.adapter`
/// (`loupe exec` and `loupe tool` take a script or code, never `-m`).
fn is_debug_adapter(process: &PythonProcess) -> bool {
    process.args.len() >= 2 && process.args[0] == "-m" && process.args[1] == "debugpy.adapter"
}

/// `program` as `execvp` would find it: a path with a slash as it is, else the first executable
/// file of that name on `path_list` (the program's `PATH`), else the name itself (the exec then
/// fails with "No such file or directory", reported as the standard library reports it).
fn executable_path(program: &Path, path_list: Option<&OsString>) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    if program.as_os_str().as_bytes().contains(&b'/') {
        return program.to_path_buf();
    }
    path_list
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|candidate| {
            std::fs::metadata(candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .unwrap_or_else(|| program.to_path_buf())
}

/// The machine's POSIX shared memory directory (a tmpfs).
const SHM: &str = "/dev/shm";

/// Where runs' private directories (`HOME`, `TMPDIR`) are made: `$TMPDIR` when the user set one;
/// otherwise a tmpfs (`$XDG_RUNTIME_DIR`, else `/dev/shm`), so that nothing a run writes there
/// reaches the disk and removing it costs microseconds (an empty directory on an ext4 root
/// mounted with `discard` took 0.3 ms, and several ms back to back); else the system's temporary
/// directory. What a program writes there counts against the run's memory limit.
fn private_base() -> PathBuf {
    if std::env::var_os("TMPDIR").is_some_and(|t| !t.is_empty()) {
        return std::env::temp_dir();
    }
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()).map(PathBuf::from);
    runtime
        .into_iter()
        .chain([PathBuf::from(SHM)])
        .find(|dir| is_writable_tmpfs(dir))
        .unwrap_or_else(std::env::temp_dir)
}

fn is_writable_tmpfs(dir: &Path) -> bool {
    use nix::sys::statfs::{statfs, TMPFS_MAGIC};
    use nix::unistd::{access, AccessFlags};
    statfs(dir).is_ok_and(|s| s.filesystem_type() == TMPFS_MAGIC)
        && access(dir, AccessFlags::W_OK | AccessFlags::X_OK).is_ok()
}

/// The report of a run with the sandbox off: nothing but a session of its own.
fn off_report(policy: &Policy) -> Enforced {
    let off = |what: &str| Mechanism::off(format!("{what}: sandbox off"));
    Enforced {
        level: Level::Off,
        session: Mechanism::on("setsid: no controlling terminal, own process group"),
        process_tree: off("process tree"),
        network: off("network"),
        filesystem: off("file system"),
        syscalls: off("system calls"),
        environment: Mechanism::off("inherited from loupe: sandbox off"),
        limits: Limits {
            timeout_s: policy.timeout,
            max_output_mb: policy.max_output_mb,
            how: policy.timeout.map(|t| format!("wall clock {t} s: loupe kills the run")).into_iter().collect(),
            ..Limits::default()
        },
        not_enforced: Vec::new(),
        notes: Vec::new(),
    }
}

/// The sandbox of a debugging session: `overrides` resolved for debugging, the `project`
/// readable (and the `script`, alone when its directory cannot be), one network namespace shared by adapter and program, loupe's cache (adapters,
/// debugpy) readable. `None` when the policy is `off`.
pub fn for_debugging(
    overrides: &super::PolicyOverrides,
    project: Vec<PathBuf>,
    script: Option<PathBuf>,
) -> anyhow::Result<Option<Arc<Sandbox>>> {
    let mut policy = Policy::resolve(overrides, super::Purpose::Debug)?;
    // A session lasts until the user ends it and its output goes to the debugger: a wall-clock
    // or output limit (from the config file) is not enforced there, so it is not reported either.
    policy.timeout = None;
    policy.max_output_mb = None;
    if policy.is_off() {
        return Ok(None);
    }
    let options = RunOptions { project, share_network: true, loupe_read: vec![crate::paths::cache_dir()], script };
    Ok(Some(Sandbox::new(policy, options)?))
}
