//! `loupe analyze --format sarif` as its consumers read it: Microsoft's SARIF validator
//! (`sarif-multitool validate`, from npm; `scripts/setup-test-env.sh` installs it) passes it, run
//! with relative and with absolute paths and on file names with spaces and non-ASCII letters; its
//! locations are relative to the project root through `%SRCROOT%`; and the fingerprints GitHub
//! matches alerts by stay the same across runs and when code above a finding moves it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const INSECURE: &str = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n";

/// A project: `pyproject.toml` at its root, findings in `pkg/my file é.py` and `tools/run.py`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), "[project]\nname = \"fixture\"\n").unwrap();
    for file in ["pkg/my file é.py", "tools/run.py"] {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, INSECURE).unwrap();
    }
    dir
}

/// `loupe analyze --format sarif ARGS` in `cwd`, saved to `out`, and parsed.
fn sarif(cwd: &Path, args: &[&str], out: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["analyze", "--format", "sarif"])
        .args(args)
        .current_dir(cwd)
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "findings exit 1: {}", String::from_utf8_lossy(&output.stderr));
    std::fs::write(out, &output.stdout).unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

fn multitool() -> PathBuf {
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-test/node/node_modules/.bin/sarif-multitool");
    if local.exists() {
        return local;
    }
    which("sarif-multitool").unwrap_or_else(|| {
        panic!(
            "this test needs Microsoft's SARIF validator, sarif-multitool: run scripts/setup-test-env.sh \
             (it installs the npm package @microsoft/sarif-multitool into .venv-test/node)"
        )
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// The validator's errors and warnings for `files`. The one warning allowed is SARIF2005 (no
/// `informationUri`): loupe has no public page yet, and the issue forbids inventing one.
fn problems(files: &[&Path]) -> Vec<String> {
    let output = Command::new(multitool()).arg("validate").args(files).output().expect("run sarif-multitool");
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("Analysis completed successfully"), "the validator did not finish:\n{text}");
    text.lines()
        .filter(|l| l.contains(": error ") || l.contains(": warning "))
        .filter(|l| !l.contains("SARIF2005"))
        .map(str::to_string)
        .collect()
}

fn locations(sarif: &Value) -> Vec<Value> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"].clone())
        .collect()
}

fn fingerprints(sarif: &Value) -> Vec<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["loupeFindingHash/v1"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn relative_and_absolute_runs_validate_and_locate_files_under_the_project_root() {
    let project = project();
    let root = project.path().canonicalize().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (relative_out, absolute_out) = (out.path().join("relative.sarif"), out.path().join("absolute.sarif"));
    // From a subdirectory, with a relative path: the root is still the project's.
    let relative = sarif(&root.join("tools"), &["../pkg", "run.py"], &relative_out);
    let absolute =
        sarif(&root, &[root.join("pkg").to_str().unwrap(), root.join("tools/run.py").to_str().unwrap()], &absolute_out);
    assert_eq!(problems(&[&relative_out, &absolute_out]), Vec::<String>::new());

    let base = &relative["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert_eq!(base.as_str().unwrap(), url_of(&root), "{relative:#}");
    let mut uris: Vec<String> = locations(&relative)
        .iter()
        .map(|l| {
            assert_eq!(l["uriBaseId"], "%SRCROOT%", "{l}");
            l["uri"].as_str().unwrap().to_string()
        })
        .collect();
    uris.dedup();
    assert_eq!(uris, ["pkg/my%20file%20%C3%A9.py", "tools/run.py"]);
    assert_eq!(locations(&relative), locations(&absolute), "the same locations either way");
    assert_eq!(fingerprints(&relative), fingerprints(&absolute), "the same fingerprints either way");
}

#[test]
fn fingerprints_survive_a_rerun_and_code_added_above() {
    let project = project();
    let root = project.path();
    let out = tempfile::tempdir().unwrap();
    let first = fingerprints(&sarif(root, &["tools/run.py"], &out.path().join("1.sarif")));
    let again = fingerprints(&sarif(root, &["tools/run.py"], &out.path().join("2.sarif")));
    assert_eq!(first, again);
    std::fs::write(root.join("tools/run.py"), format!("# a comment that moves every line\n{INSECURE}")).unwrap();
    let moved = sarif(root, &["tools/run.py"], &out.path().join("3.sarif"));
    assert_eq!(fingerprints(&moved), first, "the line moved, the alert is the same");
    let lines: Vec<u64> = moved["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 6], "B404 and B602, one line lower");
}

#[test]
fn a_file_outside_the_project_gets_an_absolute_encoded_file_uri() {
    let project = project();
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().canonicalize().unwrap().join("a b#c.py");
    std::fs::write(&outside, INSECURE).unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("outside.sarif");
    let report = sarif(project.path(), &[outside.to_str().unwrap()], &file);
    assert_eq!(problems(&[&file]), Vec::<String>::new());
    let location = &locations(&report)[0];
    assert_eq!(location["uri"].as_str().unwrap(), format!("{}a%20b%23c.py", url_of(outside.parent().unwrap())));
    assert!(location.get("uriBaseId").is_none(), "{location}");
}

/// `file:///…/` for a directory whose path needs no encoding (temporary directories).
fn url_of(dir: &Path) -> String {
    format!("file://{}/", dir.display())
}
