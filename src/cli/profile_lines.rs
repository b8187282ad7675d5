//! `loupe profile --lines [--function NAME]... SCRIPT [ARGS]`: per-line hits and time, as
//! line_profiler's table (or `--json`), for the functions that matter; on a terminal (without
//! `--no-tui`) in the line report view, the times beside the source.
//!
//! With `--function`, exactly those are measured. Without it, the program runs twice: first under
//! cProfile (the normal runner), to pick the user-code functions with the most self time
//! ([`pick_hot_functions`]), then under `adapters/profile/loupe_lines.py`, which measures only
//! those (by cProfile's key: file, first line, name), so the rest of the program runs at full
//! speed. Both runs go through [`launch`], in the sandbox. loupe exits with the program's status,
//! or 2 when a `--function` name matched nothing the program ran.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde_json::json;

use super::args::ProfileArgs;
use super::profile::{launch, FinishedRun};
use crate::profile::lines::{pick_hot_functions, HotFunction, LineProfile, PICK_COVERAGE};
use crate::profile::Profile;

/// loupe's exit status when a `--function` name is wrong (as for any bad command line).
pub const EXIT_BAD_FUNCTION: u8 = 2;

/// `loupe profile --lines`: measures, then prints the table (or `--json`) after the program's own
/// output. Returns loupe's exit status.
pub async fn profile_lines(args: &ProfileArgs) -> anyhow::Result<u8> {
    let (report, run) = match measure_lines(args).await? {
        LinesOutcome::Measured { report, run } => (report, run),
        LinesOutcome::Refused { code } => return Ok(code),
    };
    if !args.lines_json && super::line_report::wants_view(args) {
        super::line_report::show(super::line_report::from_lines(&report, &run.script_name()), args).await?;
    } else if args.lines_json {
        let text = serde_json::to_string_pretty(&report).context("writing the line profile as JSON")?;
        super::stdout::print_line(text)?;
    } else {
        super::stdout::print(report.table())?;
    }
    Ok(run.code)
}

/// What a `--lines` run gave: a report (for the table, `--json` or the TUI's gutter), or a
/// refusal already explained on standard error (a `--function` name that is malformed or
/// matched nothing), with loupe's exit status.
pub enum LinesOutcome {
    Measured { report: LineProfile, run: Box<FinishedRun> },
    Refused { code: u8 },
}

/// Picks the functions (from `--function` or a first cProfile pass) and runs the line-level pass.
pub async fn measure_lines(args: &ProfileArgs) -> anyhow::Result<LinesOutcome> {
    let o = &args.output;
    if o.svg.is_some() || o.folded.is_some() || o.speedscope.is_some() || args.pstats.is_some() {
        note!("loupe: note: --lines writes no flamegraph or pstats files: -o/--svg, --folded, --speedscope and --pstats are ignored");
    }
    for name in &args.line_functions {
        if let Err(why) = check_name(name) {
            note!("loupe: error: --function {name:?} {why}; {NAME_FORMS}");
            return Ok(LinesOutcome::Refused { code: EXIT_BAD_FUNCTION });
        }
    }
    let spec = if args.line_functions.is_empty() {
        let picked = first_pass(args).await?;
        if picked.is_empty() {
            bail!(
                "the first cProfile pass saw no time in the program's own functions (only the \
                 standard library, site-packages or built-ins): name one with --function NAME"
            );
        }
        json!({ "keys": picked.iter().map(|p| json!({
            "file": p.key.file, "line": p.key.line, "name": p.key.name,
        })).collect::<Vec<_>>() })
    } else {
        json!({ "names": args.line_functions })
    };
    let (report, run) = measure(args, &spec).await?;

    if !args.line_functions.is_empty() && !report.unseen.is_empty() {
        // One line per wrong name (one line in all for the usual single typo).
        for unseen in &report.unseen {
            let hint = if unseen.suggestions.is_empty() {
                String::new()
            } else {
                format!(" (closest names that ran: {})", unseen.suggestions.join(", "))
            };
            note!("loupe: error: --function {} matched no function the program ran{hint}; {NAME_FORMS}", unseen.spec);
        }
        return Ok(LinesOutcome::Refused { code: EXIT_BAD_FUNCTION });
    }
    for unseen in &report.unseen {
        note!("loupe: note: {} did not run in the line-level pass", unseen.spec);
    }
    if let Some(why) = report.callbacks.as_deref().and_then(|c| c.strip_prefix("python (")) {
        // On 3.8, a free-threaded build, or a library that failed to load: slower, same figures.
        note!(
            "loupe: note: line events went through Python callbacks, not loupe's compiled ones ({}): \
             the figures are the same, the overhead about twice kernprof's",
            why.trim_end_matches(')')
        );
    }
    Ok(LinesOutcome::Measured { report, run: Box::new(run) })
}

const NAME_FORMS: &str = "give NAME as func, Class.method, module:func or path.py:func";

/// Catches names that can never match (empty parts, spaces) before the program runs.
fn check_name(name: &str) -> Result<(), &'static str> {
    let (place, func) = match name.rsplit_once(':') {
        Some((place, func)) => (Some(place), func),
        None => (None, name),
    };
    if place.is_some_and(|p| p.trim().is_empty()) {
        return Err("has nothing before the ':'");
    }
    if func.is_empty() || func.split('.').any(str::is_empty) {
        return Err("has an empty function name");
    }
    if func.chars().any(char::is_whitespace) {
        return Err("has a space in the function name");
    }
    Ok(())
}

/// Runs the program under cProfile and picks the functions to measure, saying which and why.
async fn first_pass(args: &ProfileArgs) -> anyhow::Result<Vec<HotFunction>> {
    note!("loupe: --lines without --function: a first cProfile pass finds the hot functions");
    let run = launch(args, "loupe_profile", |results| (vec![results.join("profile.prof").display().to_string()], None))
        .await?;
    let pstats = run.results.path().join("profile.prof");
    if !pstats.is_file() {
        bail!(
            "the first pass (cProfile) wrote no profile: the program exited with status {} before \
             it could be saved (killed by SIGKILL or os._exit?); name the functions with --function NAME",
            run.code
        );
    }
    let profile = Profile::load(&pstats)?;
    let not_user = not_user_code(&run);
    let picked = pick_hot_functions(&profile, |file| {
        !not_user.iter().any(|p| Path::new(file).starts_with(p)) && !is_package_file(file)
    });
    if !picked.is_empty() {
        let covered: f64 = picked.iter().map(|p| p.share).sum();
        let names: Vec<String> =
            picked.iter().map(|p| format!("{} {:.0}%", p.key.short_label(), p.share * 100.0)).collect();
        note!(
            "loupe: line-profiling {} function(s) with {:.0}% of the user code's self time (the hottest \
             until {:.0}%, at most {}): {}",
            picked.len(),
            covered * 100.0,
            PICK_COVERAGE * 100.0,
            crate::profile::lines::MAX_PICKED,
            names.join(", ")
        );
    }
    Ok(picked)
}

/// Directories whose code is not the user's: the interpreter's installation and environment
/// (standard library, site-packages) and loupe's own runners.
fn not_user_code(run: &FinishedRun) -> Vec<PathBuf> {
    let mut dirs = vec![run.python.base_prefix.clone(), run.python.prefix.clone()];
    dirs.push(crate::paths::cache_dir().join("adapters"));
    // The script's own directory stays user code even inside an environment's directory.
    let script_dir = run.script.parent().map(Path::to_path_buf);
    dirs.retain(|d| script_dir.as_ref().is_none_or(|s| !s.starts_with(d)));
    dirs
}

fn is_package_file(file: &str) -> bool {
    file.contains("/site-packages/") || file.contains("/dist-packages/")
}

/// The line-level run: `loupe_lines` with `spec`, and its report.
async fn measure(args: &ProfileArgs, spec: &serde_json::Value) -> anyhow::Result<(LineProfile, FinishedRun)> {
    let mut spec = spec.clone();
    // LOUPE_LINES_CALLBACKS=python: the runner's Python callbacks instead of the compiled ones,
    // for the benchmark and the tests that hold the two against each other.
    if std::env::var("LOUPE_LINES_CALLBACKS").as_deref() == Ok("python") {
        spec["callbacks"] = json!("python");
    }
    let run = launch(args, "loupe_lines", |results| {
        (vec![results.join("lines.json").display().to_string(), spec.to_string()], None)
    })
    .await?;
    let report = run.results.path().join("lines.json");
    if !report.is_file() {
        bail!(
            "the line profiler wrote no report: the program exited with status {} before it could be \
             saved (killed by SIGKILL, or ended with os._exit)",
            run.code
        );
    }
    Ok((LineProfile::load(&report)?, run))
}

/// The flame view's "line times here": runs the profiled program again (as "debug here" would,
/// the same interpreter, arguments, working directory, environment and sandbox flags) measuring the one
/// function by its cProfile key, and returns the times as the view's gutter draws them.
pub async fn lines_of_function(
    rerun: &super::flame::Rerun,
    at: &crate::tui::flame::LinesFor,
    output: &super::args::FlameOutputArgs,
) -> anyhow::Result<crate::tui::line_report::LineReport> {
    let Some(script) = &rerun.script else {
        bail!(
            "the profile does not say which script ran, so it cannot run again; use `loupe profile \
             --lines --function {}:{} SCRIPT`",
            at.file.display(),
            at.name
        );
    };
    let mut program = vec![script.display().to_string()];
    program.extend(rerun.args.iter().cloned());
    let args = ProfileArgs {
        output: super::args::FlameOutputArgs { theme: output.theme.clone(), ..Default::default() },
        pstats: None,
        no_sampling: true,
        alloc: false,
        alloc_frames: 32,
        python: rerun.python.clone(),
        cwd: rerun.cwd.clone(),
        env: rerun.env.clone(),
        lines: true,
        line_functions: Vec::new(),
        lines_json: false,
        sandbox: rerun.sandbox.clone(),
        program,
    };
    let spec = json!({ "keys": [{ "file": at.file.display().to_string(), "line": at.line, "name": at.name }] });
    let (report, run) = measure(&args, &spec).await?;
    if report.functions.iter().all(|f| f.lines.is_empty()) {
        bail!("{} did not run this time (the program exited with status {})", at.name, run.code);
    }
    Ok(super::line_report::from_lines(&report, &run.script_name()))
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn every_name_form_passes_and_malformed_names_say_why() {
        for good in ["crunch", "Grid.smooth", "lines_workload:helper", "app/models.py:Model.save", "__main__:main"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        assert_eq!(check_name("Grid."), Err("has an empty function name"));
        assert_eq!(check_name("mod:"), Err("has an empty function name"));
        assert_eq!(check_name(":func"), Err("has nothing before the ':'"));
        assert_eq!(check_name("my func"), Err("has a space in the function name"));
    }
}
