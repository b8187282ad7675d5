//! The tests overlay's state: pytest's collected tests for a pytest run, how each last ended
//! (pytest's `lastfailed` cache, and the failures this session stopped at), and what is running.
//! Collection happens in the background (`session::test_collect`); Enter runs one test under the
//! debugger by starting the program again with that node id as pytest's arguments.

use std::collections::BTreeSet;

use crate::session::test_collect::Collection;

/// How a test last ended, as far as loupe can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The current run stopped at its failure.
    StoppedHere,
    /// pytest's cache says it failed the last time it ran.
    FailedLastRun,
    /// Not known to have failed.
    NotFailed,
}

#[derive(Debug, Default)]
pub struct TestsPane {
    pub open: bool,
    pub cursor: usize,
    pub scroll: usize,
    /// While pytest collects: how many tests it has listed so far.
    pub collecting: Option<usize>,
    pub collection: Option<Collection>,
    /// Why collection failed (pytest's words).
    pub error: Option<String>,
    /// Failing tests the current run stopped at (node ids).
    pub stopped_at: BTreeSet<String>,
    /// What the program runs now (`all tests`, a node id or a file), for the title.
    pub running: Option<String>,
}

impl TestsPane {
    pub fn node_ids(&self) -> &[String] {
        self.collection.as_ref().map(|c| c.node_ids.as_slice()).unwrap_or_default()
    }

    pub fn outcome(&self, node_id: &str) -> Outcome {
        if self.stopped_at.contains(node_id) {
            Outcome::StoppedHere
        } else if self.collection.as_ref().is_some_and(|c| c.last_failed.contains(node_id)) {
            Outcome::FailedLastRun
        } else {
            Outcome::NotFailed
        }
    }

    pub fn failed_count(&self) -> usize {
        self.node_ids().iter().filter(|id| self.outcome(id) != Outcome::NotFailed).count()
    }

    pub fn move_cursor(&mut self, delta: isize, visible: usize) {
        let rows = self.node_ids().len();
        self.cursor = self.cursor.saturating_add_signed(delta).min(rows.saturating_sub(1));
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if visible > 0 && self.cursor >= self.scroll + visible {
            self.scroll = self.cursor + 1 - visible;
        }
    }

    pub fn selected(&self) -> Option<&str> {
        self.node_ids().get(self.cursor).map(String::as_str)
    }

    /// A new collection; the cursor stays on the same test when it is still there.
    pub fn set_collection(&mut self, collection: Collection) {
        let selected = self.selected().map(str::to_string);
        self.collection = Some(collection);
        self.collecting = None;
        self.error = None;
        if let Some(position) = selected.and_then(|s| self.node_ids().iter().position(|id| *id == s)) {
            self.cursor = position;
        }
        self.move_cursor(0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_prefer_what_this_session_saw() {
        let mut pane = TestsPane::default();
        let mut collection =
            Collection { node_ids: vec!["t.py::a".into(), "t.py::b".into(), "t.py::c".into()], ..Default::default() };
        collection.last_failed.insert("t.py::b".into());
        pane.set_collection(collection);
        pane.stopped_at.insert("t.py::c".into());
        assert_eq!(pane.outcome("t.py::a"), Outcome::NotFailed);
        assert_eq!(pane.outcome("t.py::b"), Outcome::FailedLastRun);
        assert_eq!(pane.outcome("t.py::c"), Outcome::StoppedHere);
        assert_eq!(pane.failed_count(), 2);
        pane.move_cursor(1, 10);
        assert_eq!(pane.selected(), Some("t.py::b"));
        // A fresh collection keeps the cursor on the same test.
        pane.set_collection(Collection { node_ids: vec!["t.py::b".into()], ..Default::default() });
        assert_eq!(pane.selected(), Some("t.py::b"));
    }
}
