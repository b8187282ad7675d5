//! The Environment overlay: the debuggee's interpreter, its packages and what is wrong with them
//! (as `pip check` says), and every interpreter on the machine, one of which can become the
//! project's. Drawn from [`EnvPane`] only.

use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::panes::{block, fit};
use crate::tui::app::{App, EnvPane, EnvTab};
use crate::tui::layout::overlay_area;
use crate::tui::theme::{Role, Theme};

/// Rows of problems shown at most (the rest are counted).
const MAX_PROBLEM_ROWS: usize = 6;

pub fn render(frame: &mut Frame, app: &App) {
    let area = overlay_area(frame.area());
    let theme = &app.theme;
    let pane = &app.env;
    frame.render_widget(Clear, area);
    let note =
        if pane.loading { Some("reading…".to_string()) } else { Some("Tab: switch · r: reload · Esc".into()) };
    let outer = block("Environment", note, theme, true);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let width = usize::from(inner.width);
    let mut lines = vec![tabs(pane.tab, theme)];
    match &pane.snapshot {
        None => lines.push(Line::styled("reading the environment…", theme.style(Role::Dim))),
        Some(snapshot) => match pane.tab {
            EnvTab::Packages => match &snapshot.environment {
                Err(e) => lines.push(Line::styled(fit(e, width), theme.style(Role::Error))),
                Ok(env) => {
                    let f = &env.facts;
                    let venv = if f.prefix != f.base_prefix { "  virtual environment" } else { "" };
                    lines.push(Line::from(vec![
                        Span::styled(format!("Python {} ", f.version), theme.style(Role::Title)),
                        Span::styled(
                            fit(&format!("{}{venv}", f.executable.display()), width.saturating_sub(14)),
                            theme.style(Role::Text),
                        ),
                    ]));
                    let site = f.site_packages.first().map(|p| p.display().to_string()).unwrap_or_default();
                    lines.push(Line::styled(fit(&format!("site-packages {site}"), width), theme.style(Role::Dim)));
                    problem_lines(&mut lines, &env.problems, width, theme);
                    install_lines(&mut lines, app, width, theme);
                    lines.push(Line::styled(
                        format!("{} packages", env.installed.packages.len()),
                        theme.style(Role::Title),
                    ));
                    let rows: Vec<Line> = env
                        .installed
                        .packages
                        .iter()
                        .map(|p| {
                            let requested = if p.requested { "requested" } else { "" };
                            let installer = p.installer.as_deref().unwrap_or("-");
                            Line::from(vec![
                                Span::styled(format!("{:<32}", fit(&p.name, 31)), theme.style(Role::VarName)),
                                Span::styled(format!("{:<14}", fit(&p.version, 13)), theme.style(Role::VarValue)),
                                Span::styled(format!("{installer:<6} {requested}"), theme.style(Role::Dim)),
                            ])
                        })
                        .collect();
                    list(&mut lines, rows, pane, inner.height, theme);
                }
            },
            EnvTab::Interpreters => {
                lines.push(Line::styled(
                    "Enter: use the selected interpreter for this project from the next run",
                    theme.style(Role::Dim),
                ));
                let chosen = app.persisted.interpreter.as_ref();
                let rows: Vec<Line> = snapshot
                    .interpreters
                    .iter()
                    .map(|i| {
                        let mark = if chosen == Some(&i.path) { "● " } else { "  " };
                        let mut spans = vec![
                            Span::styled(mark, theme.style(Role::Breakpoint)),
                            Span::styled(
                                format!("{:<9}", i.version.as_deref().unwrap_or("?")),
                                theme.style(Role::VarValue),
                            ),
                            Span::styled(format!("{:<7}", i.kind.as_str()), theme.style(Role::VarType)),
                            Span::styled(
                                fit(&i.path.display().to_string(), width.saturating_sub(18)),
                                theme.style(Role::Text),
                            ),
                        ];
                        if let Some(problem) = &i.problem {
                            spans.push(Span::styled(format!("  ✗ {problem}"), theme.style(Role::Error)));
                        }
                        Line::from(spans)
                    })
                    .collect();
                lines.push(Line::default());
                list(&mut lines, rows, pane, inner.height, theme);
            }
        },
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The project's imports this environment lacks (from the analyzer), and the install in progress
/// or waiting for a yes.
fn install_lines(lines: &mut Vec<Line>, app: &App, width: usize, theme: &Theme) {
    let pane = &app.env;
    if let Some(packages) = &pane.confirm {
        let python = app.facts.interpreter_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        let text = format!(
            "Install {} into {python} with {}?  y: yes · any other key: no",
            packages.join(", "),
            installer_name(app)
        );
        lines.push(Line::styled(fit(&text, width), theme.style(Role::Prompt)));
        return;
    }
    if let Some(status) = &pane.installing {
        lines.push(Line::styled(
            fit(&format!("{}: {status}", installer_name(app)), width),
            theme.style(Role::StatusRunning),
        ));
        return;
    }
    let Some(missing) = app.analysis.snapshot.as_ref().map(|s| &s.missing).filter(|m| !m.is_empty()) else { return };
    let list: Vec<String> = missing.iter().map(|m| format!("{} ({}:{})", m.module, m.shown, m.line)).collect();
    let text = format!("imported but not installed: {}  i: install", list.join(", "));
    lines.push(Line::styled(fit(&text, width), theme.style(Role::Error)));
}

/// The installer the environment would use, as its snapshot said (pip until it is read).
fn installer_name(app: &App) -> &'static str {
    app.env.snapshot.as_ref().and_then(|s| s.installer.as_ref().ok().copied()).unwrap_or("pip")
}

fn tabs(tab: EnvTab, theme: &Theme) -> Line<'static> {
    let style = |on: bool| theme.style(if on { Role::TitleFocused } else { Role::Dim });
    Line::from(vec![
        Span::styled(" Packages ", style(tab == EnvTab::Packages)),
        Span::styled("│", theme.style(Role::Border)),
        Span::styled(" Interpreters ", style(tab == EnvTab::Interpreters)),
    ])
}

fn problem_lines(lines: &mut Vec<Line>, problems: &[crate::pyenv::check::Problem], width: usize, theme: &Theme) {
    if problems.is_empty() {
        lines.push(Line::styled("no broken requirements", theme.style(Role::Dim)));
        return;
    }
    lines.push(Line::styled(
        format!("{} problem{}", problems.len(), if problems.len() == 1 { "" } else { "s" }),
        theme.style(Role::Error),
    ));
    for p in problems.iter().take(MAX_PROBLEM_ROWS) {
        lines.push(Line::styled(fit(&format!("  {}", p.message), width), theme.style(Role::Error)));
    }
    if problems.len() > MAX_PROBLEM_ROWS {
        let more = problems.len() - MAX_PROBLEM_ROWS;
        lines.push(Line::styled(format!("  … {more} more (loupe env check)"), theme.style(Role::Error)));
    }
}

/// The visible window of `rows` under what is already in `lines`, the cursor's row highlighted.
fn list<'a>(lines: &mut Vec<Line<'a>>, rows: Vec<Line<'a>>, pane: &EnvPane, height: u16, theme: &Theme) {
    let room = usize::from(height).saturating_sub(lines.len()).max(1);
    // The cursor stays visible whatever the header took (problems vary).
    let mut start = pane.scroll.min(rows.len().saturating_sub(room));
    if pane.cursor >= start + room {
        start = pane.cursor + 1 - room;
    } else if pane.cursor < start {
        start = pane.cursor;
    }
    for (i, row) in rows.into_iter().enumerate().skip(start).take(room) {
        lines.push(if i == pane.cursor { row.style(theme.style(Role::Selection)) } else { row });
    }
}
