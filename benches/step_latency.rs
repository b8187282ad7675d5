//! Step latency against real debugpy: loupe's TCP_NODELAY fix versus stock debugpy.
//!
//! Run with `cargo bench --bench step_latency` (see `benches/README.md`). One run measures, for
//! each mode (`fix`: `DebugpyLauncher { nodelay: true }`, `stock`: `nodelay: false`):
//!
//! 1. The step round trip a front end makes after every `next`: `resume(Next)` → the `Stopped`
//!    event → `stack_trace` → `scopes` of the top frame → `variables` of the Locals scope.
//! 2. Launch to the first breakpoint stop: `Session::start` → `add_breakpoint` →
//!    `configuration_done` → the `Stopped` event.
//!
//! It prints a table and writes the figures as JSON to `target/bench-step-latency.json`.
//!
//! Settings (environment variable, or the same name as a `--flag value` argument, e.g.
//! `cargo bench --bench step_latency -- --steps 500`):
//!
//! | variable                    | flag            | default                  |
//! |-----------------------------|-----------------|--------------------------|
//! | `LOUPE_BENCH_PYTHON`        | `--python`      | `.venv-test/bin/python`  |
//! | `LOUPE_BENCH_STEPS`         | `--steps`       | 200 (timed steps, fix)   |
//! | `LOUPE_BENCH_STOCK_STEPS`   | `--stock-steps` | 40 (timed steps, stock)  |
//! | `LOUPE_BENCH_WARMUP`        | `--warmup`      | 5 (untimed steps first)  |
//! | `LOUPE_BENCH_LAUNCHES`      | `--launches`    | 5 (launches per mode)    |
//! | `LOUPE_BENCH_OUT`           | `--out`         | `target/bench-step-latency.json` |
//! | `LOUPE_BENCH_LOG`           | `--log`         | off; e.g. `info,loupe::dap::wire=trace` |
//! | `LOUPE_BENCH_LOG_FILE`      | `--log-file`    | `target/bench-step-latency.log` |
//! | `LOUPE_BENCH_MODES`         | `--modes`       | `fix,stock`              |

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};

use loupe::dap::debugpy::{DebugpyLauncher, DebugpySpec, LaunchSpec};
use loupe::dap::provision::{self, DebugpySource};
use loupe::pyenv::interpreter::{self, Interpreter};
use loupe::sandbox::StdioMode;
use loupe::session::{
    BreakpointId, BreakpointSpec, ProgramSpec, ResumeAction, ScopeKind, Session, SessionEvent, StopInfo, StopReason,
    Target,
};

/// The program stepped through, and the marker of its breakpoint line.
const PROGRAM: &str = "benches/programs/step_loop.py";
const BREAKPOINT_MARKER: &str = "# loupe-bench: breakpoint";
/// A guard against a wedged debugger, not a timing assertion.
const EVENT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Fix,
    Stock,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Fix => "fix",
            Mode::Stock => "stock",
        }
    }

    fn nodelay(self) -> bool {
        self == Mode::Fix
    }
}

struct Settings {
    python: PathBuf,
    steps: usize,
    stock_steps: usize,
    warmup: usize,
    launches: usize,
    out: PathBuf,
    log: Option<String>,
    log_file: PathBuf,
    modes: Vec<Mode>,
}

impl Settings {
    fn from_env_and_args() -> anyhow::Result<Settings> {
        let repo = repo();
        // Flags override environment variables. `cargo bench` itself passes `--bench`; ignore it
        // and anything else this benchmark does not know.
        let mut flags: BTreeMap<String, String> = BTreeMap::new();
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            if let Some(name) = arg.strip_prefix("--") {
                if let Some((name, value)) = name.split_once('=') {
                    flags.insert(name.to_string(), value.to_string());
                } else if KNOWN_FLAGS.contains(&name) {
                    let value = args.get(i + 1).with_context(|| format!("--{name} needs a value"))?;
                    flags.insert(name.to_string(), value.clone());
                    i += 1;
                }
            }
            i += 1;
        }
        let get = |flag: &str, var: &str| -> Option<String> {
            flags.get(flag).cloned().or_else(|| std::env::var(var).ok()).filter(|v| !v.trim().is_empty())
        };
        let count = |flag: &str, var: &str, default: usize| -> anyhow::Result<usize> {
            match get(flag, var) {
                None => Ok(default),
                Some(v) => v.trim().parse().with_context(|| format!("{var} / --{flag}: not a count: {v:?}")),
            }
        };
        let modes = match get("modes", "LOUPE_BENCH_MODES") {
            None => vec![Mode::Fix, Mode::Stock],
            Some(list) => list
                .split(',')
                .map(|m| match m.trim() {
                    "fix" => Ok(Mode::Fix),
                    "stock" => Ok(Mode::Stock),
                    other => bail!("unknown mode {other:?} (use fix, stock or fix,stock)"),
                })
                .collect::<anyhow::Result<_>>()?,
        };
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo.join("target"));
        Ok(Settings {
            python: get("python", "LOUPE_BENCH_PYTHON")
                .map(PathBuf::from)
                .unwrap_or_else(|| repo.join(".venv-test/bin/python")),
            steps: count("steps", "LOUPE_BENCH_STEPS", 200)?,
            stock_steps: count("stock-steps", "LOUPE_BENCH_STOCK_STEPS", 40)?,
            warmup: count("warmup", "LOUPE_BENCH_WARMUP", 5)?,
            launches: count("launches", "LOUPE_BENCH_LAUNCHES", 5)?,
            out: get("out", "LOUPE_BENCH_OUT")
                .map(PathBuf::from)
                .unwrap_or_else(|| target.join("bench-step-latency.json")),
            log: get("log", "LOUPE_BENCH_LOG"),
            log_file: get("log-file", "LOUPE_BENCH_LOG_FILE")
                .map(PathBuf::from)
                .unwrap_or_else(|| target.join("bench-step-latency.log")),
            modes,
        })
    }

    fn steps_for(&self, mode: Mode) -> usize {
        match mode {
            Mode::Fix => self.steps,
            Mode::Stock => self.stock_steps,
        }
    }
}

const KNOWN_FLAGS: &[&str] =
    &["python", "steps", "stock-steps", "warmup", "launches", "out", "log", "log-file", "modes"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Summary of a set of durations, in milliseconds.
#[derive(Debug, Clone)]
struct Stats {
    n: usize,
    min: f64,
    median: f64,
    p90: f64,
    max: f64,
    mean: f64,
}

impl Stats {
    fn of(samples: &[Duration]) -> Option<Stats> {
        if samples.is_empty() {
            return None;
        }
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let n = ms.len();
        let median = if n % 2 == 1 { ms[n / 2] } else { (ms[n / 2 - 1] + ms[n / 2]) / 2.0 };
        // Nearest-rank percentile.
        let p90 = ms[((0.9 * n as f64).ceil() as usize).clamp(1, n) - 1];
        Some(Stats { n, min: ms[0], median, p90, max: ms[n - 1], mean: ms.iter().sum::<f64>() / n as f64 })
    }

    fn to_json(&self) -> Value {
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        json!({
            "n": self.n, "min_ms": r(self.min), "median_ms": r(self.median), "p90_ms": r(self.p90),
            "max_ms": r(self.max), "mean_ms": r(self.mean),
        })
    }
}

/// One timed step, split into its parts.
#[derive(Debug, Clone, Copy)]
struct StepTiming {
    /// `resume(Next)` sent until the `Stopped` event arrives.
    to_stopped: Duration,
    stack_trace: Duration,
    scopes: Duration,
    variables: Duration,
    total: Duration,
}

struct StepResult {
    mode: Mode,
    timings: Vec<StepTiming>,
    first_line: i64,
    last_line: i64,
    locals_seen: usize,
}

impl StepResult {
    fn stats(&self, part: impl Fn(&StepTiming) -> Duration) -> Option<Stats> {
        Stats::of(&self.timings.iter().map(part).collect::<Vec<_>>())
    }
}

/// One launch to the first breakpoint stop, split into its parts.
#[derive(Debug, Clone, Copy)]
struct LaunchTiming {
    /// `Session::start`: adapter spawned, initialize, launch, `initialized`.
    start: Duration,
    add_breakpoint: Duration,
    /// `configuration_done` until the `Stopped` event.
    to_stopped: Duration,
    total: Duration,
}

struct Bench {
    settings: Settings,
    interpreter: Interpreter,
    debugpy: DebugpySource,
    program: PathBuf,
    breakpoint_line: i64,
}

impl Bench {
    fn launcher(&self, mode: Mode) -> DebugpyLauncher {
        let program = ProgramSpec {
            target: Target::Program(self.program.clone()),
            args: vec![],
            cwd: repo(),
            env: BTreeMap::new(),
            unset_env: vec![],
            stop_on_entry: false,
            interpreter: self.interpreter.clone(),
            // What users get: the default sandbox.
            sandbox: loupe::sandbox::for_debugging(&Default::default(), vec![repo()], None)
                .expect("setting up the sandbox"),
        };
        let spec = LaunchSpec { program, just_my_code: true, debugpy: self.debugpy.clone(), stdin: StdioMode::Null };
        DebugpyLauncher { spec: DebugpySpec::Launch(Box::new(spec)), nodelay: mode.nodelay() }
    }

    /// Launches the program and runs to the breakpoint; returns the session stopped there.
    async fn launch_to_breakpoint(
        &self,
        mode: Mode,
    ) -> anyhow::Result<(Session, StopInfo, BreakpointId, LaunchTiming)> {
        let t0 = Instant::now();
        let mut session = Session::start(Box::new(self.launcher(mode)))
            .await
            .with_context(|| format!("starting ({})", mode.name()))?;
        let t1 = Instant::now();
        let b = session.add_breakpoint(BreakpointSpec::line(self.program.clone(), self.breakpoint_line)).await?;
        if !b.verified {
            bail!("breakpoint at {}:{} not verified: {:?}", self.program.display(), self.breakpoint_line, b.message);
        }
        let t2 = Instant::now();
        session.configuration_done().await?;
        let stop = wait_for_stop(&mut session).await.context("waiting for the first breakpoint stop")?;
        let t3 = Instant::now();
        if stop.reason != StopReason::Breakpoint {
            bail!("first stop was {:?}, expected the breakpoint", stop.reason);
        }
        let timing = LaunchTiming { start: t1 - t0, add_breakpoint: t2 - t1, to_stopped: t3 - t2, total: t3 - t0 };
        Ok((session, stop, b.id, timing))
    }

    /// One step round trip, as a front end does it after `next`.
    async fn step(&self, session: &mut Session, thread: i64) -> anyhow::Result<(StepTiming, i64, usize)> {
        let t0 = Instant::now();
        session.resume(thread, ResumeAction::Next).await?;
        let stop = wait_for_stop(session).await?;
        let t1 = Instant::now();
        if stop.reason != StopReason::Step {
            bail!("a step stopped with reason {:?}", stop.reason);
        }
        let frames = session.stack_trace(stop.thread, None).await?;
        let t2 = Instant::now();
        let top = frames.first().context("empty stack")?;
        let scopes = session.scopes(top.id).await?;
        let t3 = Instant::now();
        let locals = scopes.iter().find(|s| s.kind == ScopeKind::Locals).context("no Locals scope")?;
        let page = session.variables(locals.variables, 0, 1000).await?;
        let t4 = Instant::now();
        let timing = StepTiming {
            to_stopped: t1 - t0,
            stack_trace: t2 - t1,
            scopes: t3 - t2,
            variables: t4 - t3,
            total: t4 - t0,
        };
        Ok((timing, top.line, page.variables.len()))
    }

    async fn measure_steps(&self, mode: Mode) -> anyhow::Result<StepResult> {
        let n = self.settings.steps_for(mode);
        eprintln!("[{}] stepping: {} warm-up + {n} timed steps", mode.name(), self.settings.warmup);
        let (mut session, stop, breakpoint, _) = self.launch_to_breakpoint(mode).await?;
        // debugpy reports a `next` that lands on a breakpoint line as a breakpoint stop; with the
        // breakpoint gone every stop is a plain step.
        session.remove_breakpoint(breakpoint).await?;
        let thread = stop.thread;
        let mut timings = Vec::with_capacity(n);
        let (mut first_line, mut last_line, mut locals_seen) = (0, 0, 0);
        for i in 0..self.settings.warmup + n {
            let (timing, line, locals) =
                self.step(&mut session, thread).await.with_context(|| format!("step {} ({})", i + 1, mode.name()))?;
            if i == self.settings.warmup {
                first_line = line;
            }
            last_line = line;
            locals_seen = locals_seen.max(locals);
            if i >= self.settings.warmup {
                timings.push(timing);
            }
        }
        finish(session).await;
        Ok(StepResult { mode, timings, first_line, last_line, locals_seen })
    }
}

/// Waits for the next stop, skipping output, thread and other events.
async fn wait_for_stop(session: &mut Session) -> anyhow::Result<StopInfo> {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, session.next_event()).await {
            Err(_) => bail!("no stop within {} s", EVENT_TIMEOUT.as_secs()),
            Ok(None) => bail!("the session ended before stopping"),
            Ok(Some(SessionEvent::Stopped(stop))) => return Ok(stop),
            Ok(Some(SessionEvent::Exited { code, .. })) => bail!("the program exited (code {code}) before stopping"),
            Ok(Some(SessionEvent::Terminated)) => bail!("the session terminated before stopping"),
            Ok(Some(SessionEvent::Problem(p))) => eprintln!("  (backend problem: {p})"),
            Ok(Some(_)) => {}
        }
    }
}

/// Ends the debuggee and waits (briefly) for the session to say so, so runs do not overlap.
async fn finish(mut session: Session) {
    if let Err(e) = session.terminate().await {
        eprintln!("  (terminate failed: {e:#})");
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(e) = session.next_event().await {
            if matches!(e, SessionEvent::Terminated) {
                break;
            }
        }
    })
    .await;
    drop(session);
    // Let the adapter and the debuggee exit before the next measurement.
    tokio::time::sleep(Duration::from_millis(200)).await;
}

fn find_breakpoint_line(program: &Path) -> anyhow::Result<i64> {
    let text = std::fs::read_to_string(program).with_context(|| format!("reading {}", program.display()))?;
    let index = text
        .lines()
        .position(|l| l.contains(BREAKPOINT_MARKER) && !l.trim_start().starts_with('#'))
        .with_context(|| format!("no line marked {BREAKPOINT_MARKER:?} in {}", program.display()))?;
    Ok(index as i64 + 1)
}

fn machine() -> Value {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let kernel =
        std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()).unwrap_or_default();
    json!({ "cores": cores, "cpu": cpu, "os": std::env::consts::OS, "kernel": kernel })
}

fn print_stats_row(label: &str, s: &Option<Stats>) {
    match s {
        Some(s) => println!(
            "  {label:<28} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            s.n, s.min, s.median, s.p90, s.max, s.mean
        ),
        None => println!("  {label:<28} (no samples)"),
    }
}

fn print_header(title: &str) {
    println!("\n{title}");
    println!("  {:<28} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9}", "ms", "n", "min", "median", "p90", "max", "mean");
}

fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env_and_args()?;
    let log_path = match &settings.log {
        Some(level) => Some(loupe::logging::init(level, Some(&settings.log_file), loupe::logging::Opening::Now)?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(settings, log_path))
}

async fn run(settings: Settings, log_path: Option<PathBuf>) -> anyhow::Result<()> {
    if !settings.python.exists() {
        bail!(
            "no interpreter at {}: run `scripts/setup-test-env.sh` (creates .venv-test with debugpy) or set LOUPE_BENCH_PYTHON",
            settings.python.display()
        );
    }
    let interpreter = interpreter::resolve(Some(&settings.python), &repo()).await?;
    let debugpy = provision::ensure_debugpy(&interpreter, &mut |line| eprintln!("  {line}")).await?;
    let program = repo().join(PROGRAM);
    let breakpoint_line = find_breakpoint_line(&program)?;
    let debugpy_version = debugpy.version().to_string();
    eprintln!(
        "python {} ({}), debugpy {debugpy_version}, {} cores; breakpoint {}:{breakpoint_line}",
        interpreter.version,
        interpreter.path.display(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        PROGRAM,
    );
    let bench = Bench { settings, interpreter, debugpy, program, breakpoint_line };

    // 1. Step round trips, one session per mode.
    let mut steps = Vec::new();
    for &mode in &bench.settings.modes {
        steps.push(bench.measure_steps(mode).await?);
    }

    // 2. Launch to first stop, modes interleaved so drift in machine load hits both alike.
    let mut launches: BTreeMap<&'static str, Vec<LaunchTiming>> = BTreeMap::new();
    for i in 0..bench.settings.launches {
        for &mode in &bench.settings.modes {
            eprintln!("[{}] launch {}/{}", mode.name(), i + 1, bench.settings.launches);
            let (session, _, _, timing) = bench.launch_to_breakpoint(mode).await?;
            finish(session).await;
            launches.entry(mode.name()).or_default().push(timing);
        }
    }

    // Report.
    println!("\nloupe step latency: {} via debugpy {debugpy_version}, python {}", PROGRAM, bench.interpreter.version);
    println!(
        "step = resume(Next) -> Stopped -> stack_trace -> scopes(top frame) -> variables(Locals); {} warm-up steps not counted",
        bench.settings.warmup
    );
    for r in &steps {
        print_header(&format!(
            "[{}] step round trip (nodelay: {}), first timed stop at line {}, last at line {}, {} locals",
            r.mode.name(),
            r.mode.nodelay(),
            r.first_line,
            r.last_line,
            r.locals_seen
        ));
        print_stats_row("total", &r.stats(|t| t.total));
        print_stats_row("  resume -> Stopped", &r.stats(|t| t.to_stopped));
        print_stats_row("  stack_trace", &r.stats(|t| t.stack_trace));
        print_stats_row("  scopes", &r.stats(|t| t.scopes));
        print_stats_row("  variables", &r.stats(|t| t.variables));
    }
    let median_of =
        |mode: Mode| steps.iter().find(|r| r.mode == mode).and_then(|r| r.stats(|t| t.total)).map(|s| s.median);
    let ratio = match (median_of(Mode::Stock), median_of(Mode::Fix)) {
        (Some(stock), Some(fix)) if fix > 0.0 => Some(stock / fix),
        _ => None,
    };
    if let Some(ratio) = ratio {
        println!("\n  stock/fix ratio of step medians: {ratio:.1}x");
    }
    if let Some(fix) = median_of(Mode::Fix) {
        println!("  fix median {fix:.2} ms: {} the 10 ms target", if fix <= 10.0 { "meets" } else { "MISSES" });
    }

    let launch_stats = |mode: &str, part: fn(&LaunchTiming) -> Duration| {
        launches.get(mode).and_then(|l| Stats::of(&l.iter().map(part).collect::<Vec<_>>()))
    };
    for &mode in &bench.settings.modes {
        print_header(&format!("[{}] launch to first breakpoint stop", mode.name()));
        print_stats_row("total", &launch_stats(mode.name(), |t| t.total));
        print_stats_row("  Session::start", &launch_stats(mode.name(), |t| t.start));
        print_stats_row("  add_breakpoint", &launch_stats(mode.name(), |t| t.add_breakpoint));
        print_stats_row("  configuration_done -> Stop", &launch_stats(mode.name(), |t| t.to_stopped));
    }

    // JSON.
    let opt = |s: Option<Stats>| s.map(|s| s.to_json()).unwrap_or(Value::Null);
    let mut step_json = serde_json::Map::new();
    for r in &steps {
        step_json.insert(
            r.mode.name().into(),
            json!({
                "nodelay": r.mode.nodelay(),
                "steps": r.timings.len(),
                "total": opt(r.stats(|t| t.total)),
                "resume_to_stopped": opt(r.stats(|t| t.to_stopped)),
                "stack_trace": opt(r.stats(|t| t.stack_trace)),
                "scopes": opt(r.stats(|t| t.scopes)),
                "variables": opt(r.stats(|t| t.variables)),
                "samples_ms": r.timings.iter().map(|t| (t.total.as_secs_f64() * 1e6).round() / 1e3).collect::<Vec<_>>(),
            }),
        );
    }
    let mut launch_json = serde_json::Map::new();
    for &mode in &bench.settings.modes {
        launch_json.insert(
            mode.name().into(),
            json!({
                "nodelay": mode.nodelay(),
                "total": opt(launch_stats(mode.name(), |t| t.total)),
                "session_start": opt(launch_stats(mode.name(), |t| t.start)),
                "add_breakpoint": opt(launch_stats(mode.name(), |t| t.add_breakpoint)),
                "configuration_done_to_stopped": opt(launch_stats(mode.name(), |t| t.to_stopped)),
            }),
        );
    }
    let report = json!({
        "benchmark": "step_latency",
        "program": PROGRAM,
        "breakpoint_line": bench.breakpoint_line,
        "python": { "path": bench.interpreter.path, "version": bench.interpreter.version },
        "debugpy": debugpy_version,
        "machine": machine(),
        "warmup_steps": bench.settings.warmup,
        "step_round_trip": step_json,
        "stock_over_fix_median_ratio": ratio.map(|r| (r * 100.0).round() / 100.0),
        "launch_to_first_stop": launch_json,
        "launches_per_mode": bench.settings.launches,
    });
    if let Some(dir) = bench.settings.out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&bench.settings.out, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("writing {}", bench.settings.out.display()))?;
    println!("\nfigures written to {}", bench.settings.out.display());
    if let Some(log) = log_path {
        println!("log written to {}", log.display());
    }
    Ok(())
}
