//! The typed pstats model: what `cProfile` (and `profile`) dump with `marshal`.
//!
//! A file is a dict from a function key `(filename, firstlineno, funcname)` (`('~', 0, name)` for
//! built-ins) to `(cc, nc, tt, ct, callers)`: primitive calls, all calls, self time, cumulative
//! time, and a dict from each caller's key to that edge's figures. Mind the order: the edge tuple
//! is `(nc, cc, tt, ct)` — calls first, then primitive calls — unlike the function's own tuple
//! (see cProfile.py's `snapshot_stats`). The pure-Python `profile` module stores a bare call count
//! per edge instead; that is read with unknown edge times.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;

use super::marshal::{self, Document, Value};

/// Where a function lives: its file, first line and name, as pstats keys it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionKey {
    pub file: String,
    pub line: u32,
    pub name: String,
}

impl FunctionKey {
    /// Built-ins have the file `~` and line 0.
    pub fn is_builtin(&self) -> bool {
        self.file == "~"
    }

    /// The label frames get in flamegraphs: `name (file:line)`, or the bare name of a built-in.
    pub fn label(&self) -> String {
        if self.is_builtin() {
            self.name.clone()
        } else {
            format!("{} ({}:{})", self.name, self.file, self.line)
        }
    }

    /// The function name with the file's last component: short enough for a narrow terminal.
    pub fn short_label(&self) -> String {
        if self.is_builtin() {
            return self.name.clone();
        }
        let base = Path::new(&self.file).file_name().map(|f| f.to_string_lossy().into_owned());
        format!("{} ({}:{})", self.name, base.unwrap_or_else(|| self.file.clone()), self.line)
    }
}

/// Call counts and times, for a function or for one caller → callee edge.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    /// Primitive (non-recursive) calls.
    pub primitive_calls: f64,
    /// All calls, recursive ones included.
    pub calls: f64,
    /// Time spent in the function itself (seconds).
    pub self_time: f64,
    /// Time spent in the function and everything it called (seconds).
    pub cumulative_time: f64,
}

/// One caller of a function, with the exact figures of the calls it made.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerEdge {
    /// Index of the caller in [`Profile::functions`].
    pub caller: usize,
    pub figures: Figures,
    /// False when the file had only a call count for this edge (the `profile` module).
    pub timed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub key: FunctionKey,
    pub figures: Figures,
    pub callers: Vec<CallerEdge>,
    /// Indices of the functions this one called (edges are stored on the callee).
    pub callees: Vec<usize>,
}

/// A whole pstats file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub functions: Vec<Function>,
    /// Wall-clock stack samples of the same run (`loupe profile` writes them beside the pstats
    /// file): attribution splits time among paths by them where cProfile alone cannot tell.
    pub samples: Option<std::sync::Arc<super::samples::Samples>>,
}

/// Why a file is not a usable pstats file (after it was read as marshal).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PstatsError {
    #[error("not a pstats file: it holds a marshal {found}, where cProfile writes a dict of functions")]
    NotADict { found: &'static str },
    #[error("not a pstats file: entry {index} has a key that is not (file, line, name): {detail}")]
    BadKey { index: usize, detail: String },
    #[error("not a pstats file: the figures of {function} are not (cc, nc, tt, ct, callers): {detail}")]
    BadFigures { function: String, detail: String },
    #[error("not a pstats file: a caller of {function} is malformed: {detail}")]
    BadCaller { function: String, detail: String },
}

impl Profile {
    /// Reads a pstats file, with the path and what to do in the error.
    /// The stack samples beside it (`FILE.stacks`), if any, come with it.
    pub fn load(path: &Path) -> anyhow::Result<Profile> {
        let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut profile = Profile::parse(&data).with_context(|| {
            format!(
                "{} is not a readable pstats file (write one with `python -m cProfile -o FILE script.py` \
                 or `loupe profile --pstats FILE script.py`)",
                path.display()
            )
        })?;
        profile.samples = super::samples::Samples::load_beside(path, &data, &profile)?.map(std::sync::Arc::new);
        Ok(profile)
    }

    /// Parses the bytes of a pstats file.
    pub fn parse(data: &[u8]) -> anyhow::Result<Profile> {
        if data.is_empty() {
            anyhow::bail!("the file is empty");
        }
        // cProfile's own layout is decoded directly; anything else (and every error) goes the
        // general way.
        if let Some(profile) = super::pstats_direct::read(data) {
            return Ok(profile);
        }
        let document = marshal::read(data)?;
        Ok(Profile::from_document(&document)?)
    }

    /// Builds the model from a decoded marshal object.
    pub fn from_document(document: &Document) -> Result<Profile, PstatsError> {
        let root = document.root();
        let Value::Dict(entries) = root else {
            return Err(PstatsError::NotADict { found: root.kind() });
        };
        let entries = document.entries(entries);
        // cProfile builds a new key tuple for each use, but the file and function names inside are
        // the code object's own strings, which marshal writes once and refers back to: the
        // reader hands out the same strings, so their addresses (and the line) find the function
        // without hashing text. Structural lookup is the fallback.
        let mut by_address: HashMap<(usize, i64, usize), usize> = HashMap::with_capacity(entries.len());
        let mut functions = Vec::with_capacity(entries.len());
        for (i, (key, _)) in entries.clone().enumerate() {
            let parsed = function_key(document, key).map_err(|detail| PstatsError::BadKey { index: i, detail })?;
            if let Some(address) = key_address(document, key) {
                by_address.insert(address, i);
            }
            functions.push(Function {
                key: parsed,
                figures: Figures::default(),
                callers: Vec::new(),
                callees: Vec::new(),
            });
        }
        let mut by_key: Option<HashMap<FunctionKey, usize>> = None;
        for (at, (_, stats)) in entries.enumerate() {
            let (figures, callers) = function_figures(document, stats)
                .map_err(|detail| PstatsError::BadFigures { function: functions[at].key.label(), detail })?;
            functions[at].figures = figures;
            functions[at].callers.reserve_exact(callers.len());
            for (caller_key, edge) in callers {
                let bad = |detail: String| PstatsError::BadCaller { function: functions[at].key.label(), detail };
                let known = key_address(document, caller_key).and_then(|a| by_address.get(&a).copied());
                let caller = match known {
                    Some(c) => c,
                    None => {
                        let caller_key = function_key(document, caller_key).map_err(bad)?;
                        let index = by_key.get_or_insert_with(|| {
                            functions.iter().enumerate().map(|(i, f)| (f.key.clone(), i)).collect()
                        });
                        // A caller without an entry of its own (pstats allows it after strip/add)
                        // gets one with zero figures, so no edge is dropped.
                        *index.entry(caller_key.clone()).or_insert_with(|| {
                            functions.push(Function {
                                key: caller_key,
                                figures: Figures::default(),
                                callers: Vec::new(),
                                callees: Vec::new(),
                            });
                            functions.len() - 1
                        })
                    }
                };
                let bad = |detail: String| PstatsError::BadCaller { function: functions[at].key.label(), detail };
                let (figures, timed) = edge_figures(document, edge).map_err(bad)?;
                functions[at].callers.push(CallerEdge { caller, figures, timed });
            }
        }
        for callee in 0..functions.len() {
            for e in 0..functions[callee].callers.len() {
                let caller = functions[callee].callers[e].caller;
                functions[caller].callees.push(callee);
            }
        }
        Ok(Profile { functions, samples: None })
    }

    /// The profile's total self time (seconds): what a flamegraph of it must add up to.
    pub fn total_self_time(&self) -> f64 {
        self.functions.iter().map(|f| f.figures.self_time).sum()
    }

    /// Total calls recorded.
    pub fn total_calls(&self) -> f64 {
        self.functions.iter().map(|f| f.figures.calls).sum()
    }

    /// The index of a function by key.
    pub fn find(&self, file_suffix: &str, name: &str) -> Option<usize> {
        self.functions.iter().position(|f| f.key.name == name && f.key.file.ends_with(file_suffix))
    }

    /// The edge from `caller` into `callee`, if one was recorded.
    pub fn edge(&self, caller: usize, callee: usize) -> Option<&CallerEdge> {
        self.functions[callee].callers.iter().find(|e| e.caller == caller)
    }
}

/// The addresses of a key's strings and its line (see [`Profile::from_value`]).
fn key_address(document: &Document, value: Value) -> Option<(usize, i64, usize)> {
    match value {
        Value::Tuple(items) => match document.items(items) {
            [Value::Str(file), Value::Int(line), Value::Str(name)] => {
                Some((file.as_ptr() as usize, *line, name.as_ptr() as usize))
            }
            _ => None,
        },
        _ => None,
    }
}

fn function_key(document: &Document, value: Value) -> Result<FunctionKey, String> {
    let Value::Tuple(items) = value else { return Err(format!("a {}", value.kind())) };
    match document.items(items) {
        [Value::Str(file), line, Value::Str(name)] => {
            let line = match line {
                Value::Int(l) => u32::try_from(*l).map_err(|_| format!("line {l} out of range"))?,
                other => return Err(format!("line is a {}", other.kind())),
            };
            Ok(FunctionKey { file: file.to_string(), line, name: name.to_string() })
        }
        other => Err(format!("a tuple of {} items", other.len())),
    }
}

fn numbers<const N: usize>(items: &[Value]) -> Result<[f64; N], String> {
    let mut out = [0.0; N];
    for (slot, item) in out.iter_mut().zip(items) {
        *slot =
            item.as_f64().filter(|v| v.is_finite()).ok_or_else(|| format!("{} where a number belongs", item.kind()))?;
    }
    Ok(out)
}

fn function_figures<'d, 'a>(
    document: &'d Document<'a>,
    value: Value<'a>,
) -> Result<(Figures, impl ExactSizeIterator<Item = (Value<'a>, Value<'a>)> + 'd), String> {
    let Value::Tuple(items) = value else { return Err(format!("a {}", value.kind())) };
    let items = document.items(items);
    if items.len() != 5 {
        return Err(format!("a tuple of {} items", items.len()));
    }
    let [cc, nc, tt, ct] = numbers::<4>(&items[..4])?;
    let Value::Dict(callers) = &items[4] else { return Err(format!("callers is a {}", items[4].kind())) };
    let figures = Figures { primitive_calls: cc, calls: nc, self_time: tt, cumulative_time: ct };
    Ok((figures, document.entries(*callers)))
}

fn edge_figures(document: &Document, value: Value) -> Result<(Figures, bool), String> {
    let items = match value {
        Value::Tuple(items) => document.items(items),
        _ => &[],
    };
    match value {
        // cProfile on CPython 3.x: (nc, cc, tt, ct).
        Value::Tuple(_) if items.len() == 4 => {
            let [nc, cc, tt, ct] = numbers::<4>(items)?;
            Ok((Figures { primitive_calls: cc, calls: nc, self_time: tt, cumulative_time: ct }, true))
        }
        // The `profile` module: a bare count.
        Value::Int(n) => {
            let n = n as f64;
            Ok((Figures { primitive_calls: n, calls: n, self_time: 0.0, cumulative_time: 0.0 }, false))
        }
        Value::Tuple(_) => Err(format!("a tuple of {} items (expected 4)", items.len())),
        other => Err(format!("a {}", other.kind())),
    }
}
