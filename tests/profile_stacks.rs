//! True stacks in `loupe profile`: the runner samples the program's stacks beside cProfile, and
//! the flamegraph splits a shared function's time among its paths by what the samples saw. Real
//! CPython runs (3.8, 3.11, 3.12, 3.13) of `tests/programs/profile/dispatch.py`, where
//! `a_caller -> dispatch -> a` and `b_caller -> dispatch -> b`: inference alone draws the
//! impossible `a_caller;dispatch;b`.

mod profile_support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use profile_support::*;

const VERSIONS_WITH_SAMPLING: [&str; 4] = ["3.8", "3.11", "3.12", "3.13"];
/// The program's work unit: large enough that `b` (a quarter of the calls' work) gets well over
/// `MIN_EDGE_SAMPLES` samples even on a loaded machine.
const UNIT: &str = "400000";

/// `loupe profile --no-tui` of dispatch.py with folded stacks, SVG and the pstats file kept.
fn run_dispatch(minor: &str, extra: &[&str]) -> Profiled {
    run_dispatch_with(minor, extra, &[])
}

/// `run_dispatch` with more arguments for the program after its work unit.
fn run_dispatch_with(minor: &str, extra: &[&str], program_args: &[&str]) -> Profiled {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["profile", "--no-tui", "--threshold", "0", "--python"])
        .arg(cpython(minor))
        .arg("--pstats")
        .arg(dir.path().join("run.prof"))
        .arg("--folded")
        .arg(dir.path().join("run.folded"))
        .arg("-o")
        .arg(dir.path().join("run.svg"))
        .args(extra)
        .arg(program("dispatch.py"))
        .arg(UNIT)
        .args(program_args)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .expect("start loupe");
    let run = Profiled {
        dir,
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
    run
}

/// The frames of each folded stack by function name (`a (file:line)` → `a`), with its count.
fn stacks_by_name(folded: &str) -> Vec<(Vec<String>, u64)> {
    folded_lines(folded)
        .into_iter()
        .map(|(frames, count)| {
            let names = frames.iter().map(|f| f.split(" (").next().unwrap_or(f).to_string()).collect();
            (names, count)
        })
        .collect()
}

/// Whether `path` (function names, outermost first) occurs as consecutive frames of the stack.
fn contains(stack: &[String], path: &[&str]) -> bool {
    stack.windows(path.len()).any(|w| w.iter().zip(path).all(|(a, b)| a == b))
}

/// Nanoseconds of self time on stacks through `path`.
fn time_through(stacks: &[(Vec<String>, u64)], path: &[&str]) -> u64 {
    stacks.iter().filter(|(s, _)| contains(s, path)).map(|(_, c)| c).sum()
}

/// Cumulative time (ns) per function of dispatch.py, as Python's own pstats module reads the file.
fn pstats_cumtimes(minor: &str, prof: &Path) -> BTreeMap<String, f64> {
    let code = "import pstats, sys\n\
                for (file, line, name), v in pstats.Stats(sys.argv[1]).stats.items():\n    \
                    if file.endswith('dispatch.py'): print(name, repr(v[3]))\n";
    let out = Command::new(cpython(minor)).arg("-c").arg(code).arg(prof).output().expect("run python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (name, ct) = l.split_once(' ').unwrap();
            (name.to_string(), ct.parse::<f64>().unwrap() * 1e9)
        })
        .collect()
}

#[test]
fn sampled_stacks_draw_only_the_paths_that_ran_and_keep_cprofile_totals() {
    for minor in VERSIONS_WITH_SAMPLING {
        check_true_stacks(&run_dispatch(minor, &[]), minor);
    }
}

/// With a run-time import in a and b, the whole program is one cycle with `exec` in cProfile's
/// call graph (see dispatch.py): the samples still decide every split, as without the imports.
#[test]
fn a_run_time_import_keeps_the_true_stacks() {
    for minor in VERSIONS_WITH_SAMPLING {
        let run = run_dispatch_with(minor, &[], &["imports"]);
        check_true_stacks(&run, minor);
        let stacks = stacks_by_name(&run.text("run.folded"));
        // The imports are drawn where they ran.
        assert!(stacks.iter().any(|(s, _)| contains(s, &["a_caller", "dispatch", "a", "_find_and_load"])), "{minor}");
        assert!(stacks.iter().any(|(s, _)| contains(s, &["b_caller", "dispatch", "b", "_find_and_load"])), "{minor}");
    }
}

/// The dispatch program's checks: no impossible stack, the true ones carrying their callee's
/// whole cumulative time, every function exactly as wide as its cumulative time, and the SVG
/// marking the sampled frames.
fn check_true_stacks(run: &Profiled, minor: &str) {
    assert!(run.path("run.prof.stacks").is_file(), "{minor}: no samples file\n{}", run.stderr);
    let stacks = stacks_by_name(&run.text("run.folded"));
    // No impossible stack...
    for (stack, _) in &stacks {
        assert!(!contains(stack, &["a_caller", "dispatch", "b"]), "{minor}: impossible stack {stack:?}");
        assert!(!contains(stack, &["b_caller", "dispatch", "a"]), "{minor}: impossible stack {stack:?}");
    }
    // ...and the true ones carry all of their callee's time, as cProfile measured it.
    let cumtime = pstats_cumtimes(minor, &run.path("run.prof"));
    let a_path = time_through(&stacks, &["a_caller", "dispatch", "a"]) as f64;
    let b_path = time_through(&stacks, &["b_caller", "dispatch", "b"]) as f64;
    let close = |got: f64, want: f64| (got - want).abs() <= want * 0.005 + 2_000.0;
    assert!(close(a_path, cumtime["a"]), "{minor}: a_caller;dispatch;a {a_path} ns vs cumtime(a) {}", cumtime["a"]);
    assert!(close(b_path, cumtime["b"]), "{minor}: b_caller;dispatch;b {b_path} ns vs cumtime(b) {}", cumtime["b"]);
    // a does three times b's calls' work: the split follows the program, not the call counts
    // (both are called 10 times).
    let ratio = a_path / b_path;
    assert!(ratio > 2.0, "{minor}: a/b time ratio {ratio:.2}, the program's is about 3 or more");
    // Every function is still drawn exactly as wide as its cumulative time.
    for (name, want) in &cumtime {
        let got = time_through(&stacks, &[name.as_str()]) as f64;
        assert!(close(got, *want), "{minor}: {name} drawn {got} ns wide, cumtime {want} ns");
    }
    // The SVG says which frames are sampled, and marks them.
    let svg = run.text("run.svg");
    assert!(svg.contains("% on sampled stacks"), "{minor}: no sampled share in the SVG's subtitle");
    assert!(svg.contains("teal with ≈ = sampled"), "{minor}: no legend for sampled frames");
    assert!(svg.contains("a (") && svg.contains(" ≈"), "{minor}: no frame marked sampled");
}

#[test]
fn no_sampling_keeps_the_inferred_stacks() {
    let run = run_dispatch("3.11", &["--no-sampling"]);
    assert!(!run.path("run.prof.stacks").exists(), "--no-sampling wrote samples");
    let stacks = stacks_by_name(&run.text("run.folded"));
    // Today's inference: dispatch's callees are split by the callers' time, impossible paths too.
    assert!(stacks.iter().any(|(s, _)| contains(s, &["a_caller", "dispatch", "b"])));
    assert!(stacks.iter().any(|(s, _)| contains(s, &["b_caller", "dispatch", "a"])));
    let svg = run.text("run.svg");
    assert!(!svg.contains("sampled"), "a profile without samples has no sampled legend");
}

#[test]
fn flame_picks_up_the_samples_beside_the_pstats_file() {
    let run = run_dispatch("3.13", &[]);
    let convert = |out: &str| {
        let status = Command::new(env!("CARGO_BIN_EXE_loupe"))
            .args(["flame", "--no-tui", "--threshold", "0", "--folded"])
            .arg(run.path(out))
            .arg(run.path("run.prof"))
            .env("XDG_STATE_HOME", run.path("state"))
            .status()
            .expect("start loupe");
        assert!(status.success());
        run.text(out)
    };
    assert_eq!(convert("flame.folded"), run.text("run.folded"), "loupe flame draws what loupe profile drew");
    // Without the samples file it is a .prof from elsewhere: inference, as before.
    std::fs::rename(run.path("run.prof.stacks"), run.path("elsewhere.stacks")).unwrap();
    let inferred = stacks_by_name(&convert("inferred.folded"));
    assert!(inferred.iter().any(|(s, _)| contains(s, &["a_caller", "dispatch", "b"])));
}

#[test]
fn the_runner_writes_samples_when_the_program_fails() {
    // sys.exit(3), and an exception (status 1): the samples are written like the statistics.
    for (ending, status) in [("sys.exit(3)", 3), ("raise RuntimeError('late')", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("fails.py");
        let source =
            format!("import sys\ndef work():\n    return sum(i * i for i in range(3_000_000))\nwork()\n{ending}\n");
        std::fs::write(&script, source).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
            .args(["profile", "--no-tui", "--python"])
            .arg(cpython("3.12"))
            .arg("--pstats")
            .arg(dir.path().join("run.prof"))
            .arg(&script)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .stdin(Stdio::null())
            .output()
            .expect("start loupe");
        assert_eq!(output.status.code(), Some(status), "{}", String::from_utf8_lossy(&output.stderr));
        let stacks = std::fs::read_to_string(dir.path().join("run.prof.stacks"))
            .unwrap_or_else(|e| panic!("{ending}: no samples ({e})"));
        assert!(stacks.starts_with("# loupe-stacks 1\n"));
        assert!(stacks.lines().any(|l| l.starts_with("<module> (") && l.contains(";work (")), "{ending}: {stacks}");
        // The runner's own frames are trimmed: every main-thread stack starts at the script.
        assert!(!stacks.contains("loupe_profile.py"), "{ending}: {stacks}");
        assert!(!dir.path().join("run.prof.stacks.raw").exists(), "{ending}: the raw dumps were left");
    }
}
