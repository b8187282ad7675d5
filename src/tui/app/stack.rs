//! The Stack pane's state: threads (and child processes' threads) with their frames, and which
//! frame is selected.

use std::collections::HashMap;

use crate::session::{Frame, ThreadId, ThreadInfo};

/// A visible row: a thread, or one of its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackRow {
    Thread(usize),
    Frame(usize, usize),
}

#[derive(Debug, Default)]
pub struct StackState {
    pub threads: Vec<ThreadInfo>,
    pub frames: HashMap<ThreadId, Vec<Frame>>,
    /// The thread and frame whose source and variables are shown.
    pub current_thread: Option<ThreadId>,
    pub current_frame: usize,
    /// The highlighted row (moves with the keys; Enter selects it).
    pub cursor: usize,
    pub scroll: usize,
}

impl StackState {
    pub fn clear(&mut self) {
        self.frames.clear();
        self.current_frame = 0;
    }

    pub fn rows(&self) -> Vec<StackRow> {
        let mut rows = Vec::new();
        for (t, thread) in self.threads.iter().enumerate() {
            rows.push(StackRow::Thread(t));
            if let Some(frames) = self.frames.get(&thread.id) {
                rows.extend((0..frames.len()).map(|f| StackRow::Frame(t, f)));
            }
        }
        rows
    }

    pub fn frame(&self) -> Option<&Frame> {
        self.frames.get(&self.current_thread?)?.get(self.current_frame)
    }

    pub fn frame_count(&self) -> usize {
        self.current_thread.and_then(|t| self.frames.get(&t)).map_or(0, Vec::len)
    }

    pub fn set_threads(&mut self, mut threads: Vec<ThreadInfo>) {
        // The stopped thread may not be in the list yet (threads race with stops); keep it.
        if let Some(t) = self.current_thread {
            if !threads.iter().any(|x| x.id == t) {
                threads.insert(0, ThreadInfo { id: t, name: format!("thread {t}") });
            }
        }
        self.threads = threads;
        self.place_cursor();
    }

    pub fn set_frames(&mut self, thread: ThreadId, frames: Vec<Frame>) {
        if !self.threads.iter().any(|t| t.id == thread) {
            self.threads.insert(0, ThreadInfo { id: thread, name: format!("thread {thread}") });
        }
        self.frames.insert(thread, frames);
        self.place_cursor();
    }

    /// Puts the cursor on the current frame.
    pub fn place_cursor(&mut self) {
        let Some(thread) = self.current_thread else { return };
        let Some(t) = self.threads.iter().position(|x| x.id == thread) else { return };
        if let Some(i) = self.rows().iter().position(|r| *r == StackRow::Frame(t, self.current_frame)) {
            self.cursor = i;
        }
    }

    pub fn move_cursor(&mut self, delta: isize) {
        let n = self.rows().len();
        if n > 0 {
            self.cursor = (self.cursor as isize + delta).clamp(0, n as isize - 1) as usize;
        }
    }

    /// The row under the cursor as (thread id, frame index).
    pub fn cursor_target(&self) -> Option<(ThreadId, Option<usize>)> {
        match *self.rows().get(self.cursor)? {
            StackRow::Thread(t) => Some((self.threads.get(t)?.id, None)),
            StackRow::Frame(t, f) => Some((self.threads.get(t)?.id, Some(f))),
        }
    }
}
