//! Building the inferred call tree, best first and within a budget.
//!
//! Every frame gets a time T. A frame of `F` reached from `P` keeps the share of T that the
//! `P → F` edge spends in `F` itself (`tt/ct` of that edge: exact in aggregate, and what stops a
//! shared built-in such as `max` from carrying other callers' callbacks), and splits the rest among
//! `F`'s callees by cProfile's own edge figures (`ct(F → G)`). Summed over all frames of an acyclic
//! graph, each edge then gets exactly its `ct` and each function its cumulative time.
//!
//! Real programs are not acyclic. A callee already on the path is not entered again: its time stays
//! with the frame (recursion is folded into the outermost frame, never unrolled). For a recursive
//! `F`, `ct(F → G)` also counts calls made from deeper levels, so callees get `T · ct(F → G) /
//! ct(F)`, largest first, until T is used up. Two budgets make the bound hold whatever the data:
//! no edge hands out more than its `ct` and no function more than its cumulative time, over the
//! whole tree; what a budget refuses is drawn as an explicit "(unattributed)" child, not guessed.
//!
//! Frames are built largest first (a priority queue), and none below the floor: a frame's callees
//! below it go to one "(other)" child. So the tree's size follows what is drawn, not the number of
//! call-graph paths (which grows exponentially on import-heavy programs); a node and byte budget
//! bound it even with no floor to speak of.
//!
//! With stack samples of the same run (`loupe profile`), a frame that holds only part of its
//! function's time, and any frame of a recursive function (one in a cycle: with run-time imports
//! that is most of a real program, since `exec` runs both the script and every module it
//! imports), splits it by what the samples saw instead. Each callee `G` the
//! samples can see asks for `ct(F → G) · s(path + G) / s(F → G)`: the edge's exact time times the
//! share of the samples of that call that went through this frame's path (where inference gives
//! every callee the frame's share of `F`). Those get what they ask for first; built-ins (no Python
//! frame to sample) and calls sampled fewer than [`MIN_EDGE_SAMPLES`] times share the rest by
//! their edges, as inference would; paths the samples never saw get nothing. The edges' exact
//! times and the two budgets still hold, so every function is drawn as wide as its cumulative
//! time: the samples only decide where.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::graph::Graph;
use super::{CallTree, Evidence, Node, NodeKind};
use crate::profile::folded;
use crate::profile::pstats::Profile;
use crate::profile::samples::{SamplePath, Samples};

/// Below this many samples of a call (`F → G` adjacent in the stacks), its split among paths is
/// too noisy to trust: the call keeps the inferred weight (and its frames stay inferred).
pub const MIN_EDGE_SAMPLES: u64 = 8;

/// How much of the inferred tree to build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// No frame below this fraction of the total is built.
    pub floor: f64,
    /// At most this many frames.
    pub max_nodes: usize,
    /// At most this many bytes of folded stacks: the sum, over frames, of the length of the
    /// stack that leads to them (what `--folded` would write at most).
    pub max_stack_bytes: usize,
}

/// cProfile's clock reads nanoseconds, but the figures of a function called a few times are
/// noise below a tenth of a microsecond: no frame is built below this many seconds.
const TIMER_FLOOR: f64 = 1e-7;
/// Frames at most, whatever the floor.
const MAX_NODES: usize = 400_000;

impl Limits {
    /// Frames down to `floor` (a fraction of the total), folded output at most 16 times the
    /// profile's own size (and at least 4 MB).
    pub fn with_floor(profile: &Profile, floor: f64) -> Limits {
        let size: usize =
            profile.functions.iter().map(|f| f.key.file.len() + f.key.name.len() + 40 + 40 * f.callers.len()).sum();
        Limits { floor: floor.max(0.0), max_nodes: MAX_NODES, max_stack_bytes: (16 * size).max(4 << 20) }
    }
}

/// Builds the tree (see the module docs).
pub(super) fn build(profile: &Profile, limits: Limits) -> CallTree {
    Builder::new(profile, limits).run()
}

struct Builder<'p> {
    profile: &'p Profile,
    graph: Graph,
    limits: Limits,
    /// Absolute floor in seconds.
    floor: f64,
    tree: CallTree,
    /// Per node: the share of its time its function keeps as self time.
    self_share: Vec<f64>,
    /// Per node: the bytes of the folded stack that ends at it.
    stack_bytes: Vec<usize>,
    bytes: usize,
    /// Per function: the length of its folded label.
    label_bytes: Vec<usize>,
    /// What each edge (parallel to `graph.out`) and each function may still hand out.
    edge_left: Vec<Vec<f64>>,
    function_left: Vec<f64>,
    /// Per function: the node whose path is marked (functions on the path being expanded).
    mark: Vec<usize>,
    queue: BinaryHeap<(u64, Reverse<usize>)>,
    samples: Option<&'p Samples>,
    /// Per node: where its path is in the samples' prefix tree (`None`: the samples cannot say).
    sample_at: Vec<Option<SamplePath>>,
    /// Per node: the innermost Python function on its path (the samples' view of its caller).
    last_python: Vec<Option<usize>>,
}

/// What the samples ask for a frame's callees: per out-edge, the seconds of the edge's exact time
/// that belong to this frame's path, for the callees the samples can see (`sampled`).
struct Weights {
    weight: Vec<f64>,
    sampled: Vec<bool>,
}

/// What a frame's split gives each out-edge so far, and the order edges were first given to.
struct Given {
    amount: Vec<f64>,
    order: Vec<usize>,
}

impl Given {
    fn add(&mut self, edge: usize, seconds: f64) {
        if seconds > 0.0 {
            if self.amount[edge] == 0.0 {
                self.order.push(edge);
            }
            self.amount[edge] += seconds;
        }
    }
}

impl<'p> Builder<'p> {
    fn new(profile: &'p Profile, limits: Limits) -> Builder<'p> {
        let graph = Graph::new(profile);
        let total = profile.total_self_time().max(0.0);
        let floor = (total * limits.floor).max(TIMER_FLOOR);
        let edge_left = graph.out.iter().map(|edges| edges.iter().map(|e| e.cumulative).collect()).collect();
        let function_left = profile.functions.iter().map(|f| f.figures.cumulative_time.max(0.0)).collect();
        Builder {
            profile,
            limits,
            floor,
            tree: CallTree { nodes: vec![super::root_node()] },
            self_share: vec![1.0],
            stack_bytes: vec![0],
            bytes: 0,
            label_bytes: vec![0; profile.functions.len()],
            edge_left,
            function_left,
            mark: vec![usize::MAX; profile.functions.len()],
            queue: BinaryHeap::new(),
            samples: profile.samples.as_deref(),
            sample_at: vec![profile.samples.as_ref().map(|s| s.root())],
            last_python: vec![None],
            graph,
        }
    }

    fn run(mut self) -> CallTree {
        self.add_roots();
        while let Some((_, Reverse(node))) = self.queue.pop() {
            if !self.expand(node) {
                break;
            }
        }
        // Whatever is still queued stays a leaf: its callees' share is folded into it.
        for (_, Reverse(node)) in std::mem::take(&mut self.queue) {
            let n = &mut self.tree.nodes[node];
            n.folded_time = n.self_time * (1.0 - self.self_share[node]);
        }
        self.tree.sum_totals();
        self.tree.into_preorder()
    }

    /// The roots: top-level calls, largest first, scaled (or completed by an "(unattributed)"
    /// root) so that the tree adds up to the profile's total self time.
    fn add_roots(&mut self) {
        let total = self.profile.total_self_time().max(0.0);
        let mut roots: Vec<usize> =
            (0..self.profile.functions.len()).filter(|&f| self.graph.root_time[f] > 0.0).collect();
        roots.sort_by(|&a, &b| self.graph.root_time[b].total_cmp(&self.graph.root_time[a]).then(a.cmp(&b)));
        let found: f64 = roots.iter().map(|&f| self.graph.root_time[f]).sum();
        let scale = if found > total && found > 0.0 { total / found } else { 1.0 };
        let mut other = 0.0;
        for f in roots {
            let time = self.graph.root_time[f] * scale;
            self.function_left[f] -= time;
            if time < self.floor {
                other += time;
                continue;
            }
            let share = ratio(self.graph.root_inline[f], self.graph.root_time[f]) + self.graph.loop_share[f];
            let calls = self.graph.root_calls[f];
            self.add_frame(0, NodeKind::Function, Some(f), time, calls, Evidence::Measured, share);
        }
        let missing = total - found * scale;
        self.add_synthetic(0, NodeKind::Other, other);
        if missing > total * 1e-9 {
            self.add_synthetic(0, NodeKind::Unattributed, missing);
        }
    }

    /// Splits a frame's time among its callees. False when the budget is spent.
    fn expand(&mut self, node: usize) -> bool {
        let f = self.tree.nodes[node].function.expect("only function frames are queued");
        let edges = self.graph.out[f].len();
        if self.tree.nodes.len() + edges + 2 > self.limits.max_nodes || self.bytes >= self.limits.max_stack_bytes {
            // Put it back: it stays a leaf with the rest.
            let time = self.tree.nodes[node].self_time;
            self.queue.push((time.to_bits(), Reverse(node)));
            return false;
        }
        let nested = self.mark_path(node);
        let time = self.tree.nodes[node].self_time;
        let evidence = self.tree.nodes[node].evidence;
        let budget = time * (1.0 - self.self_share[node]);
        let recursive = self.graph.recursive[f];
        let sampled = self.sampled_weights(node, f, time, recursive);
        let (shares, refused) = match (recursive, &sampled) {
            (true, None) => self.split_recursive(node, time, budget, nested),
            _ => self.split_by_edges(node, budget, sampled.as_ref()),
        };
        let (mut built, mut other) = (0.0, 0.0);
        for (i, give) in shares {
            let edge = self.graph.out[f][i];
            let g = edge.callee;
            // A callee already on the path adds nothing to its own width (the outer frame holds
            // it): only the edge's budget applies.
            self.edge_left[f][i] -= give;
            if self.mark[g] != node {
                self.function_left[g] -= give;
            }
            if give < self.floor {
                other += give;
                continue;
            }
            let whole_edge = (give - edge.cumulative).abs() <= edge.cumulative * 1e-6;
            let calls = if whole_edge {
                edge.calls
            } else if edge.cumulative > 0.0 {
                edge.calls * give / edge.cumulative
            } else {
                0.0
            };
            // The edge's own self share (cProfile sums self time over every call along it), and
            // the direct recursion folded into the frame.
            let share = ratio(edge.inline, edge.cumulative) + self.graph.loop_share[g];
            let by_samples = sampled.as_ref().is_some_and(|w| w.sampled[i]);
            let child = match (evidence, by_samples, whole_edge) {
                (Evidence::Inferred, _, _) => Evidence::Inferred,
                (_, true, _) => Evidence::Sampled,
                (parent, false, true) => parent,
                (_, false, false) => Evidence::Inferred,
            };
            if self.add_frame(node, NodeKind::Function, Some(g), give, calls, child, share) {
                built += give;
            } else {
                other += give;
            }
        }
        let other_built = self.add_synthetic(node, NodeKind::Other, other);
        let refused_built = self.add_synthetic(node, NodeKind::Unattributed, refused);
        let n = &mut self.tree.nodes[node];
        n.self_time = time - built - other_built - refused_built;
        // Callees too small even for "(other)" stay in the frame's self time.
        n.folded_time = other - other_built + refused - refused_built;
        true
    }

    /// What a callee may still take: its edge's budget, and its function's unless it is already
    /// on the path (a frame nested in one of its own adds no width).
    fn cap(&self, node: usize, f: usize, i: usize) -> f64 {
        let g = self.graph.out[f][i].callee;
        let function_left = if self.mark[g] == node { f64::INFINITY } else { self.function_left[g] };
        self.edge_left[f][i].min(function_left).max(0.0)
    }

    /// Whether the frame may call `g` at all. Recursion is folded: its time stays with the frame.
    /// A cycle is followed again only where the outer frames left some of the callee's own edges
    /// undrawn (the script's `exec` inside the profiler's, an import's inside the script's): that
    /// frame then draws only what nothing else has.
    fn may_enter(&self, node: usize, f: usize, g: usize) -> bool {
        g != f && (self.mark[g] != node || self.undrawn(g) >= self.floor)
    }

    /// A non-recursive function's callees share its frame's budget in proportion to their edges'
    /// cumulative times; a callee whose budget runs out gives its part to the others (water
    /// filling), and only what none can take is refused. A nested code object (a `<lambda>`, a
    /// `<genexpr>`) that a built-in such as `list.extend` or `sorted` runs belongs to the caller
    /// that defined it: under that caller it comes first, under the built-in's other callers it
    /// is not drawn. With `sampled` weights, the callees the samples saw get what they asked for
    /// first (scaled down if the samples' noise asks for more than the frame has), the others
    /// share what is left by their edges, and what still remains goes to the sampled ones.
    fn split_by_edges(&self, node: usize, budget: f64, sampled: Option<&Weights>) -> (Vec<(usize, f64)>, f64) {
        let f = self.tree.nodes[node].function.expect("a function frame");
        let parent = self.tree.nodes[node].parent.and_then(|p| self.tree.nodes[p].function);
        let entered = |i: &usize| self.may_enter(node, f, self.graph.out[f][*i].callee);
        let mut open: Vec<usize> = (0..self.graph.out[f].len()).filter(entered).collect();
        let owned_elsewhere = |i: &usize| {
            self.graph.owner[self.graph.out[f][*i].callee]
                .is_some_and(|o| Some(o) != parent && self.profile.edge(o, f).is_some())
        };
        if open.iter().any(owned_elsewhere) && !open.iter().all(owned_elsewhere) {
            open.retain(|i| !owned_elsewhere(i));
        }
        let mut given = Given { amount: vec![0.0; self.graph.out[f].len()], order: Vec::new() };
        let mut left = budget;
        // What the parent defined ran for it: those first, each up to what it may take.
        let owned_here = |i: &usize| parent.is_some() && self.graph.owner[self.graph.out[f][*i].callee] == parent;
        for i in open.iter().copied().filter(owned_here) {
            let give = self.cap(node, f, i).min(left);
            given.add(i, give);
            left -= give;
        }
        open.retain(|i| !owned_here(i));
        let by_edge = |i: usize| self.graph.out[f][i].cumulative;
        match sampled {
            None => left = self.water_fill(node, f, &open, by_edge, &mut given, left),
            Some(w) => {
                let (by_samples, by_inference): (Vec<usize>, Vec<usize>) = open.iter().partition(|&&i| w.sampled[i]);
                let wanted: f64 = by_samples.iter().map(|&i| w.weight[i]).sum();
                let scale = if wanted > left && wanted > 0.0 { left / wanted } else { 1.0 };
                for &i in &by_samples {
                    let give = (w.weight[i] * scale).min(self.cap(node, f, i) - given.amount[i]).max(0.0);
                    given.add(i, give);
                    left -= give;
                }
                left = self.water_fill(node, f, &by_inference, by_edge, &mut given, left);
                left = self.water_fill(node, f, &by_samples, |i| w.weight[i], &mut given, left);
            }
        }
        // In the order they were first given to (what the frames' order and sums follow).
        let shares = given.order.iter().map(|&i| (i, given.amount[i])).collect();
        (shares, left.max(0.0))
    }

    /// Shares `left` among the `open` edges in proportion to `weight`, each up to its cap less
    /// what it was `given` already; returns what none could take. Each round either places
    /// everything left or fills at least one callee to its cap.
    fn water_fill(
        &self,
        node: usize,
        f: usize,
        open: &[usize],
        weight: impl Fn(usize) -> f64,
        given: &mut Given,
        mut left: f64,
    ) -> f64 {
        let mut open: Vec<usize> = open.iter().copied().filter(|&i| weight(i) > 0.0).collect();
        let room = |i: usize, given: &Given| (self.cap(node, f, i) - given.amount[i]).max(0.0);
        while left > 0.0 && !open.is_empty() {
            let total: f64 = open.iter().map(|&i| weight(i)).sum();
            if total <= 0.0 {
                break;
            }
            let full: Vec<usize> =
                open.iter().copied().filter(|&i| left * weight(i) / total >= room(i, given)).collect();
            if full.is_empty() {
                for &i in &open {
                    given.add(i, left * weight(i) / total);
                }
                return 0.0;
            }
            for i in full {
                let give = room(i, given);
                given.add(i, give);
                left -= give;
                open.retain(|&j| j != i);
            }
        }
        left
    }

    /// A recursive function's callees: `ct(F → G)` counts calls from every level, so each gets
    /// `T · ct(F → G) / ct(F)`, largest first, until the frame is full (the small ones are mostly
    /// inner calls). A frame nested in a frame of its own function (an import's `exec` inside the
    /// script's) stands for the inner calls only: it takes what the outer frames left, largest
    /// first. What the budgets refuse was drawn at another level and stays with the frame.
    fn split_recursive(&self, node: usize, time: f64, budget: f64, nested: bool) -> (Vec<(usize, f64)>, f64) {
        let f = self.tree.nodes[node].function.expect("a function frame");
        let cumulative = self.profile.functions[f].figures.cumulative_time;
        let mut shares = Vec::new();
        let mut left = budget;
        for (i, edge) in self.graph.out[f].iter().enumerate() {
            if left <= 0.0 {
                break;
            }
            if !self.may_enter(node, f, edge.callee) {
                continue;
            }
            let cap = self.cap(node, f, i);
            let want = if nested { cap } else { ratio(edge.cumulative, cumulative) * time }.min(left);
            let give = want.min(cap);
            if give > 0.0 {
                shares.push((i, give));
            }
            left -= want;
        }
        (shares, 0.0)
    }

    /// A frame under `parent` with `time` seconds, queued for expansion if it is a function's.
    /// False (nothing added) when the byte budget is spent.
    #[allow(clippy::too_many_arguments)]
    fn add_frame(
        &mut self,
        parent: usize,
        kind: NodeKind,
        function: Option<usize>,
        time: f64,
        calls: f64,
        evidence: Evidence,
        self_share: f64,
    ) -> bool {
        let label = match function {
            Some(f) => {
                if self.label_bytes[f] == 0 {
                    self.label_bytes[f] = folded::frame_label(self.profile, f).len();
                }
                self.label_bytes[f]
            }
            None => kind.label().len(),
        };
        let stack = self.stack_bytes[parent] + label + 1;
        if self.bytes + stack > self.limits.max_stack_bytes || self.tree.nodes.len() >= self.limits.max_nodes {
            return false;
        }
        self.bytes += stack;
        // Direct recursion is folded into the frame: so are its calls.
        let calls = calls + function.map_or(0.0, |f| self.graph.loop_calls[f] * time);
        let depth = self.tree.nodes[parent].depth + 1;
        let index = self.tree.push(Node {
            function,
            kind,
            parent: Some(parent),
            children: Vec::new(),
            self_time: time,
            total_time: 0.0,
            calls,
            evidence,
            folded_time: 0.0,
            depth,
        });
        let (sample_at, last_python) = self.sample_context(parent, function);
        self.sample_at.push(sample_at);
        self.last_python.push(last_python);
        self.self_share.push(self_share.clamp(0.0, 1.0));
        self.stack_bytes.push(stack);
        if function.is_some() && time * (1.0 - self_share) >= self.floor {
            self.queue.push((time.to_bits(), Reverse(index)));
        }
        true
    }

    /// An "(other)" or "(unattributed)" child of `parent` for `time`, when that is above the
    /// floor (else it stays in the parent's self time). Returns the time it took.
    fn add_synthetic(&mut self, parent: usize, kind: NodeKind, time: f64) -> f64 {
        if time < self.floor || time <= 0.0 {
            return 0.0;
        }
        // "(other)" is as exact as the frame it belongs to; "(unattributed)" never is.
        let evidence = if kind == NodeKind::Other { self.tree.nodes[parent].evidence } else { Evidence::Inferred };
        if self.add_frame(parent, kind, None, time, 0.0, evidence, 1.0) {
            time
        } else {
            0.0
        }
    }

    /// Where a new frame of `function` under `parent` is in the samples, and the innermost Python
    /// function on its path. A built-in has no Python frame: the samples see its caller's path. A
    /// function already on the path (a cycle followed again) was folded out of the samples.
    fn sample_context(&self, parent: usize, function: Option<usize>) -> (Option<SamplePath>, Option<usize>) {
        let (Some(samples), Some(at), Some(g)) = (self.samples, self.sample_at[parent], function) else {
            return (None, None);
        };
        let caller = self.last_python[parent];
        if self.profile.functions[g].key.is_builtin() {
            return (Some(at), caller);
        }
        // While `parent` is expanded, `mark` holds the functions on its path (its own included).
        // A function entered again (a cycle followed again, see `may_enter`) was folded into its
        // outer frame by the samples too: they cannot say where this inner frame's time went.
        if parent != 0 && self.mark[g] == parent {
            return (None, None);
        }
        (samples.child(at, g), Some(g))
    }

    /// The callees' weights by the samples (see the module docs), or `None` when the samples have
    /// nothing to say here: none were taken, the frame of a non-recursive function holds all of
    /// its function's time (each callee then gets its whole edge: nothing to split), or no callee
    /// was sampled often enough. A recursive function's frame is split by the samples even when it
    /// holds all of its time: its edges count calls from every level, which is what inference
    /// cannot take apart.
    fn sampled_weights(&self, node: usize, f: usize, time: f64, recursive: bool) -> Option<Weights> {
        let samples = self.samples?;
        let at = self.sample_at[node]?;
        let cumulative = self.profile.functions[f].figures.cumulative_time;
        if cumulative <= 0.0 || (!recursive && time >= cumulative * (1.0 - 1e-6)) {
            return None;
        }
        let caller = self.last_python[node];
        let (mut weight, mut sampled) = (Vec::new(), Vec::new());
        for edge in &self.graph.out[f] {
            let g = edge.callee;
            let seen = samples.adjacent(caller, g);
            let sampleable = !self.profile.functions[g].key.is_builtin() && self.mark[g] != node;
            if sampleable && seen >= MIN_EDGE_SAMPLES {
                let here = samples.child(at, g).map_or(0, |c| samples.count(c));
                weight.push(edge.cumulative * here as f64 / seen as f64);
                sampled.push(true);
            } else {
                weight.push(0.0);
                sampled.push(false);
            }
        }
        // Samples that saw none of this frame's callees cannot split it: inference does.
        (weight.iter().sum::<f64>() > 0.0).then_some(Weights { weight, sampled })
    }

    /// Time `f`'s edges to other functions can still hand out.
    fn undrawn(&self, f: usize) -> f64 {
        let edges = self.graph.out[f].iter().zip(&self.edge_left[f]);
        edges.filter(|(e, _)| e.callee != f).map(|(_, &left)| left.max(0.0)).sum()
    }

    /// Marks the functions on the path to `node` (its own included) with `node`. True when the
    /// node's function is also on the path above it.
    fn mark_path(&mut self, node: usize) -> bool {
        let own = self.tree.nodes[node].function;
        let mut nested = false;
        let mut at = self.tree.nodes[node].parent;
        while let Some(i) = at {
            if let Some(f) = self.tree.nodes[i].function {
                self.mark[f] = node;
                nested |= Some(f) == own;
            }
            at = self.tree.nodes[i].parent;
        }
        if let Some(f) = own {
            self.mark[f] = node;
        }
        nested
    }
}

/// `part / whole`, 0 when there is no whole, at most 1.
fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        (part / whole).clamp(0.0, 1.0)
    } else {
        0.0
    }
}
