//! Where the memory went: the allocation report `loupe profile --alloc` gets from its tracemalloc
//! runner (`adapters/profile/loupe_alloc.py`, format in docs/PROFILE.md), read with serde, and
//! what is made of it: the peak, the top allocation sites, folded stacks weighted by bytes, an SVG
//! memory flamegraph (inferno) and per-line figures for the source gutter.
//!
//! The statistics describe one snapshot: the one the runner took nearest the peak (or at exit,
//! when that was bigger). tracemalloc frames carry a file and a line only; the function names in
//! the stacks are recovered from the source ([`functions`]), and a frame whose file cannot be read
//! (`<frozen ...>`) stays `file:line`.

pub mod functions;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use inferno::flamegraph::{self, color, Options};
use serde::Deserialize;

use functions::FunctionNames;

/// The runner's report, as written (version 1).
#[derive(Debug, Clone, Deserialize)]
pub struct AllocReport {
    pub version: u32,
    /// The Python that ran, e.g. `3.12.1`.
    pub python: String,
    /// Frames kept per traceback (`tracemalloc.start(N)`).
    pub frames: u32,
    /// Peak traced bytes (`tracemalloc.get_traced_memory()[1]`).
    pub peak: u64,
    /// Traced bytes when the program ended.
    #[serde(rename = "final")]
    pub final_traced: u64,
    pub snapshot: SnapshotInfo,
    /// Per-line statistics of the snapshot (the allocating line: the innermost frame).
    pub lines: Vec<LineStat>,
    /// Per-traceback statistics of the snapshot, frames outermost first.
    pub tracebacks: Vec<TracebackStat>,
    /// Resident set size over time: (seconds since the start, bytes).
    pub rss: Vec<(f64, u64)>,
    pub status: RunStatus,
}

/// Which snapshot the statistics describe.
#[derive(Debug, Clone, Deserialize)]
pub struct SnapshotInfo {
    /// The bytes its statistics add up to (the program's, not the runner's).
    pub traced: u64,
    /// When it was taken, in seconds since the program started.
    pub seconds: f64,
    /// Taken at exit (the memory at exit was the highest seen) rather than while running.
    pub at_exit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LineStat {
    pub file: String,
    pub line: u32,
    pub size: u64,
    pub count: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TracebackStat {
    pub frames: Vec<(String, u32)>,
    pub size: u64,
    pub count: u64,
}

/// How the program ended: `exit` (its status), `exception` (1) or `signal` (128 + N).
#[derive(Debug, Clone, Deserialize)]
pub struct RunStatus {
    pub kind: String,
    pub code: i32,
}

/// The report, with what the views need.
#[derive(Debug, Clone)]
pub struct AllocProfile {
    pub report: AllocReport,
}

impl AllocProfile {
    /// Reads the runner's JSON report.
    pub fn load(path: &Path) -> anyhow::Result<AllocProfile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the allocation report {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("reading the allocation report {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<AllocProfile> {
        let report: AllocReport = serde_json::from_str(text)
            .context("not a loupe_alloc report (was it written by another loupe version?)")?;
        if report.version != 1 {
            anyhow::bail!("allocation report version {} is not one this loupe reads (1)", report.version);
        }
        Ok(AllocProfile { report })
    }

    /// Peak traced bytes.
    pub fn peak(&self) -> u64 {
        self.report.peak
    }

    /// The `n` lines that hold the most memory in the snapshot, largest first (ties by place).
    pub fn top_sites(&self, n: usize) -> Vec<&LineStat> {
        let mut sites: Vec<&LineStat> = self.report.lines.iter().collect();
        sites.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| (&a.file, a.line).cmp(&(&b.file, b.line))));
        sites.truncate(n);
        sites
    }

    /// Bytes and blocks per line of `path` in the snapshot (for a source gutter).
    pub fn bytes_for(&self, path: &Path) -> BTreeMap<u32, (u64, u64)> {
        let wanted = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let mut same_file: BTreeMap<&str, bool> = BTreeMap::new();
        let mut lines = BTreeMap::new();
        for stat in &self.report.lines {
            let matches = *same_file.entry(&stat.file).or_insert_with(|| {
                let file = Path::new(&stat.file);
                file == path || std::fs::canonicalize(file).is_ok_and(|f| f == wanted)
            });
            if matches {
                let entry: &mut (u64, u64) = lines.entry(stat.line).or_default();
                entry.0 += stat.size;
                entry.1 += stat.count;
            }
        }
        lines
    }

    /// Folded stacks weighted by bytes, `file:function:line;... BYTES`, outermost frame first;
    /// files under `base` relative to it. Identical stacks are merged; they add up to the
    /// snapshot's total.
    pub fn folded(&self, base: Option<&Path>) -> Vec<(String, u64)> {
        self.stacks(base, |file| file)
    }

    /// Folded stacks with each file shown as `shown(file relative to base)` says.
    fn stacks(&self, base: Option<&Path>, shown: impl Fn(&str) -> &str) -> Vec<(String, u64)> {
        let mut names = FunctionNames::default();
        let mut stacks: BTreeMap<String, u64> = BTreeMap::new();
        for stat in self.report.tracebacks.iter().filter(|s| s.size > 0) {
            let labels: Vec<String> =
                stat.frames.iter().map(|(file, line)| frame_label(&mut names, file, *line, base, &shown)).collect();
            *stacks.entry(labels.join(";")).or_default() += stat.size;
        }
        stacks.into_iter().collect()
    }

    /// The folded stacks as text, one `STACK BYTES` per line.
    pub fn folded_text(&self, base: Option<&Path>) -> String {
        self.folded(base).iter().map(|(stack, bytes)| format!("{stack} {bytes}\n")).collect()
    }

    /// Writes the memory flamegraph (bytes at the snapshot, by allocation stack) as SVG. Frame
    /// labels name standard-library and installed files shortly, as the cProfile SVG does
    /// (`json/decoder.py`, `requests/api.py`); the folded stacks keep the paths.
    pub fn write_svg(&self, name: &str, icicle: bool, base: Option<&Path>, out: impl Write) -> anyhow::Result<()> {
        let folded = self.stacks(base, |file| super::short_names::shorten(file, None));
        if folded.is_empty() {
            anyhow::bail!("the snapshot holds no memory allocated by the program: there is nothing to draw");
        }
        let lines: Vec<String> = folded.iter().map(|(stack, bytes)| format!("{stack} {bytes}")).collect();
        let mut options = Options::default();
        options.title = "Memory at peak".into();
        options.subtitle = Some(self.subtitle(name));
        options.count_name = "bytes".into();
        options.colors = color::Palette::Basic(color::BasicPalette::Mem);
        options.hash = true;
        options.deterministic = true;
        options.text_truncate_direction = flamegraph::TextTruncateDirection::Right;
        if icicle {
            options.direction = flamegraph::Direction::Inverted;
        }
        flamegraph::from_lines(&mut options, lines.iter().map(String::as_str), out)
            .context("drawing the memory flamegraph")
    }

    fn subtitle(&self, name: &str) -> String {
        let r = &self.report;
        let when = if r.snapshot.at_exit {
            "at exit".to_string()
        } else {
            format!("{:.2} s into the run", r.snapshot.seconds)
        };
        format!(
            "{name}: peak {}, snapshot {when} holding {}; Python {}, {} frames per stack",
            human_bytes(r.peak),
            human_bytes(r.snapshot.traced),
            r.python,
            r.frames
        )
    }
}

/// One frame as the folded stacks and the SVG name it: `file:function:line`, or `file:line` when
/// the function cannot be found.
fn frame_label(
    names: &mut FunctionNames,
    file: &str,
    line: u32,
    base: Option<&Path>,
    shorten: impl Fn(&str) -> &str,
) -> String {
    let relative = display_path(file, base);
    let shown = shorten(&relative);
    match names.at(file, line) {
        Some(function) => format!("{shown}:{function}:{line}"),
        None => format!("{shown}:{line}"),
    }
}

/// `file` relative to `base` when it is under it, else as recorded.
pub fn display_path(file: &str, base: Option<&Path>) -> String {
    let path = PathBuf::from(file);
    match base.and_then(|b| path.strip_prefix(b).ok()) {
        Some(relative) if !relative.as_os_str().is_empty() => relative.display().to_string(),
        _ => file.to_string(),
    }
}

/// Bytes in binary units with one decimal: `512 B`, `1.5 KiB`, `38.2 MiB`, `2.0 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    // 1023.95 KiB would print as "1024.0 KiB": move up a unit before rounding does.
    while value >= 1023.95 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"version":1,"python":"3.12.1","frames":32,"peak":4000,"final":100,
        "snapshot":{"traced":3000,"seconds":0.5,"at_exit":false},
        "lines":[{"file":"/p/a.py","line":3,"size":1000,"count":2},{"file":"/p/a.py","line":8,"size":2000,"count":5}],
        "tracebacks":[{"frames":[["/p/a.py",10],["/p/a.py",8]],"size":2000,"count":5},
                      {"frames":[["<frozen x>",1],["/p/a.py",3]],"size":600,"count":1},
                      {"frames":[["<frozen x>",1],["/p/a.py",3]],"size":400,"count":1}],
        "rss":[[0.05,1000000],[0.1,2000000]],"status":{"kind":"exit","code":0}}"#;

    #[test]
    fn reads_the_report_and_sorts_sites() {
        let p = AllocProfile::parse(REPORT).unwrap();
        assert_eq!(p.peak(), 4000);
        assert_eq!(p.report.final_traced, 100);
        let top: Vec<u32> = p.top_sites(10).iter().map(|s| s.line).collect();
        assert_eq!(top, [8, 3]);
        assert_eq!(p.bytes_for(Path::new("/p/a.py")).get(&8), Some(&(2000, 5)));
        assert!(p.bytes_for(Path::new("/p/b.py")).is_empty());
    }

    #[test]
    fn folded_merges_stacks_and_keeps_the_total() {
        let p = AllocProfile::parse(REPORT).unwrap();
        let folded = p.folded(Some(Path::new("/p")));
        assert_eq!(folded, [("<frozen x>:1;a.py:3".to_string(), 1000), ("a.py:10;a.py:8".to_string(), 2000)]);
        assert_eq!(folded.iter().map(|(_, b)| b).sum::<u64>(), p.report.snapshot.traced);
    }

    #[test]
    fn library_files_are_named_shortly_in_the_svg() {
        assert_eq!(
            crate::profile::short_names::shorten("/root/.pyenv/versions/3.11.7/lib/python3.11/json/decoder.py", None),
            "json/decoder.py"
        );
        assert_eq!(
            crate::profile::short_names::shorten("/v/lib/python3.12/site-packages/requests/api.py", None),
            "requests/api.py"
        );
        assert_eq!(crate::profile::short_names::shorten("app/lib/pythonic/x.py", None), "app/lib/pythonic/x.py");
        assert_eq!(
            crate::profile::short_names::shorten("<frozen importlib._bootstrap>", None),
            "<frozen importlib._bootstrap>"
        );
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(40_055_603), "38.2 MiB");
        assert_eq!(human_bytes(1024 * 1024 - 1), "1.0 MiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }

    #[test]
    fn rejects_other_files() {
        assert!(AllocProfile::parse("{}").is_err());
        assert!(AllocProfile::parse(&REPORT.replace("\"version\":1", "\"version\":2")).is_err());
    }
}
