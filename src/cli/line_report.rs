//! From the profiler's line-level reports to the line report view: `--lines`' times and
//! `--alloc`'s bytes become the same list of hot lines and the same source gutter, and whether
//! the view opens at all (a terminal on both ends, no `--no-tui`) is decided here.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::args::ProfileArgs;
use crate::profile::alloc::functions::FunctionNames;
use crate::profile::alloc::{human_bytes, AllocProfile};
use crate::profile::lines::LineProfile;
use crate::profile::svg::human_time;
use crate::tui::line_report::{self, HotLine, LineCell, LineReport, Series};

/// How many lines the view's hottest list holds.
const HOTTEST: usize = 200;

/// Whether the report goes to the interactive view rather than standard output.
pub fn wants_view(args: &ProfileArgs) -> bool {
    !args.output.no_tui && std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// Shows `report` until the user quits.
pub async fn show(report: LineReport, args: &ProfileArgs) -> anyhow::Result<()> {
    line_report::run(report, args.output.theme.as_deref()).await
}

/// A line profile as the view shows it: each line's time and share in the gutter, the hottest
/// lines of all measured functions in the list.
pub fn from_lines(profile: &LineProfile, script_name: &str) -> LineReport {
    let total = profile.total_ns();
    let mut report = LineReport {
        title: format!("line times of {script_name}"),
        summary: format!(
            "{} in {} function{} ({}, Python {}){}",
            human_time(total as f64 * 1e-9),
            profile.functions.len(),
            if profile.functions.len() == 1 { "" } else { "s" },
            profile.mechanism,
            profile.python,
            if matches!(profile.ending.as_str(), "" | "normal" | "exit 0") {
                String::new()
            } else {
                format!("; the program ended: {}", profile.ending)
            }
        ),
        measure: "time".into(),
        ..LineReport::default()
    };
    // The gutter: each line's share of its function, as line_profiler's `% Time` (the model's
    // per-line figures); the list: the hottest lines of all functions, by share of all of them.
    let files: BTreeSet<&str> = profile.functions.iter().map(|f| f.file.as_str()).collect();
    for file in files {
        let cells = profile.times_for(Path::new(file));
        let cells = cells.into_iter().map(|(line, t)| (line as usize, time_cell(t.time_ns, t.hits, t.share)));
        report.cells.insert(PathBuf::from(file), cells.collect());
    }
    report.hottest = profile
        .hottest(HOTTEST)
        .into_iter()
        .map(|hot| HotLine {
            path: PathBuf::from(&hot.file),
            line: hot.line as usize,
            cell: time_cell(hot.time_ns, hot.hits, hot.share_of_total),
            function: Some(hot.function),
        })
        .collect();
    report
}

fn time_cell(time_ns: u64, hits: u64, share: f64) -> LineCell {
    LineCell {
        value: human_time(time_ns as f64 * 1e-9),
        detail: format!("{hits} hit{}", if hits == 1 { "" } else { "s" }),
        share,
    }
}

/// An allocation profile as the view shows it: the bytes each line held at the snapshot, its
/// share of them, and the RSS over the run as a sparkline.
pub fn from_alloc(profile: &AllocProfile, script_name: &str) -> LineReport {
    let held: u64 = profile.report.lines.iter().map(|l| l.size).sum();
    let snapshot = &profile.report.snapshot;
    let when = if snapshot.at_exit { "at exit".to_string() } else { format!("{:.2} s into the run", snapshot.seconds) };
    let mut report = LineReport {
        title: format!("memory of {script_name} (tracemalloc)"),
        summary: format!(
            "peak {}; the lines below hold {} {when} (Python {})",
            human_bytes(profile.peak()),
            human_bytes(held),
            profile.report.python
        ),
        measure: "memory".into(),
        series: rss_series(profile),
        ..LineReport::default()
    };
    // The gutter and the list share their figures: bytes held at the snapshot and their share
    // of what the listed lines hold.
    let share = |size: u64| if held == 0 { 0.0 } else { size as f64 / held as f64 };
    let files: BTreeSet<&str> = profile.report.lines.iter().map(|l| l.file.as_str()).collect();
    for file in files {
        let cells = profile.bytes_for(Path::new(file));
        let cells =
            cells.into_iter().map(|(line, (size, count))| (line as usize, bytes_cell(size, count, share(size))));
        report.cells.insert(PathBuf::from(file), cells.collect());
    }
    let mut names = FunctionNames::default();
    report.hottest = profile
        .top_sites(HOTTEST)
        .into_iter()
        .map(|site| HotLine {
            path: PathBuf::from(&site.file),
            line: site.line as usize,
            function: names.at(&site.file, site.line).map(str::to_string),
            cell: bytes_cell(site.size, site.count, share(site.size)),
        })
        .collect();
    report
}

fn bytes_cell(size: u64, count: u64, share: f64) -> LineCell {
    LineCell { value: human_bytes(size), detail: format!("{count} block{}", if count == 1 { "" } else { "s" }), share }
}

fn rss_series(profile: &AllocProfile) -> Option<Series> {
    let samples = &profile.report.rss;
    if samples.len() < 2 {
        return None;
    }
    let max = samples.iter().map(|&(_, bytes)| bytes).max().unwrap_or(0);
    let span = samples.last().map(|&(t, _)| t).unwrap_or(0.0) - samples[0].0;
    Some(Series {
        name: "RSS".into(),
        values: samples.iter().map(|&(_, bytes)| bytes).collect(),
        max_label: human_bytes(max),
        span_label: human_time(span.max(0.0)),
    })
}
