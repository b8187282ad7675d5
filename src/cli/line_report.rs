//! From the profiler's line-level reports to the line report view: `--lines`' times and
//! `--alloc`'s bytes become the same list of hot lines and the same source gutter, and whether
//! the view opens at all (a terminal on both ends, no `--no-tui`) is decided here.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::ProfileArgs;
use crate::profile::alloc::functions::FunctionNames;
use crate::profile::alloc::{human_bytes, AllocProfile};
use crate::profile::lines::LineProfile;
use crate::profile::svg::human_time;
use crate::tui::line_report::{self, LineCell, LineReport, Series};

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

/// A line profile as the view shows it: each line's time and its share of all measured time.
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
    for hot in profile.hottest(usize::MAX) {
        let cell = LineCell {
            value: human_time(hot.time_ns as f64 * 1e-9),
            detail: format!("{} hit{}", hot.hits, if hot.hits == 1 { "" } else { "s" }),
            share: hot.share_of_total,
        };
        report.add(PathBuf::from(&hot.file), hot.line as usize, Some(hot.function), cell);
    }
    report.finish(HOTTEST);
    report
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
    let mut names = FunctionNames::default();
    for site in &profile.report.lines {
        let cell = LineCell {
            value: human_bytes(site.size),
            detail: format!("{} block{}", site.count, if site.count == 1 { "" } else { "s" }),
            share: if held == 0 { 0.0 } else { site.size as f64 / held as f64 },
        };
        let function = names.at(&site.file, site.line).map(str::to_string);
        report.add(PathBuf::from(&site.file), site.line as usize, function, cell);
    }
    report.finish(HOTTEST);
    report
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
