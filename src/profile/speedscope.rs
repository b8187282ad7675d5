//! speedscope's file format (<https://www.speedscope.app/file-format-schema.json>): one sampled
//! profile whose samples are the call tree's stacks, weighted by their self time in nanoseconds.

use serde_json::{json, Value};

use super::attribution::{CallTree, NodeKind};
use super::folded::nanoseconds;
use super::pstats::Profile;

pub const SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

/// The speedscope document for `tree` (named `name` in speedscope's title bar).
pub fn document(profile: &Profile, tree: &CallTree, name: &str) -> Value {
    let mut frames: Vec<Value> = profile
        .functions
        .iter()
        .map(|f| {
            if f.key.is_builtin() {
                json!({ "name": f.key.name })
            } else {
                json!({ "name": f.key.name, "file": f.key.file, "line": f.key.line })
            }
        })
        .collect();
    // "(other)" and "(unattributed)" frames, after the functions, when the tree has them.
    let mut synthetic: Vec<(NodeKind, usize)> = Vec::new();
    let mut frame_of = |kind: NodeKind, frames: &mut Vec<Value>| -> usize {
        if let Some(&(_, i)) = synthetic.iter().find(|(k, _)| *k == kind) {
            return i;
        }
        frames.push(json!({ "name": kind.label() }));
        synthetic.push((kind, frames.len() - 1));
        frames.len() - 1
    };
    let mut samples = Vec::new();
    let mut weights = Vec::new();
    for (i, node) in tree.nodes.iter().enumerate().skip(1) {
        let weight = nanoseconds(node.self_time);
        if weight > 0 {
            let stack: Vec<usize> = tree
                .frames(i)
                .into_iter()
                .map(|n| match tree.nodes[n].function {
                    Some(f) => f,
                    None => frame_of(tree.nodes[n].kind, &mut frames),
                })
                .collect();
            samples.push(stack);
            weights.push(weight);
        }
    }
    let total: u64 = weights.iter().sum();
    json!({
        "$schema": SCHEMA,
        "name": name,
        "activeProfileIndex": 0,
        "exporter": format!("loupe {}", env!("CARGO_PKG_VERSION")),
        "shared": { "frames": frames },
        "profiles": [{
            "type": "sampled",
            "name": format!("{name} ({:.1}% of the time on inferred stacks{})", tree.inferred_share() * 100.0, sampled_note(tree)),
            "unit": "nanoseconds",
            "startValue": 0,
            "endValue": total,
            "samples": samples,
            "weights": weights,
        }],
    })
}

/// `, N% on sampled stacks` when stack samples placed some of the time.
fn sampled_note(tree: &CallTree) -> String {
    let share = tree.sampled_share();
    if share > 0.0 {
        format!(", {:.1}% on sampled stacks", share * 100.0)
    } else {
        String::new()
    }
}
