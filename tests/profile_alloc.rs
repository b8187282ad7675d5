//! `loupe profile --alloc` on real CPython (3.11, 3.12, 3.13): the peak agrees with tracemalloc's
//! own `get_traced_memory()` for the same program, the line that allocates most is named first
//! even though the program frees it before exiting, the output has its documented format, the
//! memory flamegraph and folded stacks are right, and a program that raises or is stopped by
//! SIGTERM or SIGINT still leaves its report and its status.

mod profile_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use loupe::profile::alloc::AllocProfile;
use profile_support::{loupe_command, program, repo};

const VERSIONS: [&str; 3] = ["3.11", "3.12", "3.13"];
/// Rows `alloc_peak.py` builds: about 16 MiB on its line 8.
const ROWS: &str = "120000";

/// CPython `minor` from pyenv; 3.11 must be there, a missing newer one is said loudly.
fn python(minor: &str) -> Option<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(root.join("versions"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{minor}."))))
        .map(|p| p.join("bin/python3"))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    let python = found.pop();
    if python.is_none() {
        assert_ne!(minor, "3.11", "CPython 3.11 is needed: `pyenv install 3.11`");
        eprintln!("!!! NOT TESTED on CPython {minor}: it is not installed (`pyenv install {minor}`) !!!");
    }
    python
}

struct Run {
    dir: tempfile::TempDir,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `loupe profile --alloc --no-tui -o run.svg --folded run.folded SCRIPT ARGS` with `python`.
fn loupe_alloc(python: &Path, script: &Path, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let output = loupe_command()
        .args(["profile", "--alloc", "--no-tui", "--python"])
        .arg(python)
        .arg("-o")
        .arg(dir.path().join("run.svg"))
        .arg("--folded")
        .arg(dir.path().join("run.folded"))
        .arg(script)
        .args(args)
        .current_dir(repo())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .expect("start loupe");
    Run {
        dir,
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Bytes from a size as loupe prints it (`16.9 MiB`).
fn parse_size(text: &str) -> f64 {
    let (number, unit) = text.split_once(' ').unwrap_or_else(|| panic!("no unit in {text:?}"));
    let scale = match unit {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        other => panic!("unknown unit {other:?} in {text:?}"),
    };
    number.parse::<f64>().unwrap_or_else(|e| panic!("{text:?}: {e}")) * scale
}

/// The summary's lines checked against the documented format: `peak SIZE`, then
/// `path:line  size  count`, largest first. Returns the peak in bytes and the sites.
fn parse_summary(stdout: &str) -> (f64, Vec<(String, f64, u64)>) {
    let mut lines = stdout.lines();
    let first = lines.next().unwrap_or_else(|| panic!("no output: {stdout:?}"));
    let peak = parse_size(first.strip_prefix("peak ").unwrap_or_else(|| panic!("first line {first:?}")));
    let size_pattern = |s: &str| {
        let (number, unit) = s.split_once(' ').expect("size has a unit");
        let one_decimal = number.split_once('.').is_some_and(|(w, d)| {
            !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()) && d.len() == 1 && d.as_bytes()[0].is_ascii_digit()
        });
        (unit == "B" && number.bytes().all(|b| b.is_ascii_digit()))
            || (["KiB", "MiB", "GiB"].contains(&unit) && one_decimal)
    };
    let mut sites = Vec::new();
    for line in lines {
        let parts: Vec<&str> = line.split("  ").collect();
        assert_eq!(parts.len(), 3, "not `path:line  size  count`: {line:?}");
        let (place, size, count) = (parts[0], parts[1], parts[2]);
        let (_, line_number) = place.rsplit_once(':').unwrap_or_else(|| panic!("no :line in {line:?}"));
        assert!(line_number.parse::<u32>().is_ok(), "{line:?}");
        assert!(size_pattern(size), "size {size:?} in {line:?}");
        sites.push((
            place.to_string(),
            parse_size(size),
            count.parse::<u64>().unwrap_or_else(|e| panic!("{line:?}: {e}")),
        ));
    }
    assert!(!sites.is_empty() && sites.len() <= 10, "{stdout}");
    assert!(sites.windows(2).all(|w| w[0].1 >= w[1].1), "not largest first: {stdout}");
    (peak, sites)
}

/// Peak bytes tracemalloc itself reports for `script` under `python` (32 frames, as loupe).
fn tracemalloc_peak(python: &Path, script: &Path, args: &[&str]) -> f64 {
    let output = Command::new(python)
        .arg(program("tracemalloc_peak.py"))
        .arg("32")
        .arg(script)
        .args(args)
        .output()
        .expect("start python");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find_map(|l| l.strip_prefix("tracemalloc peak ")).unwrap_or_else(|| panic!("{stderr}"));
    line.trim().parse().unwrap()
}

#[test]
fn peak_agrees_with_tracemalloc_and_the_big_line_comes_first() {
    for minor in VERSIONS {
        let Some(python) = python(minor) else { continue };
        let script = program("alloc_peak.py");
        let run = loupe_alloc(&python, &script, &[ROWS]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let (peak, sites) = parse_summary(&run.stdout);
        let expected = tracemalloc_peak(&python, &script, &[ROWS]);
        assert!(
            (peak - expected).abs() <= expected * 0.05,
            "{minor}: loupe's peak {peak} vs tracemalloc's {expected}\n{}",
            run.stdout
        );
        assert!(expected > 12.0 * 1024.0 * 1024.0, "{minor}: the workload is smaller than meant: {expected}");
        // Line 8 holds nearly all of it, yet it was freed before exit: the snapshot is the peak's.
        assert_eq!(sites[0].0, "tests/programs/profile/alloc_peak.py:8", "{minor}: {}", run.stdout);
        assert!(sites[0].1 > expected * 0.8, "{minor}: {}", run.stdout);
        assert!(sites[0].2 >= 100_000, "{minor}: one block per row: {}", run.stdout);
    }
}

#[test]
fn memory_flamegraph_and_folded_bytes() {
    let python = python("3.12").or_else(|| python("3.11")).expect("a CPython");
    let run = loupe_alloc(&python, &program("alloc_peak.py"), &[ROWS]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);

    let folded = std::fs::read_to_string(run.dir.path().join("run.folded")).unwrap();
    let mut total = 0u64;
    for line in folded.lines() {
        let (stack, bytes) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line:?}"));
        total += bytes.parse::<u64>().unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert!(!stack.contains("loupe_alloc"), "the runner's frames are cut: {line}");
    }
    // Outermost first, function names recovered from the source, paths relative to the cwd.
    let big = "tests/programs/profile/alloc_peak.py:<module>:32;tests/programs/profile/alloc_peak.py:main:24;\
               tests/programs/profile/alloc_peak.py:build_table:8";
    let big_bytes: u64 = folded
        .lines()
        .filter(|l| l.starts_with(big))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum();
    assert!(big_bytes as f64 > total as f64 * 0.9, "{folded}");
    let (_, sites) = parse_summary(&run.stdout);
    let site_total: f64 = sites.iter().map(|s| s.1).sum();
    assert!(total as f64 >= site_total * 0.99, "folded {total} < the listed sites {site_total}");

    let svg = std::fs::read_to_string(run.dir.path().join("run.svg")).unwrap();
    let all = profile_support::svg_texts(&svg);
    assert!(all.contains("Memory at peak"), "title missing");
    assert!(all.contains("build_table:8"), "the big line's function is not drawn");
    assert!(svg.contains(" bytes"), "counts are not in bytes");
}

/// The runner itself, without loupe: its report's statistics add up to the snapshot's total,
/// its stacks are the script's (outermost first, no runner or runpy frames), RSS was sampled.
#[test]
fn report_adds_up_and_holds_only_the_script() {
    for minor in ["3.11", "3.13"] {
        let Some(python) = python(minor) else { continue };
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("alloc.json");
        let script = program("alloc_peak.py");
        let status = Command::new(&python)
            .args(["-m", "loupe_alloc"])
            .arg(&report)
            .arg("32")
            .arg(&script)
            .arg(ROWS)
            .env("PYTHONPATH", repo().join("adapters/profile"))
            .status()
            .unwrap();
        assert!(status.success(), "{minor}");
        let profile = AllocProfile::load(&report).unwrap();
        let r = &profile.report;
        assert!(r.python.starts_with(&format!("{minor}.")), "{}", r.python);
        assert!(!r.snapshot.at_exit, "{minor}: the peak's snapshot was taken while running");
        let folded: u64 = profile.folded(None).iter().map(|(_, b)| b).sum();
        let lines: u64 = r.lines.iter().map(|l| l.size).sum();
        assert_eq!(folded, r.snapshot.traced, "{minor}");
        assert_eq!(lines, r.snapshot.traced, "{minor}");
        assert!(r.snapshot.traced as f64 > r.peak as f64 * 0.8, "{minor}: {} of {}", r.snapshot.traced, r.peak);
        assert!(r.final_traced < r.peak / 10, "{minor}: the table was freed before exit");
        let script_name = script.display().to_string();
        let biggest = r.tracebacks.iter().max_by_key(|t| t.size).unwrap();
        assert_eq!(biggest.frames.first(), Some(&(script_name.clone(), 32)), "{minor}: outermost first");
        assert_eq!(biggest.frames.last(), Some(&(script_name.clone(), 8)), "{minor}");
        assert!(
            r.tracebacks
                .iter()
                .flat_map(|t| &t.frames)
                .all(|(f, _)| !f.contains("loupe_alloc") && !f.contains("runpy")),
            "{minor}: runner frames left"
        );
        assert!(r.rss.len() >= 2 && r.rss.windows(2).all(|w| w[0].0 <= w[1].0), "{minor}: {:?}", r.rss);
        assert!(r.rss.iter().any(|&(_, bytes)| bytes > 20 * 1024 * 1024), "{minor}: RSS never rose");
        let gutter = profile.bytes_for(&script);
        assert_eq!(gutter.get(&8).map(|g| g.0), Some(r.lines[0].size), "{minor}");
    }
}

#[test]
fn a_program_that_raises_still_gets_its_report() {
    for minor in ["3.11", "3.13"] {
        let Some(python) = python(minor) else { continue };
        let run = loupe_alloc(&python, &program("alloc_raises.py"), &[]);
        assert_eq!(run.code, Some(1), "{minor}: {}", run.stderr);
        assert!(run.stderr.contains("ValueError: bad row 50000"), "{minor}: {}", run.stderr);
        let (peak, sites) = parse_summary(&run.stdout);
        assert!(peak > 9.0 * 1024.0 * 1024.0, "{minor}: {}", run.stdout);
        assert_eq!(sites[0].0, "tests/programs/profile/alloc_raises.py:6", "{minor}: {}", run.stdout);
        assert!(run.dir.path().join("run.svg").is_file());
    }
}

#[test]
fn sigterm_and_sigint_still_leave_the_report() {
    let python = python("3.12").or_else(|| python("3.11")).expect("a CPython");
    for (signal, status) in [("TERM", 128 + 15), ("INT", 128 + 2)] {
        let run = loupe_alloc(&python, &program("alloc_signal.py"), &[signal]);
        assert_eq!(run.code, Some(status), "SIG{signal}: {}", run.stderr);
        assert!(!run.stdout.contains("not reached"), "{}", run.stdout);
        let (peak, sites) = parse_summary(&run.stdout);
        assert!(peak > 9.0 * 1024.0 * 1024.0, "SIG{signal}: {}", run.stdout);
        assert_eq!(sites[0].0, "tests/programs/profile/alloc_signal.py:10", "SIG{signal}: {}", run.stdout);
    }
}

#[test]
fn alloc_options_that_do_not_fit_are_refused() {
    let refused = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_loupe")).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(refused(&["profile", "--alloc", "--pstats", "x.prof", "s.py"]).contains("cannot be used with"));
    assert!(refused(&["profile", "--alloc-frames", "4", "s.py"]).contains("--alloc"));
    assert!(refused(&["profile", "--alloc", "--alloc-frames", "0", "s.py"]).contains("--alloc-frames"));
}

#[test]
fn a_program_killed_by_the_memory_limit_gets_one_clear_error() {
    let python = python("3.11").expect("CPython 3.11");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("hog.py");
    std::fs::write(&script, "data = b'x' * (400 << 20)\nprint(len(data))\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["profile", "--alloc", "--no-tui", "--memory", "100", "--python"])
        .arg(python)
        .arg(&script)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    let error: Vec<&str> = stderr.lines().filter(|l| l.contains("error:")).collect();
    assert_eq!(error.len(), 1, "{stderr}");
    assert!(error[0].contains("SIGKILL") && error[0].contains("--memory"), "{stderr}");
}

#[test]
fn the_programs_exit_status_and_arguments_are_kept() {
    let python = python("3.13").or_else(|| python("3.11")).expect("a CPython");
    let run = loupe_alloc(&python, &program("exits.py"), &[]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    parse_summary(&run.stdout);
    // The script sees its own argv and its directory first on sys.path, as under `python`.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("argv.py");
    std::fs::write(
        &script,
        "import sys\nprint('argv', sys.argv[1:], sys.path[0] == __import__('os').path.dirname(__file__))\n",
    )
    .unwrap();
    let run = loupe_alloc(&python, &script, &["a", "--b"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.starts_with("argv ['a', '--b'] True\npeak "), "{}", run.stdout);
}
