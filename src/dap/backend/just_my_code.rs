//! debugpy's justMyCode notices in loupe's terms. When a breakpoint is in library code, or a step
//! would go into it, pydevd says the frame was skipped or the file excluded and advises setting
//! `"justMyCode": false` in launch.json; a loupe user's way out is `--all-code`, so the notice
//! says that (launch.json's setting still works, and is kept as the second choice).

/// pydevd's advice, as it ends both notices (breakpoint messages and step-in warnings).
const PYDEVD_ADVICE: &str = r#"Try setting "justMyCode": false in the debug configuration (e.g., launch.json)."#;

/// What loupe says instead.
const LOUPE_ADVICE: &str =
    r#"Run loupe with --all-code to debug library code too (or set "justMyCode": false in launch.json)."#;

/// `text` with pydevd's justMyCode advice replaced by loupe's; other text is returned as it is.
/// A notice that names justMyCode without the known advice (another debugpy version) gets
/// loupe's advice added, so the way out is always named.
pub(super) fn explain(text: String) -> String {
    if !text.contains("\"justMyCode\"") || text.contains("--all-code") {
        return text;
    }
    if text.contains(PYDEVD_ADVICE) {
        return text.replace(PYDEVD_ADVICE, LOUPE_ADVICE);
    }
    let body = text.trim_end_matches('\n');
    let newline = if text.ends_with('\n') { "\n" } else { "" };
    format!("{body}\n{LOUPE_ADVICE}{newline}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_in_warning_names_all_code() {
        // pydevd_net_command_factory_json.py, make_skipped_step_in_because_of_filters.
        let pydevd = "Frame skipped from debugging during step-in.\nNote: may have been skipped because of \
                      \"justMyCode\" option (default == true). Try setting \"justMyCode\": false in the debug \
                      configuration (e.g., launch.json).\n";
        let text = explain(pydevd.to_string());
        assert_eq!(
            text,
            "Frame skipped from debugging during step-in.\nNote: may have been skipped because of \
             \"justMyCode\" option (default == true). Run loupe with --all-code to debug library code too \
             (or set \"justMyCode\": false in launch.json).\n"
        );
    }

    #[test]
    fn excluded_breakpoint_message_names_all_code() {
        // pydevd_process_net_command_json.py: no space after the first sentence, as pydevd has it.
        let pydevd = "Breakpoint in file excluded by filters.\nNote: may be excluded because of \"justMyCode\" \
                      option (default == true).Try setting \"justMyCode\": false in the debug configuration \
                      (e.g., launch.json).\n";
        let text = explain(pydevd.to_string());
        assert!(text.contains("Run loupe with --all-code"), "{text}");
        assert!(!text.contains("Try setting"), "{text}");
    }

    #[test]
    fn unknown_wording_gets_the_advice_added_and_other_text_is_left_alone() {
        let text = explain("Skipped: \"justMyCode\" is on.".to_string());
        assert_eq!(text, format!("Skipped: \"justMyCode\" is on.\n{LOUPE_ADVICE}"));
        assert_eq!(explain("hello\n".to_string()), "hello\n");
        assert_eq!(explain(text.clone()), text, "explained once");
    }
}
