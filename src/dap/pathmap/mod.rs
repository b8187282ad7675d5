//! Path mappings for attached sessions: the debuggee's paths (`/app/main.py` in a container) and
//! the local files they are (`~/proj/main.py`).
//!
//! Mappings given with `--path-map` (or launch.json's `pathMappings`) go to debugpy, which then
//! translates both ways itself. When none covers a path, loupe infers one: a remote path that
//! does not exist locally is matched by its longest path suffix against the files under the
//! local project directory (`suffix.rs`, candidates from `index.rs`), and from then on loupe
//! translates that directory itself — stack paths to local files, breakpoint files to the
//! debuggee's. debugpy takes `pathMappings` only in `attach`, before any path is known, so an
//! inferred mapping cannot be handed to it.

mod index;
pub mod suffix;

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use self::index::LocalFiles;
use self::suffix::{infer, Inference, Mapping};
use crate::config::launch_json::PathMapping;

/// What looking up a remote path taught, worth telling the user once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Learned {
    Inferred { mapping: Mapping, from: PathBuf },
    Ambiguous { remote: PathBuf, candidates: Vec<PathBuf> },
    NoMatch { remote: PathBuf, project: PathBuf },
}

impl fmt::Display for Learned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Learned::Inferred { mapping, from } => write!(
                f,
                "path mapping inferred: {} (debuggee) = {} (local), from {}; --path-map LOCAL=REMOTE overrides it",
                mapping.remote_root.display(),
                mapping.local_root.display(),
                from.display()
            ),
            Learned::Ambiguous { remote, candidates } => {
                let list: Vec<String> = candidates.iter().take(5).map(|c| c.display().to_string()).collect();
                let more = candidates.len().saturating_sub(5);
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                write!(
                    f,
                    "no path mapping inferred for {}: {} local files match it equally well ({}{more}); \
                     give --path-map LOCAL=REMOTE",
                    remote.display(),
                    candidates.len(),
                    list.join(", ")
                )
            }
            Learned::NoMatch { remote, project } => write!(
                f,
                "no path mapping inferred: the debuggee runs {}, and no file under {} has that name; breakpoints \
                 in local files will not hit (give --cwd PROJECT_DIR or --path-map LOCAL=REMOTE)",
                remote.display(),
                project.display()
            ),
        }
    }
}

/// The mappings of one session, given and inferred.
#[derive(Debug, Default)]
pub struct PathMap {
    /// Where local copies are searched; `None` turns inference off (launched programs).
    project: Option<PathBuf>,
    explicit: Vec<PathMapping>,
    inferred: Vec<Mapping>,
    /// Remote directories already tried without a unique answer: not searched (or reported) again.
    refused: HashSet<PathBuf>,
    files: Option<LocalFiles>,
}

impl PathMap {
    /// No translation and no inference (a program loupe launched runs on this machine's paths).
    pub fn off() -> PathMap {
        PathMap::default()
    }

    /// For an attached session: infer under `project`, unless `explicit` already covers a path.
    pub fn inferring(project: PathBuf, explicit: Vec<PathMapping>) -> PathMap {
        PathMap { project: Some(project), explicit, ..PathMap::default() }
    }

    /// The mappings inferred so far.
    pub fn inferred(&self) -> &[Mapping] {
        &self.inferred
    }

    /// A path from the debuggee as a local path, inferring a mapping when it does not exist
    /// here. Paths with no local counterpart (the container's standard library) stay as they are.
    pub fn to_local(&mut self, remote: &Path) -> (PathBuf, Option<Learned>) {
        let Some(project) = self.project.clone() else { return (remote.to_path_buf(), None) };
        // Only debugpy's own answers are translated by debugpy; paths loupe asked for with an
        // evaluation are raw, so the explicit mappings apply here too.
        for m in &self.explicit {
            if let Ok(rest) = remote.strip_prefix(&m.remote_root) {
                return (m.local_root.join(rest), None);
            }
        }
        // A mapped path must exist locally: a mapping inferred from `/main.py` would otherwise
        // claim every remote path.
        if let Some(local) = self.inferred.iter().filter_map(|m| m.to_local(remote)).find(|l| l.exists()) {
            return (local, None);
        }
        if !remote.is_absolute() || remote.exists() {
            return (remote.to_path_buf(), None);
        }
        let dir = remote.parent().unwrap_or(remote).to_path_buf();
        if self.refused.contains(&dir) {
            return (remote.to_path_buf(), None);
        }
        let files = self.files.get_or_insert_with(|| LocalFiles::scan(&project));
        match infer(remote, files.named_like(remote)) {
            Inference::Found { mapping, local_file } => {
                tracing::info!("path mapping inferred: {mapping:?} from {}", remote.display());
                self.inferred.push(mapping.clone());
                (local_file, Some(Learned::Inferred { mapping, from: remote.to_path_buf() }))
            }
            Inference::Ambiguous { candidates, .. } => {
                self.refused.insert(dir);
                (remote.to_path_buf(), Some(Learned::Ambiguous { remote: remote.to_path_buf(), candidates }))
            }
            Inference::NoMatch => {
                self.refused.insert(dir);
                (remote.to_path_buf(), Some(Learned::NoMatch { remote: remote.to_path_buf(), project }))
            }
        }
    }

    /// A local file as the debuggee names it. Files under an explicit mapping stay local
    /// (debugpy translates them); files under an inferred one get the remote path.
    pub fn to_remote(&self, local: &Path) -> PathBuf {
        if self.explicit.iter().any(|m| local.starts_with(&m.local_root)) {
            return local.to_path_buf();
        }
        self.inferred.iter().find_map(|m| m.to_remote(local)).unwrap_or_else(|| local.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "").unwrap();
        }
        dir
    }

    #[test]
    fn infers_once_then_maps_both_ways() {
        let dir = project(&["main.py", "pkg/util.py"]);
        let root = dir.path().to_path_buf();
        let mut map = PathMap::inferring(root.clone(), Vec::new());
        let (local, learned) = map.to_local(Path::new("/nonexistent-app/main.py"));
        assert_eq!(local, root.join("main.py"));
        assert!(matches!(learned, Some(Learned::Inferred { .. })), "{learned:?}");
        let (local, learned) = map.to_local(Path::new("/nonexistent-app/pkg/util.py"));
        assert_eq!((local, learned), (root.join("pkg/util.py"), None), "later paths use the mapping");
        assert_eq!(map.to_remote(&root.join("pkg/util.py")), PathBuf::from("/nonexistent-app/pkg/util.py"));
        assert_eq!(map.to_remote(Path::new("/usr/lib/x.py")), PathBuf::from("/usr/lib/x.py"));
    }

    #[test]
    fn ambiguous_paths_are_refused_and_reported_once() {
        let dir = project(&["main.py", "sub/main.py"]);
        let mut map = PathMap::inferring(dir.path().to_path_buf(), Vec::new());
        let remote = Path::new("/nonexistent-app/main.py");
        let (local, learned) = map.to_local(remote);
        assert_eq!(local, remote);
        assert!(matches!(&learned, Some(Learned::Ambiguous { candidates, .. }) if candidates.len() == 2));
        assert!(learned.unwrap().to_string().contains("--path-map"));
        assert_eq!(map.to_local(remote), (remote.to_path_buf(), None));
        assert!(map.inferred().is_empty());
    }

    #[test]
    fn explicit_mappings_win() {
        let dir = project(&["main.py"]);
        let root = dir.path().to_path_buf();
        let explicit = vec![PathMapping { local_root: root.clone(), remote_root: "/nonexistent-app".into() }];
        let mut map = PathMap::inferring(root.clone(), explicit);
        assert_eq!(map.to_local(Path::new("/nonexistent-app/main.py")), (root.join("main.py"), None));
        assert!(map.inferred().is_empty());
        assert_eq!(map.to_remote(&root.join("main.py")), root.join("main.py"), "debugpy maps these itself");
    }

    #[test]
    fn off_leaves_paths_alone() {
        let mut map = PathMap::off();
        assert_eq!(map.to_local(Path::new("/nonexistent-app/main.py")).0, PathBuf::from("/nonexistent-app/main.py"));
    }
}
