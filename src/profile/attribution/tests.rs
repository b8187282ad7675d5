//! The split by stack samples on a small call graph whose true stacks are known:
//! `a_caller → dispatch → a` (3 s), `b_caller → dispatch → b` (1 s), and `len` (a built-in the
//! samples cannot see) called by dispatch for 0.2 s on each path.

use std::sync::Arc;

use super::{CallTree, Evidence};
use crate::profile::pstats::{CallerEdge, Figures, Function, FunctionKey, Profile};
use crate::profile::samples::Samples;

const NAMES: [&str; 8] = ["exec", "<module>", "a_caller", "b_caller", "dispatch", "a", "b", "len"];

/// The graph, with `moved` seconds of a's calls made under b_caller instead of a_caller.
fn dispatch_profile_moving(moved: f64) -> Profile {
    let mut functions: Vec<Function> = NAMES
        .iter()
        .enumerate()
        .map(|(i, &name)| {
            let builtin = name == "exec" || name == "len";
            Function {
                key: FunctionKey {
                    file: if builtin { "~".into() } else { "m.py".into() },
                    line: if builtin { 0 } else { i as u32 },
                    name: name.into(),
                },
                figures: Figures::default(),
                callers: Vec::new(),
                callees: Vec::new(),
            }
        })
        .collect();
    let figures = |calls: f64, self_time: f64, cumulative_time: f64| Figures {
        primitive_calls: calls,
        calls,
        self_time,
        cumulative_time,
    };
    // (caller, callee, calls, self, cumulative)
    let edges = [
        (0, 1, 1.0, 0.0, 4.4),
        (1, 2, 1.0, 0.0, 3.2 - moved),
        (1, 3, 1.0, 0.0, 1.2 + moved),
        (2, 4, 10.0, 0.0, 3.2 - moved),
        (3, 4, 10.0, 0.0, 1.2 + moved),
        (4, 5, 10.0, 3.0, 3.0),
        (4, 6, 10.0, 1.0, 1.0),
        (4, 7, 20.0, 0.4, 0.4),
    ];
    for (caller, callee, calls, self_time, cumulative) in edges {
        functions[callee].callers.push(CallerEdge {
            caller,
            figures: figures(calls, self_time, cumulative),
            timed: true,
        });
        functions[caller].callees.push(callee);
    }
    for function in &mut functions {
        let own = function.callers.iter().fold(Figures::default(), |sum, e| Figures {
            primitive_calls: sum.primitive_calls + e.figures.primitive_calls,
            calls: sum.calls + e.figures.calls,
            self_time: sum.self_time + e.figures.self_time,
            cumulative_time: sum.cumulative_time + e.figures.cumulative_time,
        });
        function.figures = own;
    }
    functions[0].figures = figures(1.0, 0.0, 4.4);
    Profile { functions, samples: None }
}

fn dispatch_profile() -> Profile {
    dispatch_profile_moving(0.0)
}

fn with_samples(mut profile: Profile, text: &str) -> Profile {
    let samples = Samples::parse(&format!("# loupe-stacks 1\n{text}"), &profile).unwrap();
    profile.samples = Some(Arc::new(samples));
    profile
}

/// Seconds and evidence of the frame at `path` (function names below the root), if drawn.
fn frame(tree: &CallTree, path: &[&str]) -> Option<(f64, Evidence)> {
    let names: Vec<&str> = path.to_vec();
    (1..tree.nodes.len())
        .find(|&i| tree.path(i).iter().map(|&f| NAMES[f]).collect::<Vec<_>>() == names)
        .map(|i| (tree.nodes[i].total_time, tree.nodes[i].evidence))
}

const A_PATH: [&str; 5] = ["exec", "<module>", "a_caller", "dispatch", "a"];
const B_PATH: [&str; 5] = ["exec", "<module>", "b_caller", "dispatch", "b"];
const A_UNDER_B: [&str; 5] = ["exec", "<module>", "b_caller", "dispatch", "a"];

#[test]
fn without_samples_the_split_is_inferred_and_draws_impossible_stacks() {
    let tree = CallTree::build_with_floor(&dispatch_profile(), 0.0);
    let (a_under_b, evidence) = frame(&tree, &A_UNDER_B).expect("inference draws a under b_caller");
    assert!((a_under_b - 3.0 * 1.2 / 4.4).abs() < 1e-9, "{a_under_b}");
    assert_eq!(evidence, Evidence::Inferred);
}

#[test]
fn samples_split_by_the_paths_they_saw_and_keep_every_total() {
    let text = "<module> (m.py:1);a_caller (m.py:2);dispatch (m.py:4);a (m.py:5) 30\n\
                <module> (m.py:1);b_caller (m.py:3);dispatch (m.py:4);b (m.py:6) 10\n";
    let profile = with_samples(dispatch_profile(), text);
    let tree = CallTree::build_with_floor(&profile, 0.0);
    assert_eq!(frame(&tree, &A_UNDER_B), None, "a path the samples never saw is not drawn");
    let (a, a_evidence) = frame(&tree, &A_PATH).unwrap();
    let (b, b_evidence) = frame(&tree, &B_PATH).unwrap();
    assert!((a - 3.0).abs() < 1e-9 && (b - 1.0).abs() < 1e-9, "a {a}, b {b}");
    assert_eq!((a_evidence, b_evidence), (Evidence::Sampled, Evidence::Sampled));
    // The built-in the samples cannot see gets what is left of each dispatch frame: 0.2 s each,
    // an inference.
    let (len, len_evidence) = frame(&tree, &["exec", "<module>", "a_caller", "dispatch", "len"]).unwrap();
    assert!((len - 0.2).abs() < 1e-9, "{len}");
    assert_eq!(len_evidence, Evidence::Inferred);
    // Frames above the split are exact as before.
    assert_eq!(frame(&tree, &["exec", "<module>", "a_caller", "dispatch"]).unwrap().1, Evidence::Measured);
    // Every function is as wide as its cumulative time; the total is the profile's.
    let widths = tree.function_widths(profile.functions.len());
    for (f, function) in profile.functions.iter().enumerate() {
        assert!((widths[f] - function.figures.cumulative_time).abs() < 1e-9, "{}: {}", NAMES[f], widths[f]);
    }
    assert!((tree.total() - profile.total_self_time()).abs() < 1e-9);
    assert!(tree.sampled_share() > 0.9, "{}", tree.sampled_share());
}

#[test]
fn samples_set_proportions_not_times() {
    // A program where b_caller also reaches a for 0.3 s, and samples that saw it (3 of 30
    // samples of dispatch → a): the split follows them, totals stay cProfile's.
    let text = "<module> (m.py:1);a_caller (m.py:2);dispatch (m.py:4);a (m.py:5) 27\n\
                <module> (m.py:1);b_caller (m.py:3);dispatch (m.py:4);a (m.py:5) 3\n\
                <module> (m.py:1);b_caller (m.py:3);dispatch (m.py:4);b (m.py:6) 10\n";
    let profile = with_samples(dispatch_profile_moving(0.3), text);
    let tree = CallTree::build_with_floor(&profile, 0.0);
    let (a, _) = frame(&tree, &A_PATH).unwrap();
    let (a_under_b, _) = frame(&tree, &A_UNDER_B).unwrap();
    assert!((a - 2.7).abs() < 1e-9 && (a_under_b - 0.3).abs() < 1e-9, "a {a}, under b {a_under_b}");
    let widths = tree.function_widths(profile.functions.len());
    assert!((widths[5] - 3.0).abs() < 1e-9);
}

#[test]
fn too_few_samples_keep_inference() {
    let text = "<module> (m.py:1);a_caller (m.py:2);dispatch (m.py:4);a (m.py:5) 3\n\
                <module> (m.py:1);b_caller (m.py:3);dispatch (m.py:4);b (m.py:6) 1\n";
    let profile = with_samples(dispatch_profile(), text);
    let sampled = CallTree::build_with_floor(&profile, 0.0);
    let inferred = CallTree::build_with_floor(&dispatch_profile(), 0.0);
    assert_eq!(sampled, inferred, "below MIN_EDGE_SAMPLES the samples change nothing");
}
