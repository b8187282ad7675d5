//! The JSON Lines that batch mode prints: one object per event, result or error. The shapes are
//! documented in `docs/BATCH.md`; keep the two in step.

use std::io::Write;

use serde_json::{json, Map, Value};

use crate::session::{Breakpoint, CurrentTest, Frame, Location, SessionEvent, StopInfo, Variable, VariablePage};

/// Writes one JSON object per line, flushed at once so a reading script sees it immediately.
pub struct JsonLines {
    out: Box<dyn Write + Send + Sync>,
}

impl JsonLines {
    pub fn new(out: Box<dyn Write + Send + Sync>) -> Self {
        JsonLines { out }
    }

    pub fn emit(&mut self, value: Value) {
        // A closed stdout (the reader went away) is not worth crashing over.
        let _ = serde_json::to_writer(&mut self.out, &value);
        let _ = self.out.write_all(b"\n");
        let _ = self.out.flush();
    }

    /// `{"type":"result","command":...}` plus `fields`. Fields never use the key `type` (it
    /// tells results from events); a value's Python type is `value_type`.
    pub fn result(&mut self, command: &str, fields: Value) {
        let mut object = Map::new();
        object.insert("type".into(), json!("result"));
        object.insert("command".into(), json!(command));
        if let Value::Object(f) = fields {
            debug_assert!(!f.contains_key("type"), "result fields must not use the key `type`");
            object.extend(f);
        }
        self.emit(Value::Object(object));
    }

    pub fn error(&mut self, command: &str, message: &str) {
        self.emit(json!({ "type": "error", "command": command, "message": message }));
    }

    /// A stop; `traceback` is the exception's traceback on exception stops (when known), `test`
    /// the pytest test that failed there.
    pub fn stopped(
        &mut self,
        stop: &StopInfo,
        top: Option<&Frame>,
        traceback: Option<&str>,
        test: Option<&CurrentTest>,
    ) {
        let mut object = json!({
            "type": "event",
            "event": "stopped",
            "reason": stop.reason.as_str(),
            "thread": stop.thread,
            "file": top.and_then(|f| f.file.as_ref()),
            "line": top.map(|f| f.line),
            "function": top.map(|f| f.function.as_str()),
        });
        if !stop.hit_breakpoints.is_empty() {
            object["breakpoints"] = json!(stop.hit_breakpoints);
        }
        if let Some(d) = &stop.description {
            object["description"] = json!(d);
        }
        if let Some(t) = &stop.text {
            object["text"] = json!(t);
        }
        if let Some(t) = traceback {
            object["traceback"] = json!(t);
        }
        if let Some(t) = test {
            object["test"] = json!(t.node_id);
            object["test_phase"] = json!(t.phase);
        }
        self.emit(object);
    }

    /// Every event except stops (which need a frame, see [`Self::stopped`]).
    pub fn event(&mut self, event: &SessionEvent) {
        let value = match event {
            SessionEvent::Stopped(_) | SessionEvent::Continued { .. } => return,
            SessionEvent::Output { category, text } => {
                json!({ "type": "event", "event": "output", "category": category.as_str(), "text": text })
            }
            SessionEvent::Thread { thread, started, .. } => json!({
                "type": "event", "event": "thread", "thread": thread,
                "reason": if *started { "started" } else { "exited" },
            }),
            SessionEvent::Process { name, pid, child } => {
                json!({ "type": "event", "event": "process", "name": name, "pid": pid, "child": child })
            }
            SessionEvent::BreakpointChanged(b) => {
                json!({ "type": "event", "event": "breakpoint", "breakpoint": breakpoint(b) })
            }
            SessionEvent::BreakpointRemoved(id) => {
                json!({ "type": "event", "event": "breakpoint_removed", "id": id })
            }
            SessionEvent::Exited { code, signal } => {
                let mut v = json!({ "type": "event", "event": "exited", "exit_code": code });
                if let Some(s) = signal {
                    v["signal"] = json!(s);
                }
                v
            }
            SessionEvent::Terminated => json!({ "type": "event", "event": "terminated" }),
            SessionEvent::Problem(message) => json!({ "type": "event", "event": "problem", "message": message }),
            SessionEvent::Notice(message) => json!({ "type": "event", "event": "notice", "message": message }),
            SessionEvent::FrameSelected { thread, index } => {
                json!({ "type": "event", "event": "frame_selected", "thread": thread, "frame": index })
            }
        };
        self.emit(value);
    }
}

pub fn breakpoint(b: &Breakpoint) -> Value {
    let mut v = json!({
        "id": b.id,
        "verified": b.verified,
        "enabled": b.enabled,
        "temporary": b.spec.temporary,
        "hits": b.hits,
    });
    match &b.spec.location {
        Location::Line { file, .. } => {
            v["file"] = json!(file);
            v["line"] = json!(b.line());
            if let Some(from) = b.moved_from() {
                v["moved_from"] = json!(from);
            }
        }
        Location::Function { name } => v["function"] = json!(name),
    }
    if let Some(c) = &b.spec.condition {
        v["condition"] = json!(c);
    }
    if let Some(h) = &b.spec.hit_condition {
        v["hit_condition"] = json!(h.to_string());
    }
    if let Some(l) = &b.spec.log_message {
        v["log_message"] = json!(l);
    }
    if let Some(m) = b.message.clone().or_else(|| b.moved_note()) {
        v["message"] = json!(m);
    }
    v
}

pub fn frame(f: &Frame) -> Value {
    json!({ "id": f.id, "file": f.file, "line": f.line, "function": f.function })
}

pub fn variable(v: &Variable) -> Value {
    let mut out = json!({ "name": v.name, "value": v.value, "type": v.type_name });
    if v.truncated {
        out["truncated"] = json!(true);
    }
    if let Some(n) = v.child_count {
        out["children"] = json!(n);
    }
    out
}

pub fn variables(page: &VariablePage) -> Value {
    let values: Vec<Value> = page.variables.iter().filter(|v| v.group.is_none()).map(variable).collect();
    let mut out = json!({ "variables": values });
    if page.has_more() {
        out["total"] = json!(page.total);
    }
    out
}
