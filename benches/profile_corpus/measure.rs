//! Measuring a command as a user runs it: wall time, CPU time and peak RSS of the child itself,
//! two commands interleaved (through a launcher, for a true peak RSS); and the attribution check (check_folded.py) of a folded file.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// One run of a command.
#[derive(Clone, Copy)]
pub struct Sample {
    pub wall: Duration,
    /// User + system time of the child.
    pub cpu: Duration,
    /// The child's peak resident set size, in bytes.
    pub peak_rss: u64,
}

fn duration(t: libc::timeval) -> Duration {
    Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000)
}

/// The argument that makes the bench binary a launcher ([`launcher_main`]).
const LAUNCH: &str = "--launch-and-measure";

/// Runs `command` to its end and measures it, through a fresh copy of this binary as launcher.
///
/// The child's own figures come from `wait4`; but Linux starts a new process's peak RSS
/// (`ru_maxrss`) at the RSS of the process it was forked from (the high-water mark of the address
/// space `exec` replaces), and this process holds hundreds of megabytes after the in-process
/// timings of a large profile. The launcher is exec'd afresh (a few MB), so that is the floor:
/// [`floor`] measures it with `true`.
pub fn run_once(command: Command) -> anyhow::Result<Sample> {
    let what = format!("{command:?}");
    let mut launcher = Command::new(std::env::current_exe().context("locating the bench binary")?);
    launcher.arg(LAUNCH).arg(command.get_program()).args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        launcher.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => launcher.env(key, value),
            None => launcher.env_remove(key),
        };
    }
    let out = launcher.stdin(Stdio::null()).output().with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        bail!("{what} failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let figures: Vec<u64> = text.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    let [wall, cpu, rss] = figures[..] else { bail!("the launcher of {what} wrote {text:?}") };
    Ok(Sample { wall: Duration::from_nanos(wall), cpu: Duration::from_nanos(cpu), peak_rss: rss })
}

/// The peak RSS a launched command cannot go below: the launcher's own, measured on `true`.
pub fn floor() -> anyhow::Result<u64> {
    Ok(run_once(Command::new("true"))?.peak_rss)
}

/// When this binary was started by [`run_once`]: runs the command (standard output to
/// /dev/null, standard error through), waits with `wait4`, prints `wall_ns cpu_ns peak_rss_bytes`
/// and exits with the command's status. Returns if this is not a launcher.
pub fn launcher_main() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_none_or(|a| a != LAUNCH) {
        return;
    }
    let program = args.next().expect("the launcher needs a program");
    let start = Instant::now();
    let child = match Command::new(&program).args(args).stdin(Stdio::null()).stdout(Stdio::null()).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("cannot start {}: {e}", program.to_string_lossy());
            std::process::exit(127);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own child, not yet waited for (std's Child is never waited on here).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            eprintln!("waiting for {}: {error}", program.to_string_lossy());
            std::process::exit(126);
        }
    }
    let wall = start.elapsed();
    drop(child);
    let cpu = duration(usage.ru_utime) + duration(usage.ru_stime);
    // Linux reports kilobytes.
    println!("{} {} {}", wall.as_nanos(), cpu.as_nanos(), usage.ru_maxrss as u64 * 1024);
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) };
    std::process::exit(code);
}

/// `runs` runs of ours and `peer_runs` of the peer's, interleaved (one of each in turn while both
/// have runs left), so a change in the load of the shared machine during the benchmark falls on
/// both sides alike instead of on whichever ran then.
pub fn interleaved(
    (runs, mut ours): (usize, impl FnMut() -> Command),
    (peer_runs, mut theirs): (usize, impl FnMut() -> Command),
) -> anyhow::Result<(Vec<Sample>, Vec<Sample>)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..runs.max(peer_runs) {
        if i < runs {
            a.push(run_once(ours())?);
        }
        if i < peer_runs {
            b.push(run_once(theirs())?);
        }
    }
    Ok((a, b))
}

/// min, median, p90, max of one figure of the samples, in `unit`s.
pub fn summary_of(samples: &[Sample], figure: impl Fn(&Sample) -> f64) -> [f64; 4] {
    let mut values: Vec<f64> = samples.iter().map(figure).collect();
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    [at(0.0), at(0.5), at(0.9), at(1.0)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// check_folded.py's JSON for one tool's folded stacks.
pub fn check(
    python: &Path,
    pstats: &Path,
    folded: &Path,
    format: &str,
    entry: &str,
    truth: Option<&Path>,
) -> anyhow::Result<serde_json::Value> {
    let script = crate::common::repo().join("benches/profile_corpus/check_folded.py");
    let mut command = Command::new(python);
    command.arg(&script).arg(pstats).arg(folded).args(["--format", format, "--entry", entry]);
    if let Some(truth) = truth {
        command.arg("--truth").arg(truth);
    }
    let out = command.output().with_context(|| format!("running {}", script.display()))?;
    if !out.status.success() {
        bail!("check_folded.py on {} failed:\n{}", folded.display(), String::from_utf8_lossy(&out.stderr));
    }
    serde_json::from_slice(&out.stdout)
        .with_context(|| format!("reading check_folded.py's JSON for {}", folded.display()))
}
