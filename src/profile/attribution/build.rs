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

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::graph::Graph;
use super::{CallTree, Node, NodeKind};
use crate::profile::folded;
use crate::profile::pstats::Profile;

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
            self.add_frame(0, NodeKind::Function, Some(f), time, calls, true, share);
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
        let measured = self.tree.nodes[node].measured;
        let budget = time * (1.0 - self.self_share[node]);
        let recursive = self.graph.recursive[f];
        let cumulative = self.profile.functions[f].figures.cumulative_time;
        let out_total = self.graph.out_total[f];
        // A frame nested in a frame of its own function (an import's `exec` inside the script's)
        // stands for the inner calls only: it takes what the outer frames left, largest first.
        let mut left = budget;
        let (mut built, mut other, mut refused) = (0.0, 0.0, 0.0);
        for i in 0..edges {
            if left <= 0.0 {
                break;
            }
            let edge = self.graph.out[f][i];
            let g = edge.callee;
            // Recursion is folded: its time stays with this frame. A cycle is followed again
            // only where the outer frames left some of the callee's own edges undrawn (the
            // script's `exec` inside the profiler's, an import's inside the script's): that frame
            // then draws only what nothing else has.
            if g == f || (self.mark[g] == node && self.undrawn(g) < self.floor) {
                continue;
            }
            let want = if !recursive {
                ratio(edge.cumulative, out_total) * budget
            } else if nested {
                // What the outer frames left, largest first.
                let function_left = if self.mark[g] == node { f64::INFINITY } else { self.function_left[g] };
                left.min(self.edge_left[f][i]).min(function_left)
            } else {
                // Callees of a recursive function, largest first, until the frame is full: the
                // figures count calls from every level, and the small ones are mostly inner.
                ratio(edge.cumulative, cumulative) * time
            }
            .min(left);
            if want <= 0.0 {
                continue;
            }
            left -= want;
            // A callee already on the path adds nothing to its own width (the outer frame holds
            // it): only the edge's budget applies.
            let on_path = self.mark[g] == node;
            let function_left = if on_path { f64::INFINITY } else { self.function_left[g] };
            let give = want.min(self.edge_left[f][i]).min(function_left).max(0.0);
            refused += want - give;
            self.edge_left[f][i] -= give;
            if !on_path {
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
            if self.add_frame(node, NodeKind::Function, Some(g), give, calls, measured && whole_edge, share) {
                built += give;
            } else {
                other += give;
            }
        }
        // In a recursive function, what the budgets refuse was drawn at another level: it stays
        // with this frame. Elsewhere it cannot be placed, and says so.
        if recursive {
            refused = 0.0;
        }
        let other_built = self.add_synthetic(node, NodeKind::Other, other);
        let refused_built = self.add_synthetic(node, NodeKind::Unattributed, refused);
        let n = &mut self.tree.nodes[node];
        n.self_time = time - built - other_built - refused_built;
        // Callees too small even for "(other)" stay in the frame's self time.
        n.folded_time = other - other_built + refused - refused_built;
        true
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
        measured: bool,
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
            measured,
            folded_time: 0.0,
            depth,
        });
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
        let measured = kind == NodeKind::Other && self.tree.nodes[parent].measured;
        if self.add_frame(parent, kind, None, time, 0.0, measured, 1.0) {
            time
        } else {
            0.0
        }
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
