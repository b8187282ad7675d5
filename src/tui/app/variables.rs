//! The Variables pane's state: watches, locals and globals as a lazily loaded tree.
//!
//! Children are fetched when a node is expanded and paged ("show more"); a node's identity is its
//! path of names, so expansion survives a step and values that changed since the last stop can
//! be marked.

use std::collections::{HashMap, HashSet};

use crate::session::{values, EvalResult, VarRef, Variable, VariableGroup, VariablePage};

/// One value in the tree.
#[derive(Debug, Clone)]
pub struct VarNode {
    pub var: Variable,
    /// `Locals/x/[0]`: stable across stops.
    pub path: String,
    pub expanded: bool,
    /// Loaded children (possibly the first pages only).
    pub children: Vec<VarNode>,
    /// How many children exist; `None` until the first page arrives.
    pub total: Option<usize>,
    pub loading: bool,
    pub changed: bool,
}

impl VarNode {
    fn new(var: Variable, parent: &str, previous: &HashMap<String, String>) -> VarNode {
        let path = format!("{parent}/{}", var.name);
        let changed = previous.get(&path).is_some_and(|old| *old != var.value);
        VarNode { var, path, expanded: false, children: Vec::new(), total: None, loading: false, changed }
    }

    pub fn expandable(&self) -> bool {
        self.var.children != 0
    }

    fn has_more(&self) -> bool {
        self.total.is_some_and(|t| self.children.len() < t)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Watches,
    Locals,
    Globals,
}

impl SectionKind {
    pub fn title(self) -> &'static str {
        match self {
            SectionKind::Watches => "Watches",
            SectionKind::Locals => "Locals",
            SectionKind::Globals => "Globals",
        }
    }
}

/// A watch expression and its latest value.
#[derive(Debug, Clone)]
pub struct Watch {
    pub expression: String,
    pub result: Option<Result<EvalResult, String>>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub kind: SectionKind,
    pub reference: VarRef,
    pub expanded: bool,
    pub root: VarNode,
}

/// A visible row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    WatchesHeader,
    Section(usize),
    Watch(usize),
    /// A node: section index and child indices down the tree.
    Node(usize, Vec<usize>),
    /// "show more" under the node at this position (empty path: the section's root).
    More(usize, Vec<usize>),
}

#[derive(Debug, Default)]
pub struct VariablesState {
    pub watches: Vec<Watch>,
    pub watches_expanded: bool,
    pub sections: Vec<Section>,
    pub selected: usize,
    pub scroll: usize,
    /// Paths expanded by the user, re-expanded at the next stop.
    expanded_paths: HashSet<String>,
    /// Values at the previous stop, by path.
    previous: HashMap<String, String>,
}

impl VariablesState {
    pub fn new() -> Self {
        VariablesState { watches_expanded: true, ..Default::default() }
    }

    /// A new stop: remembers current values for change marking and drops the tree.
    pub fn begin_stop(&mut self) {
        let mut previous = HashMap::new();
        for section in &self.sections {
            collect_values(&section.root, &mut previous);
        }
        if !previous.is_empty() {
            self.previous = previous;
        }
        self.sections.clear();
        for w in &mut self.watches {
            w.result = None;
        }
    }

    /// The program runs again: values are stale.
    pub fn clear(&mut self) {
        self.begin_stop();
    }

    /// Installs the scopes of the selected frame. Returns the references to fetch now.
    pub fn set_scopes(&mut self, scopes: &[(SectionKind, VarRef)]) -> Vec<VarRef> {
        self.sections.clear();
        let mut fetch = Vec::new();
        for &(kind, reference) in scopes {
            let root_var = Variable {
                name: kind.title().to_string(),
                value: String::new(),
                truncated: false,
                type_name: None,
                children: reference,
                evaluate_name: None,
                child_count: None,
                group: None,
            };
            let mut root = VarNode::new(root_var, "", &HashMap::new());
            root.path = kind.title().to_string();
            // Locals open by default; globals when the user opened them before.
            let expanded = kind == SectionKind::Locals || self.expanded_paths.contains(&root.path);
            root.expanded = expanded;
            if expanded {
                root.loading = true;
                fetch.push(reference);
            }
            self.sections.push(Section { kind, reference, expanded, root });
        }
        self.selected = self.selected.min(self.rows().len().saturating_sub(1));
        fetch
    }

    /// A page of children arrived. Returns further references to fetch (re-expanded nodes).
    pub fn add_page(&mut self, reference: VarRef, page: VariablePage) -> Vec<VarRef> {
        let previous = std::mem::take(&mut self.previous);
        let mut fetch = Vec::new();
        for section in &mut self.sections {
            if let Some(node) = find_by_ref(&mut section.root, reference) {
                node.loading = false;
                node.total = Some(page.total);
                for var in page.variables {
                    // Dunder groups are noise in a tree view; debugpy's member groups are kept as nodes.
                    if var.group == Some(VariableGroup::Special) {
                        node.total = node.total.map(|t| t.saturating_sub(1));
                        continue;
                    }
                    let mut child = VarNode::new(var, &node.path, &previous);
                    if child.expandable() && self.expanded_paths.contains(&child.path) {
                        child.expanded = true;
                        child.loading = true;
                        fetch.push(child.var.children);
                    }
                    node.children.push(child);
                }
                break;
            }
        }
        self.previous = previous;
        fetch
    }

    /// Visible rows, top to bottom.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if !self.watches.is_empty() {
            rows.push(Row::WatchesHeader);
            if self.watches_expanded {
                rows.extend((0..self.watches.len()).map(Row::Watch));
            }
        }
        for (i, section) in self.sections.iter().enumerate() {
            rows.push(Row::Section(i));
            if section.root.expanded {
                push_children(&section.root, i, &mut Vec::new(), &mut rows);
            }
        }
        rows
    }

    pub fn node(&self, section: usize, path: &[usize]) -> Option<&VarNode> {
        let mut node = &self.sections.get(section)?.root;
        for &i in path {
            node = node.children.get(i)?;
        }
        Some(node)
    }

    fn node_mut(&mut self, section: usize, path: &[usize]) -> Option<&mut VarNode> {
        let mut node = &mut self.sections.get_mut(section)?.root;
        for &i in path {
            node = node.children.get_mut(i)?;
        }
        Some(node)
    }

    pub fn selected_row(&self) -> Option<Row> {
        self.rows().get(self.selected).cloned()
    }

    pub fn move_selection(&mut self, delta: isize) {
        let n = self.rows().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, n as isize - 1) as usize;
    }

    pub fn select_last(&mut self) {
        self.selected = self.rows().len().saturating_sub(1);
    }

    /// Expands or collapses the selected row (or loads more). Returns `(reference, start)` to fetch.
    pub fn toggle(&mut self, open: Option<bool>) -> Option<(VarRef, usize)> {
        match self.selected_row()? {
            Row::WatchesHeader => {
                self.watches_expanded = open.unwrap_or(!self.watches_expanded);
                None
            }
            Row::Section(i) => self.toggle_node(i, &[], open),
            Row::Node(s, path) => {
                let node = self.node(s, &path)?;
                if !node.expandable() && open != Some(true) {
                    // Collapse on a leaf goes to the parent.
                    if open == Some(false) {
                        self.select_parent();
                    }
                    return None;
                }
                if open == Some(false) && !node.expanded {
                    self.select_parent();
                    return None;
                }
                self.toggle_node(s, &path, open)
            }
            Row::More(s, path) => {
                let node = self.node_mut(s, &path)?;
                if node.loading {
                    return None;
                }
                node.loading = true;
                Some((node.var.children, node.children.len()))
            }
            Row::Watch(_) => None,
        }
    }

    fn toggle_node(&mut self, section: usize, path: &[usize], open: Option<bool>) -> Option<(VarRef, usize)> {
        let node = self.node_mut(section, path)?;
        let expand = open.unwrap_or(!node.expanded);
        if expand == node.expanded || !node.expandable() {
            return None;
        }
        node.expanded = expand;
        let key = node.path.clone();
        let fetch = (expand && node.total.is_none() && !node.loading).then(|| {
            node.loading = true;
            (node.var.children, 0)
        });
        if expand {
            self.expanded_paths.insert(key);
        } else {
            self.expanded_paths.remove(&key);
        }
        if let Some(s) = self.sections.get_mut(section) {
            s.expanded = s.root.expanded;
        }
        fetch
    }

    fn select_parent(&mut self) {
        let rows = self.rows();
        let Some(Row::Node(s, path)) = rows.get(self.selected).cloned() else { return };
        let parent = &path[..path.len().saturating_sub(1)];
        let target = if parent.is_empty() { Row::Section(s) } else { Row::Node(s, parent.to_vec()) };
        if let Some(i) = rows.iter().position(|r| *r == target) {
            self.selected = i;
        }
    }

    /// The selected variable, for viewing or setting its value.
    pub fn selected_variable(&self) -> Option<(&VarNode, VarRef)> {
        match self.selected_row()? {
            Row::Node(s, path) => {
                let node = self.node(s, &path)?;
                let parent = self.node(s, &path[..path.len() - 1])?;
                Some((node, parent.var.children))
            }
            _ => None,
        }
    }

    /// Updates a value after a successful set.
    pub fn set_value(&mut self, parent: VarRef, name: &str, result: &EvalResult) {
        for section in &mut self.sections {
            if let Some(node) = find_by_ref(&mut section.root, parent) {
                if let Some(child) = node.children.iter_mut().find(|c| c.var.name == name) {
                    child.var.value = result.value.clone();
                    child.var.truncated = result.truncated;
                    child.changed = true;
                }
                return;
            }
        }
    }

    pub fn add_watch(&mut self, expression: String) -> usize {
        self.watches.push(Watch { expression, result: None });
        self.watches_expanded = true;
        self.watches.len() - 1
    }
}

fn push_children(node: &VarNode, section: usize, path: &mut Vec<usize>, rows: &mut Vec<Row>) {
    for (i, child) in node.children.iter().enumerate() {
        path.push(i);
        rows.push(Row::Node(section, path.clone()));
        if child.expanded {
            push_children(child, section, path, rows);
        }
        path.pop();
    }
    if node.has_more() || (node.loading && node.total.is_some()) {
        rows.push(Row::More(section, path.clone()));
    }
}

fn find_by_ref(node: &mut VarNode, reference: VarRef) -> Option<&mut VarNode> {
    if node.var.children == reference {
        return Some(node);
    }
    node.children.iter_mut().find_map(|c| find_by_ref(c, reference))
}

fn collect_values(node: &VarNode, out: &mut HashMap<String, String>) {
    for child in &node.children {
        out.insert(child.path.clone(), child.var.value.clone());
        collect_values(child, out);
    }
}

/// How many children to ask for at a time.
pub const PAGE: usize = values::DEFAULT_PAGE_SIZE;
