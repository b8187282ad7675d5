//! Links loupe's own executable as a position-dependent (non-PIE) binary on Linux with glibc.
//!
//! Why: a PIE binary of this size carries ~25,000 relative relocations that the dynamic loader
//! applies at every start, touching ~120 extra pages; on the virtual machines loupe is measured
//! on that is 0.4–0.5 ms of every `loupe exec` (docs/BENCHMARKS.md, sandbox start-up), a tenth
//! of the sandbox's whole budget. The code is still compiled position-independent (only the final
//! link changes), and the heap, the stack, the shared libraries and every Python process loupe
//! starts keep their address randomisation; loupe's own image gets a fixed address, as Go's
//! toolchain gives its binaries by default. `LOUPE_PIE=1 cargo build` keeps PIE.
//! Only the `loupe` binary is affected, never test or bench executables.

fn main() {
    println!("cargo:rerun-if-env-changed=LOUPE_PIE");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    let keep_pie = std::env::var_os("LOUPE_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if linux_gnu && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
