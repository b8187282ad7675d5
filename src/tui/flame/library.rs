//! Which frames are library code: the standard library (built-ins included) and third-party
//! packages, which the flame view can collapse or hide to leave the program's own code.

/// The kind of library a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    Stdlib,
    SitePackages,
}

/// Classifies a pstats file name (`~` is cProfile's name for built-ins).
pub fn classify(file: &str) -> Option<Library> {
    if file.contains("/site-packages/") || file.contains("/dist-packages/") {
        Some(Library::SitePackages)
    } else if file == "~" || file.starts_with("<frozen ") || is_stdlib_path(file) {
        Some(Library::Stdlib)
    } else {
        None
    }
}

/// `.../lib/python3.11/...` (an installation's standard library).
fn is_stdlib_path(file: &str) -> bool {
    file.split('/').collect::<Vec<_>>().windows(2).any(|w| w[0] == "lib" && w[1].starts_with("python3"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_stdlib_site_packages_and_own_code_apart() {
        assert_eq!(classify("~"), Some(Library::Stdlib));
        assert_eq!(classify("/root/.pyenv/versions/3.11.7/lib/python3.11/threading.py"), Some(Library::Stdlib));
        assert_eq!(classify("<frozen importlib._bootstrap>"), Some(Library::Stdlib));
        assert_eq!(classify("/v/lib/python3.11/site-packages/requests/api.py"), Some(Library::SitePackages));
        assert_eq!(classify("/home/me/project/app.py"), None);
        assert_eq!(classify("structure.py"), None);
    }
}
