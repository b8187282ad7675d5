//! TEMPORARY stub
use ratatui::widgets::{Block, Borders, Paragraph};
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GutterMark {
    Breakpoint,
    Conditional,
    HitCondition,
    Logpoint,
    Disabled,
    Unverified,
}
pub fn render(
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    pane: &crate::tui::source::SourcePane,
    _marks: &std::collections::HashMap<usize, GutterMark>,
    _theme: &crate::tui::theme::Theme,
    _focused: bool,
) {
    frame.render_widget(Paragraph::new(pane.title().to_string()).block(Block::default().borders(Borders::ALL)), area);
}
