//! Integration tests for `config::launch_json`: real `.vscode/launch.json` files in temporary
//! workspaces, read the way VS Code users write them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use loupe::config::launch_json::{configuration_names, load, LaunchConfig, LaunchJsonError, PathMapping, RequestKind};

/// A temporary workspace with `.vscode/launch.json` holding `launch_json`.
fn workspace_with(launch_json: &str) -> tempfile::TempDir {
    let workspace = tempfile::tempdir().unwrap();
    let vscode = workspace.path().join(".vscode");
    std::fs::create_dir(&vscode).unwrap();
    std::fs::write(vscode.join("launch.json"), launch_json).unwrap();
    workspace
}

/// A workspace whose launch.json holds the one configuration `configuration` (JSON text).
fn workspace_with_configuration(configuration: &str) -> tempfile::TempDir {
    workspace_with(&format!(r#"{{ "version": "0.2.0", "configurations": [ {configuration} ] }}"#))
}

fn load_only(configuration: &str) -> anyhow::Result<LaunchConfig> {
    let workspace = workspace_with_configuration(configuration);
    load(workspace.path(), "Test")
}

fn error_of(configuration: &str) -> String {
    match load_only(configuration) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(error) => format!("{error:#}"),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

#[test]
fn comments_and_trailing_commas_are_accepted() {
    let workspace = workspace_with(
        r#"// launch.json written by VS Code
{
    /* block comment
       over lines */
    "version": "0.2.0",
    "configurations": [
        {
            "name": "Run app", // the one we want
            "type": "debugpy",
            "request": "launch",
            "program": "app.py",
            "args": ["--fast",],
        },
    ],
}
"#,
    );
    let config = load(workspace.path(), "Run app").unwrap();
    assert_eq!(config.name, "Run app");
    assert_eq!(config.request, RequestKind::Launch);
    assert_eq!(config.program, Some(workspace.path().join("app.py")));
    assert_eq!(config.args, strings(&["--fast"]));
}

#[test]
fn every_launch_field_is_read() {
    let workspace = workspace_with_configuration(
        r#"{
            "name": "Test",
            "type": "python",
            "request": "launch",
            "program": "${workspaceFolder}/src/main.py",
            "args": ["one", "two words", 3, true],
            "cwd": "src",
            "env": {"MODE": "debug", "COUNT": 5, "FLAG": false},
            "python": ".venv/bin/python",
            "justMyCode": false,
            "stopOnEntry": true,
            "pathMappings": [{"localRoot": "./lib", "remoteRoot": "/app/lib"}],
            "console": "integratedTerminal"
        }"#,
    );
    let root = workspace.path();
    let config = load(root, "Test").unwrap();
    let expected = LaunchConfig {
        name: "Test".to_string(),
        request: RequestKind::Launch,
        program: Some(root.join("src/main.py")),
        module: None,
        args: strings(&["one", "two words", "3", "true"]),
        cwd: Some(root.join("src")),
        env: BTreeMap::from([
            ("COUNT".to_string(), "5".to_string()),
            ("FLAG".to_string(), "false".to_string()),
            ("MODE".to_string(), "debug".to_string()),
        ]),
        unset_env: Vec::new(),
        python: Some(root.join(".venv/bin/python")),
        just_my_code: Some(false),
        stop_on_entry: true,
        connect: None,
        path_mappings: vec![PathMapping { local_root: root.join("lib"), remote_root: "/app/lib".to_string() }],
    };
    assert_eq!(config, expected);
}

#[test]
fn defaults_for_a_minimal_module_configuration() {
    let config = load_only(r#"{"name": "Test", "type": "debugpy", "request": "launch", "module": "pkg.cli"}"#).unwrap();
    assert_eq!(config.module.as_deref(), Some("pkg.cli"));
    assert_eq!(config.program, None);
    assert!(config.args.is_empty());
    assert_eq!(config.cwd, None);
    assert!(config.env.is_empty());
    assert_eq!(config.python, None);
    assert_eq!(config.just_my_code, None);
    assert!(!config.stop_on_entry);
    assert!(config.path_mappings.is_empty());
}

#[test]
fn args_as_one_string_is_split_on_whitespace() {
    let config = load_only(
        r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py",
            "args": "  --verbose\tinput.txt   --out ${workspaceFolderBasename} "}"#,
    )
    .unwrap();
    assert_eq!(config.args.len(), 4);
    assert_eq!(config.args[..3], strings(&["--verbose", "input.txt", "--out"]));
}

#[test]
fn bare_python_command_is_kept_and_legacy_python_path_is_read() {
    let config = load_only(
        r#"{"name": "Test", "type": "python", "request": "launch", "program": "a.py",
            "pythonPath": "python3.11"}"#,
    )
    .unwrap();
    assert_eq!(config.python, Some(PathBuf::from("python3.11")));

    let config = load_only(
        r#"{"name": "Test", "type": "python", "request": "launch", "program": "a.py",
            "python": "/usr/bin/python3", "pythonPath": "ignored"}"#,
    )
    .unwrap();
    assert_eq!(config.python, Some(PathBuf::from("/usr/bin/python3")));
}

#[test]
fn vscode_selected_interpreter_means_loupe_chooses() {
    let config = load_only(
        r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py",
            "python": "${command:python.interpreterPath}"}"#,
    )
    .unwrap();
    assert_eq!(config.python, None);
}

#[test]
fn env_file_is_merged_under_env() {
    let workspace = workspace_with_configuration(
        r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py",
            "envFile": "${workspaceFolder}/config/dev.env",
            "env": {"SHARED": "from env", "ONLY_ENV": "e", "DROPPED": null}}"#,
    );
    let config_dir = workspace.path().join("config");
    std::fs::create_dir(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("dev.env"),
        "# dev settings\nSHARED=from file\nONLY_FILE=f\nDROPPED=x\nDERIVED=${ONLY_FILE}-2\n",
    )
    .unwrap();
    let config = load(workspace.path(), "Test").unwrap();
    assert_eq!(
        config.env,
        BTreeMap::from([
            ("DERIVED".to_string(), "f-2".to_string()),
            ("ONLY_ENV".to_string(), "e".to_string()),
            ("ONLY_FILE".to_string(), "f".to_string()),
            ("SHARED".to_string(), "from env".to_string()),
        ])
    );
    assert_eq!(config.unset_env, strings(&["DROPPED"]));
}

#[test]
fn workspace_dot_env_is_the_default_env_file() {
    let workspace =
        workspace_with_configuration(r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py"}"#);
    std::fs::write(workspace.path().join(".env"), "FROM_DOT_ENV=1\n").unwrap();
    let config = load(workspace.path(), "Test").unwrap();
    assert_eq!(config.env.get("FROM_DOT_ENV").map(String::as_str), Some("1"));
}

#[test]
fn missing_env_file_is_skipped_like_vscode() {
    let config = load_only(
        r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py",
            "envFile": "nowhere.env", "env": {"A": "1"}}"#,
    )
    .unwrap();
    assert_eq!(config.env.len(), 1);
}

#[test]
fn malformed_env_file_names_the_file_and_line() {
    let workspace = workspace_with_configuration(
        r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py",
            "envFile": "bad.env"}"#,
    );
    std::fs::write(workspace.path().join("bad.env"), "A=1\nnot an entry\n").unwrap();
    let message = format!("{:#}", load(workspace.path(), "Test").unwrap_err());
    assert!(message.contains("bad.env"), "{message}");
    assert!(message.contains("line 2"), "{message}");
    assert!(message.contains("\"Test\""), "{message}");
}

#[test]
fn variables_are_substituted_everywhere_loupe_reads() {
    let workspace = workspace_with_configuration(
        r#"{"name": "Test", "type": "debugpy", "request": "launch",
            "program": "${workspaceFolder}${pathSeparator}main.py",
            "cwd": "${userHome}",
            "args": ["${workspaceFolderBasename}", "${env:HOME}", "[${env:LOUPE_TEST_SURELY_UNSET}]",
                     "${cwd}", "a${/}b", "${workspaceRoot}"],
            "env": {"${env:LOUPE_TEST_SURELY_UNSET}KEY": "${workspaceFolder}/lib"},
            "pathMappings": [{"localRoot": "${workspaceFolder}", "remoteRoot": "/srv/${workspaceFolderBasename}"}]}"#,
    );
    let root = std::path::absolute(workspace.path()).unwrap();
    let basename = root.file_name().unwrap().to_str().unwrap().to_string();
    let home = dirs::home_dir().unwrap();
    let config = load(workspace.path(), "Test").unwrap();
    assert_eq!(config.program, Some(root.join("main.py")));
    assert_eq!(config.cwd, Some(home.clone()));
    assert_eq!(
        config.args,
        vec![
            basename.clone(),
            std::env::var("HOME").unwrap_or_default(),
            "[]".to_string(),
            std::env::current_dir().unwrap().display().to_string(),
            "a/b".to_string(),
            root.display().to_string(),
        ]
    );
    assert_eq!(config.env.get("KEY"), Some(&format!("{}/lib", root.display())));
    assert_eq!(config.path_mappings[0].local_root, root);
    assert_eq!(config.path_mappings[0].remote_root, format!("/srv/{basename}"));
}

#[test]
fn unknown_variables_are_errors_naming_the_variable_and_configuration() {
    for (field, variable) in [
        (r#""program": "${file}""#, "${file}"),
        (r#""program": "a.py", "args": ["${command:pickArgs}"]"#, "${command:pickArgs}"),
        (r#""module": "m", "cwd": "${input:dir}""#, "${input:dir}"),
        (r#""module": "m", "env": {"X": "${config:editor.tabSize}"}"#, "${config:editor.tabSize}"),
    ] {
        let message = error_of(&format!(r#"{{"name": "Test", "type": "debugpy", "request": "launch", {field}}}"#));
        assert!(message.contains(variable), "{message}");
        assert!(message.contains("\"Test\""), "{message}");
        assert!(message.contains("launch.json"), "{message}");
    }
}

#[test]
fn variables_in_fields_loupe_does_not_read_are_left_alone() {
    let config = load_only(
        r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py",
            "preLaunchTask": "${defaultBuildTask}", "console": "${command:whatever}"}"#,
    )
    .unwrap();
    assert_eq!(config.program.unwrap().file_name().unwrap(), "a.py");
}

#[test]
fn unknown_name_lists_the_available_ones() {
    let workspace = workspace_with(
        r#"{"configurations": [
            {"name": "First", "type": "debugpy", "request": "launch", "program": "a.py"},
            {"name": "Second", "type": "node", "request": "launch", "program": "a.js"}
        ]}"#,
    );
    let error = load(workspace.path(), "Thrid").unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("\"Thrid\""), "{message}");
    assert!(message.contains("\"First\", \"Second\""), "{message}");
    assert!(matches!(
        error.downcast_ref::<LaunchJsonError>(),
        Some(LaunchJsonError::NotFound { available, .. }) if available.len() == 2
    ));
    assert_eq!(configuration_names(workspace.path()).unwrap(), strings(&["First", "Second"]));
}

#[test]
fn wrong_type_is_named() {
    let message = error_of(r#"{"name": "Test", "type": "node", "request": "launch"}"#);
    assert!(message.contains("\"node\""), "{message}");
    assert!(message.contains("debugpy"), "{message}");

    let message = error_of(r#"{"name": "Test", "request": "launch", "program": "a.py"}"#);
    assert!(message.contains("no \"type\""), "{message}");
}

#[test]
fn syntax_errors_give_line_and_column() {
    let workspace =
        workspace_with("{\n  \"configurations\": [\n    {\"name\": \"Test\" \"type\": \"debugpy\"}\n  ]\n}\n");
    let error = load(workspace.path(), "Test").unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("launch.json:3:"), "{message}");
    match error.downcast_ref::<LaunchJsonError>() {
        Some(LaunchJsonError::Syntax { line, column, .. }) => {
            assert_eq!(*line, 3);
            assert_eq!(*column, 20, "just after \"Test\", where the comma belongs");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }

    let workspace = workspace_with("{\"configurations\": [ /* never closed ");
    let message = format!("{:#}", load(workspace.path(), "Test").unwrap_err());
    assert!(message.contains("launch.json:1:"), "{message}");
}

#[test]
fn attach_with_connect_object_and_string_port() {
    let config = load_only(
        r#"{"name": "Test", "type": "debugpy", "request": "attach",
            "connect": {"host": "devbox", "port": "5678"},
            "pathMappings": [{"localRoot": "${workspaceFolder}", "remoteRoot": "."}]}"#,
    )
    .unwrap();
    assert_eq!(config.request, RequestKind::Attach);
    assert_eq!(config.connect, Some(("devbox".to_string(), 5678)));
    assert_eq!(config.program, None);
    assert_eq!(config.path_mappings[0].remote_root, ".");
}

#[test]
fn attach_host_defaults_to_loopback() {
    let config =
        load_only(r#"{"name": "Test", "type": "debugpy", "request": "attach", "connect": {"port": 5678}}"#).unwrap();
    assert_eq!(config.connect, Some(("127.0.0.1".to_string(), 5678)));
}

#[test]
fn legacy_top_level_host_and_port() {
    let config = load_only(
        r#"{"name": "Test", "type": "python", "request": "attach",
            "host": "localhost", "port": 3000}"#,
    )
    .unwrap();
    assert_eq!(config.connect, Some(("localhost".to_string(), 3000)));

    let config = load_only(r#"{"name": "Test", "type": "python", "request": "attach", "port": "4000"}"#).unwrap();
    assert_eq!(config.connect, Some(("127.0.0.1".to_string(), 4000)));
}

#[test]
fn attach_without_connect_or_with_a_bad_port_is_an_error() {
    let message = error_of(r#"{"name": "Test", "type": "debugpy", "request": "attach"}"#);
    assert!(message.contains("connect"), "{message}");

    let message = error_of(r#"{"name": "Test", "type": "debugpy", "request": "attach", "processId": 42}"#);
    assert!(message.contains("processId"), "{message}");

    for port in ["0", "70000", "\"http\"", "-1", "56.5", "[1]"] {
        let message = error_of(&format!(
            r#"{{"name": "Test", "type": "debugpy", "request": "attach", "connect": {{"port": {port}}}}}"#
        ));
        assert!(message.contains("connect.port"), "{port}: {message}");
    }

    let message = error_of(r#"{"name": "Test", "type": "debugpy", "request": "attach", "host": "devbox"}"#);
    assert!(message.contains("\"port\" is missing"), "{message}");
}

#[test]
fn launch_needs_exactly_one_of_program_and_module() {
    let message = error_of(r#"{"name": "Test", "type": "debugpy", "request": "launch"}"#);
    assert!(message.contains("\"program\"") && message.contains("\"module\""), "{message}");

    let message =
        error_of(r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py", "module": "m"}"#);
    assert!(message.contains("both"), "{message}");
}

#[test]
fn wrongly_typed_fields_are_named() {
    for (fields, named) in [
        (r#""program": 5"#, "\"program\""),
        (r#""program": "a.py", "args": {"a": 1}"#, "\"args\""),
        (r#""program": "a.py", "args": [null]"#, "\"args[0]\""),
        (r#""program": "a.py", "env": ["A=1"]"#, "\"env\""),
        (r#""program": "a.py", "stopOnEntry": "yes""#, "\"stopOnEntry\""),
        (r#""program": "a.py", "justMyCode": 1"#, "\"justMyCode\""),
        (r#""program": "a.py", "pathMappings": [{"localRoot": "x"}]"#, "remoteRoot"),
        (r#""program": "a.py", "pathMappings": "x""#, "\"pathMappings\""),
        (r#""program": """#, "\"program\" is empty"),
    ] {
        let message = error_of(&format!(r#"{{"name": "Test", "type": "debugpy", "request": "launch", {fields}}}"#));
        assert!(message.contains(named), "{fields}: {message}");
    }
    let message = error_of(r#"{"name": "Test", "type": "debugpy", "request": "run"}"#);
    assert!(message.contains("\"run\""), "{message}");
}

#[test]
fn platform_block_overrides_top_level_fields() {
    let config = load_only(
        r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py",
            "env": {"A": "top", "B": "top"},
            "linux": {"env": {"B": "linux"}, "args": ["linux"]},
            "osx": {"env": {"B": "osx"}, "args": ["osx"]},
            "windows": {"env": {"B": "windows"}, "args": ["windows"]}}"#,
    )
    .unwrap();
    let platform = if cfg!(target_os = "macos") {
        "osx"
    } else if cfg!(windows) {
        "windows"
    } else {
        "linux"
    };
    assert_eq!(config.args, strings(&[platform]));
    assert_eq!(config.env["A"], "top");
    assert_eq!(config.env["B"], platform);
}

#[test]
fn first_configuration_with_the_name_wins() {
    let workspace = workspace_with(
        r#"{"configurations": [
            "not an object",
            {"name": "Dup", "type": "debugpy", "request": "launch", "program": "first.py"},
            {"name": "Dup", "type": "debugpy", "request": "launch", "program": "second.py"}
        ]}"#,
    );
    let config = load(workspace.path(), "Dup").unwrap();
    assert!(config.program.unwrap().ends_with("first.py"));
}

#[test]
fn compound_names_get_a_specific_error() {
    let workspace =
        workspace_with(r#"{"configurations": [], "compounds": [{"name": "Both", "configurations": ["A", "B"]}]}"#);
    let message = format!("{:#}", load(workspace.path(), "Both").unwrap_err());
    assert!(message.contains("compound"), "{message}");
}

#[test]
fn missing_empty_or_odd_files_are_errors_naming_the_path() {
    let workspace = tempfile::tempdir().unwrap();
    let message = format!("{:#}", load(workspace.path(), "Test").unwrap_err());
    assert!(message.contains(".vscode/launch.json"), "{message}");
    assert!(message.contains("no such file"), "{message}");

    for (text, fragment) in [
        ("", "empty"),
        ("   // only a comment\n", "empty"),
        ("[]", "should be an object"),
        (r#"{"version": "0.2.0"}"#, "no \"configurations\""),
        (r#"{"configurations": {}}"#, "should be an array"),
        (r#"{"configurations": []} {}"#, "launch.json:1:"),
    ] {
        let workspace = workspace_with(text);
        let message = format!("{:#}", load(workspace.path(), "Test").unwrap_err());
        assert!(message.contains("launch.json"), "{text:?}: {message}");
        assert!(message.contains(fragment), "{text:?}: {message}");
    }
}

#[test]
fn relative_workspace_paths_are_made_absolute() {
    let workspace =
        workspace_with_configuration(r#"{"name": "Test", "type": "debugpy", "request": "launch", "program": "a.py"}"#);
    let current = std::env::current_dir().unwrap();
    let relative = pathdiff(workspace.path(), &current);
    let config = load(&relative, "Test").unwrap();
    let program = config.program.unwrap();
    assert!(program.is_absolute(), "{}", program.display());
    assert_eq!(program, current.join(&relative).join("a.py"));
}

/// `target` as a path relative to `base` (both absolute), using `..` as needed.
fn pathdiff(target: &Path, base: &Path) -> PathBuf {
    let target: Vec<_> = target.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = target.iter().zip(&base).take_while(|(left, right)| left == right).count();
    let mut relative = PathBuf::new();
    for _ in common..base.len() {
        relative.push("..");
    }
    for component in &target[common..] {
        relative.push(component);
    }
    relative
}

#[test]
fn bad_input_never_panics() {
    let samples = [
        "{",
        "}",
        "null",
        "42",
        "\"text\"",
        "{\"configurations\": [null, 1, \"x\", [], {}]}",
        "{\"configurations\": [{\"name\": 5}]}",
        "{\"configurations\": [{\"name\": \"Test\", \"type\": \"debugpy\", \"request\": \"launch\", \"program\": \"${\"}]}",
        "{\"configurations\": [{\"name\": \"Test\", \"type\": \"debugpy\", \"request\": \"attach\", \"connect\": \"x\"}]}",
        "{\"configurations\": [{\"name\": \"Test\", \"type\": \"debugpy\", \"request\": \"launch\", \"module\": \"m\", \"linux\": 3}]}",
        "\u{feff}{\"configurations\": []}",
        "{\"configurations\": [{\"name\": \"Test\", \"type\": \"debugpy\", \"request\": \"launch\", \"program\": \"\\ud800\"}]}",
        &"[".repeat(10_000),
    ];
    for text in samples {
        let workspace = workspace_with(text);
        let _ = load(workspace.path(), "Test");
        let _ = configuration_names(workspace.path());
    }
}
