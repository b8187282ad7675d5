//! Folded stacks (`a;b;c 1234`, one line per stack): the format inferno, speedscope and most
//! flamegraph tools read. Counts are integer nanoseconds of self time, because inferno truncates
//! fractional counts and microseconds would drop the short frames of a fast program.

use super::attribution::CallTree;
use super::pstats::Profile;

/// Seconds to the integer nanoseconds folded files count in.
pub fn nanoseconds(seconds: f64) -> u64 {
    (seconds * 1e9).round().max(0.0) as u64
}

/// A frame label that cannot break the format: `;` separates frames and a line is one stack.
pub fn frame_label(profile: &Profile, function: usize) -> String {
    clean_label(profile.functions[function].key.label())
}

/// `label` with the characters that would break a folded line replaced.
pub fn clean_label(label: String) -> String {
    if label.contains([';', '\n', '\r']) {
        label.replace(';', ":").replace(['\n', '\r'], " ")
    } else {
        label
    }
}

/// One `(stack, nanoseconds)` per frame with self time, in tree order.
pub fn stacks(profile: &Profile, tree: &CallTree) -> Vec<(String, u64)> {
    // Labels only for the functions the tree shows (a pruned tree of a big profile shows few).
    let mut labels: Vec<String> = vec![String::new(); profile.functions.len()];
    for node in &tree.nodes {
        if let Some(f) = node.function {
            if labels[f].is_empty() {
                labels[f] = frame_label(profile, f);
            }
        }
    }
    let mut out = Vec::new();
    for (i, node) in tree.nodes.iter().enumerate().skip(1) {
        let count = nanoseconds(node.self_time);
        if count == 0 {
            continue;
        }
        let stack: Vec<&str> = tree.frames(i).into_iter().map(|n| tree.label(n, &labels)).collect();
        out.push((stack.join(";"), count));
    }
    out
}

/// The folded text.
pub fn write(profile: &Profile, tree: &CallTree) -> String {
    let mut text = String::new();
    for (stack, count) in stacks(profile, tree) {
        text.push_str(&stack);
        text.push(' ');
        text.push_str(&count.to_string());
        text.push('\n');
    }
    text
}
