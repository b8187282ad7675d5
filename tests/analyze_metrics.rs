//! Metrics on a known input. The radon figures were produced by running radon 6.0.1
//! (`cc_visit`, `h_visit(...).total`, `raw.analyze`, `mi_visit(code, True)`) on
//! tests/programs/analyze/metrics_sample.py; benches/analyzer_accuracy.sh re-checks them on the
//! whole standard library. The cognitive figures follow the SonarSource rules listed in
//! src/analyze/metrics/cognitive.rs, counted by hand.

use std::path::{Path, PathBuf};

use loupe::analyze::report::FileReport;
use loupe::analyze::{analyze_source, AnalyzeOptions, ImportEnvironment, TargetVersion};

fn sample() -> FileReport {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/programs/analyze/metrics_sample.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let options = AnalyzeOptions { target: TargetVersion::DEFAULT, environment: ImportEnvironment::default() };
    analyze_source(&path, path.display().to_string(), &text, Path::new("/nonexistent"), &options)
}

#[test]
fn cyclomatic_complexity_and_ranks_match_radon() {
    let report = sample();
    let cc = |qualname: &str| {
        report.functions.iter().find(|f| f.qualname == qualname).map(|f| (f.line, f.cyclomatic, f.rank))
    };
    assert_eq!(cc("classify"), Some((10, 11, 'C')));
    assert_eq!(cc("Shape.area"), Some((34, 2, 'A')));
    assert_eq!(cc("Shape.describe"), Some((38, 2, 'A')));
    let shape = &report.classes[0];
    assert_eq!((shape.name.as_str(), shape.line, shape.cyclomatic), ("Shape", 31, 3));
}

#[test]
fn halstead_raw_and_maintainability_match_radon() {
    let report = sample();
    let h = report.halstead.as_ref().unwrap();
    assert_eq!((h.h1, h.h2, h.N1, h.N2), (10, 16, 13, 23));
    assert!((h.volume - 169.21582985307933).abs() < 1e-9);
    assert!((h.difficulty - 7.1875).abs() < 1e-12);
    assert!((h.effort - 1216.2387770690077).abs() < 1e-6);
    let raw = report.raw.as_ref().unwrap();
    assert_eq!(
        (raw.loc, raw.lloc, raw.sloc, raw.comments, raw.multi, raw.blank, raw.single_comments),
        (43, 33, 31, 2, 3, 8, 1)
    );
    assert!((report.mi.unwrap() - 70.87372274952422).abs() < 0.01);
    assert_eq!(report.mi_rank.as_deref(), Some("A"));
}

#[test]
fn cognitive_complexity_follows_the_sonar_rules() {
    let report = sample();
    let cognitive = |qualname: &str| report.functions.iter().find(|f| f.qualname == qualname).unwrap().cognitive;
    // for +1; if (nested once) +2; `and` +1; elif +1; `or` +1; else +1; two excepts +1 each.
    assert_eq!(cognitive("classify"), 9);
    // A ternary at nesting 0 (with does not nest).
    assert_eq!(cognitive("Shape.area"), 1);
    // while +1, and the nested function's `and` +1.
    assert_eq!(cognitive("Shape.describe"), 2);
}

#[test]
fn definitions_variables_docstrings_and_imports() {
    let report = sample();
    assert_eq!(report.docstring.as_ref().unwrap().summary, "Module docstring.");
    let limit = report.variables.iter().find(|v| v.name == "LIMIT").unwrap();
    assert_eq!((limit.scope.as_str(), limit.annotation.as_deref()), ("module", Some("int")));
    let sides = report.variables.iter().find(|v| v.name == "sides").unwrap();
    assert_eq!(sides.scope, "Shape");
    let classify = report.functions.iter().find(|f| f.name == "classify").unwrap();
    assert_eq!(classify.signature, "classify(values, threshold=LIMIT)");
    assert_eq!((classify.annotated_parameters, classify.parameters, classify.is_method), (0, 2, false));
    assert!(report.functions.iter().find(|f| f.name == "area").unwrap().is_method);
    assert_eq!(report.imports.len(), 1);
    assert_eq!(report.imports[0].module, "os");
    // Without an interpreter the stdlib is unknown: not local, so third-party, installed unknown.
    assert_eq!(report.imports[0].installed, None);
}
