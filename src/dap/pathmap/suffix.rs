//! Matching a path the debuggee reports against local files by their longest common path suffix:
//! `/app/pkg/mod.py` and `/home/me/proj/pkg/mod.py` share `pkg/mod.py`, so `/app` is
//! `/home/me/proj`. Pure: the caller lists the candidates (local files with the same name).

use std::path::{Component, Path, PathBuf};

/// A remote directory and the local directory that holds the same files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub remote_root: PathBuf,
    pub local_root: PathBuf,
}

impl Mapping {
    /// `remote` under this mapping's remote root, as a local path.
    pub fn to_local(&self, remote: &Path) -> Option<PathBuf> {
        remote.strip_prefix(&self.remote_root).ok().map(|rest| join(&self.local_root, rest))
    }

    /// `local` under this mapping's local root, as the debuggee's path.
    pub fn to_remote(&self, local: &Path) -> Option<PathBuf> {
        local.strip_prefix(&self.local_root).ok().map(|rest| join(&self.remote_root, rest))
    }
}

/// `root.join(rest)` without a trailing separator when `rest` is empty.
fn join(root: &Path, rest: &Path) -> PathBuf {
    if rest.as_os_str().is_empty() {
        root.to_path_buf()
    } else {
        root.join(rest)
    }
}

/// What the suffix match found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inference {
    /// One local file shares the longest suffix: the mapping, and that file.
    Found { mapping: Mapping, local_file: PathBuf },
    /// Several local files share the longest suffix equally well: guessing could show the wrong
    /// file and set breakpoints the program never reaches, so no mapping is made.
    Ambiguous { matched: usize, candidates: Vec<PathBuf> },
    /// No local file shares even the file name.
    NoMatch,
}

/// Infers a mapping for `remote` from `candidates` (local absolute paths). The winner is the
/// candidate sharing the most trailing components; a tie at the top is [`Inference::Ambiguous`].
pub fn infer(remote: &Path, candidates: &[PathBuf]) -> Inference {
    let remote_parts = names(remote);
    let mut best = 0;
    let mut winners: Vec<&PathBuf> = Vec::new();
    for candidate in candidates {
        let n = common_suffix(&remote_parts, &names(candidate));
        if n == 0 || n < best {
            continue;
        }
        if n > best {
            best = n;
            winners.clear();
        }
        winners.push(candidate);
    }
    match winners.as_slice() {
        [] => Inference::NoMatch,
        [one] => Inference::Found {
            mapping: Mapping { remote_root: strip(remote, best), local_root: strip(one, best) },
            local_file: (*one).clone(),
        },
        many => Inference::Ambiguous { matched: best, candidates: many.iter().map(|p| (*p).clone()).collect() },
    }
}

/// The normal components (names) of a path, root and `.` left out.
fn names(path: &Path) -> Vec<&std::ffi::OsStr> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn common_suffix(a: &[&std::ffi::OsStr], b: &[&std::ffi::OsStr]) -> usize {
    a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

/// `path` without its last `n` components.
fn strip(path: &Path, n: usize) -> PathBuf {
    let mut out = path.to_path_buf();
    for _ in 0..n {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    fn found(remote_root: &str, local_root: &str, file: &str) -> Inference {
        Inference::Found {
            mapping: Mapping { remote_root: remote_root.into(), local_root: local_root.into() },
            local_file: file.into(),
        }
    }

    #[test]
    fn a_file_name_alone_maps_the_directories() {
        let got = infer(Path::new("/app/main.py"), &paths(&["/home/me/proj/main.py"]));
        assert_eq!(got, found("/app", "/home/me/proj", "/home/me/proj/main.py"));
    }

    #[test]
    fn the_longest_suffix_wins() {
        let local = paths(&["/p/tools/mod.py", "/p/pkg/mod.py", "/p/other/pkg/sub/mod.py"]);
        let got = infer(Path::new("/srv/app/pkg/mod.py"), &local);
        assert_eq!(got, found("/srv/app", "/p", "/p/pkg/mod.py"));
    }

    #[test]
    fn a_tie_at_the_longest_suffix_is_refused() {
        let local = paths(&["/p/main.py", "/p/sub/main.py"]);
        let got = infer(Path::new("/app/main.py"), &local);
        assert_eq!(got, Inference::Ambiguous { matched: 1, candidates: local });
    }

    #[test]
    fn a_tie_below_the_winner_does_not_matter() {
        let local = paths(&["/a/x/main.py", "/b/x/main.py", "/p/src/x/main.py"]);
        let got = infer(Path::new("/app/src/x/main.py"), &local);
        assert_eq!(got, found("/app", "/p", "/p/src/x/main.py"));
    }

    #[test]
    fn no_shared_name_is_no_match() {
        assert_eq!(infer(Path::new("/app/main.py"), &paths(&["/p/other.py"])), Inference::NoMatch);
        assert_eq!(infer(Path::new("/app/main.py"), &[]), Inference::NoMatch);
    }

    #[test]
    fn mappings_translate_both_ways_and_only_under_their_roots() {
        let m = Mapping { remote_root: "/app".into(), local_root: "/p".into() };
        assert_eq!(m.to_local(Path::new("/app/pkg/a.py")), Some(PathBuf::from("/p/pkg/a.py")));
        assert_eq!(m.to_remote(Path::new("/p/pkg/a.py")), Some(PathBuf::from("/app/pkg/a.py")));
        assert_eq!(m.to_local(Path::new("/application/a.py")), None, "a prefix of a name is not a parent");
        assert_eq!(m.to_remote(Path::new("/usr/lib/a.py")), None);
    }
}
