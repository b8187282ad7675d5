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

/// Why a run has no PID or network namespace, when [`Capabilities::namespaces`] is false.
pub fn namespaces_missing_why(caps: &Capabilities) -> String {
    if caps.admin || !std::path::Path::new("/proc/self/ns/user").exists() {
        "this kernel has no PID/network namespaces".to_string()
    } else {
        user_namespace_refused("the kernel refuses unprivileged user namespaces")
    }
}

/// loupe is not privileged and creating a user namespace failed with `error`: the setting
/// responsible, as far as it can be read, and how to change it.
pub fn user_namespace_refused(error: &str) -> String {
    let sysctl = |name: &str| std::fs::read_to_string(format!("/proc/sys/{name}")).ok().map(|t| t.trim().to_string());
    let setting = if sysctl("user/max_user_namespaces").as_deref() == Some("0") {
        "user.max_user_namespaces is 0; fix: `sudo sysctl -w user.max_user_namespaces=15000` \
         (keep it in /etc/sysctl.d/)"
            .to_string()
    } else if sysctl("kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        "kernel.unprivileged_userns_clone is 0 (Debian); fix: `sudo sysctl -w kernel.unprivileged_userns_clone=1` \
         (keep it in /etc/sysctl.d/)"
            .to_string()
    } else if sysctl("kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu): only programs with an AppArmor profile \
         allowing `userns` may use them; fix: install loupe's profile (packaging/apparmor/loupe: set the path \
         to loupe's binary, then `sudo cp packaging/apparmor/loupe /etc/apparmor.d/loupe && sudo apparmor_parser \
         -r /etc/apparmor.d/loupe`), or `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`"
            .to_string()
    } else {
        "no sysctl explains it (a container or a security module may forbid them); bubblewrap would fail here \
         too"
        .to_string()
    };
    format!("loupe is not privileged (no CAP_SYS_ADMIN) and cannot create a user namespace ({error}): {setting}")
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
