//! Health checks of an environment, as `pip check` makes them: every declared dependency whose
//! marker holds for this interpreter must be installed, in a version its specifier allows
//! (pre-releases included, as pip does); plus metadata that could not be read.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, Requirement, VersionOrUrl};
use serde::Serialize;

use super::packages::{normalize_name, Installed};

/// One thing wrong with an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `missing_dependency`, `version_conflict`, `broken_metadata` or `invalid_requirement`.
    pub kind: &'static str,
    pub package: String,
    pub message: String,
}

/// What the markers of requirements are evaluated against: facts of the interpreter.
#[derive(Debug, Clone)]
pub struct MarkerFacts {
    pub implementation_name: String,
    pub implementation_version: String,
    pub python_full_version: String,
    pub platform_python_implementation: String,
}

impl MarkerFacts {
    /// The marker environment of a CPython-like interpreter of `version` on this machine (the
    /// platform fields come from `uname`, as Python's `platform` module reads them).
    pub fn environment(&self) -> anyhow::Result<MarkerEnvironment> {
        let uname = nix::sys::utsname::uname()?;
        let text = |s: &std::ffi::OsStr| s.to_string_lossy().into_owned();
        let (release, version, machine) = (text(uname.release()), text(uname.version()), text(uname.machine()));
        let python_version: String = self.python_full_version.split('.').take(2).collect::<Vec<_>>().join(".");
        let builder = MarkerEnvironmentBuilder {
            implementation_name: &self.implementation_name,
            implementation_version: &self.implementation_version,
            os_name: "posix",
            platform_machine: &machine,
            platform_python_implementation: &self.platform_python_implementation,
            platform_release: &release,
            platform_system: "Linux",
            platform_version: &version,
            python_full_version: &self.python_full_version,
            python_version: &python_version,
            sys_platform: "linux",
        };
        MarkerEnvironment::try_from(builder).map_err(|e| anyhow::anyhow!("bad interpreter version: {e}"))
    }
}

/// Every problem of `installed` under `markers`, in `pip check`'s order and words: missing
/// dependencies, then version conflicts, each by package in the order of `installed.packages`
/// (give it the order the interpreter finds them in: `read_installed_as_found`); then what pip
/// cannot report (broken metadata, unparsable requirements).
pub fn check(installed: &Installed, markers: &MarkerEnvironment) -> Vec<Problem> {
    let versions: HashMap<String, (String, Option<pep440_rs::Version>)> = installed
        .packages
        .iter()
        .map(|p| (p.normalized_name(), (pip_version(&p.version), p.version.parse().ok())))
        .collect();
    let (mut missing, mut conflicts, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    for package in &installed.packages {
        let name = package.normalized_name();
        let version = &versions[&name].0;
        // pip sorts each package's findings by their text and reports each once.
        let mut package_missing = BTreeMap::new();
        let mut package_conflicts = BTreeMap::new();
        for line in &package.requires {
            let requirement = match Requirement::<pep508_rs::VerbatimUrl>::from_str(line) {
                Ok(r) => r,
                Err(e) => {
                    unreadable.push(Problem {
                        kind: "invalid_requirement",
                        package: package.name.clone(),
                        message: format!(
                            "{} {} declares a requirement that cannot be parsed: {line:?} ({})",
                            package.name,
                            package.version,
                            first_line(&e.to_string())
                        ),
                    });
                    continue;
                }
            };
            // Dependencies of a plain install: extras are not requested (pip evaluates `extra`
            // as the empty string).
            if !requirement.marker.evaluate(markers, &[]) {
                continue;
            }
            let dependency = normalize_name(requirement.name.as_ref());
            match versions.get(&dependency) {
                None => {
                    let message = format!("{name} {version} requires {dependency}, which is not installed.");
                    package_missing.insert((dependency.clone(), pip_requirement(&requirement, line)), message);
                }
                Some((installed_version, parsed)) => {
                    let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &requirement.version_or_url else {
                        continue;
                    };
                    if !parsed.as_ref().is_some_and(|v| specifiers.contains(v)) {
                        let shown = pip_requirement(&requirement, line);
                        let message = format!(
                            "{name} {version} has requirement {shown}, but you have {dependency} {installed_version}."
                        );
                        package_conflicts.insert((dependency.clone(), shown), message);
                    }
                }
            }
        }
        let problem = |kind, message| Problem { kind, package: package.name.clone(), message };
        missing.extend(package_missing.into_values().map(|m| problem("missing_dependency", m)));
        conflicts.extend(package_conflicts.into_values().map(|m| problem("version_conflict", m)));
    }
    let broken = installed.problems.iter().map(|p| Problem {
        kind: "broken_metadata",
        package: p.package.clone(),
        message: p.message.clone(),
    });
    missing.into_iter().chain(conflicts).chain(broken).chain(unreadable).collect()
}

/// A version as pip prints it: normalised (`1.0RC1` is `1.0rc1`).
fn pip_version(text: &str) -> String {
    text.parse::<pep440_rs::Version>().map(|v| v.to_string()).unwrap_or_else(|_| text.to_string())
}

/// A requirement as pip prints it (`str()` of packaging's `Requirement`): the name as written,
/// extras sorted, specifiers sorted and joined by `,`, then `; marker` as written.
fn pip_requirement(r: &Requirement<pep508_rs::VerbatimUrl>, line: &str) -> String {
    // pep508_rs keeps the name normalised; pip prints it as the metadata writes it.
    let line = line.trim_start();
    let written = &line[..line.find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c))).unwrap_or(line.len())];
    let mut text = if written.is_empty() { r.name.to_string() } else { written.to_string() };
    if !r.extras.is_empty() {
        let mut extras: Vec<String> = r.extras.iter().map(ToString::to_string).collect();
        extras.sort();
        text.push_str(&format!("[{}]", extras.join(",")));
    }
    if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &r.version_or_url {
        let mut parts: Vec<String> = specifiers.iter().map(ToString::to_string).collect();
        parts.sort();
        text.push_str(&parts.join(","));
    }
    if let Some((_, marker)) = line.split_once(';') {
        text.push_str("; ");
        text.push_str(marker.trim());
    }
    text
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::super::packages::{MetadataProblem, Package};
    use super::*;

    fn package(name: &str, version: &str, requires: &[&str]) -> Package {
        Package {
            name: name.into(),
            version: version.into(),
            installer: Some("pip".into()),
            requested: true,
            location: "/site".into(),
            metadata_path: "/site/x.dist-info".into(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn markers(version: &str) -> MarkerEnvironment {
        MarkerFacts {
            implementation_name: "cpython".into(),
            implementation_version: version.into(),
            python_full_version: version.into(),
            platform_python_implementation: "CPython".into(),
        }
        .environment()
        .unwrap()
    }

    #[test]
    fn reports_what_pip_check_reports() {
        let installed = Installed {
            packages: vec![
                package(
                    "app",
                    "1.0",
                    &[
                        "Requests>=2.0",
                        "missing-lib",
                        "old_only; python_version < \"3.8\"",
                        "extra_only; extra == \"test\"",
                        "pre>=1.0",
                        "bad requirement !!",
                    ],
                ),
                package("requests", "1.9.0", &[]),
                package("pre", "1.1rc1", &[]),
            ],
            problems: vec![MetadataProblem {
                package: "broken".into(),
                path: "/site/broken-1.0.dist-info".into(),
                message: "no Version field".into(),
            }],
        };
        let problems = check(&installed, &markers("3.11.7"));
        let kinds: Vec<(&str, &str)> = problems.iter().map(|p| (p.kind, p.message.as_str())).collect();
        assert_eq!(kinds.len(), 4, "{problems:#?}");
        assert!(kinds.contains(&("missing_dependency", "app 1.0 requires missing-lib, which is not installed.")));
        assert!(kinds
            .contains(&("version_conflict", "app 1.0 has requirement Requests>=2.0, but you have requests 1.9.0.")));
        assert!(kinds.iter().any(|(k, m)| *k == "invalid_requirement" && m.contains("\"bad requirement !!\"")));
        assert!(kinds.contains(&("broken_metadata", "no Version field")));
        // On an old Python the marker holds and the dependency is missing.
        let old = check(&Installed { packages: installed.packages.clone(), problems: vec![] }, &markers("3.7.9"));
        assert!(old.iter().any(|p| p.message.contains("requires old-only,")), "{old:#?}");
    }
}
