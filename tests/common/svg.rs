//! Turns an emulated terminal screen into an SVG picture, colours included, for the README's
//! screenshots. Runs of cells with the same style become one `<text>` pinned to the cell grid
//! (`textLength`), so box-drawing lines join up whatever monospace font the viewer has.

#![allow(dead_code)]

use std::fmt::Write;

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const FONT: f32 = 14.0;
const DEFAULT_FG: (u8, u8, u8) = (0xd0, 0xd0, 0xd0);
const DEFAULT_BG: (u8, u8, u8) = (0x1c, 0x1c, 0x1c);

#[derive(Clone, Copy, PartialEq)]
struct Style {
    fg: (u8, u8, u8),
    bg: (u8, u8, u8),
    bold: bool,
    italic: bool,
    underline: bool,
}

pub fn screen_to_svg(screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    let width = cols as f32 * CELL_W;
    let height = rows as f32 * CELL_H;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="{FONT}">"#
    );
    let _ = write!(out, r#"<rect width="100%" height="100%" fill="{}"/>"#, hex(DEFAULT_BG));
    for row in 0..rows {
        let mut runs: Vec<(u16, u16, Style, String)> = Vec::new();
        let mut col = 0;
        while col < cols {
            let Some(cell) = screen.cell(row, col) else { break };
            let style = style_of(cell);
            let text = if cell.has_contents() { cell.contents().to_string() } else { " ".to_string() };
            let span = if cell.is_wide() { 2 } else { 1 };
            match runs.last_mut() {
                Some((_, len, s, t)) if *s == style => {
                    *len += span;
                    t.push_str(&text);
                }
                _ => runs.push((col, span, style, text)),
            }
            col += span;
        }
        let y = row as f32 * CELL_H;
        for (start, len, style, text) in &runs {
            let x = *start as f32 * CELL_W;
            let w = *len as f32 * CELL_W;
            if style.bg != DEFAULT_BG {
                let _ =
                    write!(out, r#"<rect x="{x}" y="{y}" width="{w}" height="{CELL_H}" fill="{}"/>"#, hex(style.bg));
            }
            if text.trim().is_empty() {
                continue;
            }
            let baseline = y + CELL_H * 0.78;
            let mut attrs = format!(r#"fill="{}""#, hex(style.fg));
            if style.bold {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if style.italic {
                attrs.push_str(r#" font-style="italic""#);
            }
            if style.underline {
                attrs.push_str(r#" text-decoration="underline""#);
            }
            let _ = write!(
                out,
                r#"<text x="{x}" y="{baseline}" textLength="{w}" lengthAdjust="spacingAndGlyphs" xml:space="preserve" {attrs}>{}</text>"#,
                escape(text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn style_of(cell: &vt100::Cell) -> Style {
    let mut fg = color(cell.fgcolor(), DEFAULT_FG);
    let mut bg = color(cell.bgcolor(), DEFAULT_BG);
    if cell.inverse() {
        std::mem::swap(&mut fg, &mut bg);
    }
    if cell.dim() {
        fg = (fg.0 / 2 + bg.0 / 2, fg.1 / 2 + bg.1 / 2, fg.2 / 2 + bg.2 / 2);
    }
    Style { fg, bg, bold: cell.bold(), italic: cell.italic(), underline: cell.underline() }
}

fn color(c: vt100::Color, default: (u8, u8, u8)) -> (u8, u8, u8) {
    match c {
        vt100::Color::Default => default,
        vt100::Color::Rgb(r, g, b) => (r, g, b),
        vt100::Color::Idx(i) => xterm(i),
    }
}

/// The xterm 256-colour palette.
fn xterm(i: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0x00, 0x00, 0x00),
        (0xcd, 0x31, 0x31),
        (0x0d, 0xbc, 0x79),
        (0xe5, 0xe5, 0x10),
        (0x24, 0x72, 0xc8),
        (0xbc, 0x3f, 0xbc),
        (0x11, 0xa8, 0xcd),
        (0xe5, 0xe5, 0xe5),
        (0x66, 0x66, 0x66),
        (0xf1, 0x4c, 0x4c),
        (0x23, 0xd1, 0x8b),
        (0xf5, 0xf5, 0x43),
        (0x3b, 0x8e, 0xea),
        (0xd6, 0x70, 0xd6),
        (0x29, 0xb8, 0xdb),
        (0xff, 0xff, 0xff),
    ];
    match i {
        0..=15 => BASE[i as usize],
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(i / 36), level((i / 6) % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
