//! `.vscode/launch.json`: the debugpy/python configurations VS Code users already have.
//!
//! [`load`] reads the file as VS Code does (JSON with `//` and `/* */` comments and trailing
//! commas), picks one configuration by name, merges its platform block (`"linux"`, `"osx"` or
//! `"windows"`, as VS Code does), substitutes VS Code variables in the fields loupe uses, resolves
//! relative paths against the workspace and merges `envFile` under `env`.
//!
//! Variables: `${workspaceFolder}` (and the old `${workspaceRoot}`), `${workspaceFolderBasename}`,
//! `${userHome}`, `${env:NAME}` (empty when unset), `${cwd}` (loupe's working directory) and
//! `${pathSeparator}` (or `${/}`). Variables that need VS Code itself (`${file}`,
//! `${command:...}`, `${input:...}`, `${config:...}`, ...) are errors that say what to write
//! instead, with one exception: a `python` field that is exactly `${command:python.…}` or
//! `${config:python.…}` (VS Code's selected interpreter) is treated as absent, so loupe picks the
//! interpreter itself. As in VS Code, substitution is a single pass (a value brought in by
//! `${env:…}` is not substituted again) and an unterminated `${` is kept as written. Only the
//! fields loupe reads are substituted, so a VS Code-only field cannot make a configuration fail.
//!
//! `envFile` defaults to `${workspaceFolder}/.env`, like the Python extension's `python.envFile`
//! setting, and a missing env file is skipped (logged), as VS Code does; a malformed one is an
//! error.
//!
//! Errors are [`LaunchJsonError`] values inside `anyhow::Error` (downcast to tell them apart);
//! each message names the file and, once one is selected, the configuration.
//!
//! Here: the configuration types and errors, and finding the file and the configuration in it;
//! `reader.rs` reads one configuration's fields, `variables.rs` substitutes VS Code variables.

mod reader;
mod variables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use self::reader::ConfigurationReader;

/// `request` in a configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    Launch,
    Attach,
}

/// One `pathMappings` entry: a directory on this machine and where it lives in the debuggee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMapping {
    pub local_root: PathBuf,
    pub remote_root: String,
}

/// A debug configuration from launch.json, variables substituted and `envFile` merged.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchConfig {
    pub name: String,
    pub request: RequestKind,
    /// Launch only; absolute (relative paths are resolved against the workspace).
    pub program: Option<PathBuf>,
    /// Launch only: `python -m module`.
    pub module: Option<String>,
    pub args: Vec<String>,
    /// Absolute when set; `None` when the configuration has no `cwd` (VS Code then uses the
    /// workspace folder).
    pub cwd: Option<PathBuf>,
    /// `envFile` entries overlaid by `env` entries (env wins, as in VS Code).
    pub env: BTreeMap<String, String>,
    /// Variables to remove from the inherited environment: `"NAME": null` in `env` (debugpy's
    /// launcher unsets them). None of these names is a key of `env`.
    pub unset_env: Vec<String>,
    /// `python` (or legacy `pythonPath`). A bare command name (`python3`) is kept as written for
    /// a `PATH` lookup; a path with a separator is resolved against the workspace. `None` also
    /// when the field asks for VS Code's selected interpreter.
    pub python: Option<PathBuf>,
    pub just_my_code: Option<bool>,
    pub stop_on_entry: bool,
    /// `connect: {host, port}` (or legacy top-level `host`/`port`) for attach.
    pub connect: Option<(String, u16)>,
    /// `localRoot` is absolute (resolved against the workspace).
    pub path_mappings: Vec<PathMapping>,
}

/// Why a launch configuration could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchJsonError {
    #[error("cannot read {}: {reason}", .path.display())]
    Read { path: PathBuf, reason: String },
    #[error("{}:{line}:{column}: invalid JSON: {message}", .path.display())]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: {problem}", .path.display())]
    Malformed { path: PathBuf, problem: String },
    #[error(
        "{}: no configuration named {name:?}; {}",
        .path.display(),
        describe_available(.available)
    )]
    NotFound { path: PathBuf, name: String, available: Vec<String> },
    #[error(
        "{}: configuration {name:?} has type {found:?}; loupe runs only \"debugpy\" and \
         \"python\" configurations",
        .path.display()
    )]
    UnsupportedType { path: PathBuf, name: String, found: String },
    #[error(
        "{}: configuration {name:?} uses ${{{variable}}} in {field}, which loupe cannot \
         substitute: {hint}",
        .path.display()
    )]
    UnsupportedVariable { path: PathBuf, name: String, field: String, variable: String, hint: String },
    #[error("{}: configuration {name:?}: {problem}", .path.display())]
    Invalid { path: PathBuf, name: String, problem: String },
}

fn describe_available(available: &[String]) -> String {
    if available.is_empty() {
        return "the file has no named configurations".to_string();
    }
    let quoted: Vec<String> = available.iter().map(|name| format!("{name:?}")).collect();
    format!("available: {}", quoted.join(", "))
}

/// Where [`load`] looks for the file: `workspace/.vscode/launch.json`.
pub fn launch_json_path(workspace: &Path) -> PathBuf {
    workspace.join(".vscode").join("launch.json")
}

/// Loads configuration `name` from `workspace/.vscode/launch.json`.
pub fn load(workspace: &Path, name: &str) -> anyhow::Result<LaunchConfig> {
    let workspace = absolute_workspace(workspace)?;
    let path = launch_json_path(&workspace);
    let root = read_launch_json(&path)?;
    Ok(select_configuration(&root, &path, &workspace, name)?)
}

/// The names of all configurations in `workspace/.vscode/launch.json`, in file order, whatever
/// their type (for listings and shell completion).
pub fn configuration_names(workspace: &Path) -> anyhow::Result<Vec<String>> {
    let path = launch_json_path(&absolute_workspace(workspace)?);
    let root = read_launch_json(&path)?;
    Ok(configurations(&root, &path)?
        .iter()
        .filter_map(|configuration| configuration.get("name")?.as_str())
        .map(str::to_string)
        .collect())
}

fn absolute_workspace(workspace: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(workspace)
        .map_err(|error| anyhow::anyhow!("cannot use {:?} as the workspace folder: {error}", workspace.display()))
}

fn read_launch_json(path: &Path) -> Result<Value, LaunchJsonError> {
    let text = std::fs::read_to_string(path).map_err(|error| LaunchJsonError::Read {
        path: path.to_path_buf(),
        reason: if error.kind() == std::io::ErrorKind::NotFound {
            "no such file (loupe reads .vscode/launch.json in the workspace folder; create it \
             or pass the right workspace)"
                .to_string()
        } else {
            error.to_string()
        },
    })?;
    parse_jsonc(&text, path)
}

/// Parses JSON as VS Code accepts it in launch.json: comments and trailing commas allowed.
fn parse_jsonc(text: &str, path: &Path) -> Result<Value, LaunchJsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = jsonc_parser::ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    jsonc_parser::parse_to_serde_value::<Value>(text, &options).map_err(|error| LaunchJsonError::Syntax {
        path: path.to_path_buf(),
        line: error.line_display(),
        column: error.column_display(),
        message: error.kind().to_string(),
    })
}

fn configurations<'a>(root: &'a Value, path: &Path) -> Result<&'a [Value], LaunchJsonError> {
    let malformed =
        |problem: &str| LaunchJsonError::Malformed { path: path.to_path_buf(), problem: problem.to_string() };
    let Value::Object(root) = root else {
        return Err(malformed(if root.is_null() {
            "the file is empty; it should be an object with a \"configurations\" array"
        } else {
            "the file should be an object with a \"configurations\" array"
        }));
    };
    match root.get("configurations") {
        Some(Value::Array(configurations)) => Ok(configurations),
        Some(_) => Err(malformed("\"configurations\" should be an array")),
        None => Err(malformed("there is no \"configurations\" array")),
    }
}

fn select_configuration(
    root: &Value,
    path: &Path,
    workspace: &Path,
    name: &str,
) -> Result<LaunchConfig, LaunchJsonError> {
    let configurations = configurations(root, path)?;
    let found = configurations
        .iter()
        .filter_map(Value::as_object)
        .find(|configuration| configuration.get("name").and_then(Value::as_str) == Some(name));
    let Some(configuration) = found else {
        let is_compound = root.get("compounds").and_then(Value::as_array).is_some_and(|compounds| {
            compounds.iter().any(|compound| compound.get("name").and_then(Value::as_str) == Some(name))
        });
        if is_compound {
            return Err(LaunchJsonError::Invalid {
                path: path.to_path_buf(),
                name: name.to_string(),
                problem: "this is a compound; loupe runs one configuration at a time (name one \
                          of the configurations it lists)"
                    .to_string(),
            });
        }
        return Err(LaunchJsonError::NotFound {
            path: path.to_path_buf(),
            name: name.to_string(),
            available: configurations
                .iter()
                .filter_map(|configuration| configuration.get("name")?.as_str())
                .map(str::to_string)
                .collect(),
        });
    };
    ConfigurationReader::new(configuration, path, workspace, name)?.read()
}
