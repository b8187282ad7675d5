//! Typed DAP request arguments and bodies: the subset loupe speaks.
//!
//! Field names are camelCase and optional fields are omitted rather than sent as `null`: debugpy
//! rejects nulls and ignores misspelled fields silently (a hit condition that does nothing).

use serde::de::IgnoredAny;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::Value;

/// A request and the shapes of its arguments and response body.
pub trait DapRequest {
    const COMMAND: &'static str;
    type Arguments: Serialize + Sync;
    type Body: DeserializeOwned;
}

macro_rules! request {
    ($name:ident, $command:literal, $args:ty, $body:ty) => {
        pub enum $name {}
        impl DapRequest for $name {
            const COMMAND: &'static str = $command;
            type Arguments = $args;
            type Body = $body;
        }
    };
}

request!(Initialize, "initialize", InitializeArguments, Capabilities);
request!(ConfigurationDone, "configurationDone", Empty, IgnoredAny);
request!(SetBreakpoints, "setBreakpoints", SetBreakpointsArguments, BreakpointsBody);
request!(SetFunctionBreakpoints, "setFunctionBreakpoints", SetFunctionBreakpointsArguments, BreakpointsBody);
request!(SetExceptionBreakpoints, "setExceptionBreakpoints", SetExceptionBreakpointsArguments, IgnoredAny);
request!(Continue, "continue", ThreadArguments, IgnoredAny);
request!(Next, "next", ThreadArguments, IgnoredAny);
request!(StepIn, "stepIn", ThreadArguments, IgnoredAny);
request!(StepOut, "stepOut", ThreadArguments, IgnoredAny);
request!(Pause, "pause", ThreadArguments, IgnoredAny);
request!(Threads, "threads", Empty, ThreadsBody);
request!(StackTrace, "stackTrace", StackTraceArguments, StackTraceBody);
request!(Scopes, "scopes", ScopesArguments, ScopesBody);
request!(Variables, "variables", VariablesArguments, VariablesBody);
request!(Evaluate, "evaluate", EvaluateArguments, EvaluateBody);
request!(SetVariable, "setVariable", SetVariableArguments, SetVariableBody);
request!(Completions, "completions", CompletionsArguments, CompletionsBody);
request!(ExceptionInfo, "exceptionInfo", ThreadArguments, ExceptionInfoBody);
request!(GotoTargets, "gotoTargets", GotoTargetsArguments, GotoTargetsBody);
request!(Goto, "goto", GotoArguments, IgnoredAny);
request!(Terminate, "terminate", Empty, IgnoredAny);
request!(Disconnect, "disconnect", DisconnectArguments, IgnoredAny);

/// Arguments of requests that take none.
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitializeArguments {
    #[serde(rename = "clientID")]
    pub client_id: String,
    pub client_name: String,
    #[serde(rename = "adapterID")]
    pub adapter_id: String,
    pub locale: String,
    pub lines_start_at1: bool,
    pub columns_start_at1: bool,
    pub path_format: String,
    pub supports_variable_type: bool,
    pub supports_variable_paging: bool,
    pub supports_run_in_terminal_request: bool,
    pub supports_start_debugging_request: bool,
    pub supports_progress_reporting: bool,
    pub supports_invalidated_event: bool,
}

impl InitializeArguments {
    pub fn loupe(adapter_id: &str) -> Self {
        InitializeArguments {
            client_id: "loupe".into(),
            client_name: "loupe".into(),
            adapter_id: adapter_id.into(),
            locale: "en-US".into(),
            lines_start_at1: true,
            columns_start_at1: true,
            path_format: "path".into(),
            supports_variable_type: true,
            supports_variable_paging: true,
            supports_run_in_terminal_request: true,
            supports_start_debugging_request: true,
            supports_progress_reporting: false,
            supports_invalidated_event: false,
        }
    }
}

/// The adapter's capabilities (the ones loupe acts on).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Capabilities {
    pub supports_configuration_done_request: bool,
    pub supports_function_breakpoints: bool,
    pub supports_conditional_breakpoints: bool,
    pub supports_hit_conditional_breakpoints: bool,
    pub supports_log_points: bool,
    pub supports_set_variable: bool,
    pub supports_goto_targets_request: bool,
    pub supports_completions_request: bool,
    pub supports_exception_info_request: bool,
    pub supports_restart_request: bool,
    pub supports_terminate_request: bool,
    pub exception_breakpoint_filters: Vec<ExceptionBreakpointsFilter>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExceptionBreakpointsFilter {
    pub filter: String,
    pub label: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_reference: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceBreakpoint {
    pub line: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_message: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetBreakpointsArguments {
    pub source: Source,
    pub breakpoints: Vec<SourceBreakpoint>,
    pub source_modified: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionBreakpoint {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_condition: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SetFunctionBreakpointsArguments {
    pub breakpoints: Vec<FunctionBreakpoint>,
}

#[derive(Debug, Serialize)]
pub struct SetExceptionBreakpointsArguments {
    pub filters: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Breakpoint {
    pub id: Option<i64>,
    pub verified: bool,
    pub message: Option<String>,
    pub source: Option<Source>,
    pub line: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BreakpointsBody {
    pub breakpoints: Vec<Breakpoint>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadArguments {
    pub thread_id: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct Thread {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThreadsBody {
    pub threads: Vec<Thread>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackTraceArguments {
    pub thread_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_frame: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StackFrame {
    pub id: i64,
    pub name: String,
    pub source: Option<Source>,
    pub line: i64,
    pub column: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StackTraceBody {
    pub stack_frames: Vec<StackFrame>,
    pub total_frames: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopesArguments {
    pub frame_id: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Scope {
    pub name: String,
    pub presentation_hint: Option<String>,
    pub variables_reference: i64,
    pub expensive: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScopesBody {
    pub scopes: Vec<Scope>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariablesArguments {
    pub variables_reference: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Variable {
    pub name: String,
    pub value: String,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    pub variables_reference: i64,
    pub evaluate_name: Option<String>,
    pub named_variables: Option<i64>,
    pub indexed_variables: Option<i64>,
    pub presentation_hint: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VariablesBody {
    pub variables: Vec<Variable>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluateArguments {
    pub expression: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_id: Option<i64>,
    pub context: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EvaluateBody {
    pub result: String,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    pub variables_reference: i64,
    pub named_variables: Option<i64>,
    pub indexed_variables: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetVariableArguments {
    pub variables_reference: i64,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SetVariableBody {
    pub value: String,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    pub variables_reference: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionsArguments {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_id: Option<i64>,
    pub text: String,
    pub column: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CompletionItem {
    pub label: String,
    pub text: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub start: Option<i64>,
    pub length: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompletionsBody {
    pub targets: Vec<CompletionItem>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExceptionDetails {
    pub message: Option<String>,
    pub type_name: Option<String>,
    pub full_type_name: Option<String>,
    pub stack_trace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExceptionInfoBody {
    pub exception_id: String,
    pub description: Option<String>,
    pub break_mode: String,
    pub details: Option<ExceptionDetails>,
}

#[derive(Debug, Serialize)]
pub struct GotoTargetsArguments {
    pub source: Source,
    pub line: i64,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct GotoTarget {
    pub id: i64,
    pub label: String,
    pub line: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GotoTargetsBody {
    pub targets: Vec<GotoTarget>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GotoArguments {
    pub thread_id: i64,
    pub target_id: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectArguments {
    pub restart: bool,
    pub terminate_debuggee: bool,
}

// ----- events -----

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoppedEventBody {
    pub reason: String,
    pub description: Option<String>,
    pub thread_id: Option<i64>,
    pub text: Option<String>,
    pub all_threads_stopped: bool,
    pub hit_breakpoint_ids: Vec<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContinuedEventBody {
    pub thread_id: i64,
    pub all_threads_continued: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutputEventBody {
    pub category: Option<String>,
    pub output: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ThreadEventBody {
    pub reason: String,
    pub thread_id: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProcessEventBody {
    pub name: String,
    pub system_process_id: Option<i64>,
    pub start_method: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExitedEventBody {
    pub exit_code: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BreakpointEventBody {
    pub reason: String,
    pub breakpoint: Breakpoint,
}

/// `runInTerminal` reverse request arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RunInTerminalArguments {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub cwd: String,
    pub args: Vec<String>,
    pub env: Option<serde_json::Map<String, Value>>,
}

/// `startDebugging` reverse request arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartDebuggingArguments {
    pub configuration: serde_json::Map<String, Value>,
    pub request: String,
}
