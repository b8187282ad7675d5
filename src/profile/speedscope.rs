//! speedscope's file format (<https://www.speedscope.app/file-format-schema.json>): one sampled
//! profile whose samples are the call tree's stacks, weighted by their self time in nanoseconds.

use serde_json::{json, Value};

use super::attribution::CallTree;
use super::folded::nanoseconds;
use super::pstats::Profile;

pub const SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

/// The speedscope document for `tree` (named `name` in speedscope's title bar).
pub fn document(profile: &Profile, tree: &CallTree, name: &str) -> Value {
    let frames: Vec<Value> = profile
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
    let mut samples = Vec::new();
    let mut weights = Vec::new();
    for (i, node) in tree.nodes.iter().enumerate().skip(1) {
        let weight = nanoseconds(node.self_time);
        if weight > 0 {
            samples.push(tree.path(i));
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
            "name": format!("{name} ({:.1}% of the time on inferred stacks)", tree.inferred_share() * 100.0),
            "unit": "nanoseconds",
            "startValue": 0,
            "endValue": total,
            "samples": samples,
            "weights": weights,
        }],
    })
}
