//! From pstats to a call tree: which stacks the self time was spent in.
//!
//! cProfile records one level of calling context: for each function, the exact calls and times
//! its every caller accounts for. Deeper stacks are not recorded and have to be inferred. Here:
//!
//! - **Roots** are functions whose recorded calls exceed the calls their callers account for (the
//!   part the profiler saw start without a caller), with the self time left over after the callers'.
//! - **First level is exact**: the self time of `G` under caller `F` is the edge's own self time.
//! - **Deeper is proportional**: `F`'s share along one path is the fraction of `F`'s cumulative time
//!   its caller on that path accounts for (times that caller's own share), so `G`'s exact time under
//!   `F` is split over `F`'s paths in that proportion. A frame is *measured* when that share is 1
//!   (its parent was only ever reached along this path), else *inferred*.
//! - **Recursion is collapsed, not cut**: a call into a function already on the stack adds its self
//!   time to that earlier frame instead of growing the stack (or losing the time).
//! - Each function's frames are then scaled so they add up to its recorded self time: the tree's
//!   total is the profile's total self time, whatever recursion or pruning did to the proportions.

use super::pstats::Profile;

/// One frame of the call tree: a function along one path from a root.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Index into [`Profile::functions`]; `None` for the synthetic root above all roots.
    pub function: Option<usize>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Seconds spent in this function along this path (children excluded; folded frames included).
    pub self_time: f64,
    /// Seconds along this path, children included.
    pub total_time: f64,
    /// Calls along this path (inferred calls are fractional).
    pub calls: f64,
    /// Whether the frame's time comes straight from the profile (see the module docs).
    pub measured: bool,
    /// Seconds of pruned children folded into this frame's self time.
    pub folded_time: f64,
    pub depth: usize,
}

/// A call tree over a [`Profile`]. `nodes[0]` is the synthetic root; children follow parents.
#[derive(Debug, Clone, PartialEq)]
pub struct CallTree {
    pub nodes: Vec<Node>,
}

/// Frames whose cumulative time is below this fraction of the whole are not built by [`CallTree::build`]:
/// a call graph with many shared functions has exponentially many paths. Their time is kept by the
/// per-function scaling. [`CallTree::build_with_floor`] takes another fraction (a flamegraph pruned
/// at a threshold needs nothing much below it).
pub const BUILD_FLOOR: f64 = 1e-6;
/// And never more frames than this (a runaway DAG still gives a tree).
const MAX_NODES: usize = 2_000_000;
/// Shares this close to 1 count as exact (float sums of the profile's own figures).
const EXACT: f64 = 1e-6;

/// The per-function quantities attribution needs, derived once.
struct Weights {
    /// Seconds of self time with no recorded caller.
    root_self: Vec<f64>,
    /// Weight of the part with no recorded caller (cumulative seconds, or calls if untimed).
    root_weight: Vec<f64>,
    /// Total incoming weight: every non-recursive caller's plus the root part.
    incoming: Vec<f64>,
    /// Whether edges into the function carry times (else calls are the weights).
    timed: Vec<bool>,
    /// The strongly connected component of each function in the call graph: calls within one
    /// component are recursion (direct or mutual), nested inside the component's outer calls.
    component: Vec<usize>,
}

impl Weights {
    fn new(profile: &Profile) -> Weights {
        let n = profile.functions.len();
        let mut w = Weights {
            root_self: vec![0.0; n],
            root_weight: vec![0.0; n],
            incoming: vec![0.0; n],
            timed: vec![true; n],
            component: components(profile),
        };
        for (g, function) in profile.functions.iter().enumerate() {
            let timed = function.callers.iter().all(|e| e.timed);
            let fig = function.figures;
            let edge_calls: f64 = function.callers.iter().map(|e| e.figures.calls).sum();
            let edge_self: f64 = function.callers.iter().map(|e| e.figures.self_time).sum();
            let weight =
                |e: &super::pstats::CallerEdge| if timed { e.figures.cumulative_time } else { e.figures.calls };
            // Callers in the function's own component call it from inside its own time (an import
            // statement reaching `exec` again, `a → b → a`): counting them would double-count.
            let outside: f64 =
                function.callers.iter().filter(|e| w.component[e.caller] != w.component[g]).map(weight).sum();
            let own_weight = if timed { fig.cumulative_time } else { fig.calls };
            let unaccounted_calls = fig.calls - edge_calls;
            let is_root = function.callers.is_empty() || unaccounted_calls > 0.5;
            if is_root {
                w.root_self[g] =
                    if function.callers.is_empty() { fig.self_time } else { (fig.self_time - edge_self).max(0.0) };
                let by_time = own_weight - outside;
                let by_calls = if fig.calls > 0.0 { own_weight * unaccounted_calls / fig.calls } else { own_weight };
                w.root_weight[g] = if function.callers.is_empty() {
                    own_weight.max(f64::MIN_POSITIVE)
                } else if by_time > own_weight * EXACT {
                    by_time
                } else {
                    by_calls.max(f64::MIN_POSITIVE)
                };
            }
            w.incoming[g] = outside + w.root_weight[g];
            w.timed[g] = timed;
        }
        w
    }
}

impl CallTree {
    /// The inferred call tree of a whole profile (nothing pruned).
    pub fn build(profile: &Profile) -> CallTree {
        CallTree::build_with_floor(profile, BUILD_FLOOR)
    }

    /// [`CallTree::build`], not building frames below `floor` (a fraction of the total).
    pub fn build_with_floor(profile: &Profile, floor: f64) -> CallTree {
        let weights = Weights::new(profile);
        let grand: f64 = profile.functions.iter().map(|f| f.figures.cumulative_time.max(0.0)).fold(0.0, f64::max);
        let floor = grand * floor.max(0.0);
        let mut tree = CallTree { nodes: vec![root_node()] };
        // Which node of each function is on the current path (recursion collapses into it).
        let mut on_path: Vec<Option<usize>> = vec![None; profile.functions.len()];
        // The share of its function each node carries.
        let mut share: Vec<f64> = vec![1.0];

        for (r, function) in profile.functions.iter().enumerate() {
            if weights.root_weight[r] <= 0.0 {
                continue;
            }
            let p = if weights.incoming[r] > 0.0 { weights.root_weight[r] / weights.incoming[r] } else { 1.0 };
            let unaccounted = function.figures.calls - function.callers.iter().map(|e| e.figures.calls).sum::<f64>();
            let root = tree.push(Node {
                function: Some(r),
                parent: Some(0),
                children: Vec::new(),
                self_time: weights.root_self[r],
                total_time: 0.0,
                calls: if function.callers.is_empty() { function.figures.calls } else { unaccounted.max(0.0) },
                measured: true,
                folded_time: 0.0,
                depth: 1,
            });
            share.push(p);
            // Depth-first with an explicit stack (profiles can be deeper than the thread's stack):
            // (node, next callee to look at).
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            on_path[r] = Some(root);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let f = tree.nodes[node].function.expect("only the synthetic root has none");
                let Some(&g) = profile.functions[f].callees.get(*next) else {
                    on_path[f] = None;
                    stack.pop();
                    continue;
                };
                *next += 1;
                let edge = profile.edge(f, g).expect("callees mirror callers");
                let p = share[node];
                if let Some(ancestor) = on_path[g] {
                    let target = &mut tree.nodes[ancestor];
                    target.self_time += edge.figures.self_time * p;
                    target.calls += edge.figures.calls * p;
                    if p < 1.0 - EXACT {
                        target.measured = false;
                    }
                    continue;
                }
                let weight = if weights.timed[g] { edge.figures.cumulative_time } else { edge.figures.calls };
                let child_share = if weights.component[f] == weights.component[g] {
                    // Into recursion not yet on this path: the component's share carries through.
                    p
                } else if weights.incoming[g] > 0.0 {
                    p * weight / weights.incoming[g]
                } else {
                    0.0
                };
                let child_cumulative = child_share * profile.functions[g].figures.cumulative_time;
                if child_cumulative < floor && edge.figures.self_time * p < floor || tree.nodes.len() >= MAX_NODES {
                    continue;
                }
                let child = tree.push(Node {
                    function: Some(g),
                    parent: Some(node),
                    children: Vec::new(),
                    self_time: edge.figures.self_time * p,
                    total_time: 0.0,
                    calls: edge.figures.calls * p,
                    measured: p >= 1.0 - EXACT && edge.timed,
                    folded_time: 0.0,
                    depth: tree.nodes[node].depth + 1,
                });
                share.push(child_share);
                on_path[g] = Some(child);
                stack.push((child, 0));
            }
        }
        tree.scale_to_recorded_self_time(profile);
        tree.sum_totals();
        tree
    }

    /// Only what the profile states exactly: `caller;function` stacks weighted by the edge's own
    /// self time, and `function` alone for self time no caller accounts for. No inference at all.
    pub fn exact_edges(profile: &Profile) -> CallTree {
        let weights = Weights::new(profile);
        let mut tree = CallTree { nodes: vec![root_node()] };
        let mut top: Vec<Option<usize>> = vec![None; profile.functions.len()];
        let mut top_of = |tree: &mut CallTree, f: usize| -> usize {
            *top[f].get_or_insert_with(|| tree.push(frame(Some(f), 0, 1, 0.0, 0.0)))
        };
        for (g, function) in profile.functions.iter().enumerate() {
            let edge_self: f64 = function.callers.iter().map(|e| e.figures.self_time).sum();
            let rest =
                if weights.root_self[g] > 0.0 { weights.root_self[g] } else { function.figures.self_time - edge_self };
            if rest > 0.0 {
                let node = top_of(&mut tree, g);
                tree.nodes[node].self_time += rest;
            }
            for edge in &function.callers {
                let parent = top_of(&mut tree, edge.caller);
                tree.push(frame(Some(g), parent, 2, edge.figures.self_time, edge.figures.calls));
            }
        }
        for node in &mut tree.nodes {
            node.calls = node.calls.max(0.0);
        }
        tree.sum_totals();
        tree
    }

    fn push(&mut self, node: Node) -> usize {
        let index = self.nodes.len();
        if let Some(parent) = node.parent {
            self.nodes[parent].children.push(index);
        }
        self.nodes.push(node);
        index
    }

    /// Makes each function's frames add up to its recorded self time (see the module docs).
    /// A function no path reached becomes a root of its own, marked inferred.
    fn scale_to_recorded_self_time(&mut self, profile: &Profile) {
        let mut attributed = vec![0.0; profile.functions.len()];
        for node in &self.nodes {
            if let Some(f) = node.function {
                attributed[f] += node.self_time;
            }
        }
        let scale: Vec<f64> = profile
            .functions
            .iter()
            .zip(&attributed)
            .map(|(f, &a)| if a > 0.0 { f.figures.self_time.max(0.0) / a } else { 1.0 })
            .collect();
        for node in &mut self.nodes {
            if let Some(f) = node.function {
                node.self_time *= scale[f];
                if (scale[f] - 1.0).abs() > 1e-3 && node.self_time > 0.0 {
                    node.measured = false;
                }
            }
        }
        // A function no built path reached (all its frames were under the floor) goes under the
        // largest frame of its heaviest caller that has one, else it becomes a root.
        let mut frame_of: Vec<Option<usize>> = vec![None; profile.functions.len()];
        for (i, node) in self.nodes.iter().enumerate().skip(1) {
            let f = node.function.expect("non-root");
            if frame_of[f].is_none_or(|best| self.nodes[best].self_time < node.self_time) {
                frame_of[f] = Some(i);
            }
        }
        let mut pending: Vec<usize> = (0..profile.functions.len())
            .filter(|&f| attributed[f] <= 0.0 && profile.functions[f].figures.self_time > 0.0)
            .collect();
        loop {
            let before = pending.len();
            pending.retain(|&f| {
                let function = &profile.functions[f];
                let host = function
                    .callers
                    .iter()
                    .filter_map(|e| frame_of[e.caller].map(|n| (n, e.figures.cumulative_time)))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(n, _)| n);
                let Some(host) = host else { return true };
                let depth = self.nodes[host].depth + 1;
                let mut node = frame(Some(f), host, depth, function.figures.self_time, function.figures.calls);
                node.measured = false;
                frame_of[f] = Some(self.push(node));
                false
            });
            if pending.len() == before {
                break;
            }
        }
        for f in pending {
            let function = &profile.functions[f];
            let mut node = frame(Some(f), 0, 1, function.figures.self_time, function.figures.calls);
            node.measured = false;
            self.push(node);
        }
    }

    /// Fills `total_time` from the leaves up (children always come after their parent).
    fn sum_totals(&mut self) {
        for node in &mut self.nodes {
            node.total_time = node.self_time;
        }
        for i in (1..self.nodes.len()).rev() {
            let total = self.nodes[i].total_time;
            let parent = self.nodes[i].parent.expect("only the synthetic root has no parent");
            self.nodes[parent].total_time += total;
        }
    }

    /// The whole tree's time (seconds): the profile's total self time.
    pub fn total(&self) -> f64 {
        self.nodes[0].total_time
    }

    /// Seconds of self time on inferred frames.
    pub fn inferred_time(&self) -> f64 {
        self.nodes.iter().filter(|n| !n.measured).map(|n| n.self_time).fold(0.0, |a, b| a + b)
    }

    /// The share of the total on inferred frames, 0..=1.
    pub fn inferred_share(&self) -> f64 {
        let total = self.total();
        if total > 0.0 {
            self.inferred_time() / total
        } else {
            0.0
        }
    }

    /// A copy without frames below `min_fraction` of the total: each pruned frame's whole time
    /// (its children's too) is folded into its parent's self time, so nothing vanishes.
    pub fn pruned(&self, min_fraction: f64) -> CallTree {
        let cutoff = self.total() * min_fraction;
        let mut out = CallTree { nodes: vec![self.nodes[0].clone()] };
        out.nodes[0].children.clear();
        // old index -> new index (for kept nodes)
        let mut map: Vec<Option<usize>> = vec![None; self.nodes.len()];
        map[0] = Some(0);
        for (i, node) in self.nodes.iter().enumerate().skip(1) {
            let parent = node.parent.expect("non-root");
            let Some(new_parent) = map[parent] else { continue };
            if node.total_time < cutoff && new_parent != 0 {
                let p = &mut out.nodes[new_parent];
                p.self_time += node.total_time;
                p.folded_time += node.total_time;
                continue;
            }
            let mut copy = node.clone();
            copy.parent = Some(new_parent);
            copy.children.clear();
            map[i] = Some(out.push(copy));
        }
        out.sum_totals();
        out
    }

    /// The functions along the path from the top to `node` (the synthetic root excluded).
    pub fn path(&self, node: usize) -> Vec<usize> {
        let mut path = Vec::new();
        let mut at = Some(node);
        while let Some(i) = at {
            if let Some(f) = self.nodes[i].function {
                path.push(f);
            }
            at = self.nodes[i].parent;
        }
        path.reverse();
        path
    }
}

/// Strongly connected components of the caller → callee graph (Tarjan's algorithm, iterative so
/// deep call graphs cannot overflow the stack). Returns a component id per function.
fn components(profile: &Profile) -> Vec<usize> {
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

fn root_node() -> Node {
    Node {
        function: None,
        parent: None,
        children: Vec::new(),
        self_time: 0.0,
        total_time: 0.0,
        calls: 0.0,
        measured: true,
        folded_time: 0.0,
        depth: 0,
    }
}

fn frame(function: Option<usize>, parent: usize, depth: usize, self_time: f64, calls: f64) -> Node {
    Node {
        function,
        parent: Some(parent),
        children: Vec::new(),
        self_time,
        total_time: 0.0,
        calls,
        measured: true,
        folded_time: 0.0,
        depth,
    }
}
