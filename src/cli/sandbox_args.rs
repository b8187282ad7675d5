//! The sandbox policy flags shared by `run`, `exec` and `tool` (flattened into each), and how
//! they combine with the config file's `[sandbox]` table.

use std::path::PathBuf;

use clap::Args;

use crate::sandbox::{Level, PolicyOverrides};

#[derive(Debug, Args, Clone, Default)]
pub struct SandboxArgs {
    /// Confinement of every Python process loupe starts: off, standard (default) or strict.
    #[arg(long, value_enum, value_name = "LEVEL", help_heading = "Sandbox")]
    pub sandbox: Option<Level>,
    /// Wall-clock limit in seconds (exec, tool; 0: none).
    #[arg(long, value_name = "SECONDS", help_heading = "Sandbox")]
    pub timeout: Option<f64>,
    /// CPU time limit in seconds (0: none).
    #[arg(long, value_name = "SECONDS", help_heading = "Sandbox")]
    pub cpu: Option<u64>,
    /// Memory limit in MB (0: none).
    #[arg(long, value_name = "MB", help_heading = "Sandbox")]
    pub memory: Option<u64>,
    /// Most processes the program may have at once (0: no limit).
    #[arg(long, value_name = "N", help_heading = "Sandbox")]
    pub max_procs: Option<u64>,
    /// Largest file the program may write, in MB (0: no limit).
    #[arg(long, value_name = "MB", help_heading = "Sandbox")]
    pub max_file_size: Option<u64>,
    /// Output kept from stdout and stderr together, in MB (exec, tool; 0: no limit).
    #[arg(long, value_name = "MB", help_heading = "Sandbox")]
    pub max_output: Option<u64>,
    /// Let the program use the network.
    #[arg(long, help_heading = "Sandbox")]
    pub allow_network: bool,
    /// Make PATH readable too (repeatable).
    #[arg(long, value_name = "PATH", help_heading = "Sandbox")]
    pub allow_read: Vec<PathBuf>,
    /// Make PATH writable too (repeatable).
    #[arg(long, value_name = "PATH", help_heading = "Sandbox")]
    pub allow_write: Vec<PathBuf>,
}

impl SandboxArgs {
    /// The flags as overrides, with the environment rules (`--env NAME[=VALUE]`) of the command.
    pub fn overrides(&self, env: &[String]) -> PolicyOverrides {
        PolicyOverrides {
            level: self.sandbox,
            timeout: self.timeout,
            cpu: self.cpu,
            memory: self.memory,
            max_procs: self.max_procs,
            max_file_size: self.max_file_size,
            max_output: self.max_output,
            allow_network: self.allow_network.then_some(true),
            allow_read: self.allow_read.clone(),
            allow_write: self.allow_write.clone(),
            env: env.to_vec(),
        }
    }

    /// The config file's `[sandbox]` settings with these flags on top.
    pub fn with_config_file(&self, env: &[String]) -> anyhow::Result<PolicyOverrides> {
        Ok(crate::sandbox::policy::config_file_overrides()?.merged_with(self.overrides(env)))
    }
}
