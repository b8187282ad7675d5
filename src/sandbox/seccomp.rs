//! A seccomp deny-list: the system calls a confined Python program has no business making
//! (debugging other processes, changing identity, kernel keyrings, BPF, mounts, new namespaces,
//! loading modules, typing into the terminal). Everything else is allowed: this is a set of
//! closed escape hatches, not an allow-list, so ordinary programs (and debuggers) keep working.
//!
//! The filter is a classic BPF program built in loupe and installed by the child between fork and
//! exec ([`install`] allocates nothing).

use serde::Serialize;

/// A system call refused with EPERM.
struct Denied {
    number: libc::c_long,
    name: &'static str,
}

macro_rules! denied {
    ($($name:ident),* $(,)?) => {
        &[$(Denied { number: libc::$name, name: stringify!($name) }),*]
    };
}

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xC000_003E; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xC000_00B7; // AUDIT_ARCH_AARCH64

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
const DENIED: &[Denied] = denied![
    SYS_ptrace,
    SYS_process_vm_readv,
    SYS_process_vm_writev,
    SYS_kcmp,
    SYS_setuid,
    SYS_setgid,
    SYS_setreuid,
    SYS_setregid,
    SYS_setresuid,
    SYS_setresgid,
    SYS_setfsuid,
    SYS_setfsgid,
    SYS_setgroups,
    SYS_keyctl,
    SYS_add_key,
    SYS_request_key,
    SYS_bpf,
    SYS_perf_event_open,
    SYS_userfaultfd,
    SYS_mount,
    SYS_umount2,
    SYS_pivot_root,
    SYS_chroot,
    SYS_fsopen,
    SYS_fsmount,
    SYS_fsconfig,
    SYS_fspick,
    SYS_move_mount,
    SYS_open_tree,
    SYS_mount_setattr,
    SYS_unshare,
    SYS_setns,
    SYS_init_module,
    SYS_finit_module,
    SYS_delete_module,
    SYS_kexec_load,
    SYS_kexec_file_load,
    SYS_reboot,
    SYS_swapon,
    SYS_swapoff,
    SYS_acct,
    SYS_quotactl,
    SYS_syslog,
    SYS_open_by_handle_at,
    SYS_name_to_handle_at,
];

/// The names of the refused calls, for the report.
pub fn denied_names() -> Vec<&'static str> {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut names: Vec<&str> = DENIED.iter().map(|d| d.name.trim_start_matches("SYS_")).collect();
        names.extend([
            "ioctl(TIOCSTI)",
            "ioctl(TIOCLINUX)",
            "clone(namespace flags)",
            "clone3 (ENOSYS: falls back to clone)",
        ]);
        names
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    Vec::new()
}

/// A built filter, ready to be installed in a child.
#[derive(Debug, Clone, Serialize)]
pub struct Filter {
    #[serde(skip)]
    program: Vec<libc::sock_filter>,
}

const BPF_LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const BPF_JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const BPF_JSET_K: u16 = (libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K) as u16;
const BPF_RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;

// struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
const OFFSET_NR: u32 = 0;
const OFFSET_ARCH: u32 = 4;
/// Low 32 bits of args[n] (little-endian).
const fn offset_arg(n: u32) -> u32 {
    16 + 8 * n
}

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter { code, jt: 0, jf: 0, k }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

impl Filter {
    /// The deny-list filter, or `None` on an architecture loupe has no table for.
    pub fn build() -> Option<Filter> {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        {
            let deny = SECCOMP_RET_ERRNO | libc::EPERM as u32;
            let mut p = vec![
                stmt(BPF_LD_W_ABS, OFFSET_ARCH),
                // Another ABI (32-bit calls on a 64-bit kernel) would number calls differently.
                jump(BPF_JEQ_K, AUDIT_ARCH, 1, 0),
                stmt(BPF_RET_K, SECCOMP_RET_KILL_PROCESS),
                stmt(BPF_LD_W_ABS, OFFSET_NR),
            ];
            #[cfg(target_arch = "x86_64")]
            {
                // x32 system calls carry bit 30.
                p.push(jump(BPF_JSET_K, 0x4000_0000, 0, 1));
                p.push(stmt(BPF_RET_K, deny));
            }
            for d in DENIED {
                p.push(jump(BPF_JEQ_K, d.number as u32, 0, 1));
                p.push(stmt(BPF_RET_K, deny));
            }
            // clone3 passes its flags in memory the filter cannot read: make libc fall back to
            // clone, whose flags it can.
            p.push(jump(BPF_JEQ_K, libc::SYS_clone3 as u32, 0, 1));
            p.push(stmt(BPF_RET_K, SECCOMP_RET_ERRNO | libc::ENOSYS as u32));
            // clone with namespace flags (x86_64 and aarch64 both pass flags in args[0]).
            let namespace_flags = (libc::CLONE_NEWUSER
                | libc::CLONE_NEWNS
                | libc::CLONE_NEWNET
                | libc::CLONE_NEWPID
                | libc::CLONE_NEWIPC
                | libc::CLONE_NEWUTS
                | libc::CLONE_NEWCGROUP) as u32;
            p.push(jump(BPF_JEQ_K, libc::SYS_clone as u32, 0, 4));
            p.push(stmt(BPF_LD_W_ABS, offset_arg(0)));
            p.push(jump(BPF_JSET_K, namespace_flags, 0, 1));
            p.push(stmt(BPF_RET_K, deny));
            p.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
            // ioctl(fd, TIOCSTI | TIOCLINUX, ...): pushing keystrokes into a terminal.
            p.push(jump(BPF_JEQ_K, libc::SYS_ioctl as u32, 0, 4));
            p.push(stmt(BPF_LD_W_ABS, offset_arg(1)));
            p.push(jump(BPF_JEQ_K, libc::TIOCSTI as u32, 1, 0));
            p.push(jump(BPF_JEQ_K, libc::TIOCLINUX as u32, 0, 1));
            p.push(stmt(BPF_RET_K, deny));
            p.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
            Some(Filter { program: p })
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        None
    }

    /// Installs the filter on the calling thread (and everything it later starts). Called in
    /// the child between fork and exec: no allocation, only system calls.
    ///
    /// The filter is installed with `SECCOMP_FILTER_FLAG_SPEC_ALLOW`, as runc and crun do:
    /// without it, kernels before 5.16 (`spec_store_bypass_disable=seccomp`, their default) turn
    /// on the Speculative Store Bypass mitigation for every filtered process, which makes
    /// CPU-bound Python up to twice as slow — and would distort every profile taken in the
    /// sandbox. That mitigation guards secrets *within* one address space (a JIT sandbox); the
    /// program is alone in its own. Kernels older than 4.17 lack the flag and get the plain call.
    ///
    /// # Safety
    /// Only for a freshly forked child.
    pub unsafe fn install(&self) -> std::io::Result<()> {
        let program = libc::sock_fprog { len: self.program.len() as u16, filter: self.program.as_ptr() as *mut _ };
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let program = &program as *const libc::sock_fprog;
        let with_flag = libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW,
            program,
        );
        if with_flag == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() != Some(libc::EINVAL) {
            return Err(error);
        }
        if libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, program) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }
}
