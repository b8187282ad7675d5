//! `loupe profile --alloc SCRIPT [ARGS]`: where the memory went. The script runs in the sandbox
//! under tracemalloc (`adapters/profile/loupe_alloc.py`, through [`launch`] like every profiling
//! mode). On a terminal loupe shows the line report view (the sites beside the source, the RSS
//! over time); otherwise, or with `--no-tui`, it prints the peak and the lines that held the most
//! memory at the peak. It writes the memory flamegraph (`-o`) and the folded stacks weighted by
//! bytes (`--folded`) when asked, and exits with the program's status.

use std::io::Write as _;
use std::path::Path;

use anyhow::{bail, Context};

use super::args::ProfileArgs;
use super::profile::launch;
use crate::profile::alloc::{display_path, human_bytes, AllocProfile};

/// How many allocation sites the summary lists.
const TOP_SITES: usize = 10;

pub async fn profile_alloc(args: &ProfileArgs) -> anyhow::Result<u8> {
    // Written beside cProfile's runner, in the directory `launch` puts on PYTHONPATH.
    crate::adapters::alloc_runner()?;
    let frames = args.alloc_frames.to_string();
    let run =
        launch(args, "loupe_alloc", |results| (vec![results.join("alloc.json").display().to_string(), frames], None))
            .await?;
    let report = run.results.path().join("alloc.json");
    if !report.is_file() {
        if run.code == 128 + 9 {
            bail!(
                "tracemalloc wrote no report: the program was killed by SIGKILL, most often the \
                 sandbox's memory limit (tracemalloc needs memory of its own, about as much again \
                 as the program's); raise it with --memory MB (0: none)"
            );
        }
        bail!(
            "tracemalloc wrote no report (the program exited with status {} before it could be saved, \
             e.g. by os._exit)",
            run.code
        );
    }
    let profile = AllocProfile::load(&report)?;
    let base = std::env::current_dir().ok();
    let base = base.as_deref();
    let snapshot = &profile.report.snapshot;
    if snapshot.at_exit {
        note!("loupe: the sites below are the memory held at exit (the highest the sampler saw)");
    } else {
        note!(
            "loupe: the sites below are the memory held {:.2} s into the run ({} traced, peak {})",
            snapshot.seconds,
            human_bytes(snapshot.traced),
            human_bytes(profile.peak())
        );
    }
    if let Some(path) = &args.output.svg {
        write_file(path, |out| profile.write_svg(&run.script_name(), args.output.icicle, base, out))?;
        note!("loupe: memory flamegraph written to {}", path.display());
    }
    if let Some(path) = &args.output.folded {
        let text = profile.folded_text(base);
        write_file(path, |out| Ok(out.write_all(text.as_bytes())?))?;
        note!("loupe: folded stacks (bytes) written to {}", path.display());
    }
    if super::line_report::wants_view(args) {
        super::line_report::show(super::line_report::from_alloc(&profile, &run.script_name()), args).await?;
    } else {
        super::stdout::print(summary(&profile, base))?;
    }
    Ok(run.code)
}

/// `peak SIZE`, then the top sites as `path:line  size  count`, largest first.
pub fn summary(profile: &AllocProfile, base: Option<&Path>) -> String {
    let mut text = format!("peak {}\n", human_bytes(profile.peak()));
    for site in profile.top_sites(TOP_SITES) {
        let path = display_path(&site.file, base);
        text.push_str(&format!("{path}:{}  {}  {}\n", site.line, human_bytes(site.size), site.count));
    }
    text
}

fn write_file(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    write(&mut out).with_context(|| format!("writing {}", path.display()))?;
    out.flush().with_context(|| format!("writing {}", path.display()))
}
