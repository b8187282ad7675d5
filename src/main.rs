//! The `loupe` binary: parse arguments, run the command, exit with its code.

fn main() -> std::process::ExitCode {
    loupe::cli::main()
}
