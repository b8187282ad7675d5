//! The messages of the bridge protocol (`docs/PDB_BRIDGE.md`), as Rust types. One JSON object per
//! line: events from the bridge, requests to it, and its responses.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

use crate::session::HitCondition;

/// A hit condition as the bridge's `parse_hit_condition` reads it: `==N`, `>=N` or `%N`.
pub fn bridge_hit_condition(condition: HitCondition) -> String {
    let (operator, n) = match condition {
        HitCondition::Eq(n) => ("==", n),
        HitCondition::Ge(n) => (">=", n),
        HitCondition::Mod(n) => ("%", n),
    };
    format!("{operator}{n}")
}

/// A line from the bridge: an event or the response to a request.
#[derive(Debug)]
pub enum Incoming {
    Event(BridgeEvent),
    Response { id: u64, result: Result<Value, String> },
}

impl Incoming {
    pub fn parse(line: &str) -> Result<Incoming, String> {
        let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
        if value.get("event").is_some() {
            return serde_json::from_value(value).map(Incoming::Event).map_err(|e| format!("bad event ({e})"));
        }
        let id = value.get("id").and_then(Value::as_u64).ok_or("neither an event nor a response")?;
        let result = match value.get("error") {
            Some(error) => Err(error
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| error.to_string())),
            None => Ok(value.get("result").cloned().unwrap_or(Value::Null)),
        };
        Ok(Incoming::Response { id, result })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum BridgeEvent {
    Hello {
        pid: u32,
        #[serde(default)]
        python: String,
        #[serde(default)]
        debugger: String,
    },
    Stopped(StopReport),
    Prompt {
        current: usize,
        #[serde(default)]
        frames: Vec<BridgeFrame>,
        /// What the command typed at the prompt printed.
        #[serde(default)]
        output: String,
    },
    Running {
        /// What the command that resumed the program printed.
        #[serde(default)]
        output: String,
    },
    /// Breakpoints made, changed or cleared by commands typed at the prompt.
    Breakpoints {
        #[serde(default)]
        added: Vec<TypedBreakpoint>,
        #[serde(default)]
        changed: Vec<ChangedBreakpoint>,
        #[serde(default)]
        removed: Vec<i64>,
    },
    Output {
        category: String,
        text: String,
    },
    Exited {
        code: i64,
    },
    /// The bridge could not start the program (ipdb missing, no such script, ...).
    Error {
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
pub struct StopReport {
    pub reason: String,
    #[serde(default)]
    pub hit: Vec<i64>,
    #[serde(default)]
    pub thread: i64,
    pub frames: Vec<BridgeFrame>,
    #[serde(default)]
    pub current: usize,
    #[serde(default)]
    pub exception: Option<ExceptionReport>,
    /// `[number, hits]` of every breakpoint loupe set (the bridge applies hit conditions).
    #[serde(default)]
    pub hits: Vec<(i64, u64)>,
}

/// A breakpoint made at the prompt, which the bridge adopted.
#[derive(Debug, Clone, Deserialize)]
pub struct TypedBreakpoint {
    pub number: i64,
    pub file: PathBuf,
    pub line: i64,
    pub condition: Option<String>,
    pub enabled: bool,
    pub temporary: bool,
}

/// One of loupe's breakpoints after `condition N ...`, `disable N` or `enable N` at the prompt.
#[derive(Debug, Clone, Deserialize)]
pub struct ChangedBreakpoint {
    pub number: i64,
    pub condition: Option<String>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BridgeFrame {
    pub id: i64,
    pub name: String,
    pub file: Option<PathBuf>,
    pub line: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExceptionReport {
    #[serde(rename = "type")]
    pub type_name: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub traceback: Option<String>,
}

/// The answer for one breakpoint of `set_breakpoints` / `set_function_breakpoints`.
#[derive(Debug, Clone, Deserialize)]
pub struct BreakpointResult {
    pub number: Option<i64>,
    pub verified: bool,
    pub line: Option<i64>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ScopeResult {
    pub name: String,
    pub kind: String,
    #[serde(rename = "ref")]
    pub reference: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VariablesResult {
    pub variables: Vec<BridgeVariable>,
    #[serde(default)]
    pub total: Option<usize>,
}

/// A child in `variables`: a value (as `evaluate` gives it) with a name.
#[derive(Debug, Clone, Deserialize)]
pub struct BridgeVariable {
    pub name: String,
    #[serde(flatten)]
    pub shown: ValueResult,
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub evaluate_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ValueResult {
    pub value: String,
    #[serde(default)]
    pub truncated: bool,
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    #[serde(rename = "ref", default)]
    pub reference: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CompletionResult {
    pub label: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(rename = "type", default)]
    pub type_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_events_from_responses() {
        let stop = r#"{"event":"stopped","reason":"breakpoint","hit":[2],"thread":7,
            "frames":[{"id":4096,"name":"main","file":"/a/demo.py","line":31}],"current":0,"exception":null}"#;
        match Incoming::parse(&stop.replace('\n', "")).unwrap() {
            Incoming::Event(BridgeEvent::Stopped(s)) => {
                assert_eq!((s.reason.as_str(), s.hit.as_slice(), s.frames[0].line), ("breakpoint", &[2][..], 31))
            }
            other => panic!("{other:?}"),
        }
        match Incoming::parse(r#"{"id":3,"error":{"message":"the program is running"}}"#).unwrap() {
            Incoming::Response { id: 3, result: Err(m) } => assert_eq!(m, "the program is running"),
            other => panic!("{other:?}"),
        }
        assert!(Incoming::parse(r#"{"id":4,"result":[1]}"#).is_ok());
        assert!(Incoming::parse("(Pdb) ").is_err());
        assert!(Incoming::parse(r#"{"event":"nonsense"}"#).is_err());
    }

    #[test]
    fn hit_conditions_are_written_as_the_bridge_parses_them() {
        assert_eq!(bridge_hit_condition(HitCondition::Eq(3)), "==3");
        assert_eq!(bridge_hit_condition(HitCondition::Ge(2)), ">=2");
        assert_eq!(bridge_hit_condition(HitCondition::Mod(4)), "%4");
    }
}
