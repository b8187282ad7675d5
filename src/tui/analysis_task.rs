//! The analyzer behind the TUI's Analysis overlay: a background task that analyses the debugged
//! program's project on one thread of its own (so the debuggee and the UI keep the other core),
//! sends the result, then looks at the analysed files' modification times every two seconds and
//! analyses again when one changed. It ends when the UI is gone.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{mpsc, Notify};

use super::app::AnalysisSnapshot;
use super::worker::Update;
use crate::analyze::files::{analyze_file, discover};
use crate::analyze::report::Report;
use crate::analyze::{AnalyzeOptions, ImportEnvironment, TargetVersion};

/// How often analysed files are looked at for changes.
const POLL: Duration = Duration::from_secs(2);
/// A project bigger than this is not walked: only the program's own file is analysed.
const MAX_FILES: usize = 2_000;

pub async fn run(
    project: PathBuf,
    program: Option<PathBuf>,
    interpreter: Option<PathBuf>,
    refresh: Arc<Notify>,
    updates: mpsc::UnboundedSender<Update>,
) {
    loop {
        // Asked again after `refresh` (an install changes what is importable).
        let environment = match &interpreter {
            Some(python) => ImportEnvironment::probe(python).await.unwrap_or_else(|e| {
                tracing::warn!("analysis: cannot ask {} for its modules: {e:#}", python.display());
                ImportEnvironment::default()
            }),
            None => ImportEnvironment::default(),
        };
        let target =
            environment.python_version.as_deref().and_then(|v| v.parse().ok()).unwrap_or(TargetVersion::DEFAULT);
        let options = AnalyzeOptions { target, environment };
        if !analyse_until_refresh(&project, &program, &options, &refresh, &updates).await {
            return;
        }
    }
}

/// Analyses, sends, and analyses again on every change; true when `refresh` asks for a new
/// environment, false when the UI is gone.
async fn analyse_until_refresh(
    project: &Path,
    program: &Option<PathBuf>,
    options: &AnalyzeOptions,
    refresh: &Notify,
    updates: &mpsc::UnboundedSender<Update>,
) -> bool {
    loop {
        let (project, program, options) = (project.to_path_buf(), program.clone(), options.clone());
        let analysed = tokio::task::spawn_blocking(move || analyse(&project, program.as_deref(), &options)).await;
        let Ok((snapshot, stamps)) = analysed else { return false };
        if updates.send(Update::Analysis(Arc::new(snapshot))).is_err() {
            return false;
        }
        loop {
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                () = refresh.notified() => return true,
            }
            if updates.is_closed() {
                return false;
            }
            if stamps.iter().any(|(path, stamp)| modified(path) != *stamp) {
                break;
            }
        }
    }
}

/// One analysis on a single thread, and the modification times of what it read.
fn analyse(
    project: &Path,
    program: Option<&Path>,
    options: &AnalyzeOptions,
) -> (AnalysisSnapshot, Vec<(PathBuf, Option<SystemTime>)>) {
    let (mut candidates, errors) = discover(&[project.to_path_buf()]);
    let mut note = None;
    if candidates.len() > MAX_FILES {
        note = Some(format!(
            "{} has {} Python files; only the program is analysed (run `loupe analyze` for all of them)",
            project.display(),
            candidates.len()
        ));
        candidates.retain(|c| Some(c.path.as_path()) == program);
    }
    let mut report = Report { files: Vec::new(), errors };
    for candidate in &candidates {
        match analyze_file(candidate, options) {
            Ok(file) => report.files.push(file),
            Err(e) => report.errors.push(e),
        }
    }
    let mut snapshot = AnalysisSnapshot::from_report(&report, project);
    snapshot.errors.extend(note);
    let stamps = candidates.iter().map(|c| (c.path.clone(), modified(&c.path))).collect();
    (snapshot, stamps)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
