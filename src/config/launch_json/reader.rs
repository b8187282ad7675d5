//! Reads one selected configuration: merges its platform block, checks each field's type, and
//! substitutes variables (through `variables.rs`) in the fields loupe uses, into a [`LaunchConfig`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::variables::VariableResolver;
use super::{LaunchConfig, LaunchJsonError, PathMapping, RequestKind};
use crate::config::env_file;

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
pub(super) struct ConfigurationReader<'a> {
    fields: Map<String, Value>,
    path: &'a Path,
    workspace: &'a Path,
    name: &'a str,
    variables: VariableResolver<'a>,
}

impl<'a> ConfigurationReader<'a> {
    pub(super) fn new(
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

    pub(super) fn read(&self) -> Result<LaunchConfig, LaunchJsonError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
