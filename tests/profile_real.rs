//! `loupe profile` on real CPython (3.8, 3.11, 3.13) running programs whose call structure is
//! known: exact call counts, recursion, generators, threads, a program that raises; and the files
//! it writes (folded, speedscope, SVG).

mod profile_support;

use loupe::profile::{CallTree, Evidence};
use profile_support::*;

#[test]
fn known_structure_has_exact_counts_on_every_version() {
    for minor in VERSIONS {
        let run = profile(minor, &program("structure.py"), &["--threshold", "0"]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let p = run.profile();
        let f = |name| function(&p, "structure.py", name);
        let (main, outer, inner, leaf, work) = (f("main"), f("outer"), f("inner"), f("leaf"), f("work"));
        let calls = |i: usize| p.functions[i].figures.calls;
        assert_eq!(
            [calls(main), calls(outer), calls(inner), calls(leaf), calls(work)],
            [1.0, 3.0, 6.0, 31.0, 40.0],
            "{minor}"
        );
        assert_eq!(edge_calls(&p, main, outer), (3.0, 3.0), "{minor}");
        assert_eq!(edge_calls(&p, outer, inner), (6.0, 6.0), "{minor}");
        assert_eq!(edge_calls(&p, inner, leaf), (30.0, 30.0), "{minor}");
        assert_eq!(edge_calls(&p, main, leaf), (1.0, 1.0), "{minor}");
        assert_eq!(edge_calls(&p, leaf, work), (31.0, 31.0), "{minor}");
        assert_eq!(edge_calls(&p, inner, work), (6.0, 6.0), "{minor}");
        assert_eq!(edge_calls(&p, outer, work), (3.0, 3.0), "{minor}");

        let tree = CallTree::build(&p);
        assert_adds_up(&p, &tree, minor);
        assert_adds_up(&p, &CallTree::exact_edges(&p), minor);
        // outer is only ever called by main, main only by the module: work under outer is exact.
        let node_at = |path: &[usize]| {
            (1..tree.nodes.len()).find(|&i| tree.path(i).ends_with(path) && tree.path(i).len() >= path.len())
        };
        let outer_work = node_at(&[main, outer, work]).expect("main;outer;work");
        assert_eq!(tree.nodes[outer_work].evidence, Evidence::Measured, "{minor}: work under outer is exact data");
        assert_eq!(tree.nodes[outer_work].calls, 3.0);
        let exact = p.edge(outer, work).unwrap().figures.self_time;
        assert!((tree.nodes[outer_work].self_time - exact).abs() <= exact * 1e-9, "{minor}");
        // leaf has two callers, so work under leaf is inferred, split 30:1 by leaf's time.
        let deep = node_at(&[outer, inner, leaf, work]).expect("outer;inner;leaf;work");
        assert_ne!(tree.nodes[deep].evidence, Evidence::Measured, "{minor}");
        assert!(tree.inferred_share() > 0.0 && tree.inferred_share() < 1.0);

        let folded = folded_lines(&run.text("run.folded"));
        let has = |suffix: &[&str]| {
            folded.iter().any(|(stack, _)| {
                stack.len() >= suffix.len()
                    && stack[stack.len() - suffix.len()..].iter().zip(suffix).all(|(s, want)| s.starts_with(want))
            })
        };
        assert!(has(&["main ", "outer ", "inner ", "leaf ", "work "]), "{minor}: {folded:?}");
        assert!(has(&["main ", "leaf ", "work "]), "{minor}");
        let total: u64 = folded.iter().map(|(_, c)| c).sum();
        let expected = p.total_self_time() * 1e9;
        assert!((total as f64 - expected).abs() <= expected * 0.001, "{minor}: folded {total} vs {expected}");
    }
}

#[test]
fn recursion_is_collapsed_not_cut() {
    for minor in VERSIONS {
        let run = profile(minor, &program("recursion.py"), &["--threshold", "0"]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let p = run.profile();
        let (fib, even, odd) = (
            function(&p, "recursion.py", "fib"),
            function(&p, "recursion.py", "is_even"),
            function(&p, "recursion.py", "is_odd"),
        );
        let fig = |i: usize| (p.functions[i].figures.calls, p.functions[i].figures.primitive_calls);
        // fib(15) makes 1973 calls, one of them primitive; 10 × is_even(50) alternate 51 deep.
        assert_eq!(fig(fib), (1973.0, 1.0), "{minor}");
        assert_eq!(fig(even), (260.0, 10.0), "{minor}");
        assert_eq!(fig(odd), (250.0, 10.0), "{minor}");
        // Only the outermost fib(14) and fib(13) calls are primitive for the fib → fib edge.
        assert_eq!(edge_calls(&p, fib, fib), (1972.0, 2.0), "{minor}");
        assert_eq!(edge_calls(&p, odd, even).0, 250.0, "{minor}");
        let tree = CallTree::build(&p);
        assert_adds_up(&p, &tree, minor);
        for i in 1..tree.nodes.len() {
            let path = tree.path(i);
            let mut seen = path.clone();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), path.len(), "{minor}: a function twice on one stack: {path:?}");
        }
        // All of fib's self time is in its single frame: the recursive calls collapsed into it.
        let fib_nodes: Vec<_> = tree.nodes.iter().filter(|n| n.function == Some(fib)).collect();
        assert_eq!(fib_nodes.len(), 1, "{minor}");
        let fib_self = p.functions[fib].figures.self_time;
        assert!((fib_nodes[0].self_time - fib_self).abs() <= fib_self * 1e-6, "{minor}");
        assert_eq!(fib_nodes[0].calls.round(), 1973.0, "{minor}");
    }
}

#[test]
fn generators_count_every_resumption() {
    for minor in VERSIONS {
        let run = profile(minor, &program("generators.py"), &[]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let p = run.profile();
        let numbers = function(&p, "generators.py", "numbers");
        let squares = function(&p, "generators.py", "squares");
        // 2000 values and the final StopIteration: 2001 resumptions each.
        assert_eq!(p.functions[numbers].figures.calls, 2001.0, "{minor}");
        assert_eq!(p.functions[squares].figures.calls, 2001.0, "{minor}");
        assert_eq!(edge_calls(&p, squares, numbers).0, 2001.0, "{minor}");
        assert_adds_up(&p, &CallTree::build(&p), minor);
    }
}

#[test]
fn threads_main_thread_structure() {
    for minor in VERSIONS {
        let run = profile(minor, &program("threads.py"), &[]);
        assert_eq!(run.code, Some(0), "{minor}: {}", run.stderr);
        let p = run.profile();
        let main = function(&p, "threads.py", "main");
        let spin = function(&p, "threads.py", "spin");
        assert_eq!(edge_calls(&p, main, spin), (1.0, 1.0), "{minor}");
        let join = p.find("threading.py", "join").expect("Thread.join");
        assert_eq!(edge_calls(&p, main, join).0, 3.0, "{minor}");
        let tree = CallTree::build(&p);
        assert_adds_up(&p, &tree, minor);
        // A profile with the import machinery is mostly inferred; the share is reported.
        assert!(tree.inferred_share() > 0.0);
    }
}

#[test]
fn a_program_that_raises_still_gets_its_profile() {
    for minor in ["3.8", "3.13"] {
        let run = profile(minor, &program("raises.py"), &[]);
        assert_eq!(run.code, Some(1), "{minor}: the program's status is passed on: {}", run.stderr);
        assert!(run.stderr.contains("RuntimeError: deliberate failure"), "{}", run.stderr);
        assert!(run.stderr.contains("showing the profile of what ran"), "{}", run.stderr);
        let p = run.profile();
        let fail = function(&p, "raises.py", "fail");
        let compute = function(&p, "raises.py", "compute");
        assert_eq!(edge_calls(&p, fail, compute), (1.0, 1.0));
        assert_adds_up(&p, &CallTree::build(&p), minor);
        assert!(run.text("run.svg").contains("compute"));
    }
}

#[test]
fn speedscope_file_has_the_schema_and_consistent_samples() {
    let run = profile("3.11", &program("structure.py"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.text("run.json")).unwrap();
    assert_eq!(doc["$schema"], "https://www.speedscope.app/file-format-schema.json");
    let frames = doc["shared"]["frames"].as_array().unwrap();
    let names: Vec<&str> = frames.iter().map(|f| f["name"].as_str().unwrap()).collect();
    for want in ["main", "outer", "inner", "leaf", "work"] {
        assert!(names.contains(&want), "{names:?}");
    }
    let profile = &doc["profiles"][0];
    assert_eq!(profile["type"], "sampled");
    assert_eq!(profile["unit"], "nanoseconds");
    let samples = profile["samples"].as_array().unwrap();
    let weights = profile["weights"].as_array().unwrap();
    assert_eq!(samples.len(), weights.len());
    assert!(!samples.is_empty());
    for s in samples {
        for i in s.as_array().unwrap() {
            assert!((i.as_u64().unwrap() as usize) < frames.len());
        }
    }
    let sum: u64 = weights.iter().map(|w| w.as_u64().unwrap()).sum();
    assert_eq!(profile["endValue"].as_u64().unwrap(), sum);
    let p = run.profile();
    let expected = p.total_self_time() * 1e9;
    assert!((sum as f64 - expected).abs() <= expected * 0.001);
}

#[test]
fn svg_is_well_formed_with_title_subtitle_and_search() {
    let run = profile("3.13", &program("structure.py"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let svg = run.text("run.svg");
    let all = profile_support::svg_texts(&svg);
    assert!(all.contains("loupe profile: structure.py"), "title missing");
    assert!(all.contains("inferred stacks"), "subtitle missing");
    assert!(svg.contains("Search"), "inferno's search control is missing");
    assert!(svg.contains("outer (") && svg.contains("structure.py:22"));
}

#[test]
fn no_tui_without_outputs_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["profile", "--no-tui", "--python"])
        .arg(cpython("3.11"))
        .arg(program("structure.py"))
        .env("XDG_STATE_HOME", dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("self time in 8 functions") || stdout.contains("self time in"), "{stdout}");
    let work_row = stdout.lines().find(|l| l.contains("work (")).expect("work in the summary");
    assert!(work_row.contains(" 40 "), "{work_row}");
}

#[test]
fn pure_python_profile_module_files_are_refused_with_advice() {
    // `python -m profile -o` stores a code object in one key, which marshal cannot describe
    // portably across versions: loupe says so and points to cProfile.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("profile.prof");
    let status = std::process::Command::new(cpython("3.11"))
        .args(["-m", "profile", "-o"])
        .arg(&out)
        .arg(program("structure.py"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let error = format!("{:#}", loupe::profile::Profile::load(&out).unwrap_err());
    assert!(
        error.ends_with(
            "is a code object: the pure-Python `profile` module writes one into its files; profile with \
             cProfile instead (`python -m cProfile -o FILE script.py`)"
        ),
        "{error}"
    );
}

#[test]
fn sys_exit_status_is_passed_on_with_the_profile() {
    let run = profile("3.11", &program("exits.py"), &[]);
    assert_eq!(run.code, Some(3), "cProfile alone would say 0: {}", run.stderr);
    let p = run.profile();
    assert_eq!(p.functions[function(&p, "exits.py", "work")].figures.calls, 1.0);
    assert!(run.text("run.folded").contains("work (") && run.text("run.folded").contains("exits.py"));
}

#[test]
fn the_profiled_program_runs_in_the_sandbox() {
    // The default policy: no network for the program, and the profile is still written and read.
    let run = profile("3.11", &program("reaches_out.py"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("sandbox: standard (net off"), "the policy is reported: {}", run.stderr);
    assert!(run.stdout.contains("network blocked"), "{}", run.stdout);
    let p = run.profile();
    assert_eq!(p.functions[function(&p, "reaches_out.py", "connect")].figures.calls, 1.0);
    // And --sandbox off is honoured (whatever the machine's own network then says).
    let off = profile("3.11", &program("reaches_out.py"), &["--sandbox", "off"]);
    assert!(!off.stderr.contains("sandbox: standard"), "{}", off.stderr);
}
