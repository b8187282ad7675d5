//! The pdb and ipdb backend against raw `python -m pdb` in a pseudo-terminal, in one run:
//!
//! 1. **Step round trip**: loupe types `next` and waits for the structured state a front end
//!    shows — `resume(Next)` → the `Stopped` event → `stack_trace` → `scopes` → `variables` of the
//!    Locals scope. Raw pdb: `next` typed, until its `(Pdb) ` prompt is back (the text, which is
//!    all raw pdb offers).
//! 2. **Time to first stop**: loupe `Session::start` → `configuration_done` → the entry stop
//!    (the interpreter already probed, as `loupe run` does once per run: probing is shared with
//!    the debugpy backend and measured apart); raw pdb: spawn → the first `(Pdb) ` prompt.
//!
//! Program: `benches/programs/step_loop.py`, stopped at its marked line first. Targets (issue 4):
//! pdb step median ≤ 2 ms, ipdb ≤ 15 ms, first stop ≤ 1.3× raw pdb.
//!
//! `cargo bench --bench pdb_latency [-- --steps N --launches N]`; JSON in
//! `target/bench-pdb-latency.json`.

mod common;

use std::io::{Read, Write};
use std::path::PathBuf;

use common::{python, repo, setting, summary};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use loupe::pdb::{Debugger, PdbLauncher, PdbSpec};
use loupe::session::{BreakpointSpec, ProgramSpec, ResumeAction, ScopeKind, Session, SessionEvent, StopInfo, Target};
use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use serde_json::json;

fn program() -> PathBuf {
    repo().join("benches/programs/step_loop.py")
}

fn marked_line() -> i64 {
    let text = std::fs::read_to_string(program()).unwrap_or_default();
    text.lines().position(|l| l.contains("# loupe-bench: breakpoint")).map(|i| i as i64 + 1).unwrap_or(16)
}

// ----- loupe -----

async fn interpreter() -> anyhow::Result<loupe::pyenv::interpreter::Interpreter> {
    loupe::pyenv::interpreter::resolve(Some(&python()), &repo()).await
}

async fn loupe_session(debugger: Debugger, stop_on_entry: bool) -> anyhow::Result<Session> {
    let interpreter = interpreter().await?;
    start_session(debugger, stop_on_entry, interpreter).await
}

async fn start_session(
    debugger: Debugger,
    stop_on_entry: bool,
    interpreter: loupe::pyenv::interpreter::Interpreter,
) -> anyhow::Result<Session> {
    let program = ProgramSpec {
        target: Target::Program(program()),
        args: vec![],
        cwd: repo(),
        env: Default::default(),
        unset_env: vec![],
        stop_on_entry,
        interpreter,
        // What users get: the default sandbox.
        sandbox: loupe::sandbox::for_debugging(&Default::default(), vec![repo()], None)?,
    };
    let spec = PdbSpec { program, debugger };
    Session::start(Box::new(PdbLauncher { spec, terminal: Default::default() })).await
}

async fn wait_for_stop(session: &mut Session) -> anyhow::Result<StopInfo> {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), session.next_event()).await {
            Err(_) => bail!("no stop within 30 s"),
            Ok(None) => bail!("the session ended before stopping"),
            Ok(Some(SessionEvent::Stopped(stop))) => return Ok(stop),
            Ok(Some(SessionEvent::Exited { code, .. })) => bail!("the program exited ({code}) before stopping"),
            Ok(Some(_)) => {}
        }
    }
}

async fn finish(mut session: Session) {
    let _ = session.terminate().await;
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(e) = session.next_event().await {
            if matches!(e, SessionEvent::Terminated) {
                break;
            }
        }
    })
    .await;
}

async fn loupe_steps(debugger: Debugger, steps: usize) -> anyhow::Result<Vec<Duration>> {
    let mut session = loupe_session(debugger, false).await?;
    let b = session.add_breakpoint(BreakpointSpec::line(program(), marked_line())).await?;
    session.configuration_done().await?;
    let stop = wait_for_stop(&mut session).await.context("the first breakpoint stop")?;
    session.remove_breakpoint(b.id).await?;
    let mut samples = Vec::with_capacity(steps);
    for k in 0..steps + 5 {
        let started = Instant::now();
        session.resume(stop.thread, ResumeAction::Next).await?;
        let stopped = wait_for_stop(&mut session).await?;
        let frames = session.stack_trace(stopped.thread, None).await?;
        let top = frames.first().context("no frames")?;
        let scopes = session.scopes(top.id).await?;
        let locals = scopes.iter().find(|s| s.kind == ScopeKind::Locals).context("no locals")?;
        let page = session.variables(locals.variables, 0, 1000).await?;
        if page.variables.is_empty() {
            bail!("no locals at line {}", top.line);
        }
        if k >= 5 {
            samples.push(started.elapsed());
        }
    }
    finish(session).await;
    Ok(samples)
}

async fn loupe_first_stop(debugger: Debugger, launches: usize) -> anyhow::Result<Vec<Duration>> {
    // The interpreter is probed once, as `loupe run` does before it starts any backend.
    let interpreter = interpreter().await?;
    let mut samples = Vec::new();
    for _ in 0..launches {
        let started = Instant::now();
        let mut session = start_session(debugger, true, interpreter.clone()).await?;
        session.configuration_done().await?;
        wait_for_stop(&mut session).await?;
        samples.push(started.elapsed());
        finish(session).await;
    }
    Ok(samples)
}

// ----- raw pdb in a PTY -----

struct RawPdb {
    writer: Box<dyn Write + Send>,
    seen: Arc<(Mutex<Vec<u8>>, Condvar)>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl RawPdb {
    fn spawn() -> anyhow::Result<(RawPdb, Instant)> {
        let pair = native_pty_system().openpty(PtySize { rows: 40, cols: 120, pixel_width: 0, pixel_height: 0 })?;
        let mut command = CommandBuilder::new(python());
        command.args(["-m", "pdb"]);
        command.arg(program());
        command.cwd(repo());
        let started = Instant::now();
        let child = pair.slave.spawn_command(command)?;
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader()?;
        let writer = pair.master.take_writer()?;
        let seen: Arc<(Mutex<Vec<u8>>, Condvar)> = Arc::default();
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            let _keep_master = pair.master;
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.0.lock().unwrap().extend_from_slice(&buf[..n]);
                sink.1.notify_all();
            }
        });
        Ok((RawPdb { writer, seen, child }, started))
    }

    /// Waits until the output ends with pdb's prompt, then forgets what was seen.
    fn wait_prompt(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        let (lock, wake) = &*self.seen;
        let mut seen = lock.lock().unwrap();
        loop {
            if seen.ends_with(b"(Pdb) ") {
                seen.clear();
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                bail!("no (Pdb) prompt: {}", String::from_utf8_lossy(&seen));
            }
            seen = wake.wait_timeout(seen, deadline - now).unwrap().0;
        }
    }

    fn type_line(&mut self, line: &str) -> anyhow::Result<()> {
        self.writer.write_all(format!("{line}\r").as_bytes())?;
        Ok(self.writer.flush()?)
    }
}

impl Drop for RawPdb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn raw_steps(steps: usize) -> anyhow::Result<Vec<Duration>> {
    let (mut pdb, _) = RawPdb::spawn()?;
    pdb.wait_prompt()?;
    pdb.type_line(&format!("break {}", marked_line()))?;
    pdb.wait_prompt()?;
    pdb.type_line("continue")?;
    pdb.wait_prompt()?;
    pdb.type_line("clear 1")?;
    pdb.wait_prompt()?;
    let mut samples = Vec::with_capacity(steps);
    for k in 0..steps + 5 {
        let started = Instant::now();
        pdb.type_line("next")?;
        pdb.wait_prompt()?;
        if k >= 5 {
            samples.push(started.elapsed());
        }
    }
    Ok(samples)
}

fn raw_first_stop(launches: usize) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::new();
    for _ in 0..launches {
        let (pdb, started) = RawPdb::spawn()?;
        pdb.wait_prompt()?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list") {
        return Ok(());
    }
    let steps = setting("LOUPE_BENCH_STEPS", "--steps", 300);
    let launches = setting("LOUPE_BENCH_LAUNCHES", "--launches", 10);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let mut rows = Vec::new();
    eprintln!("raw pdb: {steps} steps, {launches} launches…");
    rows.push(("raw python -m pdb: next → prompt", summary(&mut raw_steps(steps)?)));
    let mut raw_first = raw_first_stop(launches)?;
    eprintln!("loupe pdb…");
    rows.push(("loupe pdb: next → state", summary(&mut runtime.block_on(loupe_steps(Debugger::Pdb, steps))?)));
    eprintln!("loupe ipdb…");
    rows.push(("loupe ipdb: next → state", summary(&mut runtime.block_on(loupe_steps(Debugger::Ipdb, steps))?)));
    // First stops interleaved launch by launch would be fairer still; alternate whole series.
    let mut loupe_first = runtime.block_on(loupe_first_stop(Debugger::Pdb, launches))?;
    let mut raw_again = raw_first_stop(launches)?;
    raw_first.append(&mut raw_again);
    let raw_first = summary(&mut raw_first);
    let loupe_first = summary(&mut loupe_first);
    rows.push(("raw python -m pdb: first prompt", raw_first));
    rows.push(("loupe pdb: first stop (entry)", loupe_first));

    println!("{:<36} {:>8} {:>8} {:>8} {:>8}", "ms", "min", "median", "p90", "max");
    for (name, s) in &rows {
        println!("{name:<36} {:>8.3} {:>8.3} {:>8.3} {:>8.3}", s[0], s[1], s[2], s[3]);
    }
    let ratio = loupe_first[1] / raw_first[1];
    println!("first stop, median: loupe pdb / raw pdb = {ratio:.2}");
    let report = json!({
        "rows": rows.iter().map(|(n, s)| json!({"name": n, "min_median_p90_max_ms": s})).collect::<Vec<_>>(),
        "first_stop_ratio": ratio,
    });
    let out = repo().join("target/bench-pdb-latency.json");
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}
