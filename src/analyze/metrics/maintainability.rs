//! Maintainability index with radon's formula (`radon.metrics.mi_compute`, multi-line strings
//! counted as comments, as `radon mi` does by default) and its A/B/C ranks.

use crate::analyze::report::RawMetrics;

/// radon's `mi_compute(volume, complexity, lloc, comment_percent)`; radon passes the logical
/// line count where the formula says SLOC, and so does loupe.
pub fn index(halstead_volume: f64, total_complexity: u32, raw: &RawMetrics) -> f64 {
    let comment_lines = (raw.comments + raw.multi) as f64;
    let comments = if raw.sloc != 0 { comment_lines / raw.sloc as f64 * 100.0 } else { 0.0 };
    let lloc = raw.lloc as f64;
    if halstead_volume <= 0.0 || lloc <= 0.0 {
        return 100.0;
    }
    let comments_scale = (2.46 * comments.to_radians()).sqrt();
    let non_normalized = 171.0 - 5.2 * halstead_volume.ln() - 0.23 * total_complexity as f64 - 16.2 * lloc.ln()
        + 50.0 * comments_scale.sin();
    (non_normalized * 100.0 / 171.0).clamp(0.0, 100.0)
}

/// radon's rank: A above 19, B above 9, C otherwise.
pub fn rank(score: f64) -> char {
    if score > 19.0 {
        'A'
    } else if score > 9.0 {
        'B'
    } else {
        'C'
    }
}
