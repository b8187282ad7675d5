//! SVG flamegraphs through inferno, with loupe's title and a subtitle that states the totals and
//! how much of the time sits on inferred stacks. inferno's own JavaScript gives search (Ctrl-F or
//! the Search button) and click-to-zoom.

use std::io::Write;

use anyhow::Context;
use inferno::flamegraph::{self, color, Direction, Options};

use super::attribution::CallTree;
use super::folded;
use super::pstats::Profile;

/// What goes on top of the picture.
pub struct Titles {
    pub title: String,
    pub subtitle: String,
}

impl Titles {
    /// The usual title for a profile of `name`.
    pub fn for_profile(name: &str, profile: &Profile, tree: &CallTree) -> Titles {
        Titles {
            title: format!("loupe profile: {name}"),
            subtitle: format!(
                "{} self time in {} functions, {} calls; {:.1}% of the time on inferred stacks",
                human_time(tree.total()),
                profile.functions.len(),
                profile.total_calls() as u64,
                tree.inferred_share() * 100.0
            ),
        }
    }
}

fn options(titles: &Titles, icicle: bool) -> Options<'static> {
    let mut options = Options::default();
    options.title = titles.title.clone();
    options.subtitle = Some(titles.subtitle.clone());
    options.count_name = "ns".into();
    options.colors = color::Palette::Multi(color::MultiPalette::Python);
    options.hash = true;
    options.deterministic = true;
    if icicle {
        options.direction = Direction::Inverted;
    }
    options
}

/// Writes the flamegraph of `tree` as SVG.
pub fn write(profile: &Profile, tree: &CallTree, titles: &Titles, icicle: bool, out: impl Write) -> anyhow::Result<()> {
    let lines: Vec<String> =
        folded::stacks(profile, tree).into_iter().map(|(stack, count)| format!("{stack} {count}")).collect();
    write_folded(lines.iter().map(String::as_str), titles, icicle, out)
}

/// Writes SVG from folded lines (two counts per line make a differential graph).
pub fn write_folded<'a>(
    lines: impl IntoIterator<Item = &'a str>,
    titles: &Titles,
    icicle: bool,
    out: impl Write,
) -> anyhow::Result<()> {
    let mut options = options(titles, icicle);
    let lines: Vec<&str> = lines.into_iter().collect();
    if lines.is_empty() {
        anyhow::bail!("the profile has no self time to draw (did the program run any Python code?)");
    }
    flamegraph::from_lines(&mut options, lines, out).context("drawing the flamegraph")
}

/// `1.23 s`, `45.6 ms`, `789 µs`: a duration as people read it.
pub fn human_time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{:.0} µs", seconds * 1e6)
    }
}
