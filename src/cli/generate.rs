//! `loupe completions SHELL` and `loupe man`: shell completions (clap_complete) and a man page
//! (clap_mangen) generated from the same clap definition the parser uses, so they cannot drift
//! from the commands loupe accepts.

use clap::{Args, CommandFactory, ValueEnum};

use super::args::Cli;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args, Clone)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The whole command tree, every deferred subcommand built (the generators walk all of them).
fn command() -> clap::Command {
    let mut command = Cli::command();
    command.build();
    command
}

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    let mut command = command();
    match shell {
        Shell::Bash => clap_complete::generate(clap_complete::Shell::Bash, &mut command, "loupe", &mut out),
        Shell::Zsh => clap_complete::generate(clap_complete::Shell::Zsh, &mut command, "loupe", &mut out),
        Shell::Fish => clap_complete::generate(clap_complete::Shell::Fish, &mut command, "loupe", &mut out),
    }
    out
}

/// The man page (roff), section 1.
pub fn man_page() -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command()).render(&mut out)?;
    Ok(out)
}

pub fn run_completions(args: &CompletionsArgs) -> anyhow::Result<u8> {
    super::stdout::print(String::from_utf8_lossy(&completions(args.shell)))?;
    Ok(0)
}

pub fn run_man() -> anyhow::Result<u8> {
    super::stdout::print(String::from_utf8_lossy(&man_page()?))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn fish_completions_snapshot() {
        insta::assert_snapshot!(text(completions(Shell::Fish)));
    }

    #[test]
    fn man_page_snapshot() {
        insta::assert_snapshot!(text(man_page().expect("man page")));
    }

    /// bash and zsh scripts are long and machine-shaped: checked for every subcommand and, for
    /// bash, by bash itself parsing the script.
    #[test]
    fn bash_and_zsh_completions_name_every_subcommand_and_bash_parses_them() {
        let names: Vec<String> = command().get_subcommands().map(|c| c.get_name().to_string()).collect();
        assert!(names.len() > 5, "{names:?}");
        for shell in [Shell::Bash, Shell::Zsh] {
            let script = text(completions(shell));
            for name in &names {
                assert!(script.contains(name.as_str()), "{shell:?} completions lack `{name}`");
            }
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("loupe.bash");
        std::fs::write(&file, completions(Shell::Bash)).expect("write");
        let check = std::process::Command::new("bash").arg("-n").arg(&file).output().expect("bash");
        assert!(check.status.success(), "bash rejects the script: {}", String::from_utf8_lossy(&check.stderr));
    }
}
