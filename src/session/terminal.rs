//! The program's terminal: a pseudo-terminal the debuggee runs in, where the program's input and
//! output (and, for pdb or ipdb, the debugger's prompt) live. A session-level type so that front
//! ends draw "the program's terminal" without knowing which backend started it (today the pdb
//! backend does; the TUI's console draws it and types into it).
//!
//! A reader thread drains it without pause (a debuggee must never block on a full terminal),
//! feeds a VT100 emulator (which the TUI draws, and which answers ipdb's cursor-position queries:
//! prompt_toolkit waits up to a second for them), and keeps a copy of the raw bytes for whoever
//! subscribes. loupe learns nothing from this text; state comes from the backend.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Context};
use portable_pty::{native_pty_system, MasterPty, PtySize};
use tokio::sync::{mpsc, watch};

use crate::sandbox::{self, PythonProcess};

/// Columns and rows of the terminal until a front end says otherwise.
pub const DEFAULT_SIZE: (u16, u16) = (120, 40);
/// Lines of scrollback the emulator keeps.
const SCROLLBACK: usize = 2_000;

/// How the process ended: its exit code, or the signal that killed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitStatus {
    pub code: i64,
    pub signal: Option<String>,
}

/// Where a backend puts the program's terminal once it has started one, for a front end made
/// before the program runs (restart fills it again with the new terminal).
pub type TerminalSlot = Arc<Mutex<Option<Arc<ProgramTerminal>>>>;

pub struct ProgramTerminal {
    master: Mutex<Box<dyn MasterPty + Send>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    killer: Mutex<Box<dyn portable_pty::ChildKiller + Send + Sync>>,
    pub pid: Option<u32>,
    /// The screen as a terminal would show it.
    pub screen: Arc<Mutex<vt100::Parser>>,
    /// Raw output for subscribers (the TUI's console), newest chunks only.
    output: Arc<Mutex<Vec<mpsc::UnboundedSender<Vec<u8>>>>>,
    /// Set once the process has exited.
    pub exit: watch::Receiver<Option<ExitStatus>>,
    /// Input meant for the program, held while the debugger's prompt would read it instead.
    program_input: Mutex<ProgramInput>,
}

struct ProgramInput {
    at_prompt: bool,
    held: Vec<u8>,
}

impl Default for ProgramInput {
    /// Until the program first runs, the terminal belongs to the debugger starting up.
    fn default() -> Self {
        ProgramInput { at_prompt: true, held: Vec::new() }
    }
}

impl ProgramTerminal {
    pub fn spawn(process: &PythonProcess) -> anyhow::Result<ProgramTerminal> {
        let (cols, rows) = DEFAULT_SIZE;
        let pair = native_pty_system()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .map_err(|e| anyhow!("cannot open a pseudo-terminal for the debugger: {e:#}"))?;
        let mut child = sandbox::spawn_in_pty(process, &pair)?;
        // Our copy of the slave must go, or reading the master never sees the end.
        drop(pair.slave);
        let pid = child.process_id();
        let killer = child.clone_killer();
        let reader = pair.master.try_clone_reader().map_err(|e| anyhow!("reading the pseudo-terminal: {e:#}"))?;
        let writer = pair.master.take_writer().map_err(|e| anyhow!("writing to the pseudo-terminal: {e:#}"))?;
        let writer = Arc::new(Mutex::new(writer));
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, SCROLLBACK)));
        let output: Arc<Mutex<Vec<mpsc::UnboundedSender<Vec<u8>>>>> = Arc::default();
        let (exit_tx, exit) = watch::channel(None);

        let pump = Pump { screen: Arc::clone(&screen), writer: Arc::clone(&writer), output: Arc::clone(&output) };
        std::thread::Builder::new()
            .name("loupe-pdb-pty".into())
            .spawn(move || pump.run(reader))
            .context("starting the pseudo-terminal reader")?;
        std::thread::Builder::new()
            .name("loupe-pdb-wait".into())
            .spawn(move || {
                let status = child.wait();
                let status = match status {
                    Ok(s) => exit_status(&s),
                    Err(e) => {
                        tracing::warn!("waiting for the debuggee: {e}");
                        ExitStatus { code: -1, signal: None }
                    }
                };
                let _ = exit_tx.send(Some(status));
            })
            .context("starting the debuggee waiter")?;

        Ok(ProgramTerminal {
            master: Mutex::new(pair.master),
            writer,
            killer: Mutex::new(killer),
            pid,
            screen,
            output,
            exit,
            program_input: Mutex::new(ProgramInput::default()),
        })
    }

    /// Writes `bytes` as if typed.
    pub fn write(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut writer = self.writer.lock().map_err(|_| anyhow!("the pseudo-terminal writer is broken"))?;
        writer.write_all(bytes).and_then(|()| writer.flush()).context("typing into the debugger's terminal")
    }

    /// Input for the program (its `input()`, `sys.stdin`): written now while the program runs,
    /// held while the debugger's prompt is up — it would be read as debugger commands — and
    /// written when the program resumes.
    pub fn program_input(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut input = self.program_input.lock().map_err(|_| anyhow!("the program's input is broken"))?;
        if input.at_prompt {
            input.held.extend_from_slice(bytes);
            return Ok(());
        }
        drop(input);
        self.write(bytes)
    }

    /// Whether the debugger's prompt is up; leaving it writes the program's held input.
    pub fn set_at_prompt(&self, at_prompt: bool) {
        let Ok(mut input) = self.program_input.lock() else { return };
        input.at_prompt = at_prompt;
        if !at_prompt && !input.held.is_empty() {
            let held = std::mem::take(&mut input.held);
            drop(input);
            if let Err(e) = self.write(&held) {
                tracing::warn!("writing the program's held input: {e:#}");
            }
        }
    }

    /// Types a debugger command: Ctrl-U first, so anything half-typed at the prompt is discarded
    /// rather than glued to the command.
    pub fn type_command(&self, command: &str) -> anyhow::Result<()> {
        self.write(format!("\x15{command}\r").as_bytes())
    }

    /// Raw output from now on.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Vec<u8>> {
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut subscribers) = self.output.lock() {
            subscribers.push(tx);
        }
        rx
    }

    pub fn resize(&self, cols: u16, rows: u16) -> anyhow::Result<()> {
        if let Ok(mut screen) = self.screen.lock() {
            screen.screen_mut().set_size(rows, cols);
        }
        let master = self.master.lock().map_err(|_| anyhow!("the pseudo-terminal is broken"))?;
        master
            .resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .map_err(|e| anyhow!("resizing the debugger's terminal: {e:#}"))
    }

    /// Sends `signal` to the debuggee's whole process group (it leads its own session).
    pub fn signal_group(&self, signal: nix::sys::signal::Signal) -> anyhow::Result<()> {
        let pid = self.pid.ok_or_else(|| anyhow!("the debuggee's process id is unknown"))?;
        let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).context("process id out of range")?);
        nix::sys::signal::killpg(pid, signal).with_context(|| format!("sending {signal} to the debuggee"))
    }

    /// Sends `signal` to the debuggee's main process only.
    pub fn signal(&self, signal: nix::sys::signal::Signal) -> anyhow::Result<()> {
        let pid = self.pid.ok_or_else(|| anyhow!("the debuggee's process id is unknown"))?;
        let pid = nix::unistd::Pid::from_raw(i32::try_from(pid).context("process id out of range")?);
        nix::sys::signal::kill(pid, signal).with_context(|| format!("sending {signal} to the debuggee"))
    }

    /// Ends the debuggee and everything it started in its session.
    pub fn kill(&self) {
        if self.signal_group(nix::sys::signal::Signal::SIGKILL).is_err() {
            if let Ok(mut killer) = self.killer.lock() {
                let _ = killer.kill();
            }
        }
    }

    pub fn has_exited(&self) -> bool {
        self.exit.borrow().is_some()
    }
}

impl Drop for ProgramTerminal {
    fn drop(&mut self) {
        if !self.has_exited() {
            self.kill();
        }
    }
}

struct Pump {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    output: Arc<Mutex<Vec<mpsc::UnboundedSender<Vec<u8>>>>>,
}

impl Pump {
    fn run(self, mut reader: Box<dyn Read + Send>) {
        let mut buf = vec![0u8; 64 * 1024];
        // The end of the previous chunk, in case a query is split across two reads.
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            let answer = {
                let Ok(mut screen) = self.screen.lock() else { break };
                let mut joined = std::mem::take(&mut carry);
                let offset = joined.len();
                joined.extend_from_slice(chunk);
                let mut answers = Vec::new();
                // Feed up to each query, so the answer reports where the cursor was then.
                let (mut fed, mut from) = (0, 0);
                while let Some(at) = joined[from..].windows(CURSOR_QUERY.len()).position(|w| w == CURSOR_QUERY) {
                    let end = from + at + CURSOR_QUERY.len();
                    let end_in_chunk = end.saturating_sub(offset).max(fed);
                    screen.process(&chunk[fed..end_in_chunk]);
                    fed = end_in_chunk;
                    let (row, col) = screen.screen().cursor_position();
                    answers.extend_from_slice(format!("\x1b[{};{}R", row + 1, col + 1).as_bytes());
                    from = end;
                }
                screen.process(&chunk[fed..]);
                carry = joined[joined.len().saturating_sub(CURSOR_QUERY.len() - 1)..].to_vec();
                answers
            };
            if !answer.is_empty() {
                if let Ok(mut writer) = self.writer.lock() {
                    let _ = writer.write_all(&answer).and_then(|()| writer.flush());
                }
            }
            if let Ok(mut subscribers) = self.output.lock() {
                subscribers.retain(|s| s.send(chunk.to_vec()).is_ok());
            }
        }
    }
}

/// "Where is the cursor?" (DSR 6).
const CURSOR_QUERY: &[u8] = b"\x1b[6n";

fn exit_status(status: &portable_pty::ExitStatus) -> ExitStatus {
    match status.signal() {
        Some(signal) => {
            let name = signal_name(signal);
            let number = name.parse::<nix::sys::signal::Signal>().map(|s| s as i64).unwrap_or(0);
            ExitStatus { code: 128 + number, signal: Some(name) }
        }
        None => ExitStatus { code: i64::from(status.exit_code()), signal: None },
    }
}

/// portable-pty reports signals by their description ("Killed") or name; loupe names them
/// `SIGKILL`.
fn signal_name(reported: &str) -> String {
    const DESCRIPTIONS: &[(&str, &str)] = &[
        ("Killed", "SIGKILL"),
        ("Terminated", "SIGTERM"),
        ("Interrupt", "SIGINT"),
        ("Aborted", "SIGABRT"),
        ("Segmentation fault", "SIGSEGV"),
        ("Hangup", "SIGHUP"),
    ];
    if reported.starts_with("SIG") {
        return reported.to_string();
    }
    DESCRIPTIONS
        .iter()
        .find(|(d, _)| reported.starts_with(d))
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| reported.to_string())
}
