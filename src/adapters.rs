//! The Python that loupe runs inside debuggees (`adapters/` in the source tree), embedded in the
//! binary and written to loupe's cache directory when first needed, so an installed `loupe`
//! works without its source tree.

use std::path::PathBuf;

use anyhow::Context;

/// Writes `files` (name, content) into `cache_dir()/adapters/<name>/` unless they are already
/// there with the same content, and returns that directory (for `PYTHONPATH`). Each file is
/// written to a temporary name and renamed, so a concurrent loupe never imports half a file.
pub fn install<C: AsRef<[u8]>>(name: &str, files: &[(&str, C)]) -> anyhow::Result<PathBuf> {
    let dir = crate::paths::cache_dir().join("adapters").join(name);
    for (file_name, content) in files {
        let content = content.as_ref();
        let file = dir.join(file_name);
        if std::fs::read(&file).ok().as_deref() == Some(content) {
            continue;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let temp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
        std::fs::write(&temp, content).with_context(|| format!("writing {}", temp.display()))?;
        std::fs::rename(&temp, &file).with_context(|| format!("writing {}", file.display()))?;
    }
    Ok(dir)
}

/// cProfile's runner for `loupe profile` (and the MCP server's `profile_script`): `python -m
/// cProfile -o FILE` that keeps the script's exit status. Returns the directory to put on
/// `PYTHONPATH` (the module is `loupe_profile`).
pub fn profile_runner() -> anyhow::Result<PathBuf> {
    const RUNNER: &str = include_str!("../adapters/profile/loupe_profile.py");
    // `loupe profile --lines`' runner (module `loupe_lines`), in the same directory, and the
    // compiled callbacks it loads (crates/line_tracer, built by build.rs).
    const LINES_RUNNER: &str = include_str!("../adapters/profile/loupe_lines.py");
    const LINE_TRACER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/loupe_line_tracer.so"));
    install(
        "profile",
        &[
            ("loupe_profile.py", RUNNER.as_bytes()),
            ("loupe_lines.py", LINES_RUNNER.as_bytes()),
            ("loupe_line_tracer.so", LINE_TRACER),
        ],
    )
}

/// tracemalloc's runner for `loupe profile --alloc`: `python -m loupe_alloc OUT FRAMES SCRIPT
/// ARGS...` writes a JSON allocation report (peak, snapshot near the peak, RSS over time). Returns
/// the directory to put on `PYTHONPATH` (the module is `loupe_alloc`).
pub fn alloc_runner() -> anyhow::Result<PathBuf> {
    const RUNNER: &str = include_str!("../adapters/profile/loupe_alloc.py");
    // Beside loupe_profile.py, in the directory `launch()` puts on PYTHONPATH.
    install("profile", &[("loupe_alloc.py", RUNNER)])
}
