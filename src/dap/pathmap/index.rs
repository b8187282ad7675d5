//! The local project's files by name, the candidates [`super::suffix::infer`] chooses from.
//! Scanned once per session, when the first unknown remote path arrives.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// A project larger than this is cut short (and says so in the log): a suffix match over a
/// home directory would take long and prove little.
const MAX_FILES: usize = 200_000;

/// Directories whose files are never the program being debugged, and which would turn every
/// `__init__.py` into a tie: installed packages, caches, version control.
const SKIPPED_DIRS: &[&str] = &["site-packages", "dist-packages", "__pycache__", "node_modules", ".git"];

#[derive(Debug, Default)]
pub struct LocalFiles {
    by_name: HashMap<OsString, Vec<PathBuf>>,
}

impl LocalFiles {
    /// Every file under `root`, skipping hidden directories (`.venv`, `.tox`, ...), what
    /// `.gitignore` excludes and [`SKIPPED_DIRS`].
    pub fn scan(root: &Path) -> LocalFiles {
        let mut by_name: HashMap<OsString, Vec<PathBuf>> = HashMap::new();
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .filter_entry(|e| !SKIPPED_DIRS.iter().any(|d| e.file_name() == *d))
            .build();
        let mut count = 0;
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            count += 1;
            if count > MAX_FILES {
                tracing::warn!(
                    "path inference: {} has over {MAX_FILES} files; the rest are not searched",
                    root.display()
                );
                break;
            }
            let path = entry.into_path();
            if let Some(name) = path.file_name() {
                by_name.entry(name.to_os_string()).or_default().push(path);
            }
        }
        LocalFiles { by_name }
    }

    /// The local files named like `remote`'s last component.
    pub fn named_like(&self, remote: &Path) -> &[PathBuf] {
        remote.file_name().and_then(|n| self.by_name.get(n)).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_files_by_name_and_skips_environments() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["main.py", "pkg/main.py", ".venv/lib/main.py", "lib/site-packages/x/main.py"] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "").unwrap();
        }
        let files = LocalFiles::scan(root);
        let mut found = files.named_like(Path::new("/app/main.py")).to_vec();
        found.sort();
        assert_eq!(found, vec![root.join("main.py"), root.join("pkg/main.py")]);
        assert!(files.named_like(Path::new("/app/none.py")).is_empty());
    }
}
