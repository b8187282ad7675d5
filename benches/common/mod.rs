//! What the harness-less benchmarks share: settings from flags or the environment, the repository,
//! the interpreter they debug, and the summary they print.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A count from `--flag N` (after `cargo bench ... --`), else the environment variable, else
/// `default`.
pub fn setting(name: &str, flag: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var(name).ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The interpreter to debug: `LOUPE_BENCH_PYTHON`, else the test venv's (debugpy and ipdb).
pub fn python() -> PathBuf {
    std::env::var_os("LOUPE_BENCH_PYTHON").map(PathBuf::from).unwrap_or_else(|| repo().join(".venv-test/bin/python"))
}

/// min, median, p90, max in milliseconds.
pub fn summary(samples: &mut [Duration]) -> [f64; 4] {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    [at(0.0), at(0.5), at(0.9), at(1.0)]
}
