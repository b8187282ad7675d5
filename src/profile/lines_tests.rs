//! The line profile model against line_profiler's own output: the expected tables below were
//! printed by line_profiler 5.1.0's `show_text` (unit 1e-9, output unit 1e-6) for the same timings.

use super::*;

fn function(file: &str, name: &str, first_line: u32, last_line: u32, lines: &[(u32, u64, u64)]) -> FunctionLines {
    FunctionLines {
        file: file.into(),
        name: name.into(),
        qualname: name.into(),
        first_line,
        last_line,
        total_ns: lines.iter().map(|l| l.2).sum(),
        lines: lines.iter().map(|&(line, hits, time_ns)| LineTiming { line, hits, time_ns }).collect(),
    }
}

fn report(functions: Vec<FunctionLines>) -> LineProfile {
    LineProfile {
        unit: 1e-9,
        python: "3.12.1".into(),
        mechanism: "sys.monitoring".into(),
        callbacks: Some("compiled".into()),
        ending: "normal".into(),
        functions,
        unseen: vec![],
    }
}

const DEMO: &str =
    "def work(n):\n    total = 0\n    for i in range(n):\n        total += i * i  # hot\n\n    return total\n";

#[test]
fn table_is_line_profilers_text_byte_for_byte() {
    let work = function(
        "/tmp/lt/demo.py",
        "work",
        1,
        6,
        &[(2, 1, 250), (3, 10001, 1234567), (4, 10000, 98765432109), (6, 1, 40)],
    );
    let gone = function("/nonexistent/x.py", "gone", 1, 3, &[(2, 3, 3000), (3, 1234567890123, 1)]);
    let text = report(vec![work, gone])
        .table_with_source(|file| (file == "/tmp/lt/demo.py").then(|| DEMO.lines().map(str::to_string).collect()));
    let expected = "Timer unit: 1e-06 s\n\nTotal time: 98.7667 s\nFile: /tmp/lt/demo.py\nFunction: work at line 1\n\nLine #      Hits         Time  Per Hit   % Time  Line Contents\n==============================================================\n     1                                           def work(n):\n     2         1          0.2      0.2      0.0      total = 0\n     3     10001       1234.6      0.1      0.0      for i in range(n):\n     4     10000   98765432.1   9876.5    100.0          total += i * i  # hot\n     5                                           \n     6         1          0.0      0.0      0.0      return total\n\n";
    // line_profiler repeats the timer unit per show_text call; one report has it once.
    let expected_gone = "Total time: 3.001e-06 s\n\nCould not find file /nonexistent/x.py\nAre you sure you are running this program from the same directory\nthat you ran the profiler from?\nContinuing without the function's contents.\n\nLine #        Hits         Time  Per Hit   % Time  Line Contents\n================================================================\n     1                                             \n     2           3          3.0      1.0    100.0  \n     3 1.23457e+12          0.0      0.0      0.0  \n\n";
    assert_eq!(text, format!("{expected}{expected_gone}"));
}

#[test]
fn format_g_matches_python() {
    let cases: &[(f64, &str, &str)] = &[
        (0.000123456, "0.000123456", "0.000123"),
        (1e-06, "1e-06", "1e-06"),
        (123456789.0, "1.23457e+08", "1.23e+08"),
        (0.1, "0.1", "0.1"),
        (1.0, "1", "1"),
        (100000.0, "100000", "1e+05"),
        (1000000.0, "1e+06", "1e+06"),
        (2.5e-05, "2.5e-05", "2.5e-05"),
        (0.00012, "0.00012", "0.00012"),
        (987654.321, "987654", "9.88e+05"),
        (1e16, "1e+16", "1e+16"),
        (0.0, "0", "0"),
    ];
    for &(value, g6, g3) in cases {
        assert_eq!(format_g(value, 6), g6, "{value} %g");
        assert_eq!(format_g(value, 3), g3, "{value} %.3g");
    }
}

#[test]
fn hottest_and_times_for_rank_and_share() {
    let a = function("/p/a.py", "a", 1, 4, &[(2, 1, 100), (3, 10, 700), (4, 1, 200)]);
    let b = function("/p/b.py", "b", 10, 12, &[(11, 5, 500), (12, 5, 500)]);
    let profile = report(vec![a, b]);
    let hot = profile.hottest(3);
    assert_eq!(
        hot.iter().map(|h| (h.file.as_str(), h.line)).collect::<Vec<_>>(),
        [("/p/a.py", 3), ("/p/b.py", 11), ("/p/b.py", 12)]
    );
    assert!((hot[0].share_of_function - 0.7).abs() < 1e-12);
    assert!((hot[0].share_of_total - 0.35).abs() < 1e-12);
    let times = profile.times_for(Path::new("/p/a.py"));
    assert_eq!(times.keys().copied().collect::<Vec<_>>(), [2, 3, 4]);
    assert_eq!(times[&3], LineTime { hits: 10, time_ns: 700, share: 0.7 });
    assert!(profile.times_for(Path::new("/p/c.py")).is_empty());
}

#[test]
fn report_json_round_trips_and_bad_json_says_what_it_is() {
    let text = r#"{"format": "loupe-lines/1", "unit": 1e-9, "python": "3.11.7", "mechanism": "sys.settrace",
        "ending": "signal 15", "functions": [{"file": "/w.py", "name": "f", "qualname": "C.f", "first_line": 3,
        "last_line": 5, "total_ns": 9, "lines": [{"line": 4, "hits": 2, "time_ns": 9}]}],
        "unseen": [{"spec": "nosuch", "suggestions": ["such"]}]}"#;
    let profile = LineProfile::parse(text).unwrap();
    assert_eq!(profile.functions[0].lines, [LineTiming { line: 4, hits: 2, time_ns: 9 }]);
    assert_eq!(profile.unseen[0].suggestions, ["such"]);
    let again = LineProfile::parse(&serde_json::to_string(&profile).unwrap()).unwrap();
    assert_eq!(again.functions[0].qualname, "C.f");
    let err = LineProfile::parse("{}").unwrap_err();
    assert!(format!("{err:#}").contains("not a loupe line profile"), "{err:#}");
}

#[test]
fn picks_user_functions_by_self_time_until_ninety_percent() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs/profile/fixtures/structure-3.11.prof");
    let data = std::fs::read(fixture).unwrap();
    let profile = Profile::parse(&data).unwrap();
    let picked = pick_hot_functions(&profile, |file| file.ends_with("structure.py"));
    assert!(!picked.is_empty() && picked.len() <= MAX_PICKED);
    assert!(picked.iter().all(|p| p.key.file.ends_with("structure.py")));
    assert!(picked.windows(2).all(|w| w[0].share >= w[1].share));
    let covered: f64 = picked.iter().map(|p| p.share).sum();
    assert!(covered >= PICK_COVERAGE || picked.len() == MAX_PICKED, "{picked:?}");
    // Nothing is user code: nothing is picked.
    assert!(pick_hot_functions(&profile, |_| false).is_empty());
}
