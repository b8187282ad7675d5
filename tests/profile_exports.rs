//! The profiler's exports read by the tools they are for, on a real profile (`pip list`, run from
//! the test environment's pip, a few thousand functions): the speedscope file validates against
//! speedscope's own `file-format-schema.json` (npm package `speedscope`, checked with Python's
//! `jsonschema`); the folded stacks go through inferno's flamegraph and keep every nanosecond; the
//! SVG loads in headless Chromium, its search works there, and narrow frames keep the start of
//! their function's name. `scripts/setup-test-env.sh` installs all three consumers.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_python() -> PathBuf {
    repo().join(".venv-test/bin/python")
}

/// One `pip list` profile for every test, with all three exports.
fn exports() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let pip_main = Command::new(venv_python())
            .args(["-c", "import pip, os; print(os.path.join(os.path.dirname(pip.__file__), '__main__.py'))"])
            .output()
            .unwrap();
        let pip_main = String::from_utf8(pip_main.stdout).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_loupe"))
            .args(["profile", "--no-tui", "--python"])
            .arg(venv_python())
            .arg("-o")
            .arg(dir.path().join("run.svg"))
            .arg("--speedscope")
            .arg(dir.path().join("run.json"))
            .arg("--folded")
            .arg(dir.path().join("run.folded"))
            .arg(pip_main.trim())
            .args(["list", "--disable-pip-version-check"])
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("debugpy"), "pip list ran");
        dir
    })
    .path()
}

#[test]
fn speedscope_export_validates_against_speedscopes_schema() {
    let schema = repo().join(".venv-test/node/node_modules/speedscope/dist/release/file-format-schema.json");
    assert!(schema.exists(), "speedscope's schema is missing: run scripts/setup-test-env.sh (npm package speedscope)");
    let file = exports().join("run.json");
    let check = "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))\n\
                 jsonschema.validate(doc, schema)\n\
                 print(len(doc['shared']['frames']))";
    let output = Command::new(venv_python()).args(["-c", check]).arg(&schema).arg(&file).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let frames: usize = String::from_utf8_lossy(&output.stdout).trim().parse().unwrap();
    assert!(frames > 1000, "a real profile: {frames} frames");
    // And the schema is not a formality: a file with a frame index out of range fails it.
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["profiles"][0]["type"] = "sampled-by-nobody".into();
    let broken = exports().join("broken.json");
    std::fs::write(&broken, doc.to_string()).unwrap();
    let output = Command::new(venv_python()).args(["-c", check]).arg(&schema).arg(&broken).output().unwrap();
    assert!(!output.status.success(), "the schema rejects a bad profile type");
}

#[test]
fn folded_stacks_round_trip_through_inferno() {
    let folded = std::fs::read_to_string(exports().join("run.folded")).unwrap();
    let total: u64 = folded.lines().map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap()).sum();
    let mut svg = Vec::new();
    let mut options = inferno::flamegraph::Options::default();
    inferno::flamegraph::from_lines(&mut options, folded.lines(), &mut svg)
        .expect("inferno reads loupe's folded stacks");
    let svg = String::from_utf8(svg).unwrap();
    let all = format!("all ({} samples, 100%)", thousands(total));
    assert!(svg.contains(&all), "inferno's total is the folded file's: {all}");
    // The same time as the speedscope file's weights.
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(exports().join("run.json")).unwrap()).unwrap();
    let weights: u64 = doc["profiles"][0]["weights"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).sum();
    assert_eq!(weights, total);
}

/// `1234567` as inferno writes counts: `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The DOM of `svg` (with `query`, e.g. `?s=term` to search at load) after Chromium loaded it.
fn chromium_dom(svg: &Path, query: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--no-first-run", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}{query}", svg.display()))
        .stderr(Stdio::null())
        .output()
        .expect("this test needs Chromium: run scripts/setup-test-env.sh (Debian package chromium)");
    assert!(output.status.success(), "chromium failed: {:?}", output.status);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Each frame of a loaded flamegraph: its title (full name and figures) and the text drawn.
fn frames(dom: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for group in dom.split("<g><title>").skip(1) {
        let Some((title, rest)) = group.split_once("</title>") else { continue };
        let text = rest
            .split_once("<text")
            .and_then(|(_, t)| t.split_once('>'))
            .map(|(_, t)| t.split('<').next().unwrap_or(""));
        out.push((title.to_string(), text.unwrap_or("").to_string()));
    }
    out
}

#[test]
fn the_svg_loads_in_chromium_keeps_names_in_narrow_frames_and_searches() {
    let svg = exports().join("run.svg");
    let dom = chromium_dom(&svg, "");
    assert!(dom.contains("loupe profile: __main__.py"), "the page loaded with its title");
    assert!(dom.contains("Colours: warm = measured, blue with ~ = inferred"), "the legend");
    let frames = frames(&dom);
    assert!(frames.len() > 20, "{} frames drawn", frames.len());
    let cut: Vec<&(String, String)> = frames.iter().filter(|(_, text)| text.ends_with("..")).collect();
    assert!(!cut.is_empty(), "a real profile has narrow frames");
    for (title, text) in &cut {
        let kept = text.trim_end_matches("..");
        assert!(title.starts_with(kept), "a narrow frame keeps the start of its name: {text:?} for {title:?}");
    }
    // inferno's search, given at load (`?s=`), as the Search button runs it: matching frames are
    // filled magenta and the share is written bottom right.
    let searched = chromium_dom(&svg, "?s=get_installed_distributions|iter_installed|_iter_distributions");
    let matched =
        searched.split("id=\"matched\"").nth(1).expect("the matched text").split('<').next().unwrap().to_string();
    assert!(matched.contains("Matched: "), "{matched}");
    // The search colour also appears once in the script itself.
    let magenta = |dom: &str| dom.matches("rgb(230,0,230)").count();
    assert!(magenta(&searched) > magenta(&dom), "matching frames highlighted");
    let nothing = chromium_dom(&svg, "?s=no_function_is_called_this");
    assert_eq!(magenta(&nothing), magenta(&dom), "nothing highlighted for a name no frame has");
}
