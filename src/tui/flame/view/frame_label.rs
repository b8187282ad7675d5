//! The text inside a flamegraph frame that is too narrow for its whole label.
//!
//! Labels are `name (file.py:line)`, `~` in front for an inferred frame (`≈` for a sampled one), or a bare name (built-ins,
//! synthetic frames such as `(other)`). The name is what tells frames apart at a glance, so the
//! location goes first, then the name is cut; the ellipsis costs a cell, so it is only used when
//! three characters of the name still show. Works on the label string alone, whatever made it.

/// What a frame `width` cells wide shows of `label` (at most `width` characters, not padded).
pub fn frame_text(label: &str, width: usize) -> String {
    if label.chars().count() <= width {
        return label.to_string();
    }
    let (mark, rest) = match label.strip_prefix('~').map(|r| ("~", r)).or(label.strip_prefix('≈').map(|r| ("≈", r)))
    {
        Some((mark, rest)) if !rest.is_empty() => (mark, rest),
        _ => ("", label),
    };
    // A single cell: the name's first character says more than the inferred mark (the frame's
    // colour says that too).
    if width <= 1 {
        return rest.chars().take(width).collect();
    }
    let room = width - mark.chars().count();
    let name = without_location(rest);
    let name_len = name.chars().count();
    // The whole name, " (" and at least three characters of the location before the ellipsis.
    let location_fits = room >= name_len + " (".len() + 4;
    let text = if name.len() < rest.len() && location_fits {
        cut(rest, room)
    } else if name_len <= room {
        name.to_string()
    } else {
        cut(name, room)
    };
    format!("{mark}{text}")
}

/// `text` in `width` cells: with an ellipsis when at least three characters still show, else
/// just its first characters.
fn cut(text: &str, width: usize) -> String {
    if width >= 4 {
        let mut out: String = text.chars().take(width - 1).collect();
        out.push('…');
        out
    } else {
        text.chars().take(width).collect()
    }
}

/// The label without a trailing ` (file:line)`; labels without one come back whole.
fn without_location(label: &str) -> &str {
    let Some(open) = label.rfind(" (") else { return label };
    let Some(inside) = label[open + 2..].strip_suffix(')') else { return label };
    let is_location = inside
        .rsplit_once(':')
        .is_some_and(|(file, line)| !file.is_empty() && !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()));
    if is_location && open > 0 {
        &label[..open]
    } else {
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_enough_shows_everything() {
        assert_eq!(frame_text("inner (structure.py:16)", 23), "inner (structure.py:16)");
        assert_eq!(frame_text("inner (structure.py:16)", 40), "inner (structure.py:16)");
    }

    #[test]
    fn the_location_goes_before_the_name() {
        assert_eq!(frame_text("inner (structure.py:16)", 22), "inner (structure.py:1…");
        assert_eq!(frame_text("inner (structure.py:16)", 11), "inner (str…");
        // Less than three characters of the location would be noise.
        assert_eq!(frame_text("inner (structure.py:16)", 10), "inner");
        assert_eq!(frame_text("inner (structure.py:16)", 5), "inner");
    }

    #[test]
    fn then_the_name_is_cut() {
        assert_eq!(frame_text("inner (structure.py:16)", 4), "inn…");
        assert_eq!(frame_text("inner (structure.py:16)", 3), "inn");
        assert_eq!(frame_text("inner (structure.py:16)", 2), "in");
        assert_eq!(frame_text("inner (structure.py:16)", 1), "i");
        assert_eq!(frame_text("inner (structure.py:16)", 0), "");
    }

    #[test]
    fn inferred_frames_keep_their_mark() {
        assert_eq!(frame_text("~leaf (structure.py:12)", 5), "~leaf");
        assert_eq!(frame_text("~leaf (structure.py:12)", 4), "~lea");
        assert_eq!(frame_text("~work (structure.py:5)", 5), "~work");
        assert_eq!(frame_text("~compute (m.py:5)", 6), "~comp…");
        assert_eq!(frame_text("~leaf (structure.py:12)", 2), "~l");
        assert_eq!(frame_text("~leaf (structure.py:12)", 1), "l");
        // Sampled frames likewise.
        assert_eq!(frame_text("≈leaf (structure.py:12)", 5), "≈leaf");
        assert_eq!(frame_text("≈compute (m.py:5)", 6), "≈comp…");
    }

    #[test]
    fn labels_without_a_location() {
        assert_eq!(frame_text("<built-in method builtins.exec>", 8), "<built-…");
        assert_eq!(frame_text("(unattributed)", 6), "(unat…");
        assert_eq!(frame_text("(other)", 3), "(ot");
        assert_eq!(frame_text("~(other)", 5), "~(ot…");
        assert_eq!(frame_text("f (not a location)", 6), "f (no…");
        assert_eq!(frame_text("~", 1), "~");
    }
}
