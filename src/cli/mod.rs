//! The command line: clap definitions, and the glue that turns arguments into a session.

mod analyze;
mod args;
mod debug;
mod env;
mod exec;
mod flame;
mod generate;
mod line_report;
mod profile;
mod profile_alloc;
mod profile_lines;
mod sandbox_args;
mod sandbox_check;
mod stdout;
mod test_cmd;
mod tool;

use std::process::ExitCode;

use clap::Parser;

pub use args::{AttachArgs, Cli, Command, EnvArgs, EnvCommand, FlameArgs, FlameOutputArgs, ProfileArgs, RunArgs};
pub use sandbox_args::SandboxArgs;

/// The program's working directory: `requested` (relative to the current directory), else the
/// current directory; an error says when it does not exist.
fn working_directory(
    requested: Option<&std::path::Path>,
    current: &std::path::Path,
) -> anyhow::Result<std::path::PathBuf> {
    let cwd = match requested {
        Some(c) => std::path::absolute(c)?,
        None => current.to_path_buf(),
    };
    if !cwd.is_dir() {
        anyhow::bail!("working directory {} does not exist", cwd.display());
    }
    Ok(cwd)
}

/// Runs `task` (a session, the environment manager, the profiler, the analyzer) on the async
/// runtime.
fn with_runtime(task: impl std::future::Future<Output = anyhow::Result<u8>>) -> anyhow::Result<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))?;
    let result = runtime.block_on(task);
    // Child processes and their pipes go with the runtime; do not wait for stragglers.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    result
}

/// Exit code for loupe's own failures (as opposed to the debuggee's exit code, which loupe
/// passes through).
pub const EXIT_LOUPE_FAILED: u8 = 125;

/// Exit code when what the user gave loupe cannot be used (a file that is not a profile): the
/// usage-error code of clap and most Unix tools, told apart from loupe failing at its own work.
pub const EXIT_BAD_INPUT: u8 = 2;

/// An error in what the user gave (see [`EXIT_BAD_INPUT`]); prints as the error it wraps.
#[derive(Debug)]
pub struct BadInput(pub anyhow::Error);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for BadInput {}

/// The process's exit code for `result`; a failure is printed, with where the log is.
fn exit_code(result: anyhow::Result<u8>, log_path: Option<std::path::PathBuf>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is::<stdout::ReaderGone>() => ExitCode::from(stdout::EXIT_READER_GONE),
        Err(e) if e.is::<BadInput>() => {
            // The message says all there is: the log has nothing more on a file that is not a
            // profile.
            note!("loupe: error: {e:#}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(e) => {
            note!("loupe: error: {e:#}");
            if let Some(p) = log_path.filter(|p| p.exists()) {
                note!("loupe: the log is at {}", p.display());
            }
            ExitCode::from(EXIT_LOUPE_FAILED)
        }
    }
}

/// Whether a command line (read before clap parses it) is `exec` or `tool` with the network
/// confined. A false "yes" (e.g. `--sandbox off` from the config file) only costs a namespace
/// that is given back; a false "no" (a script argument that looks like a flag) only costs the
/// head start.
fn early_network_namespace_wanted(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<_> = args.skip(1).collect();
    let confining_command = args.first().is_some_and(|command| command == "exec" || command == "tool");
    let network_open = args.iter().any(|a| a == "--allow-network" || a == "--sandbox=off")
        || args.windows(2).any(|pair| pair[0] == "--sandbox" && pair[1] == "off");
    confining_command && !network_open
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    // `exec` and `tool` start the (slow) network namespace before anything else; see there.
    if early_network_namespace_wanted(std::env::args_os()) {
        crate::sandbox::netns::start_early();
    }
    let cli = match Cli::try_parse_from(args::gdb_style_args(std::env::args_os())) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    // `flame --no-tui` converts files and exits: it needs neither the log file nor the async
    // runtime, which cost more than converting a small profile does.
    if let Command::Flame(args) = &cli.command {
        if args.output.no_tui {
            return exit_code(flame::convert(args), None);
        }
    }
    let log_level = cli.log_level.clone();
    let log_file = cli.log_file.clone();
    // `exec` and `tool` normally log nothing: their log file is opened only if they do.
    let quiet = matches!(cli.command, Command::Exec(_) | Command::Tool(_));
    let opening = if quiet { crate::logging::Opening::OnFirstEvent } else { crate::logging::Opening::Now };
    let log_path = match crate::logging::init(&log_level, log_file.as_deref(), opening) {
        Ok(p) => Some(p),
        Err(e) => {
            note!("loupe: warning: logging is off: {e:#}");
            None
        }
    };
    if !quiet {
        tracing::info!("loupe {} starting: {:?}", env!("CARGO_PKG_VERSION"), std::env::args().collect::<Vec<_>>());
    }
    let result = match cli.command {
        // The sandbox's own commands are synchronous: no async runtime to start and stop, and no
        // worker threads to wake on a 2-CPU machine while the program starts.
        Command::Exec(args) => exec::run(&args),
        Command::Tool(args) => tool::run(&args),
        Command::Sandbox(args) => sandbox_check::run(args),
        Command::Run(args) => with_runtime(debug::run(args)),
        Command::Test(args) => with_runtime(debug::run(args.into())),
        Command::Attach(args) => with_runtime(debug::attach(args)),
        Command::Env(args) => with_runtime(env::run(args)),
        Command::Profile(args) => with_runtime(profile::profile(args)),
        Command::Flame(args) => with_runtime(flame::flame(args)),
        Command::Analyze(args) => with_runtime(analyze::run(args)),
        Command::Completions(args) => generate::run_completions(&args),
        Command::Man => generate::run_man(),
        Command::Mcp => with_runtime(crate::mcp::serve()),
    };
    exit_code(result, log_path)
}

#[cfg(test)]
mod tests {
    use super::early_network_namespace_wanted;

    fn wanted(line: &str) -> bool {
        early_network_namespace_wanted(line.split(' ').map(std::ffi::OsString::from))
    }

    #[test]
    fn only_confining_commands_start_a_network_namespace_early() {
        assert!(wanted("loupe exec -c pass"));
        assert!(wanted("loupe tool t.py --args {}"));
        assert!(wanted("loupe exec --sandbox strict -c pass"));
        assert!(!wanted("loupe exec --sandbox off -c pass"));
        assert!(!wanted("loupe exec --sandbox=off -c pass"));
        assert!(!wanted("loupe tool --allow-network t.py"));
        assert!(!wanted("loupe run script.py"));
        assert!(!wanted("loupe"));
    }
}
