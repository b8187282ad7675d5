//! Drives the real `loupe` binary in a pseudo-terminal, the way a user's terminal does: keys go in
//! as bytes, and what loupe draws is fed to a VT100 emulator (`vt100`) that tests read as a screen.
//!
//! A reader thread owns the PTY's output so loupe never blocks on a full buffer; every wait has a
//! hang guard that fails with the screen so far instead of hanging CI.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

pub const WAIT: Duration = Duration::from_secs(60);

/// What the reader thread has seen: the emulated screen and the raw bytes (for escape-sequence
/// checks such as "the alternate screen was left").
struct Seen {
    parser: vt100::Parser,
    raw: Vec<u8>,
    closed: bool,
}

pub struct Tui {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    seen: Arc<(Mutex<Seen>, Condvar)>,
}

impl Tui {
    /// Starts `loupe ARGS` in a `cols`×`rows` terminal, with `env` added to a clean environment
    /// (PATH and HOME kept so Python and its caches are found).
    pub fn spawn(args: &[&str], cwd: &Path, env: &[(&str, &Path)], cols: u16, rows: u16) -> Tui {
        Tui::spawn_program(Path::new(env!("CARGO_BIN_EXE_loupe")), args, cwd, env, cols, rows)
    }

    /// The same for any program (benchmarks run a peer debugger this way).
    pub fn spawn_program(
        program: &Path,
        args: &[&str],
        cwd: &Path,
        env: &[(&str, &Path)],
        cols: u16,
        rows: u16,
    ) -> Tui {
        let pty = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("cannot open a pseudo-terminal");
        let mut command = CommandBuilder::new(program);
        command.args(args);
        command.cwd(cwd);
        command.env_clear();
        for name in ["PATH", "HOME", "LANG", "PYENV_ROOT"] {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        command.env("TERM", "xterm-256color");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pty.slave.spawn_command(command).expect("cannot start loupe in the pseudo-terminal");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let seen = Arc::new((
            Mutex::new(Seen { parser: vt100::Parser::new(rows, cols, 0), raw: Vec::new(), closed: false }),
            Condvar::new(),
        ));
        let sink = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let mut seen = sink.0.lock().unwrap();
                        seen.parser.process(&buf[..n]);
                        seen.raw.extend_from_slice(&buf[..n]);
                        sink.1.notify_all();
                    }
                }
            }
            sink.0.lock().unwrap().closed = true;
            sink.1.notify_all();
        });
        Tui { master: pty.master, writer, child, seen }
    }

    /// The screen as text, one line per row.
    pub fn screen(&self) -> String {
        self.seen.0.lock().unwrap().parser.screen().contents()
    }

    /// A copy of the emulated screen (for colours and cells).
    pub fn screen_state(&self) -> vt100::Screen {
        self.seen.0.lock().unwrap().parser.screen().clone()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.seen.0.lock().unwrap().raw.clone()
    }

    /// Waits until `pred(screen)` holds; panics with the screen after [`WAIT`].
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        match self.wait_until(WAIT, pred) {
            Ok(screen) => screen,
            Err(screen) => panic!("timed out waiting for {what}; the screen:\n{screen}"),
        }
    }

    /// Waits until `pred(screen)` holds, woken by every chunk of output (so a benchmark measures
    /// loupe, not a polling interval). Err(screen) after `timeout`.
    pub fn wait_until(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        let (lock, wake) = &*self.seen;
        let mut seen = lock.lock().unwrap();
        loop {
            let screen = seen.parser.screen().contents();
            if pred(&screen) {
                return Ok(screen);
            }
            let now = Instant::now();
            if now >= deadline || seen.closed {
                return Err(screen);
            }
            seen = wake.wait_timeout(seen, deadline - now).unwrap().0;
        }
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Sends bytes as typed (escape sequences included).
    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// Types `text` one key at a time, like a person (a burst can be read as a paste).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(c.encode_utf8(&mut [0; 4]));
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for loupe to exit and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for loupe") {
                // Let the reader drain what was written last (the terminal restore).
                let drain = Instant::now() + Duration::from_secs(5);
                while !self.seen.0.lock().unwrap().closed && Instant::now() < drain {
                    std::thread::sleep(Duration::from_millis(10));
                }
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("loupe did not exit; the screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// The terminal's line discipline as loupe left it: (canonical mode, echo).
    #[cfg(unix)]
    pub fn line_discipline(&self) -> Option<(bool, bool)> {
        // portable-pty hands back its own nix's Termios: compare raw bits.
        let flags = self.master.get_termios()?.local_flags.bits();
        Some((flags & nix::libc::ICANON != 0, flags & nix::libc::ECHO != 0))
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The row of the screen that contains `needle`.
pub fn row_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}
