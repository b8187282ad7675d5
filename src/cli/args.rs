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

/// Subcommands are deferred: clap builds only the arguments of the one that runs (or the help
/// asked for). Building every command's arguments took 0.2 ms of each start, which `loupe exec`
/// pays on every call (docs/BENCHMARKS.md, sandbox start-up).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Start a Python program under the debugger.
    Run(RunArgs),
    /// Run pytest under the debugger, stopping where each failing test fails.
    Test(TestArgs),
    /// Attach to a program started with `python -m debugpy --listen HOST:PORT`.
    Attach(AttachArgs),
    /// Analyse Python files: imports, definitions, complexity, security findings.
    Analyze(super::analyze::AnalyzeArgs),
    /// Run Python code in the sandbox, without a debugger (stdin, stdout, stderr passed through).
    Exec(super::exec::ExecArgs),
    /// Call `run(args)` in a Python file, in the sandbox, and print a JSON envelope.
    Tool(super::tool::ToolArgs),
    /// What the sandbox can enforce on this machine.
    Sandbox(super::sandbox_check::SandboxCommand),
    /// Run a Python script under cProfile and show its flamegraph (or write SVG, folded, speedscope).
    Profile(ProfileArgs),
    /// Show or convert a pstats file written by cProfile (CPython 3.8–3.14); --diff compares two.
    Flame(FlameArgs),
    /// Python interpreters, environments and their packages.
    Env(EnvArgs),
    /// Print a shell completion script (bash, zsh, fish) for loupe.
    Completions(super::generate::CompletionsArgs),
    /// Print loupe's man page (roff): `loupe man > ~/.local/share/man/man1/loupe.1`.
    Man,
    /// Serve loupe's tools (run, debug, profile, analyse Python) to an assistant: a Model Context
    /// Protocol server on stdin/stdout.
    Mcp,
}

#[derive(Debug, Args, Clone)]
pub struct EnvArgs {
    #[command(subcommand)]
    pub command: EnvCommand,
    /// What installs packages: uv when it can be found (auto), pip, or uv. Default: the config
    /// file's `[env] installer`, else auto.
    #[arg(long, global = true, value_name = "auto|pip|uv")]
    pub installer: Option<crate::pyenv::installer::InstallerChoice>,
}

#[derive(Debug, Subcommand, Clone)]
pub enum EnvCommand {
    /// Every interpreter found: PATH, pyenv, conda, uv, virtual environments in and above here.
    List {
        /// One JSON object (docs/ENV.md).
        #[arg(long)]
        json: bool,
    },
    /// An environment's interpreter, site-packages, sys.path, packages and problems.
    Show {
        /// Interpreter: a path, a command name, or a version such as 3.12 (default: as `loupe run`).
        #[arg(long, value_name = "P")]
        python: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Missing dependencies, version conflicts and broken metadata, as `pip check` reports them;
    /// exit code 1 when there are any.
    Check {
        #[arg(long, value_name = "P")]
        python: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Make a virtual environment (with uv when it is the installer, else `python -m venv`).
    Create {
        /// Where (a new or empty directory).
        path: PathBuf,
        /// The interpreter to base it on: a path, a command name or a version such as 3.12.
        #[arg(long, value_name = "P")]
        python: Option<PathBuf>,
        /// Put pip in it even when uv makes it (uv installs without pip).
        #[arg(long)]
        with_pip: bool,
    },
    /// Install packages with uv or pip, with progress; Ctrl-C stops it and says what was installed.
    Install {
        #[arg(long, value_name = "P")]
        python: Option<PathBuf>,
        /// A requirements file or pyproject.toml (repeatable); checked before pip runs.
        #[arg(short = 'r', long = "requirement", value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Requirements such as `requests>=2.31` (PEP 508).
        #[arg(value_name = "PKG")]
        packages: Vec<String>,
    },
    /// Uninstall packages with pip.
    Uninstall {
        #[arg(long, value_name = "P")]
        python: Option<PathBuf>,
        #[arg(value_name = "NAME", required = true)]
        packages: Vec<String>,
    },
    /// Write what is installed, to recreate it with `env import`.
    Export {
        #[arg(long, value_name = "P")]
        python: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Install exactly what an export (JSON or requirements) lists.
    Import {
        file: PathBuf,
        #[arg(long, value_name = "P")]
        python: Option<PathBuf>,
        /// Create a new virtual environment here first (from --python) and import into it.
        #[arg(long, value_name = "DIR")]
        create: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// `{"interpreter":{...},"packages":[{"name","version","requested"}]}`.
    Json,
    /// `name==version` lines, as `pip freeze` writes them (pip, setuptools and wheel left out).
    Requirements,
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

// Options shared by run and attach. (A plain comment: clap would take a doc comment on a
// flattened struct as the about text of every command that flattens it.)
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
    /// Environment variable for the program (repeatable): NAME=VALUE sets it, NAME passes
    /// loupe's own value through the sandbox's allowlist.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
    /// Stop before the first line of the program.
    #[arg(long)]
    pub stop_on_entry: bool,
    /// With -m pytest or -m unittest: do not stop where a failing test fails (`catch none` too).
    #[arg(long)]
    pub no_stop_on_failure: bool,
    #[command(flatten)]
    pub sandbox: super::sandbox_args::SandboxArgs,
    /// The script, then its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "SCRIPT [ARGS]")]
    pub program: Vec<String>,
}

// `loupe test`: `loupe run -m pytest` with the same options. (A plain comment: clap would take a
// doc comment for the command's description.)
#[derive(Debug, Args, Clone)]
pub struct TestArgs {
    #[command(flatten)]
    pub session: SessionArgs,
    /// Debugger backend.
    #[arg(long, value_enum, default_value = "debugpy")]
    pub backend: BackendKind,
    /// Python interpreter, with pytest installed (path or command name; pyenv shims are resolved).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Working directory of the test run (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Environment variable for the tests (repeatable): NAME=VALUE sets it, NAME passes loupe's own.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,
    /// Stop before the first line of the tests' code.
    #[arg(long)]
    pub stop_on_entry: bool,
    /// Do not stop where a failing test fails: run the tests as pytest would (`catch none` too).
    #[arg(long)]
    pub no_stop_on_failure: bool,
    #[command(flatten)]
    pub sandbox: super::sandbox_args::SandboxArgs,
    /// pytest's own arguments: paths, node ids, -k EXPRESSION, -x, ...
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "PYTEST ARGS")]
    pub pytest_args: Vec<String>,
}

impl From<TestArgs> for RunArgs {
    fn from(t: TestArgs) -> RunArgs {
        RunArgs {
            session: t.session,
            backend: t.backend,
            python: t.python,
            module: Some("pytest".into()),
            cwd: t.cwd,
            env: t.env,
            stop_on_entry: t.stop_on_entry,
            no_stop_on_failure: t.no_stop_on_failure,
            sandbox: t.sandbox,
            program: t.pytest_args,
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct AttachArgs {
    #[command(flatten)]
    pub session: SessionArgs,
    /// Where debugpy listens, HOST:PORT (or just PORT for 127.0.0.1).
    #[arg(value_name = "HOST:PORT")]
    pub address: Option<String>,
    /// Map a local directory to the debuggee's (repeatable): LOCAL=REMOTE. Without it, loupe
    /// infers mappings by matching the debuggee's paths against the files under --cwd.
    #[arg(long = "path-map", value_name = "LOCAL=REMOTE")]
    pub path_maps: Vec<String>,
    /// The local project directory, where the program's local copy is (default: the current
    /// directory); path mappings are inferred against its files.
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Inject debugpy into this local Python process (needs gdb and ptrace rights) and attach.
    #[arg(long, value_name = "PID", conflicts_with = "address")]
    pub pid: Option<u32>,
}

// What `loupe profile` and `loupe flame` write, and how the flamegraph is drawn (a plain
// comment, as for SessionArgs).
#[derive(Debug, Args, Clone, Default)]
pub struct FlameOutputArgs {
    /// Write the flamegraph as SVG (inferno; search with Ctrl-F, click to zoom).
    #[arg(short = 'o', long = "svg", value_name = "FILE.svg")]
    pub svg: Option<PathBuf>,
    /// Write folded stacks (`a;b;c NANOSECONDS` per line).
    #[arg(long, value_name = "FILE")]
    pub folded: Option<PathBuf>,
    /// Write speedscope JSON (open it at https://www.speedscope.app).
    #[arg(long, value_name = "FILE.json")]
    pub speedscope: Option<PathBuf>,
    /// Write the files (or a text summary) and exit instead of opening the flame view.
    #[arg(long)]
    pub no_tui: bool,
    /// Fold frames smaller than this fraction of the total into their parent. 0 draws everything
    /// down to cProfile's clock resolution (within a budget of 16 times the profile's size).
    #[arg(long, value_name = "FRACTION", default_value_t = 0.001)]
    pub threshold: f64,
    /// Only what cProfile measured exactly: caller;callee stacks, no inferred deeper paths.
    #[arg(long)]
    pub exact_only: bool,
    /// Draw the SVG as an icicle (roots at the top) instead of a flame.
    #[arg(long)]
    pub icicle: bool,
    /// Colour theme of the flame view: dark, light, high-contrast, or a theme file.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct ProfileArgs {
    #[command(flatten)]
    pub output: FlameOutputArgs,
    /// Keep the pstats file cProfile writes (by default it goes to a temporary file).
    #[arg(long, value_name = "FILE.prof")]
    pub pstats: Option<PathBuf>,
    /// Do not sample the program's stacks beside cProfile: deeper stacks are then only inferred
    #[arg(long)]
    pub no_sampling: bool,
    /// Where the memory went (tracemalloc): the peak and the lines holding the most at the peak;
    /// -o draws a memory flamegraph, --folded writes stacks weighted by bytes.
    #[arg(long, conflicts_with_all = ["pstats", "speedscope", "lines"])]
    pub alloc: bool,
    /// Frames kept per allocation stack with --alloc (deeper stacks cost more time).
    #[arg(long, value_name = "N", default_value_t = 32, requires = "alloc",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub alloc_frames: u32,
    /// Python interpreter (path or command name; pyenv shims are resolved).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Working directory of the program (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Environment variable for the program (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// Per-line hits and time (line_profiler's table) for the hot functions of a first cProfile
    /// pass, or for those --function names.
    #[arg(long)]
    pub lines: bool,
    /// With --lines: measure this function (repeatable): func, Class.method, module:func or
    /// path.py:func.
    #[arg(long = "function", value_name = "NAME", requires = "lines")]
    pub line_functions: Vec<String>,
    /// With --lines: print the line profile as JSON on standard output instead of the table.
    #[arg(long = "json", requires = "lines")]
    pub lines_json: bool,
    #[command(flatten)]
    pub sandbox: super::sandbox_args::SandboxArgs,
    /// The script, then its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "SCRIPT [ARGS]")]
    pub program: Vec<String>,
}

#[derive(Debug, Args, Clone)]
pub struct FlameArgs {
    #[command(flatten)]
    pub output: FlameOutputArgs,
    /// The pstats file (from `python -m cProfile -o FILE` or `loupe profile --pstats FILE`).
    #[arg(value_name = "FILE.prof")]
    pub file: PathBuf,
    /// Compare with this second profile: a differential flamegraph (A normalised to B's total).
    #[arg(long, value_name = "B.prof")]
    pub diff: Option<PathBuf>,
    /// Python interpreter for "debug here" from the flame view (as for `loupe run`).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
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
