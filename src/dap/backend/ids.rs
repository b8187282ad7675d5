//! Thread, frame and variable ids across connections: each pydevd counts from 1, so an id is
//! widened to `connection << 32 | id` on the way up and narrowed on the way down. Ids of the main
//! connection (number 0) and the non-positive "none" ids pass through unchanged.

pub(super) fn widen(connection: usize, id: i64) -> i64 {
    if id <= 0 {
        return id;
    }
    ((connection as i64) << 32) | id
}

/// An optional frame: the connection it belongs to (the main one when there is no frame).
pub(super) fn narrow_frame(frame: Option<i64>) -> (usize, Option<i64>) {
    match frame.map(narrow) {
        Some((index, id)) => (index, Some(id)),
        None => (0, None),
    }
}

pub(super) fn narrow(id: i64) -> (usize, i64) {
    if id <= 0 {
        return (0, id);
    }
    ((id >> 32) as usize, id & 0xffff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_widen_and_narrow() {
        assert_eq!(widen(0, 7), 7);
        assert_eq!(narrow(widen(3, 7)), (3, 7));
        assert_eq!(narrow(0), (0, 0));
    }
}
