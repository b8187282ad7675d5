//! Quick open: a file by a few letters of its name (Ctrl-P, as in VS Code). The candidates are the
//! files of the current stack first, then the Python files under the project, which the worker
//! lists in the background when the dialog opens (a walk of a big tree must not hold the UI) and
//! which join the list as they arrive; typing ranks them with nucleo's fuzzy matcher (helix's),
//! path-aware.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use super::input::TextInput;

/// At most this many project files are listed, and the walk stops after this long: a project
/// directory can be a home directory.
const MAX_FILES: usize = 20_000;
const WALK_BUDGET: Duration = Duration::from_millis(150);
/// Matches shown (the dialog is one screen).
pub const SHOWN: usize = 12;

/// The dialog's state: what was typed, the candidates, the ranked matches and the selected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickOpen {
    pub input: TextInput,
    /// Candidates as shown (relative to the project where they are under it) and their paths.
    pub files: Vec<(String, PathBuf)>,
    /// Indices into `files`, best first.
    pub matches: Vec<usize>,
    pub selected: usize,
    /// Whether the project walk stopped early (too many files, or too slow).
    pub partial: bool,
    /// Whether the project's files are still being listed.
    pub listing: bool,
    /// The project directory (candidates under it are shown relative to it).
    pub root: PathBuf,
}

impl QuickOpen {
    /// The dialog over `stack_files` (in stack order) under the project `root`; the project's
    /// files come later ([`QuickOpen::add_project_files`]).
    pub fn new(root: &Path, stack_files: &[PathBuf]) -> QuickOpen {
        let mut dialog = QuickOpen {
            input: TextInput::default(),
            root: root.to_path_buf(),
            files: Vec::new(),
            matches: Vec::new(),
            selected: 0,
            partial: false,
            listing: true,
        };
        dialog.add(stack_files.iter().filter(|p| p.is_file()).cloned());
        dialog.refilter();
        dialog
    }

    /// The project's files, once the worker has listed them (stack files stay first).
    pub fn add_project_files(&mut self, files: Vec<PathBuf>, partial: bool) {
        self.add(files);
        self.partial = partial;
        self.listing = false;
        let chosen = self.chosen().map(Path::to_path_buf);
        self.refilter();
        // Keep the selection on the file it was on.
        if let Some(at) = chosen.and_then(|c| self.matches.iter().position(|&i| self.files[i].1 == c)) {
            self.selected = at;
        }
    }

    fn add(&mut self, paths: impl IntoIterator<Item = PathBuf>) {
        for path in paths {
            if self.files.iter().any(|(_, known)| *known == path) {
                continue;
            }
            let shown = path.strip_prefix(&self.root).unwrap_or(&path).display().to_string();
            self.files.push((shown, path));
        }
    }

    /// Ranks the candidates against what is typed (all of them, in order, when nothing is).
    pub fn refilter(&mut self) {
        let pattern = Pattern::parse(self.input.text(), CaseMatching::Smart, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
        self.matches = if self.input.text().trim().is_empty() {
            (0..self.files.len()).collect()
        } else {
            // Path-aware scoring (separators as word boundaries); the index keeps ties in
            // candidate order, so the stack's files win them.
            let mut scored: Vec<(usize, u32)> = self
                .files
                .iter()
                .enumerate()
                .filter_map(|(i, (shown, _))| {
                    let mut buf = Vec::new();
                    pattern.score(nucleo_matcher::Utf32Str::new(shown, &mut buf), &mut matcher).map(|s| (i, s))
                })
                .collect();
            scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.into_iter().map(|(i, _)| i).collect()
        };
        self.selected = 0;
    }

    pub fn step(&mut self, by: isize) {
        if self.matches.is_empty() {
            return;
        }
        let last = self.matches.len() as isize - 1;
        self.selected = (self.selected as isize + by).clamp(0, last) as usize;
    }

    /// The file Enter opens.
    pub fn chosen(&self) -> Option<&Path> {
        self.matches.get(self.selected).map(|&i| self.files[i].1.as_path())
    }
}

/// The Python files under `root` (hidden and git-ignored ones, and virtual environments, left
/// out), and whether the walk stopped early. Blocking: the worker runs it off the UI thread.
pub fn project_python_files(root: &Path) -> (Vec<PathBuf>, bool) {
    let started = Instant::now();
    let mut files = Vec::new();
    let walk = ignore::WalkBuilder::new(root)
        .filter_entry(|entry| !(entry.path().is_dir() && entry.path().join("pyvenv.cfg").is_file()))
        .build();
    for entry in walk.flatten() {
        if files.len() >= MAX_FILES || started.elapsed() > WALK_BUDGET {
            return (files, true);
        }
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "py" || e == "pyi") && entry.file_type().is_some_and(|t| t.is_file()) {
            files.push(path.to_path_buf());
        }
    }
    files.sort();
    (files, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in ["app/main.py", "app/models/inventory.py", "app/models/user.py", "tests/test_inventory.py"] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "pass\n").unwrap();
        }
        // Not candidates: a virtual environment, a hidden directory, a non-Python file.
        std::fs::create_dir_all(dir.path().join(".venv/lib")).unwrap();
        std::fs::write(dir.path().join(".venv/pyvenv.cfg"), "home = /usr\n").unwrap();
        std::fs::write(dir.path().join(".venv/lib/site.py"), "").unwrap();
        std::fs::create_dir_all(dir.path().join("env/lib")).unwrap();
        std::fs::write(dir.path().join("env/pyvenv.cfg"), "home = /usr\n").unwrap();
        std::fs::write(dir.path().join("env/lib/os.py"), "").unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        dir
    }

    /// The dialog as it is once the worker's listing arrived.
    fn listed(root: &Path, stack: &[PathBuf]) -> QuickOpen {
        let mut dialog = QuickOpen::new(root, stack);
        let (files, partial) = project_python_files(root);
        dialog.add_project_files(files, partial);
        dialog
    }

    fn shown(dialog: &QuickOpen) -> Vec<&str> {
        dialog.matches.iter().map(|&i| dialog.files[i].0.as_str()).collect()
    }

    #[test]
    fn lists_the_projects_python_files_without_environments() {
        let dir = project();
        let dialog = listed(dir.path(), &[]);
        assert_eq!(
            shown(&dialog),
            ["app/main.py", "app/models/inventory.py", "app/models/user.py", "tests/test_inventory.py"]
        );
        assert!(!dialog.partial);
    }

    #[test]
    fn a_few_letters_rank_the_file_first() {
        let dir = project();
        let mut dialog = listed(dir.path(), &[]);
        dialog.input.set("inv");
        dialog.refilter();
        let matches = shown(&dialog);
        assert_eq!(matches.len(), 2, "{matches:?}");
        assert!(matches.contains(&"app/models/inventory.py") && matches.contains(&"tests/test_inventory.py"));
        dialog.input.set("modinv");
        dialog.refilter();
        assert_eq!(shown(&dialog)[0], "app/models/inventory.py");
        assert_eq!(dialog.chosen(), Some(dir.path().join("app/models/inventory.py").as_path()));
        dialog.input.set("zzz");
        dialog.refilter();
        assert!(dialog.matches.is_empty() && dialog.chosen().is_none());
    }

    #[test]
    fn the_stacks_files_come_first_even_outside_the_project() {
        let dir = project();
        let elsewhere = tempfile::tempdir().unwrap();
        let library = elsewhere.path().join("lib.py");
        std::fs::write(&library, "").unwrap();
        let dialog = listed(dir.path(), &[library.clone(), dir.path().join("app/main.py")]);
        assert_eq!(dialog.files[0].1, library);
        assert_eq!(shown(&dialog)[1], "app/main.py");
        assert_eq!(dialog.files.len(), 5, "a stack file under the project is listed once");
    }

    #[test]
    fn selection_stays_in_range() {
        let dir = project();
        let mut dialog = listed(dir.path(), &[]);
        dialog.step(-3);
        assert_eq!(dialog.selected, 0);
        dialog.step(10);
        assert_eq!(dialog.selected, 3);
    }
}
