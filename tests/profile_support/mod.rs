//! Shared by the profiler's integration tests: the CPython versions to profile with, running
//! `loupe profile`, and the checks every profile must pass (the flamegraph adds up).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use loupe::profile::{folded, CallTree, Profile};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn program(name: &str) -> PathBuf {
    repo().join("tests/programs/profile").join(name)
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/programs/profile/fixtures").join(name)
}

/// CPython `minor` (e.g. "3.8") from pyenv; these tests need 3.8, 3.11 and 3.13 installed.
pub fn cpython(minor: &str) -> PathBuf {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
        .expect("HOME is set");
    let dir = root.join("versions");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no pyenv versions in {} ({e}): `pyenv install {minor}`", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{minor}."))))
        .filter(|p| p.join("bin/python3").exists())
        .collect();
    versions.sort();
    let found = versions.pop().unwrap_or_else(|| panic!("CPython {minor} is not installed: `pyenv install {minor}`"));
    found.join("bin/python3")
}

pub const VERSIONS: [&str; 3] = ["3.8", "3.11", "3.13"];

/// What a `loupe profile` run left behind.
pub struct Profiled {
    pub dir: tempfile::TempDir,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Profiled {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn profile(&self) -> Profile {
        Profile::load(&self.path("run.prof")).unwrap_or_else(|e| panic!("{e:#}\n{}", self.stderr))
    }

    pub fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}\n{}", self.stderr))
    }
}

/// `loupe profile --no-tui` with every output, on `script` under CPython `minor`.
pub fn profile(minor: &str, script: &Path, extra: &[&str]) -> Profiled {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command
        .arg("profile")
        .arg("--no-tui")
        .arg("--python")
        .arg(cpython(minor))
        .arg("--pstats")
        .arg(dir.path().join("run.prof"))
        .arg("--folded")
        .arg(dir.path().join("run.folded"))
        .arg("--speedscope")
        .arg(dir.path().join("run.json"))
        .arg("-o")
        .arg(dir.path().join("run.svg"))
        .args(extra)
        .arg(script)
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .stdin(Stdio::null());
    let output = command.output().expect("start loupe");
    Profiled {
        dir,
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The function named `name` in the profile's file ending with `file`.
pub fn function(profile: &Profile, file: &str, name: &str) -> usize {
    profile.find(file, name).unwrap_or_else(|| panic!("{name} in {file} is not in the profile"))
}

/// (calls, primitive calls) of the edge caller → callee.
pub fn edge_calls(profile: &Profile, caller: usize, callee: usize) -> (f64, f64) {
    let e = profile.edge(caller, callee).unwrap_or_else(|| {
        panic!("no edge {} → {}", profile.functions[caller].key.label(), profile.functions[callee].key.label())
    });
    (e.figures.calls, e.figures.primitive_calls)
}

/// The invariant: the tree, pruned or not, and its folded stacks add up to the profile's total
/// self time within 0.1%, and nothing is negative.
pub fn assert_adds_up(profile: &Profile, tree: &CallTree, what: &str) {
    let expected = profile.total_self_time();
    assert!(expected > 0.0, "{what}: the profile has no time");
    let within = |got: f64| (got - expected).abs() <= expected * 0.001;
    assert!(within(tree.total()), "{what}: tree total {} vs self time {expected}", tree.total());
    let folded_ns: u64 = folded::stacks(profile, tree).iter().map(|(_, c)| c).sum();
    assert!(within(folded_ns as f64 / 1e9), "{what}: folded total {folded_ns} ns vs {expected} s");
    for node in &tree.nodes {
        assert!(node.self_time >= 0.0 && node.total_time >= 0.0, "{what}: negative time in {node:?}");
    }
    for pruned in [0.001, 0.01, 0.1] {
        let p = tree.pruned(pruned);
        assert!(within(p.total()), "{what}: pruned at {pruned}: {} vs {expected}", p.total());
        let cutoff = tree.total() * pruned;
        for node in p.nodes.iter().skip(1).filter(|n| n.depth > 1) {
            assert!(node.total_time >= cutoff, "{what}: a frame under the threshold survived pruning");
        }
    }
}

/// Folded stacks as (frames, count).
pub fn folded_lines(text: &str) -> Vec<(Vec<String>, u64)> {
    text.lines()
        .map(|l| {
            let (stack, count) = l.rsplit_once(' ').expect("stack and count");
            (stack.split(';').map(str::to_string).collect(), count.parse().expect("integer count"))
        })
        .collect()
}

/// The text nodes of an SVG, one per line, after checking that it is well-formed XML with
/// balanced elements (what a browser needs to draw it at all).
pub fn svg_texts(svg: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(svg);
    let (mut depth, mut texts) = (0i64, Vec::new());
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Text(t)) => texts.push(String::from_utf8_lossy(&t).into_owned()),
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("SVG not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "unbalanced elements");
    texts.join("\n")
}

/// `loupe` with SIGINT back at its default action. A test run started in the background by a
/// non-interactive shell (`cargo test &`) ignores SIGINT, every process it starts inherits that,
/// and a program that sends itself SIGINT would then wait for it forever.
pub fn loupe_command() -> Command {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    // SAFETY: between fork and exec only sigaction runs, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            nix::sys::signal::signal(nix::sys::signal::Signal::SIGINT, nix::sys::signal::SigHandler::SigDfl)
                .map(drop)
                .map_err(std::io::Error::from)
        });
    }
    command
}
