//! From pstats to a call tree: which stacks the time was spent in.
//!
//! cProfile records one level of calling context: for each function, the exact calls and times
//! each of its callers accounts for. Deeper stacks are not recorded and have to be inferred;
//! [`build`] says how, within bounds that keep every function no wider than its own cumulative
//! time and the tree's size proportional to what is drawn. [`graph`] derives what that needs from
//! the figures (recursion, roots, edge times).
//!
//! A frame is *measured* when its time is the profile's own figure (a root, or the whole of an
//! edge under a measured frame); *sampled* when wall-clock stack samples of the same run decided
//! which path its share of cProfile's exact time belongs to (see [`Evidence`]); else *inferred*. Besides functions, a tree has two kinds of
//! synthetic frames: "(other)", the callees of a frame too small to build, and "(unattributed)",
//! time the figures cannot place without drawing a function wider than its cumulative time.

mod build;
mod graph;
#[cfg(test)]
mod tests;

pub use build::Limits;

use super::pstats::Profile;

/// What a frame stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// The synthetic root above all roots.
    Root,
    /// A function of the profile ([`Node::function`]).
    Function,
    /// A frame's callees too small to build, together.
    Other,
    /// Time the profile's figures cannot place without overstating a function.
    Unattributed,
}

impl NodeKind {
    /// How synthetic frames are labelled (functions are labelled by their key).
    pub fn label(self) -> &'static str {
        match self {
            NodeKind::Root => "all",
            NodeKind::Function => "",
            NodeKind::Other => "(other)",
            NodeKind::Unattributed => "(unattributed)",
        }
    }
}

/// How a frame's time is known, most certain first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Evidence {
    /// The profile's own figure: a root, or the whole of an edge under a measured frame.
    Measured,
    /// cProfile's exact time, placed on this path by the run's stack samples (`loupe profile`).
    Sampled,
    /// Split among paths in proportion to the callers' time: an estimate.
    Inferred,
}

impl Evidence {
    /// The word the views use.
    pub fn word(self) -> &'static str {
        match self {
            Evidence::Measured => "measured",
            Evidence::Sampled => "sampled",
            Evidence::Inferred => "inferred",
        }
    }

    /// The less certain of two (what a frame merged from both is).
    pub fn weakest(self, other: Evidence) -> Evidence {
        self.max(other)
    }
}

/// One frame of the call tree: a function along one path from a root.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Index into [`Profile::functions`]; `None` for the synthetic root and synthetic frames.
    pub function: Option<usize>,
    pub kind: NodeKind,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Seconds spent in this function along this path (children excluded; folded frames included).
    pub self_time: f64,
    /// Seconds along this path, children included.
    pub total_time: f64,
    /// Calls along this path (inferred calls are fractional).
    pub calls: f64,
    /// How the frame's time is known (see the module docs).
    pub evidence: Evidence,
    /// Seconds of callees not drawn (below the floor or the threshold) folded into this frame's
    /// self time.
    pub folded_time: f64,
    pub depth: usize,
}

/// A call tree over a [`Profile`]. `nodes[0]` is the synthetic root; children follow parents.
#[derive(Debug, Clone, PartialEq)]
pub struct CallTree {
    pub nodes: Vec<Node>,
}

/// The floor [`CallTree::build`] uses: frames down to a millionth of the total.
pub const BUILD_FLOOR: f64 = 1e-6;

impl CallTree {
    /// The inferred call tree of a whole profile, frames down to [`BUILD_FLOOR`].
    pub fn build(profile: &Profile) -> CallTree {
        CallTree::build_with_floor(profile, BUILD_FLOOR)
    }

    /// [`CallTree::build`], not building frames below `floor` (a fraction of the total).
    pub fn build_with_floor(profile: &Profile, floor: f64) -> CallTree {
        CallTree::build_with_limits(profile, Limits::with_floor(profile, floor))
    }

    /// The inferred call tree within explicit limits.
    pub fn build_with_limits(profile: &Profile, limits: Limits) -> CallTree {
        build::build(profile, limits)
    }

    /// Only what the profile states exactly: `caller;function` stacks weighted by the edge's own
    /// self time, and `function` alone for self time no caller accounts for. No inference at all.
    pub fn exact_edges(profile: &Profile) -> CallTree {
        let graph = graph::Graph::new(profile);
        let mut tree = CallTree { nodes: vec![root_node()] };
        let mut top: Vec<Option<usize>> = vec![None; profile.functions.len()];
        let mut top_of = |tree: &mut CallTree, f: usize| -> usize {
            *top[f].get_or_insert_with(|| tree.push(frame(Some(f), 0, 1, 0.0, 0.0)))
        };
        for (g, function) in profile.functions.iter().enumerate() {
            let edge_self: f64 = function.callers.iter().map(|e| e.figures.self_time).sum();
            let rest =
                if graph.root_inline[g] > 0.0 { graph.root_inline[g] } else { function.figures.self_time - edge_self };
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

    pub(crate) fn push(&mut self, node: Node) -> usize {
        let index = self.nodes.len();
        if let Some(parent) = node.parent {
            self.nodes[parent].children.push(index);
        }
        self.nodes.push(node);
        index
    }

    /// Fills `total_time` from the leaves up (children always come after their parent).
    pub(crate) fn sum_totals(&mut self) {
        for node in &mut self.nodes {
            node.total_time = node.self_time;
        }
        for i in (1..self.nodes.len()).rev() {
            let total = self.nodes[i].total_time;
            let parent = self.nodes[i].parent.expect("only the synthetic root has no parent");
            self.nodes[parent].total_time += total;
        }
    }

    /// The same tree numbered depth first, each frame's children widest first and synthetic
    /// frames last: the order a reader scans it in (search steps through it).
    pub(crate) fn into_preorder(self) -> CallTree {
        let mut old = self.nodes;
        let mut order = Vec::with_capacity(old.len());
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            order.push(i);
            let mut children = std::mem::take(&mut old[i].children);
            children.sort_by(|&a, &b| {
                let synthetic = |n: usize| old[n].function.is_none();
                synthetic(a).cmp(&synthetic(b)).then(old[b].total_time.total_cmp(&old[a].total_time))
            });
            stack.extend(children.iter().rev());
            old[i].children = children;
        }
        let mut new_index = vec![0usize; old.len()];
        for (new, &i) in order.iter().enumerate() {
            new_index[i] = new;
        }
        let mut slots: Vec<Option<Node>> = old.into_iter().map(Some).collect();
        let nodes = order
            .iter()
            .map(|&i| {
                let mut node = slots[i].take().expect("each node is visited once");
                node.parent = node.parent.map(|p| new_index[p]);
                for child in &mut node.children {
                    *child = new_index[*child];
                }
                node
            })
            .collect();
        CallTree { nodes }
    }

    /// The whole tree's time (seconds): the profile's total self time.
    pub fn total(&self) -> f64 {
        self.nodes[0].total_time
    }

    /// Seconds of self time on inferred frames.
    pub fn inferred_time(&self) -> f64 {
        self.time_with(Evidence::Inferred)
    }

    /// Seconds of self time on sampled frames.
    pub fn sampled_time(&self) -> f64 {
        self.time_with(Evidence::Sampled)
    }

    fn time_with(&self, evidence: Evidence) -> f64 {
        self.nodes.iter().filter(|n| n.evidence == evidence).map(|n| n.self_time).fold(0.0, |a, b| a + b)
    }

    /// The share of the total on sampled frames, 0..=1.
    pub fn sampled_share(&self) -> f64 {
        let total = self.total();
        if total > 0.0 {
            self.sampled_time() / total
        } else {
            0.0
        }
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

    /// The frames (node indices) from the top down to `node`, the synthetic root excluded.
    pub fn frames(&self, node: usize) -> Vec<usize> {
        let mut frames = Vec::with_capacity(self.nodes[node].depth);
        let mut at = node;
        while let Some(parent) = self.nodes[at].parent {
            frames.push(at);
            at = parent;
        }
        frames.reverse();
        frames
    }

    /// A frame's label: its function's from `labels` (one per function), or the synthetic
    /// frame's own.
    pub fn label<'a>(&self, node: usize, labels: &'a [String]) -> &'a str {
        let node = &self.nodes[node];
        match node.function {
            Some(f) => &labels[f],
            None => node.kind.label(),
        }
    }

    /// How wide each function is drawn: the time of its outermost frames (a frame inside another
    /// frame of the same function adds nothing), per function of a profile with `functions`
    /// functions. Attribution keeps each within the function's cumulative time.
    pub fn function_widths(&self, functions: usize) -> Vec<f64> {
        let mut widths = vec![0.0; functions];
        // How many frames of each function are on the path to the node being looked at.
        let mut open = vec![0u32; functions];
        // Depth-first with an explicit stack: (node, entering?).
        let mut stack = vec![(0usize, true)];
        while let Some((node, entering)) = stack.pop() {
            let function = self.nodes[node].function;
            if entering {
                if let Some(f) = function {
                    if open[f] == 0 {
                        widths[f] += self.nodes[node].total_time;
                    }
                    open[f] += 1;
                }
                stack.push((node, false));
                stack.extend(self.nodes[node].children.iter().map(|&c| (c, true)));
            } else if let Some(f) = function {
                open[f] -= 1;
            }
        }
        widths
    }

    /// The functions along the path from the top to `node` (the synthetic root and synthetic
    /// frames excluded).
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

fn root_node() -> Node {
    Node {
        function: None,
        kind: NodeKind::Root,
        parent: None,
        children: Vec::new(),
        self_time: 0.0,
        total_time: 0.0,
        calls: 0.0,
        evidence: Evidence::Measured,
        folded_time: 0.0,
        depth: 0,
    }
}

fn frame(function: Option<usize>, parent: usize, depth: usize, self_time: f64, calls: f64) -> Node {
    Node {
        function,
        kind: NodeKind::Function,
        parent: Some(parent),
        children: Vec::new(),
        self_time,
        total_time: 0.0,
        calls,
        evidence: Evidence::Measured,
        folded_time: 0.0,
        depth,
    }
}
