//! The environment a confined program starts with: an allowlist of harmless variables from
//! loupe's own environment, `HOME` and `TMPDIR` pointing into the run's private directory, then
//! what the user names with `--env`, then what loupe itself sets (PYTHONPATH for its adapters,
//! the debug channel). Tokens, cloud credentials and the like never reach the program unless
//! named.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

use super::policy::EnvRule;

/// Passed through unchanged.
const ALLOWED: &[&str] = &[
    "PATH",
    "LANG",
    "LANGUAGE",
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "TZ",
    "COLUMNS",
    "LINES",
    "USER",
    "LOGNAME",
    "SHELL",
    "PYTHONPATH",
    "PYTHONHASHSEED",
    "PYTHONIOENCODING",
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUTF8",
    "PYTHONWARNINGS",
    "PYTHONFAULTHANDLER",
    "PYTHONDEVMODE",
    "VIRTUAL_ENV",
];
/// Passed through by prefix.
const ALLOWED_PREFIXES: &[&str] = &["LC_"];

pub fn is_allowed(name: &str) -> bool {
    ALLOWED.contains(&name) || ALLOWED_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The complete environment of a confined process: `inherited` filtered, the private `home`,
/// the user's rules, then `on_top` (loupe's own variables), minus `remove`.
pub fn build(
    inherited: impl IntoIterator<Item = (OsString, OsString)>,
    home: &Path,
    rules: &[EnvRule],
    on_top: &BTreeMap<OsString, OsString>,
    remove: &[OsString],
) -> BTreeMap<OsString, OsString> {
    let inherited: BTreeMap<OsString, OsString> = inherited.into_iter().collect();
    let mut env: BTreeMap<OsString, OsString> = inherited
        .iter()
        .filter(|(k, _)| k.to_str().is_some_and(is_allowed))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    env.insert("HOME".into(), home.into());
    let tmp = home.parent().unwrap_or(home);
    env.insert("TMPDIR".into(), tmp.into());
    for rule in rules {
        match &rule.value {
            Some(v) => {
                env.insert(rule.name.clone().into(), v.into());
            }
            None => {
                if let Some(v) = inherited.get(std::ffi::OsStr::new(&rule.name)) {
                    env.insert(rule.name.clone().into(), v.clone());
                }
            }
        }
    }
    env.extend(on_top.iter().map(|(k, v)| (k.clone(), v.clone())));
    for name in remove {
        env.remove(name);
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_unless_named() {
        let inherited = [
            ("PATH", "/usr/bin"),
            ("AWS_SECRET_ACCESS_KEY", "s3cr3t"),
            ("GITHUB_TOKEN", "ghp"),
            ("LC_ALL", "C.UTF-8"),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let rules = [EnvRule::parse("GITHUB_TOKEN").unwrap(), EnvRule::parse("MODE=fast").unwrap()];
        let mut on_top = BTreeMap::new();
        on_top.insert(OsString::from("PYTHONPATH"), OsString::from("/cache/adapters"));
        let env = build(inherited, Path::new("/tmp/run/home"), &rules, &on_top, &[]);
        let get = |k: &str| env.get(std::ffi::OsStr::new(k)).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(get("PATH").as_deref(), Some("/usr/bin"));
        assert_eq!(get("AWS_SECRET_ACCESS_KEY"), None);
        assert_eq!(get("GITHUB_TOKEN").as_deref(), Some("ghp"));
        assert_eq!(get("MODE").as_deref(), Some("fast"));
        assert_eq!(get("HOME").as_deref(), Some("/tmp/run/home"));
        assert_eq!(get("TMPDIR").as_deref(), Some("/tmp/run"));
        assert_eq!(get("LC_ALL").as_deref(), Some("C.UTF-8"));
        assert_eq!(get("PYTHONPATH").as_deref(), Some("/cache/adapters"));
    }
}
