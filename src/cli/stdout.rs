//! loupe's results on standard output. A reader that stops early (`loupe exec --json ... | head
//! -c 80`) closes the pipe, and `print!` would then panic with a backtrace: Rust ignores SIGPIPE,
//! which loupe needs ignored for its debugger sockets. These writes return [`ReaderGone`]
//! instead; the entry point ends quietly on it, as `cat` does, after every destructor (the
//! sandbox's clean-up) has run.

use std::io::Write;

/// Standard output was closed by its reader.
#[derive(Debug)]
pub struct ReaderGone;

impl std::fmt::Display for ReaderGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed by its reader")
    }
}

impl std::error::Error for ReaderGone {}

/// Exit code when the reader went away: what a shell reports for a command ended by SIGPIPE.
pub const EXIT_READER_GONE: u8 = 128 + libc::SIGPIPE as u8;

/// Writes `text` to standard output, flushed.
pub fn print(text: impl std::fmt::Display) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match write!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ReaderGone.into()),
        other => Ok(other?),
    }
}

/// [`print`] and a newline.
pub fn print_line(text: impl std::fmt::Display) -> anyhow::Result<()> {
    print(format_args!("{text}\n"))
}
