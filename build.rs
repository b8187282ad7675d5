//! loupe's build steps: the compiled line tracer that `loupe profile --lines` loads into the
//! Python it measures, and the link of loupe's own executable.
//!
//! **The line tracer** (`crates/line_tracer`): a dependency-free cdylib, compiled here with the
//! same rustc for the same target and embedded in the binary (`adapters::profile_runner` writes it
//! beside loupe_lines.py), so an installed loupe carries it without a second artifact. It is built
//! with a direct rustc call rather than as a cargo dependency because cargo cannot yet depend on
//! a cdylib's file (artifact dependencies are unstable).
//!
//! **Non-PIE link**: loupe's own executable is linked position-dependent on Linux with glibc.
//! Why: a PIE binary of this size carries ~25,000 relative relocations that the dynamic loader
//! applies at every start, touching ~120 extra pages; on the virtual machines loupe is measured
//! on that is 0.4–0.5 ms of every `loupe exec` (docs/BENCHMARKS.md, sandbox start-up), a tenth
//! of the sandbox's whole budget. The code is still compiled position-independent (only the final
//! link changes), and the heap, the stack, the shared libraries and every Python process loupe
//! starts keep their address randomisation; loupe's own image gets a fixed address, as Go's
//! toolchain gives its binaries by default. `LOUPE_PIE=1 cargo build` keeps PIE.
//! Only the `loupe` binary is affected, never test or bench executables.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    build_line_tracer();
    println!("cargo:rerun-if-env-changed=LOUPE_PIE");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    let keep_pie = std::env::var_os("LOUPE_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if linux_gnu && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}

/// Compiles crates/line_tracer/src/lib.rs into `$OUT_DIR/loupe_line_tracer.so`.
fn build_line_tracer() {
    let source = "crates/line_tracer/src/lib.rs";
    println!("cargo:rerun-if-changed={source}");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let output = out_dir.join("loupe_line_tracer.so");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let mut command = Command::new(rustc);
    command
        .args(["--edition", "2021", "--crate-type", "cdylib", "--crate-name", "loupe_line_tracer"])
        .args(["-C", "opt-level=3", "-C", "panic=abort", "-C", "codegen-units=1", "-C", "strip=symbols"])
        .args(["--target", &target, "-o"])
        .arg(&output)
        .arg(source);
    // A target with its own linker (cross builds) names it as cargo would use it.
    let linker_key = format!("CARGO_TARGET_{}_LINKER", target.to_uppercase().replace('-', "_"));
    println!("cargo:rerun-if-env-changed={linker_key}");
    if let Some(linker) = std::env::var_os(&linker_key) {
        command.arg("-C").arg(format!("linker={}", linker.to_string_lossy()));
    }
    // musl targets link statically by default, which rules out a shared library.
    if std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("musl") {
        command.args(["-C", "target-feature=-crt-static"]);
    }
    let failure = match command.status() {
        Ok(status) if status.success() => return,
        Ok(status) => format!("rustc exited with {status}"),
        Err(e) => format!("rustc could not be run: {e}"),
    };
    // loupe still builds: the runner finds an empty library, cannot load it, and uses its Python
    // callbacks (slower, same figures), saying so in a note at every `--lines` run.
    println!("cargo:warning=the line tracer ({source}) was not built ({failure}): `loupe profile --lines` will use Python callbacks");
    std::fs::write(&output, b"").unwrap_or_else(|e| panic!("writing {}: {e}", output.display()));
}
