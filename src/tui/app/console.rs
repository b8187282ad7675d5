//! The Console pane's state: the program's output (stdout and stderr told apart, plus loupe's own
//! messages), and the prompt with its history and completions.

use std::collections::VecDeque;

use super::input::TextInput;

/// Lines kept; older output is dropped (and the drop is counted) so a chatty program cannot grow
/// loupe's memory without bound.
pub const MAX_LINES: usize = 10_000;
/// Characters kept per line; a megabyte-long line is cut for display.
pub const MAX_LINE_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Stdout,
    Stderr,
    /// loupe's and the debugger's messages (logpoints, notices).
    Info,
    /// What the user typed.
    Input,
    /// A result of what the user typed.
    Result,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleLine {
    pub kind: LineKind,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct ConsoleState {
    pub lines: VecDeque<ConsoleLine>,
    pub dropped: usize,
    /// True when the last line has not ended yet (output arrives in chunks).
    open_line: bool,
    pub input: TextInput,
    pub history: Vec<String>,
    history_pos: Option<usize>,
    /// Lines scrolled back from the bottom (0 = follow the output).
    pub scroll_back: usize,
    /// Completion candidates for the current input.
    pub completions: Vec<String>,
    /// Whether submitted lines go to the program's standard input while it runs (Ctrl-T turns
    /// it on and off). Off, they stay debugger commands, so `break` works without a pause.
    pub to_program: bool,
}

impl ConsoleState {
    /// Program output, which arrives in chunks that need not end at a line break.
    pub fn push_output(&mut self, kind: LineKind, text: &str) {
        if text.is_empty() {
            return;
        }
        let parts: Vec<&str> = text.split('\n').collect();
        let last_index = parts.len() - 1;
        for (i, part) in parts.into_iter().enumerate() {
            let part = part.strip_suffix('\r').unwrap_or(part);
            if i == last_index && part.is_empty() {
                break;
            }
            let append = i == 0 && self.open_line && self.lines.back().is_some_and(|l| l.kind == kind);
            match self.lines.back_mut() {
                Some(last) if append => {
                    last.text.push_str(part);
                    cap(&mut last.text);
                }
                _ => self.push_line(kind, part.to_string()),
            }
        }
        self.open_line = !text.ends_with('\n');
    }

    /// A whole line (loupe's messages, results).
    pub fn push(&mut self, kind: LineKind, text: &str) {
        for line in text.lines() {
            self.push_line(kind, line.to_string());
        }
        self.open_line = false;
    }

    fn push_line(&mut self, kind: LineKind, mut text: String) {
        cap(&mut text);
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(ConsoleLine { kind, text });
    }

    /// Takes the input line and records it in the history.
    pub fn submit(&mut self) -> String {
        let line = self.input.take();
        if !line.trim().is_empty() && self.history.last() != Some(&line) {
            self.history.push(line.clone());
        }
        self.history_pos = None;
        self.completions.clear();
        line
    }

    pub fn history_step(&mut self, older: bool) {
        if self.history.is_empty() {
            return;
        }
        let pos = match (self.history_pos, older) {
            (None, true) => Some(self.history.len() - 1),
            (None, false) => None,
            (Some(p), true) => Some(p.saturating_sub(1)),
            (Some(p), false) if p + 1 < self.history.len() => Some(p + 1),
            (Some(_), false) => None,
        };
        self.history_pos = pos;
        match pos {
            Some(p) => self.input.set(&self.history[p].clone()),
            None => self.input.set(""),
        }
    }
}

fn cap(text: &mut String) {
    if let Some((byte, _)) = text.char_indices().nth(MAX_LINE_CHARS) {
        text.truncate(byte);
        text.push_str(" …");
    }
}
