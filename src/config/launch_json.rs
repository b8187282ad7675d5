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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::env_file;

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

/// The platform block VS Code merges over a configuration on this operating system.
const PLATFORM_KEY: &str = if cfg!(target_os = "windows") {
    "windows"
} else if cfg!(target_os = "macos") {
    "osx"
} else {
    "linux"
};

/// Keys loupe reads; any other key of a configuration is reported in the log as ignored.
const UNDERSTOOD_KEYS: &[&str] = &[
    "name",
    "type",
    "request",
    "program",
    "module",
    "args",
    "cwd",
    "env",
    "envFile",
    "python",
    "pythonPath",
    "justMyCode",
    "stopOnEntry",
    "connect",
    "host",
    "port",
    "pathMappings",
];

/// Reads the fields of one selected configuration.
struct ConfigurationReader<'a> {
    fields: Map<String, Value>,
    path: &'a Path,
    workspace: &'a Path,
    name: &'a str,
    variables: VariableResolver<'a>,
}

impl<'a> ConfigurationReader<'a> {
    fn new(
        configuration: &Map<String, Value>,
        path: &'a Path,
        workspace: &'a Path,
        name: &'a str,
    ) -> Result<Self, LaunchJsonError> {
        let mut reader = ConfigurationReader {
            fields: configuration.clone(),
            path,
            workspace,
            name,
            variables: VariableResolver { workspace },
        };
        let platform_block = reader.fields.get(PLATFORM_KEY).cloned();
        match platform_block {
            Some(Value::Object(overrides)) => merge_objects(&mut reader.fields, &overrides),
            Some(Value::Null) | None => {}
            Some(other) => {
                return Err(
                    reader.invalid(format!("\"{PLATFORM_KEY}\" should be an object, found {}", describe_type(&other)))
                )
            }
        }
        for platform in ["linux", "osx", "windows"] {
            reader.fields.remove(platform);
        }
        Ok(reader)
    }

    fn read(&self) -> Result<LaunchConfig, LaunchJsonError> {
        self.check_type()?;
        let request = self.request()?;
        let ignored: Vec<&str> =
            self.fields.keys().map(String::as_str).filter(|key| !UNDERSTOOD_KEYS.contains(key)).collect();
        if !ignored.is_empty() {
            tracing::info!(
                target: "loupe::config",
                configuration = self.name,
                ?ignored,
                "launch.json keys loupe does not use"
            );
        }

        let (program, module) = match request {
            RequestKind::Launch => self.program_and_module()?,
            RequestKind::Attach => (None, None),
        };
        let connect = self.connect()?;
        if request == RequestKind::Attach && connect.is_none() {
            return Err(self.invalid(self.missing_connect_problem()));
        }
        let (env, unset_env) = self.environment()?;
        Ok(LaunchConfig {
            name: self.name.to_string(),
            request,
            program,
            module,
            args: self.args()?,
            cwd: self.path_field("cwd")?,
            env,
            unset_env,
            python: self.python()?,
            just_my_code: self.bool_field("justMyCode")?,
            stop_on_entry: self.bool_field("stopOnEntry")?.unwrap_or(false),
            connect,
            path_mappings: self.path_mappings()?,
        })
    }

    fn invalid(&self, problem: impl Into<String>) -> LaunchJsonError {
        LaunchJsonError::Invalid { path: self.path.to_path_buf(), name: self.name.to_string(), problem: problem.into() }
    }

    /// Substitutes variables in `text`, the value of `field` (named in errors).
    fn substitute(&self, field: &str, text: &str) -> Result<String, LaunchJsonError> {
        self.variables.substitute(text).map_err(|error| LaunchJsonError::UnsupportedVariable {
            path: self.path.to_path_buf(),
            name: self.name.to_string(),
            field: format!("\"{field}\""),
            variable: error.variable,
            hint: error.hint,
        })
    }

    /// A string field, substituted; `None` when absent or null.
    fn string_field(&self, key: &str) -> Result<Option<String>, LaunchJsonError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => self.substitute(key, text).map(Some),
            Some(other) => Err(self.invalid(format!("\"{key}\" should be a string, found {}", describe_type(other)))),
        }
    }

    fn bool_field(&self, key: &str) -> Result<Option<bool>, LaunchJsonError> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(value)) => Ok(Some(*value)),
            Some(other) => {
                Err(self.invalid(format!("\"{key}\" should be true or false, found {}", describe_type(other))))
            }
        }
    }

    /// A path field, substituted and made absolute against the workspace.
    fn path_field(&self, key: &str) -> Result<Option<PathBuf>, LaunchJsonError> {
        let Some(text) = self.string_field(key)? else {
            return Ok(None);
        };
        if text.trim().is_empty() {
            return Err(self.invalid(format!("\"{key}\" is empty")));
        }
        Ok(Some(resolve_against(self.workspace, &text)))
    }

    fn check_type(&self) -> Result<(), LaunchJsonError> {
        match self.fields.get("type") {
            Some(Value::String(kind)) if kind == "debugpy" || kind == "python" => Ok(()),
            Some(Value::String(kind)) => Err(LaunchJsonError::UnsupportedType {
                path: self.path.to_path_buf(),
                name: self.name.to_string(),
                found: kind.clone(),
            }),
            None => Err(self.invalid("it has no \"type\"; loupe runs \"debugpy\" and \"python\" configurations")),
            Some(other) => Err(self
                .invalid(format!("\"type\" should be a string such as \"debugpy\", found {}", describe_type(other)))),
        }
    }

    fn request(&self) -> Result<RequestKind, LaunchJsonError> {
        match self.fields.get("request").and_then(Value::as_str) {
            Some("launch") => Ok(RequestKind::Launch),
            Some("attach") => Ok(RequestKind::Attach),
            Some(other) => {
                Err(self.invalid(format!("\"request\" is {other:?}; it should be \"launch\" or \"attach\"")))
            }
            None => Err(self.invalid("\"request\" is missing or not a string; it should be \"launch\" or \"attach\"")),
        }
    }

    fn program_and_module(&self) -> Result<(Option<PathBuf>, Option<String>), LaunchJsonError> {
        let program = self.path_field("program")?;
        let module = self.string_field("module")?;
        match (&program, &module) {
            (Some(_), Some(_)) => {
                Err(self.invalid("it has both \"program\" and \"module\"; a launch configuration runs one of them"))
            }
            (None, None) => {
                let mut problem = "a launch configuration needs \"program\" (a script path) or \
                                   \"module\" (for python -m)"
                    .to_string();
                if self.fields.contains_key("code") {
                    problem.push_str("; \"code\" is not supported");
                }
                Err(self.invalid(problem))
            }
            (None, Some(module)) if module.trim().is_empty() => Err(self.invalid("\"module\" is empty")),
            _ => Ok((program, module)),
        }
    }

    /// `args`: an array of strings, or one string split on whitespace (after substitution).
    fn args(&self) -> Result<Vec<String>, LaunchJsonError> {
        match self.fields.get("args") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(text)) => {
                Ok(self.substitute("args", text)?.split_whitespace().map(str::to_string).collect())
            }
            Some(Value::Array(items)) => {
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| match item {
                        Value::String(text) => self.substitute(&format!("args[{index}]"), text),
                        Value::Number(number) => Ok(number.to_string()),
                        Value::Bool(flag) => Ok(flag.to_string()),
                        other => Err(self
                            .invalid(format!("\"args[{index}]\" should be a string, found {}", describe_type(other)))),
                    })
                    .collect()
            }
            Some(other) => {
                Err(self.invalid(format!("\"args\" should be an array of strings, found {}", describe_type(other))))
            }
        }
    }

    /// `envFile` entries (default `${workspaceFolder}/.env`) overlaid by `env`; `null` unsets.
    fn environment(&self) -> Result<(BTreeMap<String, String>, Vec<String>), LaunchJsonError> {
        let env_file = match self.path_field("envFile")? {
            Some(env_file) => env_file,
            None => self.workspace.join(".env"),
        };
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        if env_file.is_file() {
            let entries = env_file::load(&env_file).map_err(|error| self.invalid(format!("\"envFile\": {error:#}")))?;
            env.extend(entries);
        } else {
            tracing::info!(
                target: "loupe::config",
                configuration = self.name,
                env_file = %env_file.display(),
                "no env file there; continuing without it"
            );
        }

        let mut unset: BTreeSet<String> = BTreeSet::new();
        match self.fields.get("env") {
            None | Some(Value::Null) => {}
            Some(Value::Object(entries)) => {
                for (raw_key, raw_value) in entries {
                    let key = self.substitute(&format!("env key {raw_key:?}"), raw_key)?;
                    let field = format!("env.{raw_key}");
                    let value = match raw_value {
                        Value::Null => {
                            env.remove(&key);
                            unset.insert(key);
                            continue;
                        }
                        Value::String(text) => self.substitute(&field, text)?,
                        Value::Number(number) => number.to_string(),
                        Value::Bool(flag) => flag.to_string(),
                        structured => structured.to_string(),
                    };
                    unset.remove(&key);
                    env.insert(key, value);
                }
            }
            Some(other) => {
                return Err(
                    self.invalid(format!("\"env\" should be an object of NAME: value, found {}", describe_type(other)))
                )
            }
        }
        Ok((env, unset.into_iter().collect()))
    }

    fn python(&self) -> Result<Option<PathBuf>, LaunchJsonError> {
        let key = if self.fields.contains_key("python") { "python" } else { "pythonPath" };
        if let Some(Value::String(raw)) = self.fields.get(key) {
            if names_vscode_interpreter(raw) {
                tracing::info!(
                    target: "loupe::config",
                    configuration = self.name,
                    value = raw.as_str(),
                    "VS Code's selected interpreter requested; loupe chooses the interpreter"
                );
                return Ok(None);
            }
        }
        let Some(text) = self.string_field(key)? else {
            return Ok(None);
        };
        if text.trim().is_empty() {
            return Err(self.invalid(format!("\"{key}\" is empty")));
        }
        if text.contains(std::path::MAIN_SEPARATOR) || text.contains('/') {
            Ok(Some(resolve_against(self.workspace, &text)))
        } else {
            Ok(Some(PathBuf::from(text)))
        }
    }

    /// `connect: {host, port}`, or the legacy top-level `host`/`port`.
    fn connect(&self) -> Result<Option<(String, u16)>, LaunchJsonError> {
        let (host, port, prefix) = match self.fields.get("connect") {
            Some(Value::Object(connect)) => (connect.get("host"), connect.get("port"), "connect."),
            Some(Value::Null) | None => {
                if !self.fields.contains_key("host") && !self.fields.contains_key("port") {
                    return Ok(None);
                }
                (self.fields.get("host"), self.fields.get("port"), "")
            }
            Some(other) => {
                return Err(self.invalid(format!(
                    "\"connect\" should be an object {{\"host\": ..., \"port\": ...}}, found {}",
                    describe_type(other)
                )))
            }
        };
        let host = match host {
            None | Some(Value::Null) => "127.0.0.1".to_string(),
            Some(Value::String(text)) => {
                let host = self.substitute(&format!("{prefix}host"), text)?;
                if host.trim().is_empty() {
                    return Err(self.invalid(format!("\"{prefix}host\" is empty")));
                }
                host.trim().to_string()
            }
            Some(other) => {
                return Err(self.invalid(format!("\"{prefix}host\" should be a string, found {}", describe_type(other))))
            }
        };
        let port = self.port(port, &format!("{prefix}port"))?;
        Ok(Some((host, port)))
    }

    fn port(&self, value: Option<&Value>, field: &str) -> Result<u16, LaunchJsonError> {
        let bad_port = |found: String| self.invalid(format!("\"{field}\" should be a port 1-65535, {found}"));
        let port = match value {
            None | Some(Value::Null) => {
                return Err(self.invalid(format!("\"{field}\" is missing; attach needs the port debugpy listens on")))
            }
            Some(Value::Number(number)) => number
                .as_u64()
                .and_then(|port| u16::try_from(port).ok())
                .ok_or_else(|| bad_port(format!("found {number}")))?,
            Some(Value::String(text)) => {
                let text = self.substitute(field, text)?;
                text.trim().parse::<u16>().map_err(|_| bad_port(format!("found {text:?}")))?
            }
            Some(other) => return Err(bad_port(format!("found {}", describe_type(other)))),
        };
        if port == 0 {
            return Err(bad_port("found 0".to_string()));
        }
        Ok(port)
    }

    fn missing_connect_problem(&self) -> String {
        let mut problem = "an attach configuration needs \"connect\": {\"host\": ..., \"port\": \
                           ...}"
            .to_string();
        if self.fields.contains_key("processId") {
            problem.push_str("; attaching by \"processId\" is not supported");
        }
        if self.fields.contains_key("listen") {
            problem.push_str("; \"listen\" is not supported");
        }
        problem
    }

    fn path_mappings(&self) -> Result<Vec<PathMapping>, LaunchJsonError> {
        let items = match self.fields.get("pathMappings") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.invalid(format!(
                    "\"pathMappings\" should be an array of {{\"localRoot\", \"remoteRoot\"}}, \
                     found {}",
                    describe_type(other)
                )))
            }
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let field = |key: &str| format!("pathMappings[{index}].{key}");
                let Value::Object(mapping) = item else {
                    return Err(self.invalid(format!(
                        "\"pathMappings[{index}]\" should be an object with \"localRoot\" and \
                         \"remoteRoot\", found {}",
                        describe_type(item)
                    )));
                };
                let text = |key: &str| match mapping.get(key) {
                    Some(Value::String(text)) if !text.trim().is_empty() => self.substitute(&field(key), text),
                    Some(Value::String(_)) => Err(self.invalid(format!("\"{}\" is empty", field(key)))),
                    None | Some(Value::Null) => Err(self.invalid(format!("\"{}\" is missing", field(key)))),
                    Some(other) => Err(self.invalid(format!(
                        "\"{}\" should be a string, found {}",
                        field(key),
                        describe_type(other)
                    ))),
                };
                Ok(PathMapping {
                    local_root: resolve_against(self.workspace, &text("localRoot")?),
                    remote_root: text("remoteRoot")?,
                })
            })
            .collect()
    }
}

/// Whether a `python` value asks for the interpreter selected in VS Code, such as
/// `${command:python.interpreterPath}` or `${config:python.defaultInterpreterPath}`.
fn names_vscode_interpreter(value: &str) -> bool {
    let Some(variable) = value.trim().strip_prefix("${").and_then(|rest| rest.strip_suffix('}')) else {
        return false;
    };
    !variable.contains('}') && (variable.starts_with("command:python.") || variable.starts_with("config:python."))
}

/// Deep-merges `overlay` into `base` (objects merge key by key, anything else replaces).
fn merge_objects(base: &mut Map<String, Value>, overlay: &Map<String, Value>) {
    for (key, value) in overlay {
        match (base.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(nested)) => merge_objects(existing, nested),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// `text` as a path: kept when absolute, otherwise joined to `base` without `.` components.
fn resolve_against(base: &Path, text: &str) -> PathBuf {
    let path = Path::new(text);
    if path.is_absolute() {
        return path.to_path_buf();
    }
    let mut resolved = base.to_path_buf();
    for component in path.components() {
        if component != Component::CurDir {
            resolved.push(component);
        }
    }
    resolved
}

fn describe_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A `${...}` that loupe cannot substitute, and what to write instead.
struct UnsupportedVariable {
    variable: String,
    hint: String,
}

/// Substitutes the VS Code variables that make sense outside VS Code.
struct VariableResolver<'a> {
    workspace: &'a Path,
}

impl VariableResolver<'_> {
    /// Replaces every `${...}` in `text` in one pass; an unterminated `${` is kept as written.
    fn substitute(&self, text: &str) -> Result<String, UnsupportedVariable> {
        let mut substituted = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let after_open = &rest[start + 2..];
            let Some(length) = after_open.find('}') else {
                break;
            };
            substituted.push_str(&rest[..start]);
            substituted.push_str(&self.value_of(&after_open[..length])?);
            rest = &after_open[length + 1..];
        }
        substituted.push_str(rest);
        Ok(substituted)
    }

    fn workspace_basename(&self) -> String {
        self.workspace.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
    }

    fn value_of(&self, variable: &str) -> Result<String, UnsupportedVariable> {
        let unsupported = |hint: String| UnsupportedVariable { variable: variable.to_string(), hint };
        match variable {
            "workspaceFolder" | "workspaceRoot" => return Ok(self.workspace.to_string_lossy().into_owned()),
            "workspaceFolderBasename" => return Ok(self.workspace_basename()),
            "userHome" => {
                return dirs::home_dir()
                    .map(|home| home.to_string_lossy().into_owned())
                    .ok_or_else(|| unsupported("loupe cannot find your home directory (set $HOME)".into()))
            }
            "cwd" => {
                return std::env::current_dir()
                    .map(|cwd| cwd.to_string_lossy().into_owned())
                    .map_err(|error| unsupported(format!("loupe cannot read its working directory: {error}")))
            }
            "pathSeparator" | "/" => return Ok(std::path::MAIN_SEPARATOR_STR.to_string()),
            _ => {}
        }
        if let Some(name) = variable.strip_prefix("env:") {
            if name.is_empty() {
                return Err(unsupported("write ${env:NAME} with a variable name".into()));
            }
            return Ok(std::env::var_os(name).map(|value| value.to_string_lossy().into_owned()).unwrap_or_default());
        }
        if let Some(folder) = variable.strip_prefix("workspaceFolder:") {
            if folder == self.workspace_basename() {
                return Ok(self.workspace.to_string_lossy().into_owned());
            }
            return Err(unsupported(format!(
                "it names a folder of a multi-root workspace, and loupe's workspace is {:?}; \
                 write ${{workspaceFolder}} or the path",
                self.workspace_basename()
            )));
        }
        Err(unsupported(hint_for_vscode_variable(variable)))
    }
}

fn hint_for_vscode_variable(variable: &str) -> String {
    const SUPPORTED: &str = "loupe substitutes ${workspaceFolder}, ${workspaceFolderBasename}, \
                             ${userHome}, ${env:NAME}, ${cwd} and ${pathSeparator}";
    let editor_variables = [
        "file",
        "fileBasename",
        "fileBasenameNoExtension",
        "fileDirname",
        "fileDirnameBasename",
        "fileExtname",
        "fileWorkspaceFolder",
        "fileWorkspaceFolderBasename",
        "relativeFile",
        "relativeFileDirname",
        "lineNumber",
        "columnNumber",
        "selectedText",
    ];
    if editor_variables.contains(&variable) {
        return format!(
            "it refers to the file or selection open in VS Code's editor, which loupe does not \
             have; write the path instead (for example ${{workspaceFolder}}/main.py). {SUPPORTED}"
        );
    }
    if variable == "command:pickArgs" {
        return "it asks for the arguments in a VS Code prompt; write them in \"args\" instead".to_string();
    }
    if variable.starts_with("command:") {
        return format!("it runs a VS Code command; replace it with the value it produces. {SUPPORTED}");
    }
    if variable.starts_with("input:") {
        return format!("it prompts through VS Code's \"inputs\"; replace it with the value. {SUPPORTED}");
    }
    if variable.starts_with("config:") {
        return format!("it reads a VS Code setting; replace it with the value. {SUPPORTED}");
    }
    format!("it is not a variable loupe knows. {SUPPORTED}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(workspace: &Path) -> VariableResolver<'_> {
        VariableResolver { workspace }
    }

    #[test]
    fn substitution_is_single_pass_and_keeps_unterminated_openers() {
        let workspace = Path::new("/work/project");
        let resolver = resolver(workspace);
        let substituted =
            resolver.substitute("${workspaceFolder}/a ${workspaceFolderBasename} ${/} ${ open").ok().unwrap();
        assert_eq!(substituted, "/work/project/a project / ${ open");
        assert_eq!(resolver.substitute("$HOME {x}").ok().unwrap(), "$HOME {x}");
    }

    #[test]
    fn multi_root_folder_variable_matches_only_this_workspace() {
        let resolver = resolver(Path::new("/work/project"));
        assert_eq!(resolver.substitute("${workspaceFolder:project}").ok().unwrap(), "/work/project");
        let error = resolver.substitute("${workspaceFolder:other}").err().unwrap();
        assert_eq!(error.variable, "workspaceFolder:other");
    }

    #[test]
    fn vscode_only_variables_get_specific_hints() {
        let resolver = resolver(Path::new("/w"));
        for (text, fragment) in [
            ("${file}", "editor"),
            ("${command:pickArgs}", "\"args\""),
            ("${command:pickProcess}", "VS Code command"),
            ("${input:port}", "inputs"),
            ("${config:python.foo}", "setting"),
            ("${execPath}", "not a variable loupe knows"),
            ("${env:}", "variable name"),
        ] {
            let error = resolver.substitute(text).err().unwrap();
            assert!(error.hint.contains(fragment), "{text}: {}", error.hint);
        }
    }

    #[test]
    fn interpreter_variables_are_recognised_only_whole() {
        assert!(names_vscode_interpreter("${command:python.interpreterPath}"));
        assert!(names_vscode_interpreter(" ${config:python.defaultInterpreterPath} "));
        assert!(!names_vscode_interpreter("${command:python.interpreterPath}/x"));
        assert!(!names_vscode_interpreter("${command:pickArgs}"));
        assert!(!names_vscode_interpreter("python3"));
    }

    #[test]
    fn relative_paths_resolve_without_dot_components() {
        let base = Path::new("/w");
        assert_eq!(resolve_against(base, "./src/app.py"), Path::new("/w/src/app.py"));
        assert_eq!(resolve_against(base, "../up"), Path::new("/w/../up"));
        assert_eq!(resolve_against(base, "/abs/x"), Path::new("/abs/x"));
    }

    #[test]
    fn platform_blocks_merge_deeply() {
        let mut base = serde_json::json!({"env": {"A": "1", "B": "2"}, "args": ["x"]});
        let overlay = serde_json::json!({"env": {"B": "linux"}, "args": ["y"]});
        merge_objects(base.as_object_mut().unwrap(), overlay.as_object().unwrap());
        assert_eq!(base, serde_json::json!({"env": {"A": "1", "B": "linux"}, "args": ["y"]}));
    }
}
