//! Keys as a terminal sends them (xterm sequences), for typing into the debugger's own terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The bytes `key` produces in an xterm-like terminal; None for keys that send nothing.
pub fn bytes(key: &KeyEvent) -> Option<Vec<u8>> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let mut out = Vec::new();
    if alt {
        out.push(0x1b);
    }
    match key.code {
        KeyCode::Char(c) if ctrl => {
            let upper = c.to_ascii_uppercase();
            match upper {
                '@'..='_' => out.push(upper as u8 - b'@'),
                ' ' => out.push(0),
                _ => return None,
            }
        }
        KeyCode::Char(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        KeyCode::Enter => out.push(b'\r'),
        KeyCode::Tab => out.push(b'\t'),
        KeyCode::BackTab => out.extend_from_slice(b"\x1b[Z"),
        KeyCode::Backspace => out.push(0x7f),
        KeyCode::Esc => out.push(0x1b),
        KeyCode::Up => out.extend_from_slice(b"\x1b[A"),
        KeyCode::Down => out.extend_from_slice(b"\x1b[B"),
        KeyCode::Right => out.extend_from_slice(b"\x1b[C"),
        KeyCode::Left => out.extend_from_slice(b"\x1b[D"),
        KeyCode::Home => out.extend_from_slice(b"\x1b[H"),
        KeyCode::End => out.extend_from_slice(b"\x1b[F"),
        KeyCode::Delete => out.extend_from_slice(b"\x1b[3~"),
        KeyCode::Insert => out.extend_from_slice(b"\x1b[2~"),
        KeyCode::PageUp => out.extend_from_slice(b"\x1b[5~"),
        KeyCode::PageDown => out.extend_from_slice(b"\x1b[6~"),
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_xterm_bytes() {
        let key = |code, modifiers| bytes(&KeyEvent::new(code, modifiers));
        assert_eq!(key(KeyCode::Char('n'), KeyModifiers::NONE), Some(b"n".to_vec()));
        assert_eq!(key(KeyCode::Char('é'), KeyModifiers::NONE), Some("é".as_bytes().to_vec()));
        assert_eq!(key(KeyCode::Enter, KeyModifiers::NONE), Some(b"\r".to_vec()));
        assert_eq!(key(KeyCode::Char('d'), KeyModifiers::CONTROL), Some(vec![4]));
        assert_eq!(key(KeyCode::Char('u'), KeyModifiers::CONTROL), Some(vec![0x15]));
        assert_eq!(key(KeyCode::Up, KeyModifiers::NONE), Some(b"\x1b[A".to_vec()));
        assert_eq!(key(KeyCode::Char('b'), KeyModifiers::ALT), Some(b"\x1bb".to_vec()));
        assert_eq!(key(KeyCode::F(5), KeyModifiers::NONE), None);
    }
}
