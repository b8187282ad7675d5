//! Attribution held to cProfile's own numbers, on real profiles: no function drawn wider than its
//! cumulative time, the profiled script's `<module>` as wide as its cumtime, the total kept; the
//! tree's size bounded by what is drawn (100,000 functions, 5,000-deep recursion); `--threshold 0`
//! bounded; and a shared built-in that does not carry one caller's callbacks to another.

mod profile_support;

use loupe::profile::{CallTree, CallerEdge, Figures, Function, FunctionKey, NodeKind, Profile};
use profile_support::*;

/// Every function within 1% of its cumtime (plus a nanosecond of rounding).
fn assert_within_cumtime(profile: &Profile, tree: &CallTree, what: &str) {
    let widths = tree.function_widths(profile.functions.len());
    for (f, width) in widths.iter().enumerate() {
        let cumulative = profile.functions[f].figures.cumulative_time;
        assert!(
            *width <= cumulative * 1.01 + 1e-9,
            "{what}: {} drawn {width} s wide, cumtime {cumulative} s",
            profile.functions[f].key.label()
        );
    }
}

/// The `<module>` that `exec` ran for `file`, its drawn width and its cumtime.
fn module_width(profile: &Profile, tree: &CallTree, file: &str) -> (f64, f64) {
    let module = function(profile, file, "<module>");
    let widths = tree.function_widths(profile.functions.len());
    (widths[module], profile.functions[module].figures.cumulative_time)
}

#[test]
fn a_real_profile_keeps_every_function_within_its_cumtime() {
    // `python -m cProfile -m compileall -f -q json/` on CPython 3.11: runpy's `exec` inside the
    // profiler's, the import cycle (exec → <module> → importlib → exec), generators, built-ins.
    let profile = Profile::load(&fixture("compileall-3.11.prof")).unwrap();
    for floor in [0.0, 1e-6, 0.001, 0.01] {
        let tree = CallTree::build_with_floor(&profile, floor);
        let what = format!("floor {floor}");
        assert_adds_up(&profile, &tree, &what);
        assert_within_cumtime(&profile, &tree, &what);
        for pruned in [0.001, 0.01] {
            assert_within_cumtime(&profile, &tree.pruned(pruned), &what);
        }
        // The module the run was about is drawn as wide as cProfile says it ran.
        let (width, cumulative) = module_width(&profile, &tree, "compileall.py");
        assert!(width >= cumulative * 0.99, "{what}: compileall's <module> {width} of {cumulative}");
        let (outer, total) = module_width(&profile, &tree, "<string>");
        assert!(outer >= total * 0.99 && outer >= tree.total() * 0.99, "{what}: <string> {outer} of {}", tree.total());
    }
}

#[test]
fn profiled_scripts_are_as_wide_as_they_ran_on_every_version() {
    for minor in VERSIONS {
        let run = profile(minor, &program("structure.py"), &["--threshold", "0"]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let p = run.profile();
        let tree = CallTree::build_with_floor(&p, 0.0);
        assert_within_cumtime(&p, &tree, minor);
        let (width, cumulative) = module_width(&p, &tree, "structure.py");
        assert!(width >= cumulative * 0.99 && width <= cumulative * 1.01, "{minor}: {width} vs {cumulative}");
    }
}

#[test]
fn a_shared_builtin_does_not_carry_one_callers_callbacks_to_another() {
    let run = profile("3.11", &program("hubs.py"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let p = run.profile();
    let (plain, keyed, key) = (
        function(&p, "hubs.py", "plain_max"),
        function(&p, "hubs.py", "keyed_max"),
        function(&p, "hubs.py", "by_weight"),
    );
    let tree = CallTree::build_with_floor(&p, 0.0);
    assert_within_cumtime(&p, &tree, "hubs");
    let under = |caller: usize| -> f64 {
        (1..tree.nodes.len())
            .filter(|&i| tree.nodes[i].function == Some(key))
            .filter(|&i| tree.path(i).contains(&caller))
            .map(|i| tree.nodes[i].total_time)
            .sum()
    };
    let key_time = p.functions[key].figures.cumulative_time;
    // `max` spends more of its time under plain_max, yet by_weight only ever ran under keyed_max.
    assert!(under(plain) <= key_time * 0.01, "by_weight under plain_max: {} of {key_time}", under(plain));
    assert!(under(keyed) >= key_time * 0.99, "by_weight under keyed_max: {} of {key_time}", under(keyed));
}

#[test]
fn deep_recursion_is_folded_and_the_tree_stays_small() {
    for minor in ["3.8", "3.13"] {
        let run = profile(minor, &program("deep.py"), &["--threshold", "0"]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let p = run.profile();
        let down = function(&p, "deep.py", "down");
        assert_eq!(p.functions[down].figures.calls, 5.0 * 5001.0, "{minor}");
        let tree = CallTree::build_with_floor(&p, 0.0);
        assert_adds_up(&p, &tree, minor);
        assert_within_cumtime(&p, &tree, minor);
        // 5,000 levels of each recursion fold into a frame or two, not 5,000.
        let depth = tree.nodes.iter().map(|n| n.depth).max().unwrap();
        assert!(depth < 20, "{minor}: {depth} levels");
        for i in 1..tree.nodes.len() {
            let path = tree.path(i);
            let mut seen = path.clone();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), path.len(), "{minor}: recursion unrolled: {path:?}");
        }
    }
}

/// A profile made in memory: `layers` × `width` functions, each calling `fanout` functions of the
/// next layer (so most have several callers), all calling one shared built-in, every call timed
/// consistently (each function's cumtime is its self time plus its edges').
fn generated(layers: usize, width: usize, fanout: usize) -> Profile {
    let n = layers * width + 2;
    let hub = n - 1;
    let index = |l: usize, i: usize| l * width + i;
    let key = |name: String, line: u32| FunctionKey { file: "gen.py".into(), line, name };
    let mut functions: Vec<Function> = (0..n)
        .map(|f| Function {
            key: if f == hub {
                FunctionKey { file: "~".into(), line: 0, name: "<built-in method builtins.len>".into() }
            } else if f == n - 2 {
                key("main".into(), 1)
            } else {
                key(format!("f_{}_{}", f / width, f % width), f as u32 + 2)
            },
            figures: Figures::default(),
            callers: Vec::new(),
            callees: Vec::new(),
        })
        .collect();
    // Cumulative time bottom up: 1 µs of self time each, split evenly over the callers.
    let mut cumulative = vec![0.0; n];
    let mut calls_in = vec![0.0; n];
    let edge = |functions: &mut Vec<Function>, caller: usize, callee: usize, calls: f64, tt: f64, ct: f64| {
        functions[callee].callers.push(CallerEdge {
            caller,
            figures: Figures { primitive_calls: calls, calls, self_time: tt, cumulative_time: ct },
            timed: true,
        });
        functions[caller].callees.push(callee);
    };
    let self_time = 1e-6;
    for l in (0..layers).rev() {
        for i in 0..width {
            let f = index(l, i);
            let mut ct = self_time + 1e-7;
            edge(&mut functions, f, hub, 1.0, 1e-7, 1e-7);
            calls_in[hub] += 1.0;
            if l + 1 < layers {
                for k in 0..fanout {
                    let g = index(l + 1, (i * 7 + k * 13 + l) % width);
                    // An equal share of g's time per caller edge.
                    let share = cumulative[g] / fanout as f64;
                    edge(&mut functions, f, g, 1.0, self_time / fanout as f64, share);
                    ct += share;
                }
            }
            cumulative[f] = ct;
        }
    }
    let main = n - 2;
    let mut main_ct = 1e-6;
    for i in 0..width {
        let g = index(0, i);
        edge(&mut functions, main, g, 1.0, self_time, cumulative[g]);
        main_ct += cumulative[g];
    }
    for (f, function) in functions.iter_mut().enumerate() {
        let calls: f64 = function.callers.iter().map(|e| e.figures.calls).sum::<f64>().max(1.0);
        let tt = if f == hub {
            1e-7 * calls_in[hub]
        } else if f == main {
            1e-6
        } else {
            self_time
        };
        let ct = if f == hub {
            tt
        } else if f == main {
            main_ct
        } else {
            function.callers.iter().map(|e| e.figures.cumulative_time).sum()
        };
        function.figures = Figures { primitive_calls: calls, calls, self_time: tt, cumulative_time: ct };
    }
    Profile { functions, samples: None }
}

#[test]
fn a_hundred_thousand_functions_build_only_what_is_drawn() {
    let profile = generated(1000, 100, 3);
    assert!(profile.functions.len() > 100_000);
    for threshold in [0.001, 0.0001] {
        let tree = CallTree::build_with_floor(&profile, threshold);
        let drawn = tree.pruned(threshold).nodes.len();
        // Every frame built is at least the threshold wide, so pruning keeps it: nothing is
        // built to be thrown away.
        assert!(tree.nodes.len() <= drawn + 1, "{threshold}: built {} for {drawn} drawn", tree.nodes.len());
        assert!(drawn <= (3.0 / threshold) as usize * 8, "{threshold}: {drawn} frames");
        let total = profile.total_self_time();
        assert!((tree.total() - total).abs() <= total * 1e-6, "{threshold}: {} vs {total}", tree.total());
    }
    // With no threshold the budget holds it.
    let tree = CallTree::build_with_floor(&profile, 0.0);
    assert!(tree.nodes.len() <= 400_001, "{}", tree.nodes.len());
    assert_within_cumtime(&profile, &tree, "no threshold");
}

#[test]
fn a_cycle_through_many_functions_finishes_folded() {
    // f_0 → f_1 → … → f_4999 → f_0, entered from main: one strongly connected ring.
    let n = 5000;
    let main = n;
    let mut functions: Vec<Function> = (0..=n)
        .map(|f| Function {
            key: FunctionKey { file: "ring.py".into(), line: f as u32 + 1, name: format!("f_{f}") },
            figures: Figures::default(),
            callers: Vec::new(),
            callees: Vec::new(),
        })
        .collect();
    let mut link = |caller: usize, callee: usize, ct: f64| {
        functions[callee].callers.push(CallerEdge {
            caller,
            figures: Figures { primitive_calls: 1.0, calls: 1.0, self_time: 1e-6, cumulative_time: ct },
            timed: true,
        });
        functions[caller].callees.push(callee);
    };
    link(main, 0, n as f64 * 1e-6);
    for f in 0..n {
        link(f, (f + 1) % n, (n - f - 1) as f64 * 1e-6);
    }
    for (f, function) in functions.iter_mut().enumerate() {
        let ct = if f == main { n as f64 * 1e-6 + 1e-6 } else { (n - f) as f64 * 1e-6 };
        function.figures = Figures { primitive_calls: 1.0, calls: 1.0, self_time: 1e-6, cumulative_time: ct };
    }
    let profile = Profile { functions, samples: None };
    let tree = CallTree::build_with_floor(&profile, 0.0);
    assert_within_cumtime(&profile, &tree, "ring");
    assert!((tree.total() - profile.total_self_time()).abs() < 1e-9);
    assert!(tree.nodes.iter().all(|n| n.kind != NodeKind::Unattributed || n.total_time < 1e-6));
    let depth = tree.nodes.iter().map(|n| n.depth).max().unwrap();
    assert!(depth <= n + 1, "the ring is walked once, not unrolled: {depth}");
}

#[test]
fn threshold_zero_draws_everything_within_a_bounded_size() {
    let fixture = fixture("compileall-3.11.prof");
    let dir = tempfile::tempdir().unwrap();
    let folded = dir.path().join("all.folded");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["flame", "--no-tui", "--threshold", "0", "--folded"])
        .arg(&folded)
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let size = std::fs::metadata(&folded).unwrap().len();
    let profile_size = std::fs::metadata(&fixture).unwrap().len();
    assert!(size <= 20 * profile_size.max(256 * 1024), "folded {size} bytes for a {profile_size}-byte profile");
    let profile = Profile::load(&fixture).unwrap();
    let lines = folded_lines(&std::fs::read_to_string(&folded).unwrap());
    let drawn: u64 = lines.iter().map(|(_, c)| c).sum();
    let expected = profile.total_self_time() * 1e9;
    assert!((drawn as f64 - expected).abs() <= expected * 0.001, "{drawn} vs {expected}");
    // Everything there is: far more functions than at the default threshold.
    let functions: std::collections::HashSet<&String> = lines.iter().flat_map(|(s, _)| s.iter()).collect();
    assert!(functions.len() > 200, "{} functions drawn", functions.len());
}

#[test]
fn generators_run_by_a_builtin_stay_under_the_function_that_made_them() {
    // list.extend resumes a generator function's generator for one caller and a generator
    // expression for the other: cProfile records both as extend's callees.
    let run = profile("3.11", &program("generators_extend.py"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let p = run.profile();
    let f = |name| function(&p, "generators_extend.py", name);
    let (squares_caller, words_caller, squares) = (f("collect_squares"), f("collect_words"), f("squares"));
    let genexpr = (0..p.functions.len())
        .find(|&i| p.functions[i].key.name == "<genexpr>" && p.functions[i].key.line == 20)
        .expect("the generator expression of collect_words");
    let tree = CallTree::build_with_floor(&p, 0.0);
    assert_within_cumtime(&p, &tree, "generators");
    let under = |callee: usize, caller: usize| -> f64 {
        (1..tree.nodes.len())
            .filter(|&i| tree.nodes[i].function == Some(callee) && tree.path(i).contains(&caller))
            .map(|i| tree.nodes[i].total_time)
            .sum()
    };
    for (callee, owner, stranger) in [(genexpr, words_caller, squares_caller), (squares, squares_caller, words_caller)]
    {
        let cumulative = p.functions[callee].figures.cumulative_time;
        let label = p.functions[callee].key.label();
        assert!(under(callee, owner) >= cumulative * 0.99, "{label}: {} of {cumulative}", under(callee, owner));
        assert!(
            under(callee, stranger) <= cumulative * 0.01,
            "{label} under the other caller: {}",
            under(callee, stranger)
        );
    }
}
