//! TEMPORARY stub
pub fn render(
    _frame: &mut ratatui::Frame,
    _area: ratatui::layout::Rect,
    _keymap: &crate::tui::keymap::Keymap,
    _theme: &crate::tui::theme::Theme,
    _scroll: u16,
) {
}
pub fn content_rows(_keymap: &crate::tui::keymap::Keymap) -> u16 {
    10
}
