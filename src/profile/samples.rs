//! Wall-clock stack samples of a `loupe profile` run, matched to the profile's functions.
//!
//! cProfile keeps one level of calling context; the runner (`adapters/profile/loupe_profile.py`)
//! also samples every thread's whole stack and writes them next to the pstats file as
//! `FILE.prof.stacks`: `# name value` header lines, then `FRAME;FRAME;... COUNT` per distinct
//! stack, outermost first, each frame a cProfile key written `NAME (FILE:FIRSTLINENO)` (`\\`, `;`
//! and line breaks escaped as `\\\\`, `\s`, `\n`). Attribution uses them only to decide how a
//! function's exact time is split among the paths that reach it (`attribution::build`).
//!
//! Stacks are kept in a prefix tree over the profile's Python functions (the samples cannot see
//! built-ins, which have no Python frame), with recursion folded as attribution folds it: a
//! function already on the stack is not entered again, and the stack goes on from its outer frame,
//! so `f;f;g` counts as `f;g` and `a;b;a;c` as `a;c`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::pstats::Profile;

/// A position in the samples' prefix tree: the stacks that start with one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SamplePath(u32);

/// The samples of one run, indexed for attribution.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// Per prefix-tree node: how many samples start with its path. Node 0 is the empty path.
    counts: Vec<u64>,
    children: HashMap<(SamplePath, usize), SamplePath>,
    /// Samples in which `callee` comes right after `caller` (`None`: at the stack's start).
    adjacent: HashMap<(Option<usize>, usize), u64>,
    /// How many times the runner sampled the threads (the header's `samples`).
    pub rounds: u64,
    /// Seconds the sampler ran (the header's `seconds`).
    pub seconds: f64,
}

impl Samples {
    /// The samples file beside a pstats file: `FILE.stacks` for `FILE`.
    pub fn path_beside(pstats: &Path) -> PathBuf {
        let mut name = pstats.as_os_str().to_owned();
        name.push(".stacks");
        PathBuf::from(name)
    }

    /// The samples beside `pstats` (whose bytes are `data`), if there are any that belong to it.
    /// A samples file that names another pstats file's SHA-256 was left by another run and is
    /// ignored, so the profile keeps plain inference.
    pub fn load_beside(pstats: &Path, data: &[u8], profile: &Profile) -> anyhow::Result<Option<Samples>> {
        let path = Samples::path_beside(pstats);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let named = text.lines().take_while(|l| l.starts_with('#')).find_map(|l| l.strip_prefix("# pstats_sha256 "));
        if named.is_some_and(|hash| !hash.trim().eq_ignore_ascii_case(&sha256_hex(data))) {
            return Ok(None);
        }
        let samples = Samples::parse(&text, profile).with_context(|| {
            format!(
                "{} is not a loupe stack samples file (delete it to draw {} with inferred stacks only)",
                path.display(),
                pstats.display()
            )
        })?;
        Ok(Some(samples))
    }

    /// Reads a samples file's text; a stack ends at a frame the profile has no function for.
    pub fn parse(text: &str, profile: &Profile) -> anyhow::Result<Samples> {
        let by_key: HashMap<(&str, u32, &str), usize> = profile
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| ((f.key.file.as_str(), f.key.line, f.key.name.as_str()), i))
            .collect();
        let mut samples = Samples { counts: vec![0], ..Samples::default() };
        let mut lines = text.lines();
        if lines.next().map(str::trim_end) != Some("# loupe-stacks 1") {
            bail!("the first line is not `# loupe-stacks 1`");
        }
        for (number, line) in lines.enumerate().map(|(i, l)| (i + 2, l)) {
            if let Some(header) = line.strip_prefix("# ") {
                let (name, value) = header.split_once(' ').unwrap_or((header, ""));
                match name {
                    "samples" => samples.rounds = value.trim().parse().unwrap_or(0),
                    "seconds" => samples.seconds = value.trim().parse().unwrap_or(0.0),
                    _ => {}
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let (stack, count) = line.rsplit_once(' ').context(format!("line {number} has no count"))?;
            let count: u64 = count.parse().with_context(|| format!("line {number}: the count is not a number"))?;
            let mut functions = Vec::new();
            for frame in stack.split(';') {
                let (name, file, first_line) = parse_frame(frame)
                    .with_context(|| format!("line {number}: frame `{frame}` is not `NAME (FILE:LINE)`"))?;
                // A frame the profile does not have ends the stack: leaving it out would make its
                // caller and callee look adjacent.
                let Some(&f) = by_key.get(&(file.as_str(), first_line, name.as_str())) else { break };
                // Recursion folds as in the call tree: a function already on the stack stays in
                // its outermost frame, and what its inner frame calls is drawn under that one (the
                // tree draws `A → B → A → C`'s C from the edge `A → C`, under the outer A).
                match functions.iter().position(|&g| g == f) {
                    Some(outer) => functions.truncate(outer + 1),
                    None => functions.push(f),
                }
            }
            samples.add(&functions, count);
        }
        Ok(samples)
    }

    fn add(&mut self, stack: &[usize], count: u64) {
        let mut at = SamplePath(0);
        self.counts[0] += count;
        let mut caller = None;
        for &f in stack {
            let next = SamplePath(self.counts.len() as u32);
            at = *self.children.entry((at, f)).or_insert(next);
            if at == next {
                self.counts.push(0);
            }
            self.counts[at.0 as usize] += count;
            *self.adjacent.entry((caller, f)).or_insert(0) += count;
            caller = Some(f);
        }
    }

    /// The empty path: every sample.
    pub fn root(&self) -> SamplePath {
        SamplePath(0)
    }

    /// The path `at` followed by function `f`, if any sample starts with it.
    pub fn child(&self, at: SamplePath, f: usize) -> Option<SamplePath> {
        self.children.get(&(at, f)).copied()
    }

    /// How many samples start with the path.
    pub fn count(&self, at: SamplePath) -> u64 {
        self.counts.get(at.0 as usize).copied().unwrap_or(0)
    }

    /// How many samples have `callee` right after `caller` (`None`: `callee` outermost).
    pub fn adjacent(&self, caller: Option<usize>, callee: usize) -> u64 {
        self.adjacent.get(&(caller, callee)).copied().unwrap_or(0)
    }

    /// Samples matched to the profile's functions.
    pub fn total(&self) -> u64 {
        self.counts[0]
    }
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// `NAME (FILE:LINE)` with the runner's escapes undone.
fn parse_frame(frame: &str) -> Option<(String, String, u32)> {
    let (name, rest) = frame.split_once(" (")?;
    let (file, line) = rest.strip_suffix(')')?.rsplit_once(':')?;
    Some((unescape(name), unescape(file), line.parse().ok()?))
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(';'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::pstats::{Figures, Function, FunctionKey};

    fn function(file: &str, line: u32, name: &str) -> Function {
        Function {
            key: FunctionKey { file: file.into(), line, name: name.into() },
            figures: Figures::default(),
            callers: Vec::new(),
            callees: Vec::new(),
        }
    }

    #[test]
    fn stacks_are_matched_to_functions_and_recursion_folds() {
        let profile = Profile {
            functions: vec![function("m;x.py", 1, "<module>"), function("m;x.py", 5, "f"), function("m;x.py", 9, "g")],
            samples: None,
        };
        let text = "# loupe-stacks 1\n# samples 7\n# seconds 0.5\n\
                    <module> (m\\sx.py:1);f (m\\sx.py:5);f (m\\sx.py:5);g (m\\sx.py:9) 3\n\
                    <module> (m\\sx.py:1);f (m\\sx.py:5);unknown (elsewhere.py:3) 4\n\
                    <module> (m\\sx.py:1);unknown (elsewhere.py:3);g (m\\sx.py:9) 2\n";
        let samples = Samples::parse(text, &profile).unwrap();
        assert_eq!((samples.rounds, samples.total()), (7, 9));
        let module = samples.child(samples.root(), 0).unwrap();
        let f = samples.child(module, 1).unwrap();
        assert_eq!(samples.count(f), 7);
        assert_eq!(samples.count(samples.child(f, 2).unwrap()), 3);
        assert_eq!(samples.adjacent(Some(1), 2), 3);
        assert_eq!(samples.adjacent(Some(1), 1), 0, "recursion is folded");
        assert_eq!(samples.adjacent(None, 0), 9);
        // A frame the profile lacks ends its stack: <module> and g were not adjacent.
        assert_eq!(samples.adjacent(Some(0), 2), 0);
        assert_eq!(samples.count(module), 9);
        assert!(Samples::parse("f (x.py:1) 3\n", &profile).is_err());

        // Indirect recursion goes on from the outer frame: <module>;f;g;f;g;<module> is
        // <module>;f;g... and back at <module>, as the call tree folds it.
        let text =
            "# loupe-stacks 1\n<module> (m\\sx.py:1);f (m\\sx.py:5);g (m\\sx.py:9);f (m\\sx.py:5);g (m\\sx.py:9) 2\n\
                    <module> (m\\sx.py:1);f (m\\sx.py:5);g (m\\sx.py:9);<module> (m\\sx.py:1);g (m\\sx.py:9) 5\n";
        let samples = Samples::parse(text, &profile).unwrap();
        let module = samples.child(samples.root(), 0).unwrap();
        let f = samples.child(module, 1).unwrap();
        assert_eq!(samples.count(samples.child(f, 2).unwrap()), 2);
        assert_eq!(samples.count(samples.child(module, 2).unwrap()), 5, "the inner <module>'s g is the outer's");
        assert_eq!(samples.adjacent(Some(0), 2), 5);
    }

    #[test]
    fn samples_of_another_run_are_ignored() {
        let profile = Profile { functions: vec![function("x.py", 1, "<module>")], samples: None };
        let dir = tempfile::tempdir().unwrap();
        let pstats = dir.path().join("run.prof");
        std::fs::write(&pstats, b"these bytes").unwrap();
        let write = |hash: &str| {
            let text = format!("# loupe-stacks 1\n# pstats_sha256 {hash}\n<module> (x.py:1) 5\n");
            std::fs::write(Samples::path_beside(&pstats), text).unwrap();
        };
        write(&sha256_hex(b"these bytes"));
        let mine = Samples::load_beside(&pstats, b"these bytes", &profile).unwrap().expect("its own samples");
        assert_eq!(mine.total(), 5);
        write(&sha256_hex(b"another run's bytes"));
        assert_eq!(Samples::load_beside(&pstats, b"these bytes", &profile).unwrap(), None);
        std::fs::write(Samples::path_beside(&pstats), "not samples").unwrap();
        let error = format!("{:#}", Samples::load_beside(&pstats, b"these bytes", &profile).unwrap_err());
        assert!(error.contains("delete it"), "{error}");
    }
}
