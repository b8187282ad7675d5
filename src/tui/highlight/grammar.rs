//! What the highlighter knows about languages: syntect's bundled grammars and themes (loaded
//! once, and warmed up off the UI thread), a file's language with the parser state a top-level
//! statement starts from, and where a guess may safely start parsing (see the far-jump notes in
//! `mod.rs`).

use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};

use super::LineSource;

/// How far above the view to look for a safe point.
const SAFE_POINT_SEARCH: usize = 24;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

/// syntect's bundled syntaxes (loaded once, in about a millisecond; each grammar's regexes are
/// compiled on first use, see [`warm_up`]).
pub fn syntaxes() -> &'static SyntaxSet {
    &SYNTAXES
}

/// syntect's bundled themes (loaded once).
pub fn syntect_themes() -> &'static ThemeSet {
    &THEMES
}

/// Loads the syntax and theme sets and compiles the Python grammar's regexes (syntect compiles
/// them on first use: ~15-30 ms) on a background thread, once per process, so the first file
/// shown does not pay for it.
pub fn warm_up() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let spawned = std::thread::Builder::new().name("loupe-syntax-warm-up".into()).spawn(|| {
            let _ = syntect_themes();
            let Some(python) = syntaxes().find_syntax_by_name("Python") else { return };
            let mut state = ParseState::new(python);
            for line in WARM_UP_SNIPPET.lines() {
                let _ = state.parse_line(&format!("{line}\n"), syntaxes());
            }
        });
        // Without the thread, the first highlight simply does the work itself.
        drop(spawned);
    });
}

/// Python touching the common parts of the grammar, parsed by [`warm_up`].
const WARM_UP_SNIPPET: &str = r#"#!/usr/bin/env python3
"""Module docstring."""
from __future__ import annotations
import os, sys as system
@decorator(arg=1)
class Name(Base, metaclass=Meta):
    attr: int = 0x1F + 1_000 * 2.5e-3
    def method(self, a, *args, b: str = 'x', **kw) -> None:
        # a comment
        if a and not b or a is None:
            return [i for i in range(10) if i % 2]
        elif (lambda x: x)(a) in {1: 'a'}:
            raise ValueError(f"bad {a!r:>10} \n")
        while True:
            try:
                yield from self.other(r'raw\d', b"bytes")
            except (KeyError, IndexError) as e:
                pass
            finally:
                break
async def main():
    async with ctx() as c:
        await c.run(print, "done", sep='')
"#;

/// What the parser knows before a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct State {
    pub(super) parse: ParseState,
    pub(super) scopes: ScopeStack,
}

/// The language of a file, with its initial top-level state.
#[derive(Clone, Debug)]
pub(super) struct Language {
    pub(super) syntax: &'static SyntaxReference,
    python: bool,
    /// The state after a blank first line: what a top-level statement starts from.
    pub(super) top_level: State,
}

impl Language {
    pub(super) fn new(syntax: &'static SyntaxReference) -> Option<Language> {
        let mut parse = ParseState::new(syntax);
        let mut scopes = ScopeStack::new();
        for (_, op) in parse.parse_line("\n", syntaxes()).ok()? {
            scopes.apply(&op).ok()?;
        }
        Some(Language { syntax, python: syntax.name == "Python", top_level: State { parse, scopes } })
    }

    /// The line to start guessing from for a far `target`: a safe point no further up than
    /// `floor`, or the target itself.
    pub(super) fn guess_start(&self, lines: &(impl LineSource + ?Sized), target: usize, floor: usize) -> usize {
        if !self.python {
            return target;
        }
        let lowest = target.saturating_sub(SAFE_POINT_SEARCH).max(floor);
        (lowest..=target).rev().find(|&i| is_python_safe_point(lines.line(i))).unwrap_or(target)
    }

    /// The state before the very first line (the parser's own initial state).
    pub(super) fn top_level_at_file_start(&self) -> State {
        State { parse: ParseState::new(self.syntax), scopes: ScopeStack::new() }
    }
}

/// A top-level Python statement that resets the parser (unless inside a multi-line string).
fn is_python_safe_point(line: &str) -> bool {
    const STARTS: [&str; 6] = ["def ", "class ", "async def ", "import ", "from ", "@"];
    STARTS.iter().any(|s| line.starts_with(s))
}
