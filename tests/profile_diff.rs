//! `loupe flame A.prof --diff B.prof`: a differential of two real profiles (CPython 3.8 and 3.13
//! running the same program), A normalised to B's total, drawn by inferno.

mod profile_support;

use profile_support::*;

#[test]
fn differential_folded_is_normalised_and_svg_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (fixture("structure-3.8.prof"), fixture("structure-3.13.prof"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("flame")
        .arg(&a)
        .arg("--diff")
        .arg(&b)
        .arg("--no-tui")
        .arg("--folded")
        .arg(dir.path().join("diff.folded"))
        .arg("-o")
        .arg(dir.path().join("diff.svg"))
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = std::fs::read_to_string(dir.path().join("diff.folded")).unwrap();
    let (mut sum_a, mut sum_b) = (0u64, 0u64);
    for line in text.lines() {
        let mut parts = line.rsplitn(3, ' ');
        let count_b: u64 = parts.next().unwrap().parse().unwrap();
        let count_a: u64 = parts.next().unwrap().parse().unwrap();
        sum_a += count_a;
        sum_b += count_b;
    }
    let profile_b = loupe::profile::Profile::load(&b).unwrap();
    let expected_b = profile_b.total_self_time() * 1e9;
    assert!((sum_b as f64 - expected_b).abs() <= expected_b * 0.001, "B keeps its total");
    // Normalised: A scaled to B's total (rounding per line aside).
    let lines = text.lines().count() as f64;
    assert!((sum_a as f64 - sum_b as f64).abs() <= lines, "A {sum_a} not normalised to B {sum_b}");
    assert!(text.contains("main (structure.py:28);outer (structure.py:22)"));
    let svg = std::fs::read_to_string(dir.path().join("diff.svg")).unwrap();
    assert!(svg.contains("loupe differential: structure-3.8.prof → structure-3.13.prof"));
    // inferno colours differential frames red (more) / blue (less) by the two counts.
    assert!(svg.contains("rgb(") && svg.trim_end().ends_with("</svg>"));
}
