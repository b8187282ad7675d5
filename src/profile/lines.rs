//! Line-level profiles (`loupe profile --lines`): the report `adapters/profile/loupe_lines.py`
//! writes (per function, per line: hits and nanoseconds), read with serde, shown as
//! line_profiler's text table (the same layout and column widths as its `show_text`, so tools and
//! eyes used to `kernprof -l` read it unchanged), and queried by line for the source gutter
//! ([`LineProfile::times_for`]) and across functions ([`LineProfile::hottest`]).
//!
//! [`pick_hot_functions`] chooses what to measure when the user names nothing: the user-code
//! functions with the most self time in a first cProfile pass.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::pstats::{FunctionKey, Profile};

/// The whole report of one line-profiled run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineProfile {
    /// Seconds per unit of `time_ns` (1e-9).
    pub unit: f64,
    /// The interpreter's version, `major.minor.micro`.
    pub python: String,
    /// `sys.monitoring` (3.12+) or `sys.settrace`.
    pub mechanism: String,
    /// Who handled the events: `compiled` (loupe's line tracer, crates/line_tracer) or
    /// `python (why the compiled callbacks were not used)`. Absent in reports from before.
    #[serde(default)]
    pub callbacks: Option<String>,
    /// How the program ended: `normal`, `exit N`, `exception`, `interrupted` (SIGINT), `signal N`.
    pub ending: String,
    pub functions: Vec<FunctionLines>,
    /// Targets that matched no function the program ran.
    #[serde(default)]
    pub unseen: Vec<UnseenTarget>,
}

/// One measured function (one code object).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionLines {
    pub file: String,
    pub name: String,
    pub qualname: String,
    /// `co_firstlineno` (the first decorator's line for a decorated function), as in cProfile.
    pub first_line: u32,
    /// The block's last line as line_profiler finds it (`inspect.getblock`).
    pub last_line: u32,
    /// The sum of the lines' times.
    pub total_ns: u64,
    /// The lines that ran, in line order.
    pub lines: Vec<LineTiming>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTiming {
    pub line: u32,
    pub hits: u64,
    /// From the line's event to the next line event (or return) in the same frame, callees in.
    pub time_ns: u64,
}

/// A target the runner never saw, with the names it did see that are closest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnseenTarget {
    pub spec: String,
    #[serde(default)]
    pub suggestions: Vec<String>,
}

/// One line's figures for the source gutter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineTime {
    pub hits: u64,
    pub time_ns: u64,
    /// The line's share of its function's time (0..=1), as line_profiler's `% Time`.
    pub share: f64,
}

/// A line among the hottest of the whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct HotLine {
    pub file: String,
    pub function: String,
    pub line: u32,
    pub hits: u64,
    pub time_ns: u64,
    /// Share of its function's time.
    pub share_of_function: f64,
    /// Share of all measured functions' time.
    pub share_of_total: f64,
}

/// The table's time unit (line_profiler's default output: microseconds).
pub const OUTPUT_UNIT: f64 = 1e-6;

/// line_profiler's minimum column widths (its `rc/line_profiler.toml`, `show.column_widths`).
const WIDTH_LINE: usize = 6;
const WIDTH_HITS: usize = 9;
const WIDTH_TIME: usize = 12;
const WIDTH_PER_HIT: usize = 8;
const WIDTH_PERCENT: usize = 8;

impl LineProfile {
    pub fn load(path: &Path) -> anyhow::Result<LineProfile> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("reading the line profile {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<LineProfile> {
        serde_json::from_str(text).context("not a loupe line profile (loupe_lines.py's JSON)")
    }

    pub fn total_ns(&self) -> u64 {
        self.functions.iter().map(|f| f.total_ns).sum()
    }

    /// line_profiler's text (`show_text`): the timer unit, then each function's table, with the
    /// source read from its file.
    pub fn table(&self) -> String {
        self.table_with_source(|file| {
            let bytes = std::fs::read(file).ok()?;
            Some(String::from_utf8_lossy(&bytes).lines().map(str::to_string).collect())
        })
    }

    /// [`Self::table`] with the source lines of a file given by `source` (None: not found).
    pub fn table_with_source(&self, source: impl Fn(&str) -> Option<Vec<String>>) -> String {
        let mut out = format!("Timer unit: {} s\n\n", format_g(OUTPUT_UNIT, 6));
        for function in &self.functions {
            write_function(&mut out, function, self.unit, source(&function.file).as_deref());
        }
        out
    }

    /// Per line of `path` (any measured function in that file): hits, time and share of its
    /// function. Lines of two functions that share a line (a nested `def`) are summed.
    pub fn times_for(&self, path: &Path) -> BTreeMap<u32, LineTime> {
        let mut out: BTreeMap<u32, LineTime> = BTreeMap::new();
        for function in self.functions.iter().filter(|f| Path::new(&f.file) == path) {
            for l in &function.lines {
                let share = share(l.time_ns, function.total_ns);
                let entry = out.entry(l.line).or_insert(LineTime { hits: 0, time_ns: 0, share: 0.0 });
                entry.hits += l.hits;
                entry.time_ns += l.time_ns;
                entry.share = (entry.share + share).min(1.0);
            }
        }
        out
    }

    /// The `n` lines with the most time across all functions, hottest first.
    pub fn hottest(&self, n: usize) -> Vec<HotLine> {
        let total = self.total_ns();
        let mut lines: Vec<HotLine> = self
            .functions
            .iter()
            .flat_map(|f| {
                f.lines.iter().map(move |l| HotLine {
                    file: f.file.clone(),
                    function: f.qualname.clone(),
                    line: l.line,
                    hits: l.hits,
                    time_ns: l.time_ns,
                    share_of_function: share(l.time_ns, f.total_ns),
                    share_of_total: share(l.time_ns, total),
                })
            })
            .collect();
        lines.sort_by(|a, b| b.time_ns.cmp(&a.time_ns).then(a.file.cmp(&b.file)).then(a.line.cmp(&b.line)));
        lines.truncate(n);
        lines
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// One function's table, as line_profiler's `show_func` writes it (without `rich`).
fn write_function(out: &mut String, function: &FunctionLines, unit: f64, source: Option<&[String]>) {
    let scalar = unit / OUTPUT_UNIT;
    let total_time: u64 = function.lines.iter().map(|l| l.time_ns).sum();
    let _ = writeln!(out, "Total time: {} s", format_g(total_time as f64 * unit, 6));
    let first = function.first_line.max(1);
    let sublines: Vec<String> = match source {
        Some(lines) => {
            let _ = writeln!(out, "File: {}", function.file);
            let _ = writeln!(out, "Function: {} at line {}", function.name, function.first_line);
            let last = function.last_line.max(first) as usize;
            (first as usize..=last).map(|n| lines.get(n - 1).cloned().unwrap_or_default()).collect()
        }
        None => {
            out.push('\n');
            let _ = writeln!(out, "Could not find file {}", function.file);
            out.push_str("Are you sure you are running this program from the same directory\n");
            out.push_str("that you ran the profiler from?\n");
            out.push_str("Continuing without the function's contents.\n");
            let max = function.lines.iter().map(|l| l.line).max().unwrap_or(first);
            let min = function.lines.iter().map(|l| l.line).min().unwrap_or(first).min(first);
            vec![String::new(); (max.saturating_sub(min) + 1) as usize]
        }
    };

    // Each line's columns, switching to %g where the fixed form would not fit, as line_profiler.
    let mut display: BTreeMap<u32, [String; 4]> = BTreeMap::new();
    for l in &function.lines {
        let percent = if total_time == 0 {
            String::new()
        } else {
            format!("{:5.1}", 100.0 * l.time_ns as f64 / total_time as f64)
        };
        let time = l.time_ns as f64 * scalar;
        let mut time_text = format!("{time:5.1}");
        if time_text.len() > WIDTH_TIME {
            time_text = format!("{:>5}", format_g(time, 3));
        }
        let per_hit = if l.hits == 0 { f64::INFINITY } else { l.time_ns as f64 * scalar / l.hits as f64 };
        let mut per_hit_text = format!("{per_hit:5.1}");
        if per_hit_text.len() > WIDTH_PER_HIT {
            per_hit_text = format!("{:>5}", format_g(per_hit, 3));
        }
        let mut hits_text = l.hits.to_string();
        if hits_text.len() > WIDTH_HITS {
            hits_text = format_g(l.hits as f64, 6);
        }
        display.insert(l.line, [hits_text, time_text, per_hit_text, percent]);
    }
    let widest = |i: usize, min: usize| display.values().map(|d| d[i].len()).max().unwrap_or(0).max(min);
    let widths = [WIDTH_LINE, widest(0, WIDTH_HITS), widest(1, WIDTH_TIME), widest(2, WIDTH_PER_HIT), WIDTH_PERCENT];
    let row = |cells: [&str; 5], contents: &str| {
        format!(
            "{:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            contents,
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
        )
    };
    let header = row(["Line #", "Hits", "Time", "Per Hit", "% Time"], "Line Contents");
    out.push('\n');
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "=".repeat(header.chars().count()));
    let empty: [String; 4] = Default::default();
    for (offset, contents) in sublines.iter().enumerate() {
        let line = first + offset as u32;
        let cells = display.get(&line).unwrap_or(&empty);
        let number = line.to_string();
        let _ = writeln!(
            out,
            "{}",
            row([&number, &cells[0], &cells[1], &cells[2], &cells[3]], contents.trim_end_matches(['\n', '\r']))
        );
    }
    out.push('\n');
}

/// C's (and Python's) `%.{precision}g`: `precision` significant digits, fixed or scientific
/// notation by the exponent, trailing zeros dropped, a two-digit exponent at least.
pub fn format_g(value: f64, precision: usize) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    if !value.is_finite() {
        return if value.is_nan() {
            "nan".into()
        } else if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let precision = precision.max(1);
    // The exponent after rounding to `precision` digits decides the notation.
    let scientific = format!("{:.*e}", precision - 1, value);
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if exponent < -4 || exponent >= precision as i32 {
        let mantissa = strip_zeros(mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        strip_zeros(&format!("{value:.decimals$}")).to_string()
    }
}

fn strip_zeros(number: &str) -> &str {
    if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    }
}

/// A function chosen for line profiling from a first cProfile pass.
#[derive(Debug, Clone, PartialEq)]
pub struct HotFunction {
    pub key: FunctionKey,
    /// Its share of the user code's self time.
    pub share: f64,
}

/// The most we line-profile without being asked (each costs a callback per line it runs).
pub const MAX_PICKED: usize = 5;
/// Enough functions to cover this share of the user code's self time (at most [`MAX_PICKED`]).
pub const PICK_COVERAGE: f64 = 0.9;

/// The user-code functions with the most self time: hottest first until they cover
/// [`PICK_COVERAGE`] of the user code's self time, at most [`MAX_PICKED`]. `is_user` says which
/// files are the user's (not the standard library, site-packages or loupe's runners); built-ins
/// are never picked (they have no lines).
pub fn pick_hot_functions(profile: &Profile, is_user: impl Fn(&str) -> bool) -> Vec<HotFunction> {
    let mut user: Vec<(&FunctionKey, f64)> = profile
        .functions
        .iter()
        .filter(|f| !f.key.is_builtin() && !f.key.file.starts_with('<') && is_user(&f.key.file))
        .map(|f| (&f.key, f.figures.self_time))
        .filter(|(_, time)| *time > 0.0)
        .collect();
    let total: f64 = user.iter().map(|(_, t)| t).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    user.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.label().cmp(&b.0.label())));
    let mut picked = Vec::new();
    let mut covered = 0.0;
    for (key, time) in user {
        if picked.len() == MAX_PICKED || covered >= PICK_COVERAGE {
            break;
        }
        covered += time / total;
        picked.push(HotFunction { key: key.clone(), share: time / total });
    }
    picked
}

#[cfg(test)]
#[path = "lines_tests.rs"]
mod tests;
