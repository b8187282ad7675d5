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
const BPF_JGE_K: u16 = (libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K) as u16;
const BPF_JSET_K: u16 = (libc::BPF_JMP | libc::BPF_JSET | libc::BPF_K) as u16;
const BPF_RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
const SECCOMP_RET_KILL_PROCESS: u32 = 0x8000_0000;
const DENY: u32 = SECCOMP_RET_ERRNO | libc::EPERM as u32;

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

/// What the filter does with one system call number (every other number is allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// EPERM.
    Deny,
    /// ENOSYS: `clone3` passes its flags in memory the filter cannot read, so libc is made to
    /// fall back to `clone`, whose flags it can.
    NoSys,
    /// EPERM when the flags (args[0] on x86_64 and aarch64) ask for a new namespace.
    CloneFlags,
    /// EPERM for TIOCSTI and TIOCLINUX (args[1]): pushing keystrokes into a terminal.
    IoctlRequest,
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn rules() -> Vec<(u32, Rule)> {
    let mut rules: Vec<(u32, Rule)> = DENIED.iter().map(|d| (d.number as u32, Rule::Deny)).collect();
    rules.push((libc::SYS_clone3 as u32, Rule::NoSys));
    rules.push((libc::SYS_clone as u32, Rule::CloneFlags));
    rules.push((libc::SYS_ioctl as u32, Rule::IoctlRequest));
    rules.sort_unstable_by_key(|&(number, _)| number);
    rules.dedup_by_key(|&mut (number, _)| number);
    rules
}

/// The system call number's part of the filter, as a binary search over the sorted rules
/// (`JGE` at each node, `JEQ` in leaves of up to three numbers), followed by one block per kind
/// of rule. The kernel runs the filter once per system call number when it is installed (to
/// cache which calls are always allowed), so its cost follows the path length: as a linear
/// chain of ~50 comparisons (up to 110 instructions a call) the filter took 0.15 ms to install
/// here, as this tree (at most 13) 0.09 ms (docs/BENCHMARKS.md). Every jump is forward, as
/// classic BPF requires.
struct NumberSearch {
    program: Vec<libc::sock_filter>,
    /// Leaf comparisons whose `jt` is patched to their rule's block.
    to_rule: Vec<(usize, Rule)>,
}

impl NumberSearch {
    const LEAF: usize = 3;

    fn build(rules: &[(u32, Rule)]) -> Vec<libc::sock_filter> {
        let mut search = NumberSearch { program: Vec::new(), to_rule: Vec::new() };
        search.node(rules);
        search.rule_blocks();
        search.program
    }

    fn node(&mut self, rules: &[(u32, Rule)]) {
        if rules.len() <= Self::LEAF {
            for &(number, rule) in rules {
                self.to_rule.push((self.program.len(), rule));
                self.program.push(jump(BPF_JEQ_K, number, 0, 0));
            }
            self.program.push(stmt(BPF_RET_K, SECCOMP_RET_ALLOW));
            return;
        }
        let (low, high) = rules.split_at(rules.len() / 2);
        let branch = self.program.len();
        // number >= the first of the upper half: jump over the lower half.
        self.program.push(jump(BPF_JGE_K, high[0].0, 0, 0));
        self.node(low);
        self.program[branch].jt = Self::offset(branch, self.program.len());
        self.node(high);
    }

    fn rule_blocks(&mut self) {
        let namespace_flags = (libc::CLONE_NEWUSER
            | libc::CLONE_NEWNS
            | libc::CLONE_NEWNET
            | libc::CLONE_NEWPID
            | libc::CLONE_NEWIPC
            | libc::CLONE_NEWUTS
            | libc::CLONE_NEWCGROUP) as u32;
        for rule in [Rule::Deny, Rule::NoSys, Rule::CloneFlags, Rule::IoctlRequest] {
            let start = self.program.len();
            match rule {
                Rule::Deny => self.program.push(stmt(BPF_RET_K, DENY)),
                Rule::NoSys => self.program.push(stmt(BPF_RET_K, SECCOMP_RET_ERRNO | libc::ENOSYS as u32)),
                Rule::CloneFlags => self.program.extend([
                    stmt(BPF_LD_W_ABS, offset_arg(0)),
                    jump(BPF_JSET_K, namespace_flags, 0, 1),
                    stmt(BPF_RET_K, DENY),
                    stmt(BPF_RET_K, SECCOMP_RET_ALLOW),
                ]),
                Rule::IoctlRequest => self.program.extend([
                    stmt(BPF_LD_W_ABS, offset_arg(1)),
                    jump(BPF_JEQ_K, libc::TIOCSTI as u32, 1, 0),
                    jump(BPF_JEQ_K, libc::TIOCLINUX as u32, 0, 1),
                    stmt(BPF_RET_K, DENY),
                    stmt(BPF_RET_K, SECCOMP_RET_ALLOW),
                ]),
            }
            for &(at, _) in self.to_rule.iter().filter(|(_, r)| *r == rule) {
                self.program[at].jt = Self::offset(at, start);
            }
        }
    }

    /// The jump offset from the instruction at `from` to `to`.
    fn offset(from: usize, to: usize) -> u8 {
        u8::try_from(to - from - 1).expect("a seccomp jump longer than 255 instructions")
    }
}

impl Filter {
    /// The deny-list filter, or `None` on an architecture loupe has no table for.
    pub fn build() -> Option<Filter> {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        {
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
                p.push(stmt(BPF_RET_K, DENY));
            }
            p.extend(NumberSearch::build(&rules()));
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

#[cfg(all(test, any(target_arch = "x86_64", target_arch = "aarch64")))]
mod tests {
    use super::*;

    /// Runs `program` as the kernel would on one system call: the action and the number of
    /// instructions executed.
    fn run(program: &[libc::sock_filter], nr: u32, arch: u32, args: [u64; 6]) -> (u32, usize) {
        let mut data = [0u8; 64];
        data[0..4].copy_from_slice(&nr.to_ne_bytes());
        data[4..8].copy_from_slice(&arch.to_ne_bytes());
        for (i, arg) in args.iter().enumerate() {
            data[16 + 8 * i..24 + 8 * i].copy_from_slice(&arg.to_ne_bytes());
        }
        let (mut acc, mut pc, mut steps) = (0u32, 0usize, 0usize);
        loop {
            let insn = program[pc];
            pc += 1;
            steps += 1;
            let branch = |taken: bool| usize::from(if taken { insn.jt } else { insn.jf });
            match insn.code {
                BPF_LD_W_ABS => {
                    let at = insn.k as usize;
                    acc = u32::from_ne_bytes(data[at..at + 4].try_into().unwrap());
                }
                BPF_JEQ_K => pc += branch(acc == insn.k),
                BPF_JGE_K => pc += branch(acc >= insn.k),
                BPF_JSET_K => pc += branch(acc & insn.k != 0),
                BPF_RET_K => return (insn.k, steps),
                other => panic!("instruction {other:#x} at {}", pc - 1),
            }
        }
    }

    const NAMESPACE_FLAGS: u64 = (libc::CLONE_NEWUSER | libc::CLONE_NEWNET | libc::CLONE_NEWPID) as u64;

    /// The answer the table gives, written out plainly.
    fn expected(nr: u32, args: [u64; 6]) -> u32 {
        if cfg!(target_arch = "x86_64") && nr & 0x4000_0000 != 0 {
            return DENY;
        }
        if DENIED.iter().any(|d| d.number as u32 == nr) {
            return DENY;
        }
        if nr == libc::SYS_clone3 as u32 {
            return SECCOMP_RET_ERRNO | libc::ENOSYS as u32;
        }
        if nr == libc::SYS_clone as u32 && args[0] & NAMESPACE_FLAGS != 0 {
            return DENY;
        }
        let request = args[1] as u32;
        if nr == libc::SYS_ioctl as u32 && (request == libc::TIOCSTI as u32 || request == libc::TIOCLINUX as u32) {
            return DENY;
        }
        SECCOMP_RET_ALLOW
    }

    #[test]
    fn the_filter_answers_every_system_call_as_the_table_says() {
        let filter = Filter::build().unwrap();
        let program = &filter.program;
        // The request constants are c_ulong with glibc and c_int with musl.
        #[allow(clippy::unnecessary_cast)]
        let argument_sets = [
            [0; 6],
            [libc::CLONE_NEWNET as u64, 0, 0, 0, 0, 0],
            [(libc::CLONE_VM | libc::CLONE_THREAD) as u64 | libc::SIGCHLD as u64, 0, 0, 0, 0, 0],
            [NAMESPACE_FLAGS, 0, 0, 0, 0, 0],
            [0, libc::TIOCSTI as u64, 0, 0, 0, 0],
            [0, libc::TIOCLINUX as u64, 0, 0, 0, 0],
            [0, libc::TCGETS as u64, 0, 0, 0, 0],
        ];
        let numbers = (0..1024u32).chain([0x4000_0000, 0x4000_0001, 0x4000_0000 | libc::SYS_ptrace as u32, u32::MAX]);
        let mut longest = 0;
        for nr in numbers {
            for args in argument_sets {
                let (action, steps) = run(program, nr, AUDIT_ARCH, args);
                assert_eq!(action, expected(nr, args), "system call {nr} with {args:?}");
                longest = longest.max(steps);
            }
        }
        // Another architecture's calls end the process.
        assert_eq!(run(program, 0, 0x4000_0003, [0; 6]).0, SECCOMP_RET_KILL_PROCESS);
        // A binary search: no call walks the whole table (it did, ~100 instructions, as a chain).
        assert!(longest <= 24, "the longest path runs {longest} instructions");
    }
}
