//! VS Code's `${...}` variables: the ones that make sense outside VS Code are substituted; the
//! others are refused with a hint saying what to write instead.

use std::path::Path;

/// A `${...}` that loupe cannot substitute, and what to write instead.
pub(super) struct UnsupportedVariable {
    pub(super) variable: String,
    pub(super) hint: String,
}

/// Substitutes the VS Code variables that make sense outside VS Code.
pub(super) struct VariableResolver<'a> {
    pub(super) workspace: &'a Path,
}

impl VariableResolver<'_> {
    /// Replaces every `${...}` in `text` in one pass; an unterminated `${` is kept as written.
    pub(super) fn substitute(&self, text: &str) -> Result<String, UnsupportedVariable> {
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
}
