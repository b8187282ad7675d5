//! `loupe profile SCRIPT [ARGS]`: runs the script under cProfile (through the sandbox, like every
//! Python process loupe starts), then shows or writes the flamegraph. The runner
//! (`adapters/profile/loupe_profile.py`) is `python -m cProfile -o FILE` except that it keeps the
//! script's exit status (cProfile's own runner swallows `SystemExit`); like it, it writes the
//! statistics even when the script raises, so a failing program still gets its profile. loupe then
//! exits with the program's status.

use std::path::Path;

use anyhow::{bail, Context};

use super::args::ProfileArgs;
use super::flame::{self, Rerun};
use crate::profile::Profile;
use crate::pyenv::interpreter;
use crate::sandbox::{self, Policy, Purpose, PythonProcess, RunOptions, Sandbox, StdioMode};

pub async fn profile(args: ProfileArgs) -> anyhow::Result<u8> {
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

    // Where cProfile writes: the user's --pstats file, or a private temporary one.
    let temp = tempfile::tempdir().context("creating a temporary directory for the profile")?;
    let pstats = match &args.pstats {
        Some(p) => std::path::absolute(p)?,
        None => temp.path().join("profile.prof"),
    };
    let _ = std::fs::remove_file(&pstats);

    let runner = crate::adapters::profile_runner()?;
    let mut command_args: Vec<String> = vec!["-m".into(), "loupe_profile".into(), pstats.display().to_string()];
    command_args.push(script.display().to_string());
    command_args.extend(script_args.iter().cloned());
    // The program runs confined like a debuggee (no wall-clock limit: profiling takes as long as
    // the program does); cProfile's file is written where the policy lets it write.
    let mut overrides = args.sandbox.with_config_file(&args.env)?;
    overrides.allow_write.extend(pstats.parent().map(Path::to_path_buf));
    let policy = Policy::resolve(&overrides, Purpose::Debug)?;
    let mut project = vec![cwd.clone()];
    project.extend(script.parent().map(Path::to_path_buf));
    let confinement = if policy.is_off() {
        None
    } else {
        Some(Sandbox::new(
            policy,
            RunOptions { project, share_network: false, loupe_read: vec![crate::paths::cache_dir()] },
        )?)
    };
    if let Some(s) = &confinement {
        note!("loupe: {}", s.enforced().summary());
    }
    let mut process = PythonProcess::new(&python.path, command_args);
    process.sandbox = confinement;
    process.cwd = Some(cwd.clone());
    process.env = env.iter().map(|(k, v)| (k.into(), v.into())).collect();
    // The runner is found through PYTHONPATH; the script's own directory comes first on sys.path
    // (the runner puts it there), as with `python script.py`.
    let user_path = env.get("PYTHONPATH").map(Into::into).or_else(|| std::env::var_os("PYTHONPATH"));
    process.env.insert("PYTHONPATH".into(), sandbox::join_pythonpath(&[runner], user_path)?);
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
    if !pstats.is_file() {
        bail!(
            "cProfile wrote no profile (the program exited with status {code} before it could be saved, \
             e.g. killed by a signal or os._exit)"
        );
    }
    let profile = Profile::load(&pstats)?;
    let name = script.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let rerun = Rerun {
        python: Some(python.path.clone()),
        script: Some(script.clone()),
        args: script_args.to_vec(),
        cwd: Some(cwd.clone()),
        env: args.env.clone(),
        base_dir: Some(cwd),
    };
    flame::present(profile, &name, None, &args.output, rerun).await?;
    if let Some(p) = &args.pstats {
        note!("loupe: pstats written to {}", p.display());
    }
    Ok(code)
}

fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => c.clamp(0, 255) as u8,
        (None, Some(s)) => (128 + s).clamp(0, 255) as u8,
        _ => 1,
    }
}
