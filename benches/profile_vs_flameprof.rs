//! The profiler against flameprof on a corpus of real profiles, in one run (see
//! `benches/README.md`):
//!
//! 1. The corpus is made at bench time (`profile_corpus/mod.rs`): cProfile files of `pip list`,
//!    `pip show pip`, a django `manage.py check`, `compileall -f` of a stdlib package, a recursive
//!    parser, `examples/profile_demo.py` and a generated 35×100-function program; and, for each, the
//!    stacks that really happened, from a `sys.setprofile` recorder.
//! 2. **pstats → SVG** at the same threshold (0.1%): flameprof against `loupe flame --no-tui -o`,
//!    as the commands a user runs, interleaved. Median wall and CPU time, peak RSS, the ratio.
//! 3. **Attribution errors**, computed the same way from each tool's folded stacks
//!    (`profile_corpus/check_folded.py`): conservation of the total, functions drawn wider than
//!    their cumtime, the entry module's share, and the share drawn on stacks that never happened.
//! 4. **In-process**, for every profile: marshal → typed profile, the call tree, and the flame
//!    view's first frame from the file's bytes (ratatui's test backend, 200×50).
//!
//! `cargo bench --bench profile_vs_flameprof [-- --quick | --runs N --peer-runs N]`; the tables are
//! printed and everything is written to `target/bench-profile.json`.

mod common;
mod profile_corpus;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use common::{repo, setting, summary};
use loupe::profile::{CallTree, Profile};
use loupe::tui::flame::{view, FlameModel, FlameState};
use profile_corpus::measure::{self, ms, summary_of, Sample};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;
use serde_json::{json, Value};

/// The bars a real profile is held to.
const MIN_SPEEDUP: f64 = 20.0;
const MAX_RSS_MB: f64 = 40.0;
const MAX_FIRST_FRAME_MS: f64 = 50.0;

/// `--NAME` after `cargo bench ... --`, or the environment variable set to anything but `0`.
fn flag(flag: &str, variable: &str) -> bool {
    std::env::args().any(|a| a == flag) || std::env::var(variable).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn time_in_process(runs: usize, mut f: impl FnMut()) -> Vec<std::time::Duration> {
    f(); // warm-up
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect()
}

fn first_frame(bytes: &[u8]) {
    let profile = Profile::parse(bytes).unwrap();
    // As `loupe flame` builds it at the default threshold (0.1%): no frame below it
    // (`write_files` in src/cli/flame.rs).
    let tree = CallTree::build_with_floor(&profile, 0.001);
    let model = FlameModel::new(profile, tree, "corpus.prof".into(), 0.001);
    let mut state = FlameState::new(model, loupe::tui::theme::Theme::default_dark());
    state.resize(Rect::new(0, 0, 200, 50));
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    terminal.draw(|frame| view::draw(frame, &state)).unwrap();
}

/// Parse, attribution and first frame, in-process, median-able ms summaries.
fn in_process(pstats: &Path, runs: usize) -> anyhow::Result<Value> {
    let bytes = std::fs::read(pstats).with_context(|| format!("reading {}", pstats.display()))?;
    let profile = Profile::parse(&bytes).with_context(|| format!("parsing {}", pstats.display()))?;
    let parse = summary(&mut time_in_process(runs * 2, || {
        std::hint::black_box(Profile::parse(&bytes).unwrap());
    }));
    let attribute = summary(&mut time_in_process(runs, || {
        std::hint::black_box(CallTree::build_with_floor(&profile, 0.001));
    }));
    let first = summary(&mut time_in_process(runs, || first_frame(&bytes)));
    Ok(json!({ "parse_ms": parse, "attribute_ms": attribute, "first_frame_ms": first }))
}

fn side(samples: &[Sample], svg: &Path, frames_marker: &str) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(svg).with_context(|| format!("reading {}", svg.display()))?;
    Ok(json!({
        "wall_ms": summary_of(samples, |s| ms(s.wall)),
        "cpu_ms": summary_of(samples, |s| ms(s.cpu)),
        "peak_rss_mb": summary_of(samples, |s| s.peak_rss as f64 / 1048576.0),
        "svg_bytes": text.len(),
        "frames": text.matches(frames_marker).count(),
    }))
}

fn f(v: &Value, path: &str) -> f64 {
    v.pointer(path).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    measure::launcher_main();
    let quick = flag("--quick", "LOUPE_BENCH_QUICK");
    let runs = setting("LOUPE_BENCH_RUNS", "--runs", if quick { 5 } else { 15 });
    let peer_runs = setting("LOUPE_BENCH_PEER_RUNS", "--peer-runs", if quick { 2 } else { 7 });
    let in_process_runs = if quick { 5 } else { 20 };
    let with_truth = !flag("--no-truth", "LOUPE_BENCH_NO_TRUTH");
    let dir = repo().join("target/bench-profile");
    let loupe = PathBuf::from(env!("CARGO_BIN_EXE_loupe"));
    let py = profile_corpus::pythons()?;
    let cases = profile_corpus::build(&py, &dir, with_truth)?;
    let rss_floor = measure::floor()?;

    let mut json = serde_json::Map::new();
    let mut results = Vec::new();
    for case in &cases {
        let profile = Profile::load(&case.pstats).with_context(|| format!("loading {}", case.pstats.display()))?;
        let functions = profile.functions.len();
        let pstats_size = std::fs::metadata(&case.pstats)?.len();
        eprintln!("{}: {functions} functions, pstats {pstats_size} bytes; timing…", case.name);
        let stem = case.pstats.with_extension("");
        let out = |suffix: &str| PathBuf::from(format!("{}-{suffix}", stem.display()));
        let (loupe_svg, peer_svg) = (out("loupe.svg"), out("flameprof.svg"));
        let (ours, theirs) = measure::interleaved(
            (runs, || {
                let mut c = Command::new(&loupe);
                c.args(["flame", "--no-tui", "--threshold", "0.001", "-o"]).arg(&loupe_svg).arg(&case.pstats);
                c
            }),
            (peer_runs, || {
                let mut c = Command::new(&py.flameprof);
                c.args(["-m", "flameprof", "--threshold", "0.1", "-o"]).arg(&peer_svg).arg(&case.pstats);
                c
            }),
        )?;
        // Frames drawn: inferno writes one `<g><title>` per frame; flameprof one `func_g` element
        // per block, in its two graphs (callees above, callers below) together.
        let ours = side(&ours, &loupe_svg, "<g><title>")?;
        let theirs = side(&theirs, &peer_svg, "class=\"func_g\"")?;

        // The same drawings as folded stacks (flameprof's `log` format counts each block's self
        // time times --log-mult: nanoseconds, as loupe's), judged the same way.
        let (loupe_folded, peer_folded) = (out("loupe.folded"), out("flameprof.folded"));
        let mut c = Command::new(&loupe);
        c.args(["flame", "--no-tui", "--threshold", "0.001", "--folded"]).arg(&loupe_folded).arg(&case.pstats);
        measure::run_once(c)?;
        let mut c = Command::new(&py.flameprof);
        c.args(["-m", "flameprof", "--threshold", "0.1", "--format", "log", "--log-mult", "1000000000", "-o"]);
        c.arg(&peer_folded).arg(&case.pstats);
        measure::run_once(c)?;
        let truth = case.truth.as_deref();
        let our_check = measure::check(&py.flameprof, &case.pstats, &loupe_folded, "loupe", case.entry, truth)?;
        let peer_check = measure::check(&py.flameprof, &case.pstats, &peer_folded, "flameprof", case.entry, truth)?;
        let inner = in_process(&case.pstats, in_process_runs)?;

        let speedup = f(&theirs, "/wall_ms/1") / f(&ours, "/wall_ms/1");
        let bars = json!({
            "speedup": speedup >= MIN_SPEEDUP,
            "peak_rss": f(&ours, "/peak_rss_mb/1") <= MAX_RSS_MB,
            "first_frame": f(&inner, "/first_frame_ms/1") <= MAX_FIRST_FRAME_MS,
        });
        let entry = json!({
            "functions": functions, "pstats_bytes": pstats_size,
            "cprofile_run_ms": case.cprofile_ms, "recorder_run_ms": case.truth_ms,
            "loupe": ours, "flameprof": theirs, "speedup": speedup,
            "cpu_speedup": f(&theirs, "/cpu_ms/1") / f(&ours, "/cpu_ms/1"),
            "loupe_check": our_check, "flameprof_check": peer_check,
            "in_process": inner, "bars_met": bars,
        });
        results.push((case.name, entry.clone()));
        json.insert(case.name.into(), entry);
    }
    json.insert("flameprof".into(), py.flameprof_version.clone().into());
    json.insert(
        "settings".into(),
        json!({ "runs": runs, "peer_runs": peer_runs, "in_process_runs": in_process_runs, "rss_floor_bytes": rss_floor }),
    );
    print_tables(&results, runs, peer_runs, &py.flameprof_version);
    println!(
        "\n(peak RSS as `wait4` reports it; a launched command cannot go below the launcher's {:.1} MB)",
        rss_floor as f64 / 1048576.0
    );
    let path = repo().join("target/bench-profile.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn print_tables(results: &[(&str, Value)], runs: usize, peer_runs: usize, flameprof: &str) {
    let ok = |v: &Value, bar: &str| if v["bars_met"][bar].as_bool() == Some(true) { "" } else { " ✗" };
    println!("pstats → SVG, median of {runs} (loupe) and {peer_runs} ({flameprof}) runs, threshold 0.1%;");
    println!("wall ms (CPU ms); ✗ marks a bar missed (≥ {MIN_SPEEDUP}× faster, ≤ {MAX_RSS_MB} MB, first frame ≤ {MAX_FIRST_FRAME_MS} ms):\n");
    println!("| profile | functions | loupe ms | flameprof ms | speed-up | loupe peak RSS | flameprof peak RSS | parse ms | attribution ms | first frame ms |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (name, v) in results {
        println!(
            "| {name} | {} ({:.0} KB) | {:.1} ({:.1}) | {:.1} ({:.1}) | {:.1}×{} | {:.1} MB{} | {:.1} MB | {:.2} | {:.2} | {:.2}{} |",
            v["functions"],
            f(v, "/pstats_bytes") / 1024.0,
            f(v, "/loupe/wall_ms/1"),
            f(v, "/loupe/cpu_ms/1"),
            f(v, "/flameprof/wall_ms/1"),
            f(v, "/flameprof/cpu_ms/1"),
            f(v, "/speedup"),
            ok(v, "speedup"),
            f(v, "/loupe/peak_rss_mb/1"),
            ok(v, "peak_rss"),
            f(v, "/flameprof/peak_rss_mb/1"),
            f(v, "/in_process/parse_ms/1"),
            f(v, "/in_process/attribute_ms/1"),
            f(v, "/in_process/first_frame_ms/1"),
            ok(v, "first_frame"),
        );
    }
    println!("\nattribution, loupe / flameprof (from each tool's folded stacks; check_folded.py):\n");
    println!("| profile | sum vs total self time | drawn > cumtime by 1% | by 20% | entry `<module>` share | on stacks that never happened | … modulo recursion |");
    println!("|---|---|---|---|---|---|---|");
    for (name, v) in results {
        // "–" where there is no figure (no true stacks with --no-truth).
        let one = |x: f64, digits: usize| if x.is_nan() { "–".to_string() } else { format!("{x:.digits$}") };
        let both = |path: &str, digits: usize| {
            let (a, b) = (f(v, &format!("/loupe_check{path}")), f(v, &format!("/flameprof_check{path}")));
            format!("{} / {}", one(a, digits), one(b, digits))
        };
        println!(
            "| {name} | {} % | {} of {} / {} of {} | {} | {} % | {} % | {} % |",
            both("/conservation_pct", 1),
            v["loupe_check"]["over_cumtime_1pct"],
            v["loupe_check"]["functions_drawn"],
            v["flameprof_check"]["over_cumtime_1pct"],
            v["flameprof_check"]["functions_drawn"],
            both("/over_cumtime_20pct", 0),
            both("/entry_share_pct", 1),
            both("/truth/never_happened_pct", 1),
            both("/truth/never_happened_modulo_recursion_pct", 1),
        );
    }
    println!("\nworst function drawn more than 1% wider than its cumtime (largest excess; ms drawn / cumtime):\n");
    println!("| profile | loupe | flameprof |\n|---|---|---|");
    for (name, v) in results {
        let worst = |tool: &str| match &v[tool]["worst_over_cumtime"] {
            Value::Null => "none".to_string(),
            w => format!(
                "`{}` {:.1} / {:.1}",
                w["name"].as_str().unwrap_or("?"),
                f(w, "/drawn_ns") / 1e6,
                f(w, "/cumtime_ns") / 1e6
            ),
        };
        println!("| {name} | {} | {} |", worst("loupe_check"), worst("flameprof_check"));
    }
    println!("\nthe workloads: ms under cProfile / under the true-stack recorder:\n");
    for (name, v) in results {
        println!("- {name}: {:.0} / {:.0}", f(v, "/cprofile_run_ms"), f(v, "/recorder_run_ms"));
    }
}
