//! Call counts as people read them: whole numbers, pstats' `total/primitive` where recursion
//! makes the two differ, and `~` on the estimates an inferred path carries (a frame deeper than
//! cProfile records gets a share of its function's calls, usually a fraction).

use super::Figures;

/// A count held as `f64` (pstats stores them so), as a whole number.
pub fn whole(calls: f64) -> u64 {
    if calls.is_finite() && calls > 0.0 {
        calls.round() as u64
    } else {
        0
    }
}

/// pstats' `ncalls` column: `53`, or `1973/1` when only one of 1,973 calls was not recursive.
pub fn ncalls(figures: &Figures) -> String {
    let (total, primitive) = (whole(figures.calls), whole(figures.primitive_calls));
    if total != primitive {
        format!("{total}/{primitive}")
    } else {
        total.to_string()
    }
}

/// The calls along one path of a call tree: `53 calls`, `1 call`, `~53 calls` for an estimate
/// (`measured` false), and `<1 call` for a frame that ran (has time or a fraction of a call) yet
/// rounds to none: "0 calls" next to a time would read as a contradiction.
pub fn on_path(calls: f64, measured: bool, time: f64) -> String {
    let n = whole(calls);
    if n == 0 && (calls > 0.0 || time > 0.0) {
        return "<1 call".into();
    }
    let estimate = if measured { "" } else { "~" };
    let noun = if n == 1 { "call" } else { "calls" };
    format!("{estimate}{n} {noun}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(calls: f64, primitive_calls: f64) -> Figures {
        Figures { calls, primitive_calls, ..Figures::default() }
    }

    #[test]
    fn ncalls_follows_pstats() {
        assert_eq!(ncalls(&figures(53.0, 53.0)), "53");
        assert_eq!(ncalls(&figures(1973.0, 1.0)), "1973/1");
        assert_eq!(ncalls(&figures(0.0, 0.0)), "0");
    }

    #[test]
    fn path_calls_are_whole_and_marked_when_estimated() {
        assert_eq!(on_path(53.0, true, 0.1), "53 calls");
        assert_eq!(on_path(1.0, true, 0.1), "1 call");
        assert_eq!(on_path(52.6, false, 0.1), "~53 calls");
        assert_eq!(on_path(1.2, false, 0.1), "~1 call");
        assert_eq!(on_path(0.3, false, 0.1), "<1 call");
        assert_eq!(on_path(0.0, true, 0.1), "<1 call", "time but no call finished");
        assert_eq!(on_path(0.0, true, 0.0), "0 calls");
        assert_eq!(whole(f64::NAN), 0);
        assert_eq!(whole(-1.0), 0);
    }
}
