//! What this kernel and these privileges allow: namespaces, Landlock (and its ABI), seccomp,
//! cgroups. Detected once per loupe process, without starting anything.

use std::sync::OnceLock;

use serde::Serialize;

use super::cgroup::{self, CgroupFacts};

#[derive(Debug, Clone, Serialize)]
pub struct Capabilities {
    /// loupe runs with CAP_SYS_ADMIN (root, usually): namespaces need no user namespace.
    pub admin: bool,
    /// Unprivileged user namespaces are allowed (the way to namespaces without CAP_SYS_ADMIN).
    pub user_namespaces: bool,
    /// PID and network namespaces can be created (directly, or inside a user namespace).
    pub namespaces: bool,
    /// Landlock ABI version, 0 when the kernel has none.
    pub landlock_abi: i32,
    pub seccomp: bool,
    pub cgroups: CgroupFacts,
    pub kernel: String,
}

/// Detected on first use.
pub fn get() -> &'static Capabilities {
    static CAPABILITIES: OnceLock<Capabilities> = OnceLock::new();
    CAPABILITIES.get_or_init(detect)
}

fn detect() -> Capabilities {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let admin = effective_capabilities(&status) & (1 << 21) /* CAP_SYS_ADMIN */ != 0;
    let user_namespaces = std::fs::read_to_string("/proc/sys/user/max_user_namespaces")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok())
        .is_some_and(|n| n > 0)
        && std::fs::read_to_string("/proc/sys/kernel/unprivileged_userns_clone")
            .map(|t| t.trim() != "0")
            .unwrap_or(true);
    let namespaces = std::path::Path::new("/proc/self/ns/pid").exists()
        && std::path::Path::new("/proc/self/ns/net").exists()
        && (admin || user_namespaces);
    Capabilities {
        admin,
        user_namespaces,
        namespaces,
        landlock_abi: landlock_abi(),
        seccomp: status.lines().any(|l| l.starts_with("Seccomp:")),
        cgroups: cgroup::detect(),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string(),
    }
}

fn effective_capabilities(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .unwrap_or(0)
}

/// `landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)` answers the ABI version.
fn landlock_abi() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute pointer and size 0 the call only returns a number.
    let abi = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if abi < 0 {
        0
    } else {
        abi as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_mask_is_read_from_proc_status() {
        assert_eq!(effective_capabilities("Name:\tx\nCapEff:\t000001ffffffffff\n"), 0x1ff_ffff_ffff);
        assert_eq!(effective_capabilities("Name:\tx\n"), 0);
    }
}
