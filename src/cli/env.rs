//! `loupe env`: the interpreters on this machine, what an environment has installed, and whether
//! its dependencies hold together (docs/ENV.md). Text for people, `--json` for tools.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use serde_json::json;

use super::args::{EnvArgs, EnvCommand, ExportFormat};
use crate::pyenv::check::Problem;
use crate::pyenv::discover::{self, DiscoverContext};
use crate::pyenv::environment::{self, Environment};
use crate::pyenv::facts;
use crate::pyenv::installer::{self, InstallerChoice};
use crate::pyenv::pip::{self, PipEvent};
use crate::pyenv::{requirements, venv};

/// Exit code of `env check` when it found problems.
const EXIT_PROBLEMS: u8 = 1;

pub async fn run(args: EnvArgs) -> anyhow::Result<u8> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    // Read only by the commands that install, so a bad `[env]` table does not stop `env list`.
    let installer = || args.installer.map_or_else(installer::configured, Ok);
    match args.command {
        EnvCommand::List { json } => list(&cwd, json).await,
        EnvCommand::Show { python, json } => show(&cwd, python.as_deref(), json).await,
        EnvCommand::Check { python, json } => check_command(&cwd, python.as_deref(), json).await,
        EnvCommand::Create { path, python, with_pip } => {
            create(&cwd, &path, python.as_deref(), installer()?, with_pip).await
        }
        EnvCommand::Install { python, files, packages } => {
            install(&cwd, python.as_deref(), installer()?, &files, &packages).await
        }
        EnvCommand::Uninstall { python, packages } => {
            let mut pip_args = vec!["uninstall".to_string(), "--yes".into()];
            pip_args.extend(packages);
            run_pip(&cwd, python.as_deref(), installer()?, pip_args).await
        }
        EnvCommand::Export { python, format, output } => {
            export(&cwd, python.as_deref(), format, output.as_deref()).await
        }
        EnvCommand::Import { file, python, create } => {
            import(&cwd, &file, python.as_deref(), installer()?, create.as_deref()).await
        }
    }
}

async fn list(cwd: &Path, as_json: bool) -> anyhow::Result<u8> {
    let mut found = discover::discover(&DiscoverContext::from_env(cwd));
    facts::fill_versions(&mut found).await;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", json!({ "interpreters": found }))?;
        return Ok(0);
    }
    if found.is_empty() {
        writeln!(out, "no Python interpreter found (PATH, pyenv, conda, uv, virtual environments)")?;
        return Ok(0);
    }
    for f in &found {
        let version = f.version.as_deref().unwrap_or("?");
        write!(out, "{version:<9} {:<8} {:<6} {}", f.implementation, f.kind.as_str(), f.path.display())?;
        if let Some(problem) = &f.problem {
            write!(out, "  ✗ {problem}")?;
        }
        writeln!(out)?;
    }
    Ok(0)
}

async fn environment(cwd: &Path, python: Option<&Path>) -> anyhow::Result<Environment> {
    environment::load(&choose(cwd, python)?).await
}

/// `--python` as a path, a command name or a version (see [`environment::choose`]).
fn choose(cwd: &Path, python: Option<&Path>) -> anyhow::Result<PathBuf> {
    environment::choose(cwd, python)
}

async fn show(cwd: &Path, python: Option<&Path>, as_json: bool) -> anyhow::Result<u8> {
    let env = environment(cwd, python).await?;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", show_json(&env))?;
        return Ok(0);
    }
    let f = &env.facts;
    writeln!(out, "Python {} ({}) {}", f.version, f.implementation, f.executable.display())?;
    if f.prefix != f.base_prefix {
        writeln!(out, "virtual environment {} (from {})", f.prefix.display(), f.base_prefix.display())?;
    }
    for dir in &f.site_packages {
        writeln!(out, "site-packages {}", dir.display())?;
    }
    writeln!(out, "PYTHONPATH {}", f.pythonpath.as_deref().unwrap_or("(not set)"))?;
    writeln!(out, "sys.path")?;
    for p in &f.sys_path {
        writeln!(out, "  {}", p.display())?;
    }
    writeln!(out, "\n{} packages", env.installed.packages.len())?;
    let width = env.installed.packages.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in &env.installed.packages {
        let requested = if p.requested { "requested" } else { "" };
        writeln!(
            out,
            "  {:<width$}  {:<12} {:<6} {requested}",
            p.name,
            p.version,
            p.installer.as_deref().unwrap_or("-")
        )?;
    }
    write_problems(&mut out, &env.problems)?;
    Ok(0)
}

fn show_json(env: &Environment) -> serde_json::Value {
    let f = &env.facts;
    json!({
        "interpreter": {
            "path": f.executable,
            "version": f.version,
            "implementation": f.implementation,
            "prefix": f.prefix,
            "base_prefix": f.base_prefix,
            "virtualenv": f.prefix != f.base_prefix,
        },
        "site_packages": f.site_packages,
        "sys_path": f.sys_path,
        "pythonpath": f.pythonpath,
        "packages": env.installed.packages.iter().map(|p| json!({
            "name": p.name,
            "version": p.version,
            "installer": p.installer,
            "requested": p.requested,
            "location": p.location,
        })).collect::<Vec<_>>(),
        "problems": env.problems,
    })
}

async fn check_command(cwd: &Path, python: Option<&Path>, as_json: bool) -> anyhow::Result<u8> {
    let env = environment(cwd, python).await?;
    let mut out = std::io::stdout().lock();
    if as_json {
        writeln!(out, "{}", json!({ "interpreter": env.facts.executable, "problems": env.problems }))?;
    } else if env.problems.is_empty() {
        writeln!(out, "No broken requirements found.")?;
    } else {
        // stdout is what `pip check` prints, line for line; what pip has no line for (metadata it
        // cannot read) goes to stderr.
        let mut err = std::io::stderr().lock();
        for p in &env.problems {
            match p.kind {
                "missing_dependency" | "version_conflict" => writeln!(out, "{}", p.message)?,
                kind => writeln!(err, "loupe: {}: {}", kind.replace('_', " "), p.message)?,
            }
        }
    }
    Ok(if env.problems.is_empty() { 0 } else { EXIT_PROBLEMS })
}

fn write_problems(out: &mut impl Write, problems: &[Problem]) -> std::io::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{} problem{}", problems.len(), if problems.len() == 1 { "" } else { "s" })?;
    for p in problems {
        writeln!(out, "  {}: {}", p.kind.replace('_', " "), p.message)?;
    }
    Ok(())
}

/// uv, when environments are to be made with it: asked for, or `auto` and found.
fn uv_for_create(choice: InstallerChoice) -> anyhow::Result<Option<PathBuf>> {
    match choice {
        InstallerChoice::Pip => Ok(None),
        InstallerChoice::Auto => Ok(installer::find_uv()),
        InstallerChoice::Uv => installer::find_uv().map(Some).ok_or_else(|| {
            anyhow!("uv was not found (PATH, ~/.local/bin, ~/.cargo/bin): install it (`pipx install uv`), or use `--installer pip`")
        }),
    }
}

async fn create(
    cwd: &Path,
    dir: &Path,
    python: Option<&Path>,
    choice: InstallerChoice,
    with_pip: bool,
) -> anyhow::Result<u8> {
    let base = choose(cwd, python)?;
    let dir = cwd.join(dir);
    let created = venv::create(&dir, &base, uv_for_create(choice)?.as_deref(), with_pip).await?;
    let facts = facts::facts(&created.python).await?;
    super::stdout::print_line(format_args!(
        "created {} (Python {}, with {}): {}",
        dir.display(),
        facts.version,
        created.tool,
        created.python.display()
    ))?;
    Ok(0)
}

async fn install(
    cwd: &Path,
    python: Option<&Path>,
    choice: InstallerChoice,
    files: &[PathBuf],
    packages: &[String],
) -> anyhow::Result<u8> {
    if files.is_empty() && packages.is_empty() {
        anyhow::bail!(
            "nothing to install: name packages (`loupe env install requests`) or files (`-r requirements.txt`)"
        );
    }
    // Everything is checked first: a typo on line 40 must not leave 39 packages installed.
    let mut problems = Vec::new();
    for package in packages.iter().filter(|p| !requirements::is_for_pip(p)) {
        if let Err(reason) = requirements::parse_one(package) {
            problems.push(format!("invalid requirement {package:?}: {reason}"));
        }
    }
    for file in files {
        let file = cwd.join(file);
        let read = requirements::read(&file)?;
        problems.extend(read.invalid.iter().map(ToString::to_string));
    }
    if !problems.is_empty() {
        anyhow::bail!("nothing was installed; fix these first:\n  {}", problems.join("\n  "));
    }
    let mut args = vec!["install".to_string()];
    for file in files {
        let file = cwd.join(file);
        if file.file_name().is_some_and(|n| n == "pyproject.toml") {
            // pip installs a project from its directory; its dependencies are what was checked.
            args.push(file.parent().unwrap_or(cwd).display().to_string());
        } else {
            args.extend(["-r".to_string(), file.display().to_string()]);
        }
    }
    args.extend(packages.iter().cloned());
    run_pip(cwd, python, choice, args).await
}

/// Runs the installer (uv or pip, with pip's ARGS) for the chosen environment with progress on
/// stderr; Ctrl-C stops it. Says what changed in every case.
async fn run_pip(cwd: &Path, python: Option<&Path>, choice: InstallerChoice, args: Vec<String>) -> anyhow::Result<u8> {
    let executable = choose(cwd, python)?;
    let facts = facts::facts(&executable).await?;
    let installer = installer::choose(choice, &executable, &facts)?;
    let mut progress = Progress::new();
    let outcome = pip::run(&executable, &facts, &installer, &args, |event| progress.show(&event), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    progress.clear();
    super::stdout::print_line(&outcome.change)?;
    match outcome.failure {
        None => Ok(0),
        Some(failure) => {
            note!("loupe: {failure}");
            if !outcome.change.is_empty() {
                note!(
                    "loupe: what {} had done before it stopped is above; `loupe env check` shows what is missing",
                    installer.name()
                );
            }
            Ok(if outcome.cancelled { 130 } else { EXIT_PROBLEMS })
        }
    }
}

/// pip's progress on stderr: one redrawn line on a terminal, a line per step otherwise.
struct Progress {
    terminal: bool,
    drawn: bool,
}

impl Progress {
    fn new() -> Self {
        use std::io::IsTerminal;
        Progress { terminal: std::io::stderr().is_terminal(), drawn: false }
    }

    fn show(&mut self, event: &PipEvent) {
        let text = match event {
            // A terminal gets a bar for a download in progress.
            PipEvent::Downloading { file, done, total: Some(total) } if *total > 0 && self.terminal => {
                let filled = (done * 20 / total).min(20) as usize;
                format!("[{}{}] {:>3}% {file}", "#".repeat(filled), "-".repeat(20 - filled), done * 100 / total)
            }
            other => match other.summary() {
                Some(text) => text,
                None => return,
            },
        };
        if self.terminal {
            let width = 100;
            let text: String = text.chars().take(width).collect();
            note_inline!("\r\x1b[2K{text}");
            self.drawn = true;
        } else if !matches!(event, PipEvent::Downloading { done, .. } if *done > 0) {
            note!("{text}");
        }
    }

    fn clear(&mut self) {
        if self.drawn {
            note_inline!("\r\x1b[2K");
        }
    }
}

async fn export(cwd: &Path, python: Option<&Path>, format: ExportFormat, output: Option<&Path>) -> anyhow::Result<u8> {
    let env = environment(cwd, python).await?;
    let text = match format {
        ExportFormat::Json => {
            let packages: Vec<_> = env
                .installed
                .packages
                .iter()
                .map(|p| json!({ "name": p.name, "version": p.version, "requested": p.requested }))
                .collect();
            let f = &env.facts;
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json!({
                    "interpreter": { "version": f.version, "implementation": f.implementation },
                    "packages": packages,
                }))?
            )
        }
        ExportFormat::Requirements => {
            let mut text =
                format!("# exported by loupe from {} (Python {})\n", env.facts.executable.display(), env.facts.version);
            for p in env
                .installed
                .packages
                .iter()
                .filter(|p| !matches!(p.normalized_name().as_str(), "pip" | "setuptools" | "wheel" | "distribute"))
            {
                text.push_str(&format!("{}=={}\n", p.name, p.version));
            }
            text
        }
    };
    match output {
        Some(file) => std::fs::write(cwd.join(file), text).with_context(|| format!("writing {}", file.display()))?,
        None => super::stdout::print(text)?,
    }
    Ok(0)
}

async fn import(
    cwd: &Path,
    file: &Path,
    python: Option<&Path>,
    choice: InstallerChoice,
    create_at: Option<&Path>,
) -> anyhow::Result<u8> {
    let file = cwd.join(file);
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
    // pip's arguments: exact pins from a JSON export, or the (checked) requirements file itself.
    let pins: Vec<String> = if text.trim_start().starts_with('{') {
        let value: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", file.display()))?;
        let packages = value["packages"]
            .as_array()
            .ok_or_else(|| anyhow!("{} has no \"packages\" list: is it a `loupe env export`?", file.display()))?;
        let mut pins = Vec::new();
        for (i, p) in packages.iter().enumerate() {
            match (p["name"].as_str(), p["version"].as_str()) {
                (Some(name), Some(version)) => pins.push(format!("{name}=={version}")),
                _ => anyhow::bail!("{}: package {} has no name or version: {p}", file.display(), i + 1),
            }
        }
        pins.retain(|p| !p.starts_with("pip=="));
        pins
    } else {
        let read = requirements::read(&file)?;
        if !read.invalid.is_empty() {
            let list: Vec<String> = read.invalid.iter().map(ToString::to_string).collect();
            anyhow::bail!("nothing was installed; fix these first:\n  {}", list.join("\n  "));
        }
        if read.requirements.is_empty() && read.pip_lines.is_empty() {
            Vec::new()
        } else {
            vec!["-r".into(), file.display().to_string()]
        }
    };
    let target = match create_at {
        Some(dir) => {
            let base = choose(cwd, python)?;
            let created = venv::create(&cwd.join(dir), &base, uv_for_create(choice)?.as_deref(), false).await?;
            note!("created {} with {}", dir.display(), created.tool);
            Some(created.python)
        }
        None => python.map(Path::to_path_buf),
    };
    if pins.is_empty() {
        super::stdout::print_line(format_args!("nothing to import: {} lists no packages", file.display()))?;
        return Ok(0);
    }
    let mut args = vec!["install".to_string()];
    args.extend(pins);
    run_pip(cwd, target.as_deref(), choice, args).await
}
