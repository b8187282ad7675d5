//! The DAP message envelope.
//!
//! Bodies stay `serde_json::Value` here; [`super::types`] gives them shape. Unknown fields are
//! ignored, so debugpy's custom additions never break decoding.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Any message on the wire.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Message {
    Request(Request),
    Response(Response),
    Event(Event),
}

/// A request, sent by us or (as a reverse request) by the adapter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Request {
    pub seq: i64,
    pub command: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub arguments: Value,
}

/// A response to a request. (`request_seq` really is snake_case in DAP.)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Response {
    pub seq: i64,
    pub request_seq: i64,
    pub success: bool,
    pub command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub body: Value,
}

/// An event from the adapter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub event: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub body: Value,
}

impl Response {
    /// The human-readable failure text of an unsuccessful response: the `error.format` body when
    /// the adapter sent one (debugpy does, with the Python exception), else `message`.
    pub fn error_text(&self) -> String {
        let formatted = self.body.get("error").and_then(|e| e.get("format")).and_then(Value::as_str);
        match (formatted, self.message.as_deref()) {
            (Some(f), _) if !f.is_empty() => f.to_string(),
            (_, Some(m)) if !m.is_empty() => m.to_string(),
            _ => format!("{} failed", self.command),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_carries_type_and_omits_null_arguments() {
        let r = Message::Request(Request { seq: 1, command: "threads".into(), arguments: Value::Null });
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(text, r#"{"type":"request","seq":1,"command":"threads"}"#);
    }

    #[test]
    fn decodes_response_with_extra_fields_and_error_body() {
        let m: Message = serde_json::from_value(json!({
            "type": "response", "seq": 9, "request_seq": 3, "success": false,
            "command": "evaluate", "message": "boom", "pydevdExtra": 1,
            "body": {"error": {"format": "NameError: name 'x' is not defined"}}
        }))
        .unwrap();
        let Message::Response(r) = m else { panic!("not a response") };
        assert_eq!(r.error_text(), "NameError: name 'x' is not defined");
    }

    #[test]
    fn decodes_custom_events() {
        let m: Message =
            serde_json::from_str(r#"{"type":"event","seq":4,"event":"debugpySockets","body":{"sockets":[]}}"#).unwrap();
        assert!(matches!(m, Message::Event(e) if e.event == "debugpySockets"));
    }
}
