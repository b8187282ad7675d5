//! A key and its modifiers in normal form, and its text form (`"Ctrl-Shift-F5"`, `"n"`, `"PgDn"`)
//! that the config file and the help overlay share. Terminals disagree about modifiers (Shift
//! with a letter, Shift-Tab as BackTab), so every combination, parsed or pressed, is stored the
//! same way (see [`KeyCombo::new`]) and lookups compare like with like.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with its modifiers, in normal form (see [`KeyCombo::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
pub(super) const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
pub(super) const CTRL: KeyModifiers = KeyModifiers::CONTROL;

impl KeyCombo {
    /// `code` with `modifiers`, normalised so that everything a terminal may send for one key
    /// compares equal:
    ///
    /// - A character already says whether Shift was held (`J`, `?`), and terminals differ on
    ///   whether they also report SHIFT, so SHIFT is dropped from characters (a lowercase letter
    ///   reported with SHIFT becomes uppercase).
    /// - Ctrl with a letter is case-insensitive: most terminals send the same byte for Ctrl-g and
    ///   Ctrl-Shift-g, and crossterm reports it as lowercase `g` with CONTROL.
    /// - Shift-Tab is `BackTab`, which crossterm reports with SHIFT; the SHIFT is dropped.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> KeyCombo {
        let mut modifiers = modifiers;
        let code = match code {
            KeyCode::Char(c) if modifiers.contains(CTRL) && c.is_ascii_alphabetic() => {
                modifiers.remove(SHIFT);
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::Char(c) => {
                let c = if modifiers.contains(SHIFT) { single_uppercase(c) } else { c };
                modifiers.remove(SHIFT);
                KeyCode::Char(c)
            }
            KeyCode::BackTab => {
                modifiers.remove(SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if modifiers.contains(SHIFT) => {
                modifiers.remove(SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeyCombo { code, modifiers }
    }

    /// The combination of a key event (its kind and state do not matter here).
    pub fn from_event(key: &KeyEvent) -> KeyCombo {
        KeyCombo::new(key.code, key.modifiers)
    }

    /// A printable character with no modifier: what a text prompt takes as typing.
    pub fn is_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(c) if !c.is_control()) && self.modifiers.is_empty()
    }

    pub(super) const fn plain(code: KeyCode) -> KeyCombo {
        KeyCombo { code, modifiers: NONE }
    }

    pub(super) const fn char(c: char) -> KeyCombo {
        KeyCombo::plain(KeyCode::Char(c))
    }

    pub(super) const fn with(modifiers: KeyModifiers, code: KeyCode) -> KeyCombo {
        KeyCombo { code, modifiers }
    }
}

impl From<KeyEvent> for KeyCombo {
    fn from(key: KeyEvent) -> KeyCombo {
        KeyCombo::from_event(&key)
    }
}

/// The uppercase of `c` when it is one character (`ß` stays `ß` rather than becoming `SS`).
fn single_uppercase(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

impl fmt::Display for KeyCombo {
    /// The config-file form: modifiers in the order Ctrl, Alt, Shift, then the key's name or the
    /// character itself. `FromStr` reads it back to the same combination.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (flag, name) in [
            (KeyModifiers::CONTROL, "Ctrl-"),
            (KeyModifiers::ALT, "Alt-"),
            (KeyModifiers::SHIFT, "Shift-"),
            (KeyModifiers::SUPER, "Super-"),
            (KeyModifiers::HYPER, "Hyper-"),
            (KeyModifiers::META, "Meta-"),
        ] {
            if self.modifiers.contains(flag) {
                f.write_str(name)?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            // Ctrl-letters are case-insensitive; the uppercase reads better ("Ctrl-G").
            KeyCode::Char(c) if self.modifiers.contains(CTRL) && c.is_ascii_alphabetic() => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) if c.is_control() => write!(f, "{}", c.escape_default()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            // What users call it; reads back as BackTab.
            KeyCode::BackTab if self.modifiers.contains(SHIFT) => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            // Keys a config cannot name (media keys, Caps Lock…): crossterm's own name.
            other => write!(f, "{other:?}"),
        }
    }
}

/// Why a string is not a key; the message is meant for the user ("unknown modifier \"Ctlr\"…").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyParseError(String);

impl fmt::Display for KeyParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyParseError {}

/// The names `FromStr` accepts besides single characters and `F1`..`F24`, lowercase.
const KEY_NAMES: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pageup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("pgdown", KeyCode::PageDown),
    ("pagedown", KeyCode::PageDown),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("ins", KeyCode::Insert),
    ("backspace", KeyCode::Backspace),
];

fn modifier(name: &str) -> Option<KeyModifiers> {
    match name.to_ascii_lowercase().as_str() {
        "ctrl" | "control" | "c" => Some(KeyModifiers::CONTROL),
        // Terminals send Meta as Alt (an Esc prefix), so Emacs's M- means Alt here.
        "alt" | "meta" | "m" => Some(KeyModifiers::ALT),
        "shift" | "s" => Some(KeyModifiers::SHIFT),
        _ => None,
    }
}

fn key_name(name: &str) -> Option<KeyCode> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let lower = name.to_ascii_lowercase();
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=24).contains(n)) {
        // "F05" is not a name anyone writes; insist on the plain form so Display round-trips.
        if lower == format!("f{n}") {
            return Some(KeyCode::F(n));
        }
    }
    KEY_NAMES.iter().find(|(n, _)| *n == lower).map(|(_, code)| *code)
}

impl FromStr for KeyCombo {
    type Err = KeyParseError;

    /// Reads `[Ctrl-][Alt-][Shift-]key`: modifiers case-insensitive (`C-`, `M-`, `S-` too), then
    /// a key name, case-insensitive (`F5`, `PgDn`, `Enter`…), or one character, case-sensitive
    /// (`J` is not `j`).
    fn from_str(text: &str) -> Result<KeyCombo, KeyParseError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyParseError("an empty string is not a key".into()));
        }
        let mut modifiers = NONE;
        let mut rest = text;
        // A `-` with something on both sides separates a modifier; "-" and "Ctrl--" are the
        // minus key.
        while let Some((head, tail)) = rest.split_once('-').filter(|(h, t)| !h.is_empty() && !t.is_empty()) {
            match modifier(head) {
                Some(m) => {
                    modifiers |= m;
                    rest = tail;
                }
                None => {
                    return Err(KeyParseError(format!("unknown modifier {head:?} (use Ctrl, Alt, Shift)")));
                }
            }
        }
        let Some(code) = key_name(rest) else {
            return Err(KeyParseError(format!(
                "unknown key {rest:?} (use one character, F1..F12, or a name: Enter, Esc, Tab, BackTab, Space, Up, \
                 Down, Left, Right, Home, End, PgUp, PgDn, Delete, Insert, Backspace)"
            )));
        };
        if modifiers.contains(SHIFT) && !modifiers.contains(CTRL) {
            if let KeyCode::Char(c) = code {
                if !c.is_alphabetic() {
                    // The terminal sends the shifted character itself, and which one that is
                    // depends on the keyboard layout.
                    let name = if c == ' ' { "Space".to_string() } else { c.to_string() };
                    return Err(KeyParseError(format!(
                        "Shift-{name} cannot be told apart from {name}: write the character Shift makes \
                         instead (\"?\" rather than \"Shift-/\")"
                    )));
                }
            }
        }
        Ok(KeyCombo::new(code, modifiers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_and_case_rules() {
        let parse = |s: &str| s.parse::<KeyCombo>();
        assert_eq!(parse("J").unwrap(), KeyCombo::char('J'));
        assert_ne!(parse("J").unwrap(), parse("j").unwrap());
        assert_eq!(parse("Shift-j").unwrap(), KeyCombo::char('J'));
        assert_eq!(parse("ctrl-G").unwrap(), parse("Ctrl-g").unwrap());
        assert_eq!(parse("C-S-g").unwrap(), parse("Ctrl-g").unwrap());
        assert_eq!(parse("Shift-Tab").unwrap(), KeyCombo::plain(KeyCode::BackTab));
        assert_eq!(parse("-").unwrap(), KeyCombo::char('-'));
        assert_eq!(parse("Ctrl--").unwrap(), KeyCombo::with(CTRL, KeyCode::Char('-')));
        assert_eq!(parse("M-x").unwrap(), KeyCombo::with(KeyModifiers::ALT, KeyCode::Char('x')));
        assert_eq!(parse(" pagedown ").unwrap(), KeyCombo::plain(KeyCode::PageDown));
        assert!(parse("Shift-1").unwrap_err().to_string().contains("Shift-1"));
        assert!(parse("F25").is_err());
        assert!(parse("F05").is_err());
        assert!(parse("").is_err());
        assert!(parse("Ctrl-").is_err());
    }
}
