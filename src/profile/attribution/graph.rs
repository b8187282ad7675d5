//! What attribution needs to know of the call graph, derived once from the pstats figures:
//! strongly connected components (recursion, direct or mutual), each edge's times (estimated from
//! call counts where the file has none), the functions the profiler saw start with no caller
//! (roots) and how much of their time belongs to those top-level calls.

use super::super::pstats::{Figures, Profile};

/// One caller → callee edge with times (seconds) that attribution can split by.
#[derive(Debug, Clone, Copy)]
pub(super) struct Edge {
    pub callee: usize,
    /// Cumulative time of the calls this edge made (cProfile's `ct` in `callers[F]`).
    pub cumulative: f64,
    /// Self time of the callee in those calls.
    pub inline: f64,
    /// Calls along the edge.
    pub calls: f64,
}

/// The call graph as attribution reads it.
pub(super) struct Graph {
    /// Out-edges per function, largest cumulative time first.
    pub out: Vec<Vec<Edge>>,
    /// Whether a function can be on the stack twice: it calls itself, or is part of a cycle.
    pub recursive: Vec<bool>,
    /// Time of the top-level calls (no recorded caller) per function; zero for non-roots.
    pub root_time: Vec<f64>,
    /// Self time within those top-level calls.
    pub root_inline: Vec<f64>,
    /// Top-level calls.
    pub root_calls: Vec<f64>,
    /// Per function: the self time of its direct recursive calls (`F → F`) per second of its
    /// cumulative time. Those calls are folded into the outer frame, so it keeps their self time.
    pub loop_share: Vec<f64>,
    /// And its direct recursive calls per second of its cumulative time.
    pub loop_calls: Vec<f64>,
    /// For a nested code object (`<lambda>`, `<genexpr>`, `<listcomp>`...): the function that
    /// defined it, as far as the profile tells (see [`owners`]).
    pub owner: Vec<Option<usize>>,
}

impl Graph {
    pub fn new(profile: &Profile) -> Graph {
        let n = profile.functions.len();
        let component = components(profile);
        let mut size = vec![0usize; n];
        for &c in &component {
            size[c] += 1;
        }
        let mut out: Vec<Vec<Edge>> = vec![Vec::new(); n];
        let mut recursive: Vec<bool> = component.iter().map(|&c| size[c] > 1).collect();
        let mut root_time = vec![0.0; n];
        let mut root_inline = vec![0.0; n];
        let mut root_calls = vec![0.0; n];
        let mut loop_share = vec![0.0; n];
        let mut loop_calls = vec![0.0; n];
        for (g, function) in profile.functions.iter().enumerate() {
            let fig = function.figures;
            let mut outside_ct = 0.0;
            // Self time is exclusive, so the callers' self times add up to the function's own
            // whatever the recursion: what remains is the top-level calls'.
            let mut callers_tt = 0.0;
            let mut edge_calls = 0.0;
            for e in &function.callers {
                let (cumulative, inline) = edge_times(&e.figures, e.timed, &fig);
                edge_calls += e.figures.calls;
                callers_tt += inline;
                if e.caller == g {
                    recursive[g] = true;
                    if fig.cumulative_time > 0.0 {
                        loop_share[g] = inline / fig.cumulative_time;
                        loop_calls[g] = e.figures.calls / fig.cumulative_time;
                    }
                }
                // Callers in the function's own component may call it from inside its own time
                // (an import reaching `exec` again, `a → b → a`); callers outside never do, so
                // their calls are separate outermost calls.
                if component[e.caller] != component[g] {
                    outside_ct += cumulative;
                }
                out[e.caller].push(Edge { callee: g, cumulative, inline, calls: e.figures.calls });
            }
            let unaccounted = fig.calls - edge_calls;
            if function.callers.is_empty() || unaccounted > 0.5 {
                let ct = fig.cumulative_time.max(0.0);
                let by_time = ct - outside_ct;
                let time = if function.callers.is_empty() {
                    ct
                } else if by_time > ct * 1e-6 {
                    by_time
                } else if fig.calls > 0.0 {
                    // The callers' figures account for all the time (rounding): the top-level
                    // calls get their share by count.
                    ct * unaccounted / fig.calls
                } else {
                    0.0
                };
                root_time[g] = time;
                root_inline[g] = (fig.self_time - callers_tt).clamp(0.0, time);
                root_calls[g] = if function.callers.is_empty() { fig.calls } else { unaccounted.max(0.0) };
            }
        }
        for edges in &mut out {
            edges.sort_by(|a, b| b.cumulative.total_cmp(&a.cumulative).then(a.callee.cmp(&b.callee)));
        }
        Graph { out, recursive, root_time, root_inline, root_calls, loop_share, loop_calls, owner: owners(profile) }
    }
}

/// The function each nested code object was defined in: in the same file, the closest
/// function (or module) that starts at or above its line. A profile holds no nesting, so a nested
/// function that ended before the lambda can be taken for its definer; that only costs the lambda
/// its preference for one caller (see `split_by_edges`).
fn owners(profile: &Profile) -> Vec<Option<usize>> {
    let nested = |name: &str| name.starts_with('<') && name != "<module>";
    let mut by_file: Vec<(&str, u32, usize)> = profile
        .functions
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.key.is_builtin() && !nested(&f.key.name))
        .map(|(i, f)| (f.key.file.as_str(), f.key.line, i))
        .collect();
    by_file.sort_unstable();
    profile
        .functions
        .iter()
        .map(|f| {
            if f.key.is_builtin() || !nested(&f.key.name) {
                return None;
            }
            // The last definer in the same file at or above the line.
            let after = by_file.partition_point(|&(file, line, _)| (file, line) <= (f.key.file.as_str(), f.key.line));
            let (file, _, owner) = *by_file.get(after.checked_sub(1)?)?;
            (file == f.key.file).then_some(owner)
        })
        .collect()
}

/// An edge's (cumulative, self) times: the file's own, or for a count-only edge (the `profile`
/// module) the callee's times in proportion to the calls.
fn edge_times(edge: &Figures, timed: bool, callee: &Figures) -> (f64, f64) {
    if timed {
        (edge.cumulative_time.max(0.0), edge.self_time.max(0.0))
    } else if callee.calls > 0.0 {
        let share = edge.calls / callee.calls;
        (callee.cumulative_time.max(0.0) * share, callee.self_time.max(0.0) * share)
    } else {
        (0.0, 0.0)
    }
}

/// Strongly connected components of the caller → callee graph (Tarjan's algorithm, iterative so
/// deep call graphs cannot overflow the stack). Returns a component id per function.
pub(super) fn components(profile: &Profile) -> Vec<usize> {
    let n = profile.functions.len();
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSEEN; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_component = 0;
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        // (function, next callee position)
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&(v, position)) = work.last() {
            if let Some(&w) = profile.functions[v].callees.get(position) {
                work.last_mut().expect("not empty").1 += 1;
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}
