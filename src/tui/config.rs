//! TEMPORARY stub
use super::keymap::Keymap;
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub theme: Option<String>,
    pub keymap: Keymap,
    pub mouse: bool,
}
pub fn default_path() -> Option<std::path::PathBuf> {
    None
}
pub fn load(_path: &std::path::Path) -> (Config, Vec<String>) {
    (Config::default(), vec![])
}
