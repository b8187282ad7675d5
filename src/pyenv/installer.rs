//! Which tool installs packages into an environment: pip, or uv (`uv pip … --python PY`) when it
//! can be found. uv makes environments without pip and installs an order of magnitude faster
//! (docs/BENCHMARKS.md), so `auto`, the default, takes uv when it is there and pip otherwise.
//! The choice comes from `--installer` or the config file's `[env] installer`.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};

use super::facts::Facts;
use super::packages::read_installed;

/// What the user asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstallerChoice {
    /// uv when it can be found, else pip.
    #[default]
    Auto,
    Pip,
    Uv,
}

impl std::str::FromStr for InstallerChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "auto" => Ok(InstallerChoice::Auto),
            "pip" => Ok(InstallerChoice::Pip),
            "uv" => Ok(InstallerChoice::Uv),
            other => Err(format!("unknown installer {other:?}: use auto, pip or uv")),
        }
    }
}

/// The tool that will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installer {
    /// `python -m pip`, with the environment's own pip.
    Pip,
    /// `uv pip`, with this uv.
    Uv(PathBuf),
}

impl Installer {
    pub fn name(&self) -> &'static str {
        match self {
            Installer::Pip => "pip",
            Installer::Uv(_) => "uv",
        }
    }
}

/// The `[env]` table's `installer` in loupe's config file (`$XDG_CONFIG_HOME/loupe/config.toml`):
/// `auto` when absent. A bad value is an error naming the file.
pub fn configured() -> anyhow::Result<InstallerChoice> {
    let path = crate::paths::config_dir().join("config.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(InstallerChoice::Auto),
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    from_toml(&text).with_context(|| format!("{}: [env] installer", path.display()))
}

fn from_toml(text: &str) -> anyhow::Result<InstallerChoice> {
    let table: toml::Table = toml::from_str(text).context("not valid TOML")?;
    match table.get("env").and_then(|env| env.get("installer")) {
        None => Ok(InstallerChoice::Auto),
        Some(toml::Value::String(name)) => name.parse().map_err(|e: String| anyhow!(e)),
        Some(other) => bail!("expected \"auto\", \"pip\" or \"uv\", found {other}"),
    }
}

/// Where uv is: on PATH, else in `~/.local/bin` or `~/.cargo/bin` (where its installers put it).
pub fn find_uv() -> Option<PathBuf> {
    if let Ok(uv) = which::which("uv") {
        return Some(uv);
    }
    let home = dirs::home_dir()?;
    [".local/bin/uv", ".cargo/bin/uv"].iter().map(|p| home.join(p)).find(|p| p.is_file())
}

/// Whether uv made the environment (its `pyvenv.cfg` has a `uv = VERSION` line).
fn made_by_uv(facts: &Facts) -> bool {
    std::fs::read_to_string(facts.prefix.join("pyvenv.cfg"))
        .is_ok_and(|cfg| cfg.lines().any(|l| l.split_once('=').is_some_and(|(k, _)| k.trim() == "uv")))
}

/// The installer for the environment `facts` describes (`python` is its interpreter), or why
/// none can run, naming the ways out.
pub fn choose(choice: InstallerChoice, python: &Path, facts: &Facts) -> anyhow::Result<Installer> {
    let has_pip = read_installed(&facts.site_packages).packages.iter().any(|p| p.normalized_name() == "pip");
    let uv = find_uv();
    let uv_found = uv.is_some();
    let no_pip = || {
        let mut ways = format!("run `{} -m ensurepip`", python.display());
        if !uv_found {
            ways.push_str(", or install uv (`pipx install uv`) and loupe will use it");
        } else {
            ways.push_str(", or use uv (`--installer uv`)");
        }
        if made_by_uv(facts) {
            ways.push_str("; uv made this environment, without pip");
        }
        anyhow!("pip is not installed for {}: {ways}", python.display())
    };
    match (choice, uv) {
        (InstallerChoice::Uv | InstallerChoice::Auto, Some(uv)) => Ok(Installer::Uv(uv)),
        (InstallerChoice::Uv, None) => bail!(
            "uv was not found (PATH, ~/.local/bin, ~/.cargo/bin): install it (`pipx install uv`), or use pip \
             (`--installer pip`)"
        ),
        (InstallerChoice::Pip | InstallerChoice::Auto, _) if has_pip => Ok(Installer::Pip),
        (InstallerChoice::Pip | InstallerChoice::Auto, _) => Err(no_pip()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_table_names_the_installer() {
        assert_eq!(from_toml("").unwrap(), InstallerChoice::Auto);
        assert_eq!(from_toml("[env]\ninstaller = \"uv\"\n").unwrap(), InstallerChoice::Uv);
        assert_eq!(from_toml("[env]\ninstaller = \"pip\"\n").unwrap(), InstallerChoice::Pip);
        let bad = from_toml("[env]\ninstaller = \"conda\"\n").unwrap_err();
        assert!(format!("{bad:#}").contains("use auto, pip or uv"), "{bad:#}");
        assert!(from_toml("[env]\ninstaller = 3\n").is_err());
    }
}
