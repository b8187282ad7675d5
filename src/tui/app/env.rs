//! The Environment overlay's state: the debuggee's interpreter with its packages and problems,
//! and every interpreter found, loaded in the background when the session starts (so the overlay
//! opens at once) and again on request.

use std::path::PathBuf;
use std::sync::Arc;

use crate::pyenv::discover::Found;
use crate::pyenv::environment::Environment;

/// What the background load found.
#[derive(Debug, Clone)]
pub struct EnvSnapshot {
    /// The debuggee's environment; an error says why it could not be read.
    pub environment: Result<Environment, String>,
    pub interpreters: Vec<Found>,
    /// What would install packages into it (`uv` or `pip`), or why nothing can.
    pub installer: Result<&'static str, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnvTab {
    #[default]
    Packages,
    Interpreters,
}

#[derive(Debug, Default)]
pub struct EnvPane {
    pub open: bool,
    pub tab: EnvTab,
    /// The selected row of the current tab.
    pub cursor: usize,
    /// The first row shown.
    pub scroll: usize,
    pub snapshot: Option<Arc<EnvSnapshot>>,
    pub loading: bool,
    /// Distributions waiting for the user's yes to be installed.
    pub confirm: Option<Vec<String>>,
    /// What pip is doing, while it runs.
    pub installing: Option<String>,
}

impl EnvPane {
    pub fn rows(&self) -> usize {
        let Some(s) = &self.snapshot else { return 0 };
        match self.tab {
            EnvTab::Packages => s.environment.as_ref().map(|e| e.installed.packages.len()).unwrap_or(0),
            EnvTab::Interpreters => s.interpreters.len(),
        }
    }

    pub fn move_cursor(&mut self, delta: isize, visible: usize) {
        let last = self.rows().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        if self.cursor < self.scroll {
            self.scroll = self.cursor;
        } else if visible > 0 && self.cursor >= self.scroll + visible {
            self.scroll = self.cursor + 1 - visible;
        }
    }

    pub fn switch_tab(&mut self) {
        self.tab = match self.tab {
            EnvTab::Packages => EnvTab::Interpreters,
            EnvTab::Interpreters => EnvTab::Packages,
        };
        self.cursor = 0;
        self.scroll = 0;
    }

    /// The interpreter under the cursor on the Interpreters tab.
    pub fn selected_interpreter(&self) -> Option<&Found> {
        let s = self.snapshot.as_ref()?;
        (self.tab == EnvTab::Interpreters).then(|| s.interpreters.get(self.cursor)).flatten()
    }
}

/// The request that loads (or reloads) the snapshot.
pub fn load_request(interpreter: Option<&PathBuf>, project: &std::path::Path) -> Option<super::Request> {
    interpreter.map(|i| super::Request::LoadEnvironment { interpreter: i.clone(), project: project.to_path_buf() })
}
