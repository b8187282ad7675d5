//! `loupe sandbox check`: what the sandbox would enforce here, with the current settings (config
//! file and flags), and what this machine cannot give.

use clap::{Args, Subcommand};

use super::sandbox_args::SandboxArgs;
use crate::sandbox::{capabilities, Policy, Purpose, RunOptions, Sandbox};

#[derive(Debug, Args, Clone)]
pub struct SandboxCommand {
    #[command(subcommand)]
    pub action: SandboxAction,
}

#[derive(Debug, Subcommand, Clone)]
pub enum SandboxAction {
    /// Report what is enforced (for `loupe exec` with these settings) and what is not.
    Check {
        #[command(flatten)]
        sandbox: SandboxArgs,
        /// One JSON object: {"enforced": ..., "capabilities": ...}.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: SandboxCommand) -> anyhow::Result<u8> {
    let SandboxAction::Check { sandbox, json } = command.action;
    let overrides = sandbox.with_config_file(&[])?;
    let policy = Policy::resolve(&overrides, Purpose::Exec)?;
    let cwd = std::env::current_dir()?;
    let run = Sandbox::new(policy, RunOptions { project: vec![cwd], ..RunOptions::default() })?;
    let caps = capabilities::get();
    if json {
        let value = serde_json::json!({ "enforced": run.enforced(), "capabilities": caps });
        super::stdout::print_line(serde_json::to_string_pretty(&value)?)?;
    } else {
        super::stdout::print(run.enforced().to_text())?;
        super::stdout::print_line(format_args!(
            "machine: kernel {}, {}, Landlock ABI {}, seccomp {}, cgroups {:?} (usable: {})",
            caps.kernel,
            if caps.admin { "privileged (CAP_SYS_ADMIN)" } else { "unprivileged" },
            caps.landlock_abi,
            if caps.seccomp { "yes" } else { "no" },
            caps.cgroups.layout,
            caps.cgroups
                .usable
                .iter()
                .map(|p| format!("{} v{}", p.controller.name(), p.version))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
    }
    Ok(0)
}
