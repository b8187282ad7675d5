//! The pstats reader on bad input: real pstats files truncated at every length and mutated
//! thousands of times must give an error or a profile, never a panic (cargo-fuzz needs nightly;
//! this is the deterministic stand-in), and hand-made corrupt and non-pstats files get exact,
//! actionable messages, from the library and from the `loupe flame` command.

mod profile_support;

use loupe::profile::{CallTree, Profile};
use profile_support::*;

fn real_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for name in ["structure", "recursion", "threads"] {
        for minor in VERSIONS {
            let file = format!("{name}-{minor}.prof");
            files.push((file.clone(), std::fs::read(fixture(&file)).unwrap()));
        }
    }
    files
}

#[test]
fn every_fixture_reads() {
    for (name, data) in real_files() {
        let profile = Profile::parse(&data).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!(profile.functions.len() >= 6, "{name}");
        assert_adds_up(&profile, &CallTree::build(&profile), &name);
    }
}

#[test]
fn every_truncation_is_an_error() {
    for (name, data) in real_files() {
        // Every length of the small files; the big ones at their ends and a stride between.
        let lengths =
            (0..data.len()).filter(|&l| data.len() < 2000 || l < 1000 || l + 1000 > data.len() || l % 13 == 0);
        for length in lengths {
            let result = Profile::parse(&data[..length]);
            assert!(result.is_err(), "{name} cut to {length} bytes was accepted");
        }
    }
}

/// A small deterministic generator (64-bit LCG): the same mutations on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn thousands_of_mutations_never_panic() {
    let mut rng = Lcg(0x5eed);
    let mut parsed = 0;
    let mut rejected = 0;
    for (_, data) in real_files() {
        for _ in 0..1500 {
            let mut bytes = data.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => bytes[at] = rng.next() as u8,
                    1 => bytes[at] ^= 1 << rng.below(8),
                    2 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, rng.next() as u8),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            // Whatever it is, reading and attributing it must not panic.
            match Profile::parse(&bytes) {
                Ok(profile) => {
                    parsed += 1;
                    let tree = CallTree::build(&profile);
                    let _ = tree.pruned(0.01);
                    let _ = loupe::profile::folded::write(&profile, &tree);
                }
                Err(e) => {
                    rejected += 1;
                    assert!(!format!("{e:#}").is_empty());
                }
            }
        }
    }
    assert_eq!(parsed + rejected, 9 * 1500);
    assert!(rejected > 1000, "the mutations should break most files ({rejected} rejected)");
}

fn message(data: &[u8]) -> String {
    format!("{:#}", Profile::parse(data).unwrap_err())
}

#[test]
fn corrupt_and_foreign_files_get_exact_messages() {
    assert_eq!(message(b""), "the file is empty");
    assert_eq!(message(b"hello world\n"), "unknown marshal type code 0x68 at byte 0");
    assert_eq!(message(b"%PDF-1.4"), "unknown marshal type code 0x25 at byte 0");
    // marshal.dumps([1, 2])
    assert_eq!(
        message(b"\xdb\x02\x00\x00\x00\xe9\x01\x00\x00\x00\xe9\x02\x00\x00\x00"),
        "not a pstats file: it holds a marshal list, where cProfile writes a dict of functions"
    );
    // marshal.dumps({'a': 1})
    assert_eq!(
        message(b"\xfb\xda\x01a\xe9\x01\x00\x00\x000"),
        "not a pstats file: entry 0 has a key that is not (file, line, name): a str"
    );
    // marshal.dumps({('f.py', 1, 'g'): (1, 1, 0.5)})
    assert_eq!(
        message(b"{)\x03z\x04f.pyi\x01\x00\x00\x00z\x01g)\x03i\x01\x00\x00\x00i\x01\x00\x00\x00g\x00\x00\x00\x00\x00\x00\xe0?0"),
        "not a pstats file: the figures of g (f.py:1) are not (cc, nc, tt, ct, callers): a tuple of 3 items"
    );
    let structure = std::fs::read(fixture("structure-3.11.prof")).unwrap();
    assert_eq!(
        message(&structure[..100]),
        "the data ends early, at byte 100 (the file is truncated or is not a marshal file)"
    );
    let mut extra = structure.clone();
    extra.extend_from_slice(b"junk");
    assert_eq!(message(&extra), format!("4 bytes of unexpected data after the object, from byte {}", structure.len()));
}

#[test]
fn the_flame_command_explains_what_went_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a profile\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["flame", "--no-tui"])
        .arg(&notes)
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "a file that is not a profile is the user's input, not loupe failing");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{} is not a readable pstats file (write one with `python -m cProfile -o FILE script.py` or `loupe profile --pstats FILE script.py`): unknown marshal type code 0x6e at byte 0",
            notes.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let missing = dir.path().join("missing.prof");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["flame", "--no-tui"])
        .arg(&missing)
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("cannot read {}: No such file or directory", missing.display())), "{stderr}");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_bad_profile_gets_one_line_exit_2_and_nothing_written() {
    let structure = std::fs::read(fixture("structure-3.11.prof")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases = [("truncated.prof", structure[..structure.len() / 2].to_vec()), ("page.prof", b"<html>".to_vec())];
    for (name, bytes) in cases {
        let bad = dir.path().join(name);
        std::fs::write(&bad, bytes).unwrap();
        // An SVG left by an earlier run must survive a failed one.
        let svg = dir.path().join("out.svg");
        std::fs::write(&svg, "earlier").unwrap();
        for tui in [false, true] {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"));
            command.arg("flame");
            if !tui {
                command.arg("--no-tui");
            }
            let output = command
                .arg("-o")
                .arg(&svg)
                .arg("--folded")
                .arg(dir.path().join("out.folded"))
                .arg("--speedscope")
                .arg(dir.path().join("out.json"))
                .arg(&bad)
                .env("XDG_STATE_HOME", dir.path().join("state"))
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
            assert!(stderr.starts_with("loupe: error: ") && stderr.contains("not a readable pstats file"), "{stderr}");
            assert!(output.stdout.is_empty(), "{name}");
            assert_eq!(std::fs::read_to_string(&svg).unwrap(), "earlier", "{name}: the old SVG was touched");
            assert!(!dir.path().join("out.folded").exists() && !dir.path().join("out.json").exists(), "{name}");
        }
    }
}
