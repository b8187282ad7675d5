//! `loupe profile SCRIPT [ARGS]`: runs the script under cProfile (through the sandbox, like every
//! Python process loupe starts), then shows or writes the flamegraph. The runner
//! (`adapters/profile/loupe_profile.py`) is `python -m cProfile -o FILE` except that it keeps the
//! script's exit status (cProfile's own runner swallows `SystemExit`); like it, it writes the
//! statistics even when the script raises, so a failing program still gets its profile. loupe then
//! exits with the program's status.
//!
//! [`launch`] is the part every profiling mode shares: resolve the script, the interpreter and the
//! working directory, and run a runner module from `adapters/profile/` in the sandbox with a
//! private directory the runner may write its results to.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::args::ProfileArgs;
use super::flame::{self, Rerun};
use crate::profile::Profile;
use crate::pyenv::interpreter::{self, Interpreter};
use crate::sandbox::{self, Policy, Purpose, PythonProcess, RunOptions, Sandbox, StdioMode};

pub async fn profile(args: ProfileArgs) -> anyhow::Result<u8> {
    if args.lines {
        return super::profile_lines::profile_lines(&args).await;
    }
    if args.alloc {
        return super::profile_alloc::profile_alloc(&args).await;
    }
    // Where cProfile writes: the user's --pstats file, or one in the run's private directory.
    let pstats_choice = args.pstats.as_deref().map(std::path::absolute).transpose()?;
    let run = launch(&args, "loupe_profile", |results| {
        let pstats = pstats_choice.clone().unwrap_or_else(|| results.join("profile.prof"));
        let _ = std::fs::remove_file(&pstats);
        // The runner writes its stack samples beside the statistics unless told not to.
        let mut runner_args = vec![pstats.display().to_string()];
        if args.no_sampling {
            runner_args.insert(0, "--no-sampling".into());
        }
        (runner_args, pstats.parent().map(Path::to_path_buf))
    })
    .await?;
    let pstats = pstats_choice.unwrap_or_else(|| run.results.path().join("profile.prof"));
    // The sampler's raw dumps, left only when the program was killed before the runner could
    // turn them into FILE.prof.stacks.
    let mut raw = crate::profile::samples::Samples::path_beside(&pstats).into_os_string();
    raw.push(".raw");
    let _ = std::fs::remove_file(raw);
    if !pstats.is_file() {
        bail!(
            "cProfile wrote no profile (the program exited with status {} before it could be saved, \
             e.g. killed by SIGKILL or os._exit)",
            run.code
        );
    }
    let profile = Profile::load(&pstats)?;
    let name = run.script_name();
    flame::present(profile, &name, None, &args.output, run.rerun(&args)).await?;
    if let Some(p) = &args.pstats {
        note!("loupe: pstats written to {}", p.display());
    }
    Ok(run.code)
}

/// A profiled run that has finished: what ran, how it ended, and where its results are.
pub struct FinishedRun {
    pub python: Interpreter,
    pub script: PathBuf,
    pub script_args: Vec<String>,
    pub cwd: PathBuf,
    /// The program's exit status (128 + N for a signal), which `loupe profile` exits with.
    pub code: u8,
    /// A private directory the runner could write to; removed when this is dropped.
    pub results: tempfile::TempDir,
}

impl FinishedRun {
    pub fn script_name(&self) -> String {
        self.script.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// How the flame view's "debug here" starts the same program under the debugger.
    pub fn rerun(&self, args: &ProfileArgs) -> Rerun {
        Rerun {
            python: Some(self.python.path.clone()),
            script: Some(self.script.clone()),
            args: self.script_args.clone(),
            cwd: Some(self.cwd.clone()),
            env: args.env.clone(),
            base_dir: Some(self.cwd.clone()),
            sandbox: args.sandbox.clone(),
        }
    }
}

/// Runs `python -m RUNNER RUNNER_ARGS... SCRIPT ARGS...` in the sandbox and waits for it.
/// `runner_args` gets the private results directory and returns the runner's own arguments and,
/// if the runner writes somewhere else too, that directory (so the policy lets it write there).
pub async fn launch(
    args: &ProfileArgs,
    runner: &str,
    runner_args: impl FnOnce(&Path) -> (Vec<String>, Option<PathBuf>),
) -> anyhow::Result<FinishedRun> {
    let Some((script, script_args)) = args.program.split_first() else {
        bail!("nothing to profile: give a SCRIPT (and its arguments), e.g. `loupe profile app.py --size 10`");
    };
    let script = std::path::absolute(script).context("reading the current directory")?;
    if !script.is_file() {
        bail!("{} does not exist (or is not a file): give the path of a Python script", script.display());
    }
    let cwd_now = std::env::current_dir().context("reading the current directory")?;
    let cwd = super::working_directory(args.cwd.as_deref(), &cwd_now)?;
    let env = flame::parse_env(&args.env)?;
    let python = interpreter::resolve(args.python.as_deref(), &cwd_now).await?;

    let results = tempfile::tempdir().context("creating a temporary directory for the profile")?;
    let (mut command_args, extra_write) = runner_args(results.path());
    command_args.splice(0..0, ["-m".to_string(), runner.to_string()]);
    command_args.push(script.display().to_string());
    command_args.extend(script_args.iter().cloned());
    // The program runs confined like a debuggee (no wall-clock limit: profiling takes as long as
    // the program does); the runner writes its results where the policy lets it write.
    let mut overrides = args.sandbox.with_config_file(&args.env)?;
    overrides.allow_write.push(results.path().to_path_buf());
    overrides.allow_write.extend(extra_write);
    let policy = Policy::resolve(&overrides, Purpose::Debug)?;
    let mut project = vec![cwd.clone()];
    project.extend(script.parent().map(Path::to_path_buf));
    let confinement = if policy.is_off() {
        None
    } else {
        Some(Sandbox::new(
            policy,
            RunOptions {
                project,
                share_network: false,
                loupe_read: vec![crate::paths::cache_dir()],
                script: Some(script.clone()),
            },
        )?)
    };
    if let Some(s) = &confinement {
        note!("loupe: {}", s.enforced().summary());
        for text in &s.enforced().notes {
            note!("loupe: note: {text}");
        }
    }
    let mut process = PythonProcess::new(&python.path, command_args);
    process.sandbox = confinement;
    process.cwd = Some(cwd.clone());
    process.env = env.iter().map(|(k, v)| (k.into(), v.into())).collect();
    // The runner is found through PYTHONPATH; the script's own directory comes first on sys.path
    // (the runner puts it there), as with `python script.py`.
    let runner_dir = crate::adapters::profile_runner()?;
    let user_path = env.get("PYTHONPATH").map(Into::into).or_else(|| std::env::var_os("PYTHONPATH"));
    process.env.insert("PYTHONPATH".into(), sandbox::join_pythonpath(&[runner_dir], user_path)?);
    process.stdin = StdioMode::Inherit;
    process.stdout = StdioMode::Inherit;
    process.stderr = StdioMode::Inherit;
    note!("loupe: profiling {} with Python {}", script.display(), python.version);
    let mut child = sandbox::spawn(&process)?;
    let status = child.wait().await.context("waiting for the profiled program")?;
    let code = exit_code(status);
    if code != 0 {
        note!("loupe: the program exited with status {code}; showing the profile of what ran");
    }
    Ok(FinishedRun { python, script, script_args: script_args.to_vec(), cwd, code, results })
}

fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => c.clamp(0, 255) as u8,
        (None, Some(s)) => (128 + s).clamp(0, 255) as u8,
        _ => 1,
    }
}
