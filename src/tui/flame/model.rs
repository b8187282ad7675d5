//! What the flame view shows, derived from the profile: the call tree under the current view
//! options (inferred or exact-only, library frames shown, collapsed or hidden, pruned), the labels
//! and colours' inputs, and the function table's order. Rebuilt only when an option changes.

use std::collections::HashMap;

use super::library::classify;
use crate::profile::diff::Differential;
use crate::profile::{folded, CallTree, Node, NodeKind, Profile};

/// The profile and everything computed from it once.
pub struct FlameModel {
    pub profile: Profile,
    /// The full inferred tree (unpruned).
    pub inferred: CallTree,
    /// The exact-only tree (caller;callee stacks), built on first use.
    pub exact: Option<CallTree>,
    pub name: String,
    pub threshold: f64,
    pub differential: Option<Differential>,
    /// `name (file.py:line)` per function.
    pub labels: Vec<String>,
    /// Whether each function is library code.
    pub library: Vec<bool>,
    /// Where relative file names in the profile are looked up when they are not found from the
    /// current directory (the pstats file's directory: cProfile records names as they were given).
    pub base_dir: Option<std::path::PathBuf>,
}

impl FlameModel {
    pub fn new(profile: Profile, inferred: CallTree, name: String, threshold: f64) -> FlameModel {
        let labels = profile.functions.iter().map(|f| f.key.short_label()).collect();
        let library = profile.functions.iter().map(|f| classify(&f.key.file).is_some()).collect();
        FlameModel {
            profile,
            inferred,
            exact: None,
            name,
            threshold,
            differential: None,
            labels,
            library,
            base_dir: None,
        }
    }

    pub fn with_base_dir(mut self, dir: Option<std::path::PathBuf>) -> FlameModel {
        self.base_dir = dir;
        self
    }

    /// A function's file as a path that exists, if it can be found (absolute when it was found
    /// under the base directory).
    pub fn source_path(&self, file: &str) -> std::path::PathBuf {
        let path = std::path::PathBuf::from(file);
        if path.is_absolute() || path.exists() {
            return std::path::absolute(&path).unwrap_or(path);
        }
        match &self.base_dir {
            Some(base) if base.join(&path).exists() => base.join(&path),
            _ => path,
        }
    }

    pub fn with_differential(mut self, differential: Differential) -> FlameModel {
        self.differential = Some(differential);
        self
    }
}

/// How library frames are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryMode {
    Show,
    /// A run of nested library frames becomes its outermost frame.
    Collapse,
    /// Library frames vanish; their time goes to the nearest own-code caller.
    Hide,
}

impl LibraryMode {
    pub fn next(self) -> LibraryMode {
        match self {
            LibraryMode::Show => LibraryMode::Collapse,
            LibraryMode::Collapse => LibraryMode::Hide,
            LibraryMode::Hide => LibraryMode::Show,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            LibraryMode::Show => "library shown",
            LibraryMode::Collapse => "library collapsed",
            LibraryMode::Hide => "library hidden",
        }
    }
}

/// The tree to draw for these options.
pub fn view_tree(model: &mut FlameModel, exact_only: bool, mode: LibraryMode) -> CallTree {
    let base = if exact_only {
        model.exact.get_or_insert_with(|| CallTree::exact_edges(&model.profile))
    } else {
        &model.inferred
    };
    let filtered = match mode {
        LibraryMode::Show => base.clone(),
        LibraryMode::Collapse => regroup(base, |tree, i| {
            let node = &tree.nodes[i];
            let own = |n: &Node| n.function.is_none_or(|f| !model.library[f]);
            own(node) || tree.nodes[node.parent.expect("non-root")].function.is_none_or(|f| !model.library[f])
        }),
        LibraryMode::Hide => regroup(base, |tree, i| {
            let node = &tree.nodes[i];
            node.depth <= 1 || node.function.is_none_or(|f| !model.library[f])
        }),
    };
    filtered.pruned(model.threshold)
}

/// A tree where nodes `keep` rejects are merged into their nearest kept ancestor (their self time
/// and calls go there, their children hang there), and siblings of the same function merge.
fn regroup(tree: &CallTree, keep: impl Fn(&CallTree, usize) -> bool) -> CallTree {
    let mut out = CallTree { nodes: vec![tree.nodes[0].clone()] };
    out.nodes[0].children.clear();
    let mut host = vec![0usize; tree.nodes.len()];
    // Siblings merge by function (synthetic frames by kind).
    let mut by_function: HashMap<(usize, Option<usize>, NodeKind), usize> = HashMap::new();
    for i in 1..tree.nodes.len() {
        let node = &tree.nodes[i];
        let parent_host = host[node.parent.expect("non-root")];
        if !keep(tree, i) {
            host[i] = parent_host;
            let target = &mut out.nodes[parent_host];
            target.self_time += node.self_time;
            target.evidence = target.evidence.weakest(node.evidence);
            continue;
        }
        let group = (parent_host, node.function, node.kind);
        let existing = by_function.get(&group).copied();
        host[i] = match existing {
            Some(e) => {
                let target = &mut out.nodes[e];
                target.self_time += node.self_time;
                target.calls += node.calls;
                target.folded_time += node.folded_time;
                target.evidence = target.evidence.weakest(node.evidence);
                e
            }
            None => {
                let mut copy = node.clone();
                copy.parent = Some(parent_host);
                copy.children.clear();
                copy.depth = out.nodes[parent_host].depth + 1;
                let index = out.nodes.len();
                out.nodes[parent_host].children.push(index);
                out.nodes.push(copy);
                by_function.insert(group, index);
                index
            }
        };
    }
    // Totals, children after parents.
    for node in &mut out.nodes {
        node.total_time = node.self_time;
    }
    for i in (1..out.nodes.len()).rev() {
        let total = out.nodes[i].total_time;
        let parent = out.nodes[i].parent.expect("non-root");
        out.nodes[parent].total_time += total;
    }
    out
}

/// Per node of `tree`, the differential's change (fraction of B's total), when there is one.
pub fn node_deltas(model: &FlameModel, tree: &CallTree) -> Vec<f64> {
    let Some(d) = &model.differential else { return Vec::new() };
    let full: Vec<String> =
        (0..model.profile.functions.len()).map(|f| folded::frame_label(&model.profile, f)).collect();
    (0..tree.nodes.len())
        .map(|i| {
            let path: Vec<&str> = tree.frames(i).into_iter().map(|n| tree.label(n, &full)).collect();
            d.delta(&path.join(";"))
        })
        .collect()
}

/// Columns the function table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    SelfTime,
    Cumulative,
    Calls,
    PerCall,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::SelfTime => SortKey::Cumulative,
            SortKey::Cumulative => SortKey::Calls,
            SortKey::Calls => SortKey::PerCall,
            SortKey::PerCall => SortKey::SelfTime,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SortKey::SelfTime => "self",
            SortKey::Cumulative => "cumulative",
            SortKey::Calls => "calls",
            SortKey::PerCall => "per call",
        }
    }
}

/// Function indices in table order (largest first).
pub fn table_order(profile: &Profile, key: SortKey) -> Vec<usize> {
    let value = |f: usize| {
        let fig = profile.functions[f].figures;
        match key {
            SortKey::SelfTime => fig.self_time,
            SortKey::Cumulative => fig.cumulative_time,
            SortKey::Calls => fig.calls,
            SortKey::PerCall => per_call(fig.cumulative_time, fig.calls),
        }
    };
    let mut order: Vec<usize> = (0..profile.functions.len()).collect();
    order.sort_by(|&a, &b| value(b).total_cmp(&value(a)).then(a.cmp(&b)));
    order
}

pub fn per_call(time: f64, calls: f64) -> f64 {
    if calls > 0.0 {
        time / calls
    } else {
        0.0
    }
}
