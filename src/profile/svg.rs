//! SVG flamegraphs through inferno, with loupe's title and a subtitle that states the totals, how
//! much of the time sits on inferred stacks, and what the colours mean: frames whose time the
//! profile measured are drawn in warm colours, frames on inferred stacks in blue with a `~` after
//! their name (as in the flame view), frames placed by the run's stack samples in teal with a `≈`. Long names are cut on the right, so a narrow frame keeps the
//! start of its function's name. inferno's own JavaScript gives search (Ctrl-F or the Search
//! button) and click-to-zoom.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use inferno::flamegraph::{self, color, Direction, Options, TextTruncateDirection};

use super::attribution::{CallTree, Evidence, Node};
use super::folded;
use super::pstats::Profile;
use super::short_names;

/// What goes on top of the picture.
pub struct Titles {
    pub title: String,
    pub subtitle: String,
}

impl Titles {
    /// The usual title for a profile of `name`.
    pub fn for_profile(name: &str, profile: &Profile, tree: &CallTree) -> Titles {
        // Only a profile with stack samples has sampled frames to explain.
        let (sampled, legend) = if profile.samples.is_some() {
            (
                format!(", {:.1}% on sampled stacks", tree.sampled_share() * 100.0),
                ", teal with ≈ = sampled (cProfile's time, path from stack samples)",
            )
        } else {
            (String::new(), "")
        };
        Titles {
            title: format!("loupe profile: {name}"),
            subtitle: format!(
                "{} self time in {} functions, {} calls; {:.1}% of the time on inferred stacks{sampled}. \
                 Colours: warm = measured, blue with ~ = inferred{legend}",
                human_time(tree.total()),
                profile.functions.len(),
                super::calls::whole(profile.total_calls()),
                tree.inferred_share() * 100.0
            ),
        }
    }
}

fn options<'a>(titles: &Titles, icicle: bool) -> Options<'a> {
    let mut options = Options::default();
    options.title = titles.title.clone();
    options.subtitle = Some(titles.subtitle.clone());
    options.count_name = "ns".into();
    options.colors = color::Palette::Basic(color::BasicPalette::Hot);
    options.hash = true;
    options.deterministic = true;
    options.text_truncate_direction = TextTruncateDirection::Right;
    if icicle {
        options.direction = Direction::Inverted;
    }
    options
}

/// Writes the flamegraph of `tree` as SVG. File names in frame labels are shortened where that is
/// unambiguous ([`short_names`]); the program's own files relative to `base`.
pub fn write(
    profile: &Profile,
    tree: &CallTree,
    titles: &Titles,
    icicle: bool,
    base: Option<&Path>,
    out: impl Write,
) -> anyhow::Result<()> {
    let mut shown = vec![false; profile.functions.len()];
    for f in tree.nodes.iter().filter_map(|n| n.function) {
        shown[f] = true;
    }
    let labels = short_names::svg_labels(profile, &shown, base);
    // Frames on inferred stacks get their own names (`NAME ~`), and with them their own colour;
    // so do sampled ones (`NAME ≈`).
    let marked = |mark: &str| -> Vec<String> {
        labels.iter().map(|l| if l.is_empty() { String::new() } else { format!("{l} {mark}") }).collect()
    };
    let (inferred, sampled) = (marked("~"), marked("≈"));
    let label = |node: usize| match &tree.nodes[node] {
        Node { function: Some(f), evidence: Evidence::Inferred, .. } => inferred[*f].as_str(),
        Node { function: Some(f), evidence: Evidence::Sampled, .. } => sampled[*f].as_str(),
        _ => tree.label(node, &labels),
    };
    let mut palette = color::PaletteMap::default();
    for node in &tree.nodes {
        match (node.function, node.evidence) {
            (Some(f), Evidence::Inferred) => palette.insert(&inferred[f], inferred_colour(&inferred[f])),
            (Some(f), Evidence::Sampled) => palette.insert(&sampled[f], sampled_colour(&sampled[f])),
            _ => None,
        };
    }
    let (text, ends) = sorted_lines(tree, label);
    if ends.is_empty() {
        anyhow::bail!("the profile has no self time to draw (did the program run any Python code?)");
    }
    let mut starts = std::iter::once(0).chain(ends.iter().map(|&e| e + 1));
    let lines = ends.iter().map(|&end| &text[starts.next().expect("one start per end")..end]);
    let mut options = options(titles, icicle);
    options.palette_map = Some(&mut palette);
    // The lines come in the order inferno's sort would put them in: it can merge them as they are.
    options.no_sort = true;
    flamegraph::from_lines(&mut options, lines, out).context("drawing the flamegraph")
}

/// The folded lines of `tree` (the same stacks and counts as [`folded::stacks`]) in one string,
/// with where each line ends, in the order sorting the lines would give: depth first, siblings by
/// label as they compare inside a line (a label followed by `;`). Writing them in order saves
/// building each stack from its path and inferno's sort of the whole text.
fn sorted_lines<'a>(tree: &CallTree, label: impl Fn(usize) -> &'a str) -> (String, Vec<usize>) {
    let in_line_order = |a: &usize, b: &usize| {
        let (a, b) = (label(*a).bytes().chain([b';']), label(*b).bytes().chain([b';']));
        a.cmp(b)
    };
    // The text's exact length first (a stack's length is its parent's plus its own label), so it
    // is allocated once and never copied while it grows: for a deep profile it runs to megabytes.
    let mut stack_length = vec![0usize; tree.nodes.len()];
    let (mut length, mut lines) = (0, 0);
    for (i, node) in tree.nodes.iter().enumerate().skip(1) {
        // As the walk below builds it: the parent's stack, `;` if that is not empty, the label.
        let above = stack_length[node.parent.expect("only the synthetic root has none")];
        stack_length[i] = above + usize::from(above > 0) + label(i).len();
        let count = folded::nanoseconds(node.self_time);
        if count > 0 {
            length += stack_length[i] + 1 + count.checked_ilog10().unwrap_or(0) as usize + 1 + 1;
            lines += 1;
        }
    }
    let mut text = String::with_capacity(length);
    let mut ends = Vec::with_capacity(lines);
    let mut prefix = String::new();
    // (node, length of the prefix above it), children pushed in reverse so the first pops first.
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let push_children = |pending: &mut Vec<(usize, usize)>, node: usize, depth_text: usize| {
        let mut children = tree.nodes[node].children.clone();
        children.sort_unstable_by(in_line_order);
        pending.extend(children.into_iter().rev().map(|c| (c, depth_text)));
    };
    push_children(&mut pending, 0, 0);
    while let Some((node, above)) = pending.pop() {
        prefix.truncate(above);
        if above > 0 {
            prefix.push(';');
        }
        prefix.push_str(label(node));
        let count = folded::nanoseconds(tree.nodes[node].self_time);
        if count > 0 {
            text.push_str(&prefix);
            text.push(' ');
            write!(text, "{count}").expect("writing to a String");
            ends.push(text.len());
            text.push('\n');
        }
        push_children(&mut pending, node, prefix.len());
    }
    debug_assert_eq!((text.len(), ends.len()), (length, lines), "the text's length was worked out before");
    (text, ends)
}

/// A blue for an inferred frame, its shade varying with the name (as inferno varies a palette's
/// colours) so neighbours stay apart.
fn inferred_colour(name: &str) -> color::Color {
    let spread = name.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 60;
    let spread = spread as u8;
    color::Color { r: 70 + spread, g: 110 + spread, b: 200 + spread / 2 }
}

/// A teal for a sampled frame, varying with the name like [`inferred_colour`].
fn sampled_colour(name: &str) -> color::Color {
    let spread = name.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 50;
    let spread = spread as u8;
    color::Color { r: 40 + spread, g: 170 + spread, b: 150 + spread / 2 }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines handed to inferno unsorted are exactly the folded stacks, in the order sorting
    /// them (what inferno does otherwise) gives, on real pstats files at several thresholds.
    #[test]
    fn lines_come_in_sorted_order_and_match_the_folded_stacks() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/profile/fixtures");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "prof") {
                continue;
            }
            let profile = Profile::load(&path).unwrap();
            for threshold in [0.0, 0.001, 0.01] {
                let tree = CallTree::build(&profile).pruned(threshold);
                let labels: Vec<String> =
                    (0..profile.functions.len()).map(|f| folded::frame_label(&profile, f)).collect();
                let (text, ends) = sorted_lines(&tree, |n| tree.label(n, &labels));
                let ours: Vec<&str> = text.lines().collect();
                assert_eq!(ours.len(), ends.len());
                let mut expected: Vec<String> = folded::stacks(&profile, &tree)
                    .into_iter()
                    .map(|(stack, count)| format!("{stack} {count}"))
                    .collect();
                expected.sort_unstable();
                assert_eq!(ours, expected, "{} at {threshold}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 9, "only {checked} fixtures checked");
    }
}
