//! `loupe flame FILE.prof [--diff B.prof]`, and what `loupe profile` shares with it: turning a
//! loaded profile into the requested files, a text summary, or the interactive flame view (and,
//! from there, into the debugger).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use super::args::{BackendKind, FlameArgs, FlameOutputArgs, RunArgs, SessionArgs};
use crate::profile::diff::Differential;
use crate::profile::svg::{self, Titles};
use crate::profile::{calls, folded, speedscope, CallTree, Profile};
use crate::tui::flame::{FlameModel, FlameOutcome, FlameState};

/// How to start the profiled program again under the debugger ("debug here" in the flame view).
#[derive(Debug, Clone, Default)]
pub struct Rerun {
    pub python: Option<PathBuf>,
    pub script: Option<PathBuf>,
    pub args: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub env: Vec<String>,
    /// Where relative file names in the profile are found (the pstats file's directory).
    pub base_dir: Option<PathBuf>,
    /// The sandbox flags of the run (`loupe profile`'s), so that running it again confines it
    /// the same way: what the user allowed it then, it is allowed again.
    pub sandbox: super::sandbox_args::SandboxArgs,
}

pub async fn flame(args: FlameArgs) -> anyhow::Result<u8> {
    let (shown, shown_name, before) = load(&args)?;
    let base_dir = std::path::absolute(&args.file)?.parent().map(Path::to_path_buf);
    let script = main_script(&shown, base_dir.as_deref().unwrap_or(Path::new(".")));
    let rerun = Rerun { python: args.python.clone(), script, base_dir, ..Rerun::default() };
    present(shown, &shown_name, before, &args.output, rerun).await?;
    Ok(0)
}

/// `loupe flame --no-tui`: writes the files (or prints the summary) and nothing else. It runs
/// before the async runtime and the log file are set up (see `cli::main`): a conversion needs
/// neither, and for a small profile they were most of the command's cost.
pub fn convert(args: &FlameArgs) -> anyhow::Result<u8> {
    keep_freed_memory();
    let (shown, shown_name, before) = load(args)?;
    let written = write_files(&shown, &shown_name, before.as_ref(), &args.output, false)?;
    if written.files == 0 {
        super::stdout::print(summary(&shown, &written.tree, 20))?;
    }
    // The process ends here: freeing a big profile's allocations one by one would only cost time.
    std::mem::forget((shown, before, written));
    Ok(0)
}

/// A loaded profile and the name titles give it.
type Named = (Profile, String);

/// A conversion allocates a few large buffers (the file's bytes, the call tree, the folded
/// text), frees them and allocates the next: glibc would hand each freed one back to the kernel
/// and fault fresh pages in for the next. Keeping them in the heap for the short life of the
/// process saves about 30% of its page faults on a 3,500-function profile. One arena: the thread
/// that creates the SVG file would otherwise get a malloc arena of its own (a 64 MB mapping made
/// and trimmed) for the one small allocation it makes.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator thresholds; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// The profile shown and, with `--diff`, the baseline (A) it is compared against.
fn load(args: &FlameArgs) -> anyhow::Result<(Profile, String, Option<Named>)> {
    let read = |path: &Path| Profile::load(path).map_err(|e| anyhow::Error::new(super::BadInput(e)));
    let profile = read(&args.file)?;
    let name = display_name(&args.file);
    let baseline = match &args.diff {
        Some(b) => Some((read(b)?, display_name(b))),
        None => None,
    };
    // With --diff, the first file is the baseline (A) and the second the one shown (B).
    Ok(match baseline {
        Some((b, b_name)) => (b, b_name, Some((profile, name))),
        None => (profile, name, None),
    })
}

/// A file's name without its directories: what titles show.
fn display_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// What [`write_files`] built on the way, for the flame view.
struct Written {
    /// The call tree before pruning (the flame view prunes as it zooms), if it was kept.
    full: Option<CallTree>,
    /// The pruned tree the files show.
    tree: CallTree,
    differential: Option<(Differential, String)>,
    /// How many files were written.
    files: usize,
}

/// Writes the SVG, folded and speedscope files asked for; `keep_full` keeps the unpruned call
/// tree for the flame view.
fn write_files(
    profile: &Profile,
    name: &str,
    before: Option<&(Profile, String)>,
    output: &FlameOutputArgs,
    keep_full: bool,
) -> anyhow::Result<Written> {
    if !(0.0..1.0).contains(&output.threshold) {
        bail!(
            "--threshold {} must be a fraction from 0 up to (not including) 1, e.g. 0.001 for 0.1%",
            output.threshold
        );
    }
    // Creating the SVG file truncates the one a previous run left, which takes the kernel a while
    // for a big one: that happens on another core while the call tree is built.
    let svg_file = output.svg.clone().map(|path| std::thread::spawn(move || create(&path)));
    let full = if output.exact_only {
        CallTree::exact_edges(profile)
    } else {
        CallTree::build_with_floor(profile, output.threshold)
    };
    let tree = full.pruned(output.threshold);
    let full = if keep_full {
        Some(full)
    } else {
        release_for_reuse(full);
        None
    };
    let titles = Titles::for_profile(name, profile, &tree);
    let differential = before.map(|(a, a_name)| {
        let a_tree =
            if output.exact_only { CallTree::exact_edges(a) } else { CallTree::build_with_floor(a, output.threshold) }
                .pruned(output.threshold);
        (Differential::new((a, &a_tree), (profile, &tree)), a_name.clone())
    });

    if let (Some(path), Some(file)) = (&output.svg, svg_file) {
        let file = file.join().map_err(|_| anyhow::anyhow!("creating {} failed", path.display()))??;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
        match &differential {
            Some((d, a_name)) => {
                let titles = Titles {
                    title: format!("loupe differential: {a_name} → {name}"),
                    subtitle: format!(
                        "{} (normalised to it) → {}; red: more time in {name}, blue: less",
                        svg::human_time(d.total_a as f64 / 1e9),
                        svg::human_time(d.total_b as f64 / 1e9)
                    ),
                };
                d.write_svg(&titles, &mut out)?
            }
            None => {
                let here = std::env::current_dir().ok();
                svg::write(profile, &tree, &titles, output.icicle, here.as_deref(), &mut out)?
            }
        }
        std::io::Write::flush(&mut out).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &output.folded {
        let text = match &differential {
            Some((d, _)) => d.folded_lines().join("\n") + "\n",
            None => folded::write(profile, &tree),
        };
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &output.speedscope {
        let doc = speedscope::document(profile, &tree, name);
        let text = serde_json::to_string(&doc).context("encoding speedscope JSON")?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let files = [output.svg.is_some(), output.folded.is_some(), output.speedscope.is_some()];
    Ok(Written { full, tree, differential, files: files.iter().filter(|&&w| w).count() })
}

/// Writes what was asked for, then shows the flame view unless `--no-tui` (or nothing but files
/// was wanted on a machine without a terminal).
pub async fn present(
    profile: Profile,
    name: &str,
    before: Option<(Profile, String)>,
    output: &FlameOutputArgs,
    rerun: Rerun,
) -> anyhow::Result<()> {
    let Written { full, tree, differential, files } =
        write_files(&profile, name, before.as_ref(), output, !output.no_tui)?;
    let wrote_files = files > 0;
    if output.no_tui {
        if !wrote_files {
            super::stdout::print(summary(&profile, &tree, 20))?;
        }
        return Ok(());
    }
    use std::io::IsTerminal;
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        if wrote_files {
            return Ok(());
        }
        bail!("the flame view needs a terminal (stdin and stdout are not one here); add --no-tui for a text summary, or -o FILE.svg / --folded FILE / --speedscope FILE.json");
    }
    let full = full.expect("write_files keeps the full tree unless --no-tui");
    let model =
        FlameModel::new(profile, full, name.to_string(), output.threshold).with_base_dir(rerun.base_dir.clone());
    let model = match differential {
        Some((d, _)) => model.with_differential(d),
        None => model,
    };
    let mut state = FlameState::new(model, crate::tui::flame::theme(output.theme.as_deref())?);
    loop {
        match crate::tui::flame::run(&mut state).await? {
            FlameOutcome::Quit => return Ok(()),
            FlameOutcome::Debug(at) => {
                // The flame view has gone: this line stays on the terminal under the debugger.
                note!("loupe: {}", at.note);
                return debug_at(rerun, &at.file, at.line, output.theme.clone()).await.map(drop);
            }
            // The program runs again on the normal screen (its output shows there), then the
            // view comes back where it was, with the times in the source panel.
            FlameOutcome::Lines(at) => match super::profile_lines::lines_of_function(&rerun, &at, output).await {
                Ok(report) => state.show_line_times(report, &at),
                Err(e) => state.message = Some(format!("line times of {}: {e:#}", at.name)),
            },
        }
    }
}

/// Frees a call tree nothing needs any more so that what follows reuses its big node array (a
/// megabyte for a 3,500-function profile, its pages already faulted in: the folded text for
/// inferno fits there). Its many small child lists are left to the process's exit, which comes
/// soon after a conversion: freeing them one by one would cost more than they give back.
fn release_for_reuse(mut tree: CallTree) {
    for node in &mut tree.nodes {
        std::mem::forget(std::mem::take(&mut node.children));
    }
}

/// Starts `loupe run` with a breakpoint at `file:line` (the flame view's "debug here").
async fn debug_at(rerun: Rerun, file: &Path, line: u32, theme: Option<String>) -> anyhow::Result<u8> {
    let Some(script) = rerun.script else {
        bail!(
            "cannot start the debugger: the profile does not say which script ran; use `loupe run --break {}:{line} SCRIPT`",
            file.display()
        );
    };
    let library = crate::tui::flame::library::classify(&file.to_string_lossy()).is_some();
    let mut program = vec![script.display().to_string()];
    program.extend(rerun.args);
    let args = RunArgs {
        session: SessionArgs {
            batch: false,
            commands: Vec::new(),
            breakpoints: vec![format!("{}:{line}", file.display())],
            theme,
            config: None,
            all_code: library,
            stock_debugpy: false,
        },
        backend: BackendKind::Debugpy,
        python: rerun.python,
        module: None,
        cwd: rerun.cwd,
        env: rerun.env,
        stop_on_entry: false,
        no_stop_on_failure: false,
        sandbox: rerun.sandbox,
        program,
    };
    super::debug::run(args).await
}

/// The script a `python -m cProfile` run executed: the `<module>` frame `exec` ran, if its file
/// is still there (relative names are relative to where the profile was taken, or to `base`).
pub fn main_script(profile: &Profile, base: &Path) -> Option<PathBuf> {
    let exec = profile.functions.iter().position(|f| f.key.is_builtin() && f.key.name.contains("builtins.exec"))?;
    profile
        .functions
        .iter()
        .filter(|f| f.key.name == "<module>" && f.callers.iter().any(|e| e.caller == exec))
        .map(|f| PathBuf::from(&f.key.file))
        .flat_map(|p| [p.clone(), base.join(&p)])
        .find(|p| p.is_file())
}

fn create(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))
}

/// The top functions by self time, as text (for `--no-tui` without output files).
pub fn summary(profile: &Profile, tree: &CallTree, rows: usize) -> String {
    let mut order: Vec<usize> = (0..profile.functions.len()).collect();
    order.sort_by(|&a, &b| profile.functions[b].figures.self_time.total_cmp(&profile.functions[a].figures.self_time));
    let mut text = format!(
        "{} self time in {} functions, {} calls; {:.1}% on inferred stacks{}\n{:>10} {:>10} {:>10}  function\n",
        svg::human_time(tree.total()),
        profile.functions.len(),
        calls::whole(profile.total_calls()),
        tree.inferred_share() * 100.0,
        if profile.samples.is_some() {
            format!(", {:.1}% on sampled", tree.sampled_share() * 100.0)
        } else {
            String::new()
        },
        "self",
        "cumulative",
        "calls"
    );
    for &f in order.iter().take(rows) {
        let function = &profile.functions[f];
        text.push_str(&format!(
            "{:>10} {:>10} {:>10}  {}\n",
            svg::human_time(function.figures.self_time),
            svg::human_time(function.figures.cumulative_time),
            calls::ncalls(&function.figures),
            function.key.label()
        ));
    }
    text
}

/// `--env NAME=VALUE` pairs, checked.
pub fn parse_env(pairs: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut env = BTreeMap::new();
    for pair in pairs {
        let (k, v) = pair.split_once('=').with_context(|| format!("--env {pair:?}: expected NAME=VALUE"))?;
        env.insert(k.to_string(), v.to_string());
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_calls_as_pstats_does() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/profile/fixtures/recursion-3.11.prof");
        let profile = Profile::load(&file).unwrap();
        let text = summary(&profile, &CallTree::build(&profile), 20);
        // fib: 1,973 calls, one of them not recursive.
        let fib = text.lines().find(|l| l.contains("fib (")).unwrap_or_else(|| panic!("{text}"));
        assert!(fib.contains(" 1973/1 "), "{fib}");
        assert!(!text.contains(".0 calls") && !text.contains(".0/"), "{text}");
    }
}
