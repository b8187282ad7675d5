//! Where a result is, as SARIF wants it: a relative reference under `%SRCROOT%` for a file in the
//! project, an absolute `file://` URI for one outside it. Both are RFC 3986 URIs, so a space, a
//! non-ASCII letter or any byte of a name that is not UTF-8 is percent-encoded, never written as is.

use std::path::{Component, Path, PathBuf};

use percent_encoding::{percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};

/// Bytes a path segment of a relative reference must not hold as is: RFC 3986 allows unreserved
/// characters, sub-delimiters, `@` and `:` in a segment, but a `:` in the first segment would read
/// as a scheme, so it is encoded too.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// An `artifactLocation`, and the relative path it names (None for a file outside the root).
pub struct ArtifactLocation {
    pub json: Value,
    pub relative: Option<String>,
}

pub fn artifact_location(file: &Path, root: &Path) -> ArtifactLocation {
    let file = resolved(file);
    match file.strip_prefix(resolved(root)) {
        Ok(relative) => {
            let segments: Vec<String> = relative
                .components()
                .map(|c| percent_encode(c.as_os_str().as_encoded_bytes(), SEGMENT).to_string())
                .collect();
            let uri = segments.join("/");
            ArtifactLocation { json: json!({"uri": uri, "uriBaseId": super::SRCROOT}), relative: Some(uri) }
        }
        Err(_) => ArtifactLocation { json: json!({"uri": file_uri(&file, false)}), relative: None },
    }
}

/// `root` as a `file://` URI ending with `/`, so relative references resolve under it.
pub fn directory_uri(root: &Path) -> String {
    file_uri(&resolved(root), true)
}

fn file_uri(path: &Path, directory: bool) -> String {
    let url = if directory { url::Url::from_directory_path(path) } else { url::Url::from_file_path(path) };
    // Both fail only for a relative path, and every path here was made absolute.
    url.map(String::from).unwrap_or_else(|()| format!("file://{}", path.display()))
}

/// The path with symbolic links resolved where it exists (so a root reached through a link still
/// contains its files), else with `.` and `..` removed by hand.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_the_root_are_relative_and_encoded() {
        let location = artifact_location(Path::new("/no/such/root/pkg/my file é.py"), Path::new("/no/such/root"));
        assert_eq!(location.json, json!({"uri": "pkg/my%20file%20%C3%A9.py", "uriBaseId": "%SRCROOT%"}));
        assert_eq!(location.relative.as_deref(), Some("pkg/my%20file%20%C3%A9.py"));
    }

    #[test]
    fn files_outside_are_absolute_file_uris() {
        let location = artifact_location(Path::new("/no/such/elsewhere/a:b#c.py"), Path::new("/no/such/root"));
        assert_eq!(location.json, json!({"uri": "file:///no/such/elsewhere/a:b%23c.py"}));
        assert_eq!(location.relative, None);
        assert_eq!(directory_uri(Path::new("/no/such/root dir")), "file:///no/such/root%20dir/");
    }
}
