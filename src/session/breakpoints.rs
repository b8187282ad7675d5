//! The breakpoint registry: loupe's own ids, enablement, temporaries, and the per-file requests a
//! backend needs (backends replace a whole file's breakpoints at once).

use std::fmt;
use std::path::{Path, PathBuf};

use super::backend::{BreakpointStatus, FunctionBreakpointRequest, LineBreakpointRequest};

pub type BreakpointId = u32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Line { file: PathBuf, line: i64 },
    Function { name: String },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { file, line } => write!(f, "{}:{line}", file.display()),
            Location::Function { name } => write!(f, "{name}()"),
        }
    }
}

/// Stop only on some hits: `== N` (the Nth hit), `>= N` (from the Nth on), `% N` (every Nth).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitCondition {
    Eq(u64),
    Ge(u64),
    Mod(u64),
}

impl HitCondition {
    /// Parses `==3`, `>= 3`, `%2`; a bare number means `==`, as debugpy reads it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (op, rest) = if let Some(r) = t.strip_prefix("==") {
            ("==", r)
        } else if let Some(r) = t.strip_prefix(">=") {
            (">=", r)
        } else if let Some(r) = t.strip_prefix('%') {
            ("%", r)
        } else {
            ("==", t)
        };
        let n: u64 = rest.trim().parse().map_err(|_| {
            format!("bad hit condition {text:?}: expected `== N`, `>= N` or `% N` with N a positive whole number")
        })?;
        if n == 0 {
            return Err(format!("bad hit condition {text:?}: N must be at least 1"));
        }
        Ok(match op {
            "==" => HitCondition::Eq(n),
            ">=" => HitCondition::Ge(n),
            _ => HitCondition::Mod(n),
        })
    }

    /// Whether the `hits`-th hit (counting from 1) stops.
    pub fn matches(self, hits: u64) -> bool {
        match self {
            HitCondition::Eq(n) => hits == n,
            HitCondition::Ge(n) => hits >= n,
            HitCondition::Mod(n) => hits.is_multiple_of(n),
        }
    }

    /// The short form `==N`, `>=N` or `%N`, which [`HitCondition::parse`] reads back (how a
    /// front end stores it). Backends write hit conditions in their own syntax.
    pub fn compact(self) -> String {
        match self {
            HitCondition::Eq(n) => format!("=={n}"),
            HitCondition::Ge(n) => format!(">={n}"),
            HitCondition::Mod(n) => format!("%{n}"),
        }
    }
}

impl fmt::Display for HitCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HitCondition::Eq(n) => write!(f, "== {n}"),
            HitCondition::Ge(n) => write!(f, ">= {n}"),
            HitCondition::Mod(n) => write!(f, "% {n}"),
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakpointSpec {
    pub location: Location,
    pub condition: Option<String>,
    pub hit_condition: Option<HitCondition>,
    pub log_message: Option<String>,
    /// Deleted after its first stop.
    pub temporary: bool,
}

impl BreakpointSpec {
    pub fn line(file: impl Into<PathBuf>, line: i64) -> Self {
        BreakpointSpec {
            location: Location::Line { file: file.into(), line },
            condition: None,
            hit_condition: None,
            log_message: None,
            temporary: false,
        }
    }
}

/// A breakpoint with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakpoint {
    pub id: BreakpointId,
    pub spec: BreakpointSpec,
    pub enabled: bool,
    pub verified: bool,
    /// The line the backend put it on, when it moved it.
    pub actual_line: Option<i64>,
    /// The backend's explanation when unverified.
    pub message: Option<String>,
    /// Times this breakpoint was reached with its condition true, in this run. loupe counts hits
    /// itself (see [`Registry::requests_for`]).
    pub hits: u64,
    pub(crate) backend_id: Option<i64>,
    /// Set by run-to-line; never shown to users.
    pub(crate) internal: bool,
}

impl Breakpoint {
    pub fn file(&self) -> Option<&Path> {
        match &self.spec.location {
            Location::Line { file, .. } => Some(file),
            Location::Function { .. } => None,
        }
    }

    pub fn line(&self) -> Option<i64> {
        match &self.spec.location {
            Location::Line { line, .. } => Some(self.actual_line.unwrap_or(*line)),
            Location::Function { .. } => None,
        }
    }

    /// The line the user asked for, when the breakpoint was moved to the next line with code.
    pub fn moved_from(&self) -> Option<i64> {
        match &self.spec.location {
            Location::Line { line, .. } if self.actual_line.is_some() => Some(*line),
            _ => None,
        }
    }

    /// "moved from 3 to 5 (no code on line 3)", for a moved breakpoint.
    pub fn moved_note(&self) -> Option<String> {
        let from = self.moved_from()?;
        Some(format!("moved from {from} to {} (no code on line {from})", self.line()?))
    }

    /// One line saying what this breakpoint is: "breakpoint 3 at demo.py:22 if n > 5", with the
    /// move when there was one and the reason when it is not in force.
    pub fn describe(&self) -> String {
        let place = match &self.spec.location {
            Location::Line { file, .. } => {
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                format!("{name}:{}", self.line().unwrap_or(0))
            }
            Location::Function { name } => format!("{name}()"),
        };
        let kind = if self.spec.temporary { "temporary breakpoint" } else { "breakpoint" };
        let mut text = format!("{kind} {} at {place}", self.id);
        if let Some(c) = &self.spec.condition {
            text.push_str(&format!(" if {c}"));
        }
        if let Some(h) = &self.spec.hit_condition {
            text.push_str(&format!(", hits {h}"));
        }
        if let Some(l) = &self.spec.log_message {
            text.push_str(&format!(", logs {l:?}"));
        }
        if let Some(note) = self.moved_note() {
            text.push_str(&format!(", {note}"));
        }
        if !self.enabled {
            text.push_str(", disabled");
        } else if !self.verified {
            text.push_str(&format!(
                ", not verified: {}",
                self.message.as_deref().unwrap_or("the debugger did not confirm it")
            ));
        }
        text
    }

    fn apply(&mut self, status: &BreakpointStatus) {
        self.backend_id = status.backend_id.or(self.backend_id);
        self.verified = status.verified;
        self.message = status.message.clone();
        match (status.line, &self.spec.location) {
            (Some(actual), Location::Line { line, .. }) => self.actual_line = (actual != *line).then_some(actual),
            // Not placed (the file changed or went away): it is nowhere else either.
            (None, _) if !status.verified => self.actual_line = None,
            _ => {}
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Registry {
    next_id: BreakpointId,
    items: Vec<Breakpoint>,
}

impl Registry {
    pub fn all(&self) -> impl Iterator<Item = &Breakpoint> {
        self.items.iter().filter(|b| !b.internal)
    }

    pub fn all_including_internal(&self) -> impl Iterator<Item = &Breakpoint> {
        self.items.iter()
    }

    pub fn get(&self, id: BreakpointId) -> Option<&Breakpoint> {
        self.items.iter().find(|b| b.id == id)
    }

    pub fn get_mut(&mut self, id: BreakpointId) -> Option<&mut Breakpoint> {
        self.items.iter_mut().find(|b| b.id == id)
    }

    pub fn find_line(&self, file: &Path, line: i64) -> Option<&Breakpoint> {
        self.items
            .iter()
            .find(|b| matches!(&b.spec.location, Location::Line { file: f, line: l } if f == file && *l == line))
    }

    pub fn by_backend_id(&mut self, backend_id: i64) -> Option<&mut Breakpoint> {
        self.items.iter_mut().find(|b| b.backend_id == Some(backend_id))
    }

    pub fn insert(&mut self, spec: BreakpointSpec, internal: bool) -> BreakpointId {
        self.next_id += 1;
        let id = self.next_id;
        self.items.push(Breakpoint {
            id,
            spec,
            enabled: true,
            verified: false,
            actual_line: None,
            message: None,
            hits: 0,
            backend_id: None,
            internal,
        });
        id
    }

    /// A breakpoint the backend made (typed at pdb's prompt), already in force there.
    pub fn adopt(&mut self, spec: BreakpointSpec, enabled: bool, backend_id: i64) -> &Breakpoint {
        let id = self.insert(spec, false);
        let b = self.get_mut(id).expect("just inserted");
        b.enabled = enabled;
        b.verified = true;
        b.backend_id = Some(backend_id);
        b
    }

    pub fn remove(&mut self, id: BreakpointId) -> Option<Breakpoint> {
        let at = self.items.iter().position(|b| b.id == id)?;
        Some(self.items.remove(at))
    }

    /// The enabled line breakpoints of `file`, as ids and backend requests in the same order.
    ///
    /// Hit conditions stay in loupe (except for logpoints, which never stop) unless the backend
    /// `counts_hits`: debugpy checks a hit condition *instead of* the condition when both are
    /// set, and restarts its counts whenever the file's breakpoints are sent again, which every
    /// add, remove, enable and disable does.
    pub fn requests_for(&self, file: &Path, counts_hits: bool) -> (Vec<BreakpointId>, Vec<LineBreakpointRequest>) {
        self.items
            .iter()
            .filter(|b| b.enabled && b.file() == Some(file))
            .map(|b| {
                let Location::Line { line, .. } = &b.spec.location else { unreachable!() };
                (
                    b.id,
                    LineBreakpointRequest {
                        line: *line,
                        condition: b.spec.condition.clone(),
                        hit_condition: b.spec.hit_condition.filter(|_| counts_hits || b.spec.log_message.is_some()),
                        log_message: b.spec.log_message.clone(),
                    },
                )
            })
            .unzip()
    }

    pub fn function_requests(&self, counts_hits: bool) -> (Vec<BreakpointId>, Vec<FunctionBreakpointRequest>) {
        self.items
            .iter()
            .filter(|b| b.enabled)
            .filter_map(|b| match &b.spec.location {
                Location::Function { name } => Some((
                    b.id,
                    // Hit conditions are counted by loupe, as for line breakpoints.
                    FunctionBreakpointRequest {
                        name: name.clone(),
                        condition: b.spec.condition.clone(),
                        hit_condition: b.spec.hit_condition.filter(|_| counts_hits),
                    },
                )),
                Location::Line { .. } => None,
            })
            .unzip()
    }

    /// Every file with line breakpoints (enabled or not).
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self.items.iter().filter_map(|b| b.file().map(Path::to_path_buf)).collect();
        files.sort();
        files.dedup();
        files
    }

    /// Records the backend's answers; disabled breakpoints lose their backend state.
    pub fn apply(&mut self, ids: &[BreakpointId], statuses: &[BreakpointStatus]) {
        for (id, status) in ids.iter().zip(statuses) {
            if let Some(b) = self.get_mut(*id) {
                b.apply(status);
            }
        }
    }

    pub fn apply_update(&mut self, status: &BreakpointStatus) -> Option<&Breakpoint> {
        let id = status.backend_id?;
        let b = self.by_backend_id(id)?;
        b.apply(status);
        Some(b)
    }

    /// Forgets every backend-side detail (before a restart).
    pub fn reset_backend_state(&mut self) {
        for b in &mut self.items {
            b.backend_id = None;
            b.verified = false;
            b.hits = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hit_conditions_parse_and_render() {
        assert_eq!(HitCondition::parse("== 3"), Ok(HitCondition::Eq(3)));
        assert_eq!(HitCondition::parse(">=2"), Ok(HitCondition::Ge(2)));
        assert_eq!(HitCondition::parse("% 4"), Ok(HitCondition::Mod(4)));
        assert_eq!(HitCondition::parse("5"), Ok(HitCondition::Eq(5)));
        assert!(HitCondition::parse("> 2").is_err());
        assert!(HitCondition::parse("%0").is_err());
        assert_eq!(HitCondition::Mod(4).compact(), "%4");
        assert!(HitCondition::Mod(2).matches(4) && !HitCondition::Mod(2).matches(3));
        assert!(HitCondition::Ge(2).matches(3) && !HitCondition::Ge(2).matches(1));
        assert!(HitCondition::Eq(2).matches(2) && !HitCondition::Eq(2).matches(3));
    }

    #[test]
    fn requests_skip_disabled_and_other_files() {
        let mut r = Registry::default();
        let a = r.insert(BreakpointSpec::line("/a.py", 3), false);
        let b = r.insert(BreakpointSpec::line("/a.py", 9), false);
        r.insert(BreakpointSpec::line("/b.py", 1), false);
        r.get_mut(b).unwrap().enabled = false;
        let (ids, reqs) = r.requests_for(Path::new("/a.py"), false);
        assert_eq!(ids, vec![a]);
        assert_eq!(reqs[0].line, 3);
    }
}
