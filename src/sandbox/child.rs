//! What the child does between fork and exec to confine itself. Everything here runs in a
//! forked copy of a multi-threaded loupe, so it only makes system calls: the plan is computed
//! (paths resolved, filters built, files opened) in loupe beforehand.
//!
//! With a PID namespace the child becomes three processes:
//!
//! ```text
//! loupe ─ keeper (loupe's child, in loupe's PID namespace)
//!           └─ init (pid 1 of a new PID namespace: reaps orphans)
//!                └─ the program (pid 2, exec'd)
//! ```
//!
//! The keeper is what loupe sees (its pid, its exit status, its process group). It forwards the
//! signals loupe sends (SIGINT for a pdb pause, SIGTERM, ...) to init, which forwards them to the
//! program; when the program ends, init reports its status to the keeper through a pipe and exits,
//! and the kernel kills everything left in the namespace — double forks and `setsid` included.
//! The keeper then ends the same way the program did (same exit code, same signal). If loupe kills
//! the keeper, init and the program get SIGKILL through `PR_SET_PDEATHSIG`.
//!
//! `loupe exec` and `loupe tool` save a process and a hand-over at each end (start-up overhead is
//! what they are measured by): the thread that starts the program creates the PID namespace
//! itself ([`supervise`](super::supervise)), so loupe's child is init, and init writes the
//! program's status to a pipe loupe reads:
//!
//! ```text
//! loupe ─ init (pid 1 of a new PID namespace, loupe's child)
//!           └─ the program (pid 2, exec'd)
//! ```
//!
//! init starts the program like `posix_spawn` does (`CLONE_VM | CLONE_VFORK`, see
//! [`ChildPlan::become_init`]): the program confines itself and executes with an image prepared
//! in loupe ([`ExecImage`]), without a copy of init's page tables.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};

use super::seccomp::Filter;

/// Which network namespace the child runs in.
#[derive(Debug)]
pub enum NetPlan {
    /// loupe's own (network allowed).
    Host,
    /// The run's own namespace, with loopback up: no network (made by [`super::netns`]).
    Join(i32),
}

/// `path` for a system call.
pub(super) fn c_path(path: &std::path::Path) -> io::Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, format!("{} contains a NUL byte", path.display())))
}

/// Resource limits as `(resource, value)`.
pub type Rlimits = Vec<(libc::__rlimit_resource_t, libc::rlim_t, libc::rlim_t)>;

/// Everything the child needs, prepared in loupe.
#[derive(Debug)]
pub struct ChildPlan {
    pub rlimits: Rlimits,
    /// Without CAP_SYS_ADMIN: the run's user namespace, joined before anything else needs a
    /// capability (the network namespace, the PID and mount namespaces).
    pub user_namespace: Option<i32>,
    pub cgroup_procs: Vec<i32>,
    pub net: NetPlan,
    /// With a PID namespace (and so a mount namespace): the program's `execve`, which the program
    /// process makes itself under init (see [`ChildPlan::become_init`]).
    pub pid_namespace: Option<ExecImage>,
    /// Where init writes the program's wait status when loupe's child is itself the namespace's
    /// init (see [`ChildPlan::apply`]).
    pub status_fd: Option<i32>,
    /// Descriptors handed to the program: `(now, the program's number)`.
    pub pass_fds: Vec<(i32, i32)>,
    /// With a mount namespace (a PID namespace comes with one): files hidden behind `/dev/null`
    /// (secrets the policy's read access to `/etc` would otherwise show a root program).
    pub masked: Vec<std::ffi::CString>,
    /// With a mount namespace: a `/dev/shm` of the program's own, and the Landlock access it gets
    /// there (everything the ruleset handles).
    pub private_shm: Option<u64>,
    /// The run's private directory, when it was made directly in the machine's `/dev/shm` (which
    /// the program's own hides): bound back at the same path.
    pub private_in_shm: Option<CString>,
    /// With a mount namespace: an empty tmpfs over `/run/loupe`, where the network namespaces
    /// made ahead for the next runs are mounted ([`super::netns_pool`]).
    pub hide_pool: bool,
    pub landlock: Option<OwnedFd>,
    pub seccomp: Option<Filter>,
}

/// A program's `execve` arguments, built in loupe: nothing may be allocated between fork and exec.
#[derive(Debug)]
pub struct ExecImage {
    path: CString,
    _argv: Vec<CString>,
    _envp: Vec<CString>,
    argv_pointers: Vec<*const libc::c_char>,
    envp_pointers: Vec<*const libc::c_char>,
    /// The stack the program process runs on until its exec (it shares init's memory).
    stack: Vec<u8>,
}

// SAFETY: the pointers point into the CStrings this struct owns, which never move or change.
unsafe impl Send for ExecImage {}
// SAFETY: as above; nothing is written through them.
unsafe impl Sync for ExecImage {}

impl ExecImage {
    /// The program's stack until exec: the set-up makes only system calls.
    const STACK: usize = 256 * 1024;

    pub fn new(
        path: &std::path::Path,
        args: impl IntoIterator<Item = std::ffi::OsString>,
        env: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> io::Result<ExecImage> {
        use std::os::unix::ffi::OsStringExt;
        let invalid = |_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in an argument or the environment");
        let path = c_path(path)?;
        let mut argv = vec![path.clone()];
        for arg in args {
            argv.push(CString::new(arg.into_vec()).map_err(invalid)?);
        }
        let mut envp = Vec::new();
        for (name, value) in env {
            let mut entry = name.into_vec();
            entry.push(b'=');
            entry.extend(value.into_vec());
            envp.push(CString::new(entry).map_err(invalid)?);
        }
        let pointers =
            |strings: &[CString]| strings.iter().map(|s| s.as_ptr()).chain([std::ptr::null()]).collect::<Vec<_>>();
        Ok(ExecImage {
            argv_pointers: pointers(&argv),
            envp_pointers: pointers(&envp),
            path,
            _argv: argv,
            _envp: envp,
            stack: vec![0; Self::STACK],
        })
    }
}

impl ChildPlan {
    /// Runs in the child after fork, before exec (after `setsid`).
    ///
    /// # Safety
    /// Only between fork and exec.
    pub unsafe fn apply(&self) -> io::Result<()> {
        for fd in &self.cgroup_procs {
            // "0" is the writing process itself, in v1 and v2.
            if libc::write(*fd, b"0".as_ptr().cast(), 1) != 1 {
                return Err(io::Error::last_os_error());
            }
        }
        for &(resource, soft, hard) in &self.rlimits {
            let limit = libc::rlimit { rlim_cur: soft, rlim_max: hard };
            if libc::setrlimit(resource, &limit) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        if let Some(fd) = self.user_namespace {
            if libc::setns(fd, libc::CLONE_NEWUSER) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        match self.net {
            NetPlan::Host => {}
            NetPlan::Join(fd) => {
                if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
        }
        if let Some(image) = &self.pid_namespace {
            let report = if libc::getpid() == 1 {
                // loupe created the namespace before forking (`loupe exec`, `loupe tool`): this
                // process is already its init, and no keeper is needed.
                self.status_fd
            } else {
                Some(enter_pid_namespace()?)
            };
            return self.become_init(image, report);
        }
        pass_descriptors(&self.pass_fds)?;
        self.confine()
    }

    /// In the program's process, in its mount namespace: its own `/proc`, `/dev/shm` and masks.
    unsafe fn enter_mount_namespace(&self) -> io::Result<()> {
        let ruleset = self.landlock.as_ref().map(AsRawFd::as_raw_fd);
        mount_private_proc(ruleset)?;
        self.private_files(ruleset)
    }

    /// The last steps, in the program's own process: Landlock, then seccomp.
    unsafe fn confine(&self) -> io::Result<()> {
        if let Some(fd) = &self.landlock {
            super::filesystem::restrict_self(fd)?;
        }
        if let Some(filter) = &self.seccomp {
            filter.install()?;
        }
        Ok(())
    }

    /// In init (pid 1 of the new PID namespace): starts the program and stays its init. The
    /// program is cloned with `CLONE_VM | CLONE_VFORK`, like `posix_spawn`: it runs on its own
    /// stack in init's memory, confines itself and executes, while init waits — no copy of init's
    /// (that is, loupe's) page tables for a process that is about to exec, and nothing to tear
    /// down when it does (measured: 0.1–0.2 ms of every start). Returns only if the program could
    /// not be started (the standard library then reports the error to loupe); otherwise this
    /// process ends as init does ([`run_init`]).
    unsafe fn become_init(&self, image: &ExecImage, report: Option<i32>) -> io::Result<()> {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        let start = ProgramStart { plan: self, image, report, errno: AtomicI32::new(0) };
        let top = image.stack.as_ptr().add(image.stack.len()) as usize & !15;
        let program = libc::clone(
            start_program,
            top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            &start as *const ProgramStart as *mut libc::c_void,
        );
        if program < 0 {
            return Err(io::Error::last_os_error());
        }
        // Here once the program executed, or gave up.
        let errno = start.errno.load(Ordering::SeqCst);
        if errno != 0 {
            wait_for(program);
            return Err(io::Error::from_raw_os_error(errno));
        }
        run_init(program, report)
    }
}

/// What the program process needs until its exec (it lives on init's stack; init waits).
struct ProgramStart<'a> {
    plan: &'a ChildPlan,
    image: &'a ExecImage,
    report: Option<i32>,
    /// Set when the program could not be started.
    errno: AtomicI32,
}

/// The program process, cloned by init: confines itself and executes. Returns (ending the
/// process) only on failure, with the reason left in [`ProgramStart::errno`].
extern "C" fn start_program(start: *mut libc::c_void) -> libc::c_int {
    // SAFETY: init passed a ProgramStart that outlives this process's use of it (CLONE_VFORK:
    // init waits until the exec or the exit).
    let start = unsafe { &*(start as *const ProgramStart) };
    // SAFETY: only system calls, in the program's own process.
    let error = unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        if let Some(fd) = start.report {
            libc::close(fd);
        }
        let confined = pass_descriptors(&start.plan.pass_fds)
            .and_then(|()| start.plan.enter_mount_namespace())
            .and_then(|()| start.plan.confine());
        match confined {
            Err(error) => error,
            Ok(()) => {
                let image = start.image;
                libc::execve(image.path.as_ptr(), image.argv_pointers.as_ptr(), image.envp_pointers.as_ptr());
                io::Error::last_os_error()
            }
        }
    };
    start.errno.store(error.raw_os_error().unwrap_or(libc::EINVAL).max(1), Ordering::SeqCst);
    127
}

/// Where the keeper and init forward signals to.
static FORWARD_TO: AtomicI32 = AtomicI32::new(0);

/// Signals that loupe (or a user with `kill`) may send to the program.
const FORWARDED: &[libc::c_int] =
    &[libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT, libc::SIGUSR1, libc::SIGUSR2, libc::SIGWINCH];

extern "C" fn forward(signal: libc::c_int, info: *mut libc::siginfo_t, _context: *mut libc::c_void) {
    // A signal the terminal sent to the whole foreground group (si_code SI_KERNEL) reached the
    // program too; only one sent by a process (kill: si_code <= 0) is passed on.
    // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
    let sent_by_process = unsafe { info.as_ref() }.is_some_and(|i| i.si_code <= 0);
    let target = FORWARD_TO.load(Ordering::Relaxed);
    if sent_by_process && target > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { libc::kill(target, signal) };
    }
}

unsafe fn forward_signals_to(pid: libc::pid_t) {
    FORWARD_TO.store(pid, Ordering::Relaxed);
    let mut action: libc::sigaction = std::mem::zeroed();
    action.sa_sigaction = forward as *const () as usize;
    action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
    libc::sigemptyset(&mut action.sa_mask);
    for &signal in FORWARDED {
        libc::sigaction(signal, &action, std::ptr::null_mut());
    }
}

/// Closes every descriptor from 3 up except `keep` (and, unless `keep_stdio`, 0–2 too): the
/// keeper and init must not hold the program's pipes open, nor the descriptor through which the
/// standard library learns that exec failed.
unsafe fn close_all_but(keep: i32) {
    for fd in 0..3 {
        libc::close(fd);
    }
    if keep > 3 {
        libc::syscall(libc::SYS_close_range, 3u32, (keep - 1) as u32, 0u32);
    }
    libc::syscall(libc::SYS_close_range, (keep + 1).max(3) as u32, u32::MAX, 0u32);
}

unsafe fn wait_for(pid: libc::pid_t) -> libc::c_int {
    let mut status = 0;
    loop {
        let r = libc::waitpid(pid, &mut status, 0);
        if r == pid {
            return status;
        }
        if r < 0 && *libc::__errno_location() != libc::EINTR {
            return 0;
        }
    }
}

/// Splits into keeper and init; returns in init, with the descriptor on which init reports the
/// program's status to the keeper.
unsafe fn enter_pid_namespace() -> io::Result<i32> {
    if libc::unshare(libc::CLONE_NEWPID) != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut status_pipe = [0; 2];
    if libc::pipe2(status_pipe.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
        return Err(io::Error::last_os_error());
    }
    let [read_end, write_end] = status_pipe;
    let init = libc::fork();
    if init < 0 {
        return Err(io::Error::last_os_error());
    }
    if init > 0 {
        // The keeper.
        close_all_but(read_end);
        forward_signals_to(init);
        wait_for(init);
        let mut raw = [0u8; 4];
        let got = libc::read(read_end, raw.as_mut_ptr().cast(), 4);
        let status = if got == 4 {
            i32::from_ne_bytes(raw)
        } else {
            0x09 /* killed by SIGKILL */
        };
        end_like(status);
    }
    // init: pid 1 of the new namespace.
    libc::close(read_end);
    Ok(write_end)
}

/// init's life once `program` runs: forwards signals to it, reaps every orphan of the namespace
/// until the program ends, writes the program's wait status to `report`, and exits like the
/// program did (code, or 128 + the signal: init cannot die of a signal it sends itself) — taking
/// every process left in the namespace with it.
unsafe fn run_init(program: libc::pid_t, report: Option<i32>) -> ! {
    close_all_but(report.unwrap_or(-1));
    forward_signals_to(program);
    let mut program_status = 0x09; /* killed by SIGKILL */
    loop {
        let mut status = 0;
        let r = libc::waitpid(-1, &mut status, 0);
        if r == program {
            program_status = status;
            break;
        }
        if r < 0 && *libc::__errno_location() == libc::ECHILD {
            break;
        }
    }
    if let Some(fd) = report {
        let raw = program_status.to_ne_bytes();
        libc::write(fd, raw.as_ptr().cast(), 4);
    }
    let code = if libc::WIFEXITED(program_status) {
        libc::WEXITSTATUS(program_status)
    } else {
        128 + libc::WTERMSIG(program_status)
    };
    libc::_exit(code);
}

/// Gives the program a `/proc` of its own PID namespace (in a mount namespace of its own), so
/// it cannot list the machine's processes or read their command lines. The ruleset built in
/// loupe names the machine's `/proc`; the new one is added to it here (before it is applied).
unsafe fn mount_private_proc(landlock_ruleset: Option<i32>) -> io::Result<()> {
    if libc::unshare(libc::CLONE_NEWNS) != 0 {
        return Err(io::Error::last_os_error());
    }
    // Nothing mounted here may propagate back to loupe's mount namespace.
    mount(None, c"/", None, libc::MS_REC | libc::MS_PRIVATE, None)?;
    let proc_dir = c"/proc";
    mount(Some(c"proc"), proc_dir, Some(c"proc"), libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC, None)?;
    if let Some(ruleset) = landlock_ruleset {
        // EXECUTE | READ_FILE | READ_DIR: in every Landlock ABI.
        allow_beneath(ruleset, proc_dir, 1 | 4 | 8)?;
    }
    Ok(())
}

/// mount(2), with an error instead of -1.
unsafe fn mount(
    source: Option<&CStr>,
    target: &CStr,
    filesystem: Option<&CStr>,
    flags: libc::c_ulong,
    data: Option<&CStr>,
) -> io::Result<()> {
    let pointer = |text: Option<&CStr>| text.map_or(std::ptr::null(), CStr::as_ptr);
    if libc::mount(pointer(source), target.as_ptr(), pointer(filesystem), flags, pointer(data).cast()) != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

impl ChildPlan {
    /// In the program's mount namespace: a fresh `/dev/shm` (POSIX shared memory and the
    /// semaphores `multiprocessing` uses keep working, but nothing is shared with the machine or
    /// left behind on it; what is written there counts against the run's memory cgroup) with the
    /// run's private directory bound back into it when it lives there, an empty tmpfs over the
    /// network namespaces kept for the next runs, and `/dev/null` bound over each masked file.
    unsafe fn private_files(&self, landlock_ruleset: Option<i32>) -> io::Result<()> {
        if let Some(access) = self.private_shm {
            // Opened in this mount namespace (a bind mount's source must belong to it), before
            // the new /dev/shm hides it.
            let private_dir = match &self.private_in_shm {
                Some(path) => {
                    let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC);
                    if fd < 0 {
                        return Err(io::Error::last_os_error());
                    }
                    Some((fd, path))
                }
                None => None,
            };
            let shm = c"/dev/shm";
            mount(Some(c"tmpfs"), shm, Some(c"tmpfs"), libc::MS_NOSUID | libc::MS_NODEV, Some(c"mode=1777"))?;
            if let Some(ruleset) = landlock_ruleset {
                allow_beneath(ruleset, shm, access)?;
            }
            if let Some((fd, path)) = private_dir {
                // The mount point is made in the fresh tmpfs; the machine's directory (HOME,
                // TMPDIR) is bound onto it through `/proc/self/fd` (this namespace's own /proc).
                if libc::mkdir(path.as_ptr(), 0o700) != 0 {
                    return Err(io::Error::last_os_error());
                }
                let mut source = [0u8; 32];
                proc_fd_path(fd, &mut source);
                let source =
                    CStr::from_bytes_until_nul(&source).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
                mount(Some(source), path, None, libc::MS_BIND | libc::MS_REC, None)?;
                libc::close(fd);
            }
        }
        if self.hide_pool {
            let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY;
            mount(Some(c"tmpfs"), c"/run/loupe", Some(c"tmpfs"), flags, Some(c"size=4k,mode=0700"))?;
        }
        for file in &self.masked {
            mount(Some(c"/dev/null"), file, None, libc::MS_BIND, None)?;
        }
        Ok(())
    }
}

/// Gives each `(fd, number)` its number in this process, kept open across exec. Between fork
/// and exec: system calls only.
pub fn pass_descriptors(pass_fds: &[(i32, i32)]) -> io::Result<()> {
    for &(fd, number) in pass_fds {
        // SAFETY: descriptor calls on this process's own table.
        let done = unsafe {
            if fd == number {
                libc::fcntl(number, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, number)
            }
        };
        if done < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Writes `/proc/self/fd/<fd>` and a NUL into `buffer` without allocating (between fork and exec).
fn proc_fd_path(fd: i32, buffer: &mut [u8; 32]) {
    const PREFIX: &[u8] = b"/proc/self/fd/";
    buffer[..PREFIX.len()].copy_from_slice(PREFIX);
    let mut digits = [0u8; 10];
    let mut n = fd.max(0) as u32;
    let mut count = 0;
    loop {
        digits[count] = b'0' + (n % 10) as u8;
        n /= 10;
        count += 1;
        if n == 0 {
            break;
        }
    }
    for (i, digit) in digits[..count].iter().rev().enumerate() {
        buffer[PREFIX.len() + i] = *digit;
    }
    buffer[PREFIX.len() + count] = 0;
}

/// Adds to the Landlock `ruleset` a rule giving `access` beneath `path` (as it is mounted now).
unsafe fn allow_beneath(ruleset: i32, path: &std::ffi::CStr, access: u64) -> io::Result<()> {
    // struct landlock_path_beneath_attr is packed: u64 access, then s32 fd.
    #[repr(C, packed)]
    struct PathBeneathAttr {
        allowed_access: u64,
        parent_fd: i32,
    }
    const LANDLOCK_RULE_PATH_BENEATH: libc::c_int = 1;
    let fd = libc::open(path.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let attr = PathBeneathAttr { allowed_access: access, parent_fd: fd };
    let added = libc::syscall(libc::SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0u32);
    let error = io::Error::last_os_error();
    libc::close(fd);
    if added != 0 {
        return Err(error);
    }
    Ok(())
}

/// Ends the keeper as the program ended: the same exit code, or death by the same signal.
unsafe fn end_like(status: libc::c_int) -> ! {
    if libc::WIFEXITED(status) {
        libc::_exit(libc::WEXITSTATUS(status));
    }
    let signal = if libc::WIFSIGNALED(status) { libc::WTERMSIG(status) } else { libc::SIGKILL };
    libc::signal(signal, libc::SIG_DFL);
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::sigprocmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    // No core file from the keeper (the program's own was already written if it was allowed).
    let no_core = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    libc::setrlimit(libc::RLIMIT_CORE, &no_core);
    libc::kill(libc::getpid(), signal);
    libc::_exit(128 + signal);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_fd_paths_are_written_without_allocating() {
        for (fd, expected) in [(0, "/proc/self/fd/0"), (7, "/proc/self/fd/7"), (1234567, "/proc/self/fd/1234567")] {
            let mut buffer = [0xffu8; 32];
            proc_fd_path(fd, &mut buffer);
            let text = std::ffi::CStr::from_bytes_until_nul(&buffer).unwrap();
            assert_eq!(text.to_str().unwrap(), expected);
        }
    }
}
