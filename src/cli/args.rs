//! Argument definitions.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "loupe", version, about = "A terminal debugger and profiler for Python")]
pub struct Cli {
    /// Log filter: error, warn, info, debug, trace, or directives such as `loupe::dap::wire=trace`
    /// (every DAP message). LOUPE_LOG overrides it.
    #[arg(long, global = true, default_value = "info", value_name = "LEVEL")]
    pub log_level: String,
    /// Log file (default: $XDG_STATE_HOME/loupe/loupe.log).
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a Python program under the debugger.
    Run(RunArgs),
    /// Attach to a program started with `python -m debugpy --listen HOST:PORT`.
    Attach(AttachArgs),
    /// Analyse Python files: imports, definitions, complexity, security findings.
    Analyze(super::analyze::AnalyzeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    /// debugpy over the Debug Adapter Protocol (installed into loupe's cache when missing).
    Debugpy,
    /// The standard library's pdb in a pseudo-terminal: needs nothing beyond Python.
    Pdb,
    /// IPython's debugger (ipdb must be installed for the interpreter).
    Ipdb,
}

/// Options shared by run and attach.
#[derive(Debug, Args, Clone)]
pub struct SessionArgs {
    /// Run the commands given with -ex (or --ex) and print JSON Lines, instead of the interactive UI.
    #[arg(long)]
    pub batch: bool,
    /// A batch command to run, in order (repeatable), e.g. -ex 'break demo.py:12 if x > 3'.
    #[arg(long = "ex", value_name = "CMD")]
    pub commands: Vec<String>,
    /// Set a breakpoint before the program runs (repeatable), same syntax as the `break` command.
    #[arg(long = "break", value_name = "SPEC")]
    pub breakpoints: Vec<String>,
    /// Colour theme for the interactive interface: dark, light, high-contrast, or a theme file.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Use this configuration from .vscode/launch.json (searched from the current directory up).
    #[arg(long, value_name = "NAME")]
    pub config: Option<String>,
    /// Debug library code too (debugpy's justMyCode off).
    #[arg(long)]
    pub all_code: bool,
    /// Measure stock debugpy: do not apply loupe's TCP_NODELAY fix in the debuggee.
    #[arg(long, hide = true)]
    pub stock_debugpy: bool,
}

#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub session: SessionArgs,
    /// Debugger backend.
    #[arg(long, value_enum, default_value = "debugpy")]
    pub backend: BackendKind,
    /// Python interpreter (path or command name; pyenv shims are resolved).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Run a module (like `python -m`) instead of a script; all positional arguments are its args.
    #[arg(short = 'm', long = "module", value_name = "MODULE")]
    pub module: Option<String>,
    /// Working directory of the program (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Environment variable for the program (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// Stop before the first line of the program.
    #[arg(long)]
    pub stop_on_entry: bool,
    /// The script, then its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "SCRIPT [ARGS]")]
    pub program: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct AttachArgs {
    #[command(flatten)]
    pub session: SessionArgs,
    /// Where debugpy listens, HOST:PORT (or just PORT for 127.0.0.1).
    #[arg(value_name = "HOST:PORT")]
    pub address: Option<String>,
    /// Map a local directory to the debuggee's (repeatable): LOCAL=REMOTE.
    #[arg(long = "path-map", value_name = "LOCAL=REMOTE")]
    pub path_maps: Vec<String>,
}

/// gdb spells its command option `-ex`; clap has no multi-letter short options, so `-ex` is
/// rewritten to `--ex` (only before a `--`, so the program's own arguments are left alone).
pub fn gdb_style_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut seen_separator = false;
    args.into_iter()
        .map(|a| {
            if a == "--" {
                seen_separator = true;
            }
            if !seen_separator && a == "-ex" {
                OsString::from("--ex")
            } else {
                a
            }
        })
        .collect()
}
