//! The usual pstats file decoded straight from its bytes into a [`Profile`]: cProfile's own
//! layout (a dict from `(file, line, name)` keys to `(cc, nc, tt, ct, callers)` tuples, callers a
//! dict from keys to `(nc, cc, tt, ct)` or to a bare count), without building the general marshal
//! document first. That document costs an arena of every object in the file, and first touching
//! its memory was a good part of the time a conversion took.
//!
//! This path is only about speed. Anything it does not expect (another layout, a caller without
//! an entry of its own, a malformed or truncated file) makes it return `None`, and the file is read
//! by the general path ([`super::marshal`], then [`Profile::from_document`]), which builds the
//! same model and gives the errors. Tests check both paths build equal profiles.

use rustc_hash::FxHashMap;

use super::pstats::{CallerEdge, Figures, Function, FunctionKey, Profile};

const FLAG_REF: u8 = 0x80;

/// Decodes `data` if it has cProfile's layout; `None` sends it to the general path.
pub fn read(data: &[u8]) -> Option<Profile> {
    let mut cursor = Cursor { data, pos: 0, refs: Vec::new() };
    let profile = cursor.profile()?;
    (cursor.pos == data.len()).then_some(profile)
}

/// A function key as it sits in the file: the strings borrow the input. Keys are matched by the
/// addresses of their strings and the line, as [`Profile::from_document`] does (marshal writes
/// each string once and refers back to it).
#[derive(Clone, Copy)]
struct Key<'a> {
    file: &'a str,
    line: i64,
    name: &'a str,
}

impl Key<'_> {
    fn address(&self) -> (usize, i64, usize) {
        (self.file.as_ptr() as usize, self.line, self.name.as_ptr() as usize)
    }
}

/// What a back-reference can stand for here: the values keys and figures are made of.
#[derive(Clone, Copy)]
enum Object<'a> {
    Str(&'a str),
    Int(i64),
    Float(f64),
    Key(Key<'a>),
    /// Anything else (or a container still being read): a reference to it is not the usual
    /// layout.
    Other,
}

impl Object<'_> {
    /// As [`super::marshal::Value::as_f64`], for the finite numbers figures must be.
    fn number(self) -> Option<f64> {
        match self {
            Object::Int(i) => Some(i as f64),
            Object::Float(f) => Some(f),
            _ => None,
        }
        .filter(|v| v.is_finite())
    }
}

/// A caller edge read before its caller's entry (keys are resolved to entries by address).
struct LaterEdge {
    callee: usize,
    /// Its index among the callee's callers.
    edge: usize,
    caller: (usize, i64, usize),
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// Objects flagged for reference, in order (see `marshal`: a container takes its slot before
    /// its contents).
    refs: Vec<Object<'a>>,
}

impl<'a> Cursor<'a> {
    fn profile(&mut self) -> Option<Profile> {
        self.container_start(b'{')?;
        // Room for more entries than the file can hold (an entry takes well over 40 bytes): the
        // vector never moves while it fills, and capacity never touched costs nothing.
        let mut functions: Vec<Function> = Vec::with_capacity(self.data.len() / 40 + 1);
        let mut by_address: FxHashMap<(usize, i64, usize), usize> = FxHashMap::default();
        // Edges whose caller's entry comes later in the file: resolved at the end.
        let mut later: Vec<LaterEdge> = Vec::new();
        while !self.dict_end() {
            let key = self.key()?;
            let callee = functions.len();
            if by_address.insert(key.address(), callee).is_some() {
                return None; // the same key twice: not something cProfile writes
            }
            let line = u32::try_from(key.line).ok()?;
            self.container_start(b'(').filter(|&n| n == 5)?;
            let [cc, nc, tt, ct] = [self.number()?, self.number()?, self.number()?, self.number()?];
            self.container_start(b'{')?;
            let mut callers = Vec::new();
            while !self.dict_end() {
                let address = self.key()?.address();
                let (figures, timed) = self.edge()?;
                let caller = by_address.get(&address).copied().unwrap_or_else(|| {
                    later.push(LaterEdge { callee, edge: callers.len(), caller: address });
                    usize::MAX
                });
                callers.push(CallerEdge { caller, figures, timed });
            }
            functions.push(Function {
                key: FunctionKey { file: key.file.to_string(), line, name: key.name.to_string() },
                figures: Figures { primitive_calls: cc, calls: nc, self_time: tt, cumulative_time: ct },
                callers,
                callees: Vec::new(),
            });
        }
        for edge in later {
            // A caller without an entry of its own: the general path gives it one.
            functions[edge.callee].callers[edge.edge].caller = *by_address.get(&edge.caller)?;
        }
        for callee in 0..functions.len() {
            for e in 0..functions[callee].callers.len() {
                let caller = functions[callee].callers[e].caller;
                functions[caller].callees.push(callee);
            }
        }
        Some(Profile { functions, samples: None })
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let slice = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(slice)
    }

    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }

    /// The type code of the next object, and its reference slot if it is flagged (filled in by
    /// [`Cursor::remember`]).
    fn code(&mut self) -> Option<(u8, Option<usize>)> {
        let byte = self.byte()?;
        let slot = (byte & FLAG_REF != 0).then(|| {
            self.refs.push(Object::Other);
            self.refs.len() - 1
        });
        Some((byte & !FLAG_REF, slot))
    }

    fn remember(&mut self, slot: Option<usize>, object: Object<'a>) -> Object<'a> {
        if let Some(slot) = slot {
            self.refs[slot] = object;
        }
        object
    }

    /// The object a back-reference (after its `r` code) points to.
    fn reference(&mut self) -> Option<Object<'a>> {
        let index = usize::try_from(self.i32()?).ok()?;
        self.refs.get(index).copied()
    }

    /// The start of a tuple (for `(`) or dict (for `{`), giving a tuple's length. Its reference
    /// slot stays `Other`: the usual layout never refers back to these.
    fn container_start(&mut self, kind: u8) -> Option<usize> {
        let (code, _slot) = self.code()?;
        match (kind, code) {
            (b'(', b'(') => usize::try_from(self.i32()?).ok(),
            (b'(', b')') => Some(self.byte()? as usize),
            (b'{', b'{') => Some(0),
            _ => None,
        }
    }

    /// Whether the dict being read ends here (and if so, steps over its terminator).
    fn dict_end(&mut self) -> bool {
        let end = self.data.get(self.pos) == Some(&b'0');
        if end {
            self.pos += 1;
        }
        end
    }

    /// A scalar: a string, an int or a float (or a reference to one, or to a key).
    fn scalar(&mut self) -> Option<Object<'a>> {
        let (code, slot) = self.code()?;
        let object = match code {
            b'r' => return self.reference(),
            b'i' => Object::Int(self.i32()? as i64),
            b'I' => Object::Int(i64::from_le_bytes(self.bytes(8)?.try_into().ok()?)),
            b'g' => Object::Float(f64::from_le_bytes(self.bytes(8)?.try_into().ok()?)),
            b'u' | b't' | b'a' | b'A' => {
                let n = usize::try_from(self.i32()?).ok()?;
                Object::Str(std::str::from_utf8(self.bytes(n)?).ok()?)
            }
            b'z' | b'Z' => {
                let n = self.byte()? as usize;
                Object::Str(std::str::from_utf8(self.bytes(n)?).ok()?)
            }
            _ => return None,
        };
        Some(self.remember(slot, object))
    }

    fn number(&mut self) -> Option<f64> {
        self.scalar()?.number()
    }

    fn string(&mut self) -> Option<&'a str> {
        match self.scalar()? {
            Object::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A `(file, line, name)` key, written out or referred back to.
    fn key(&mut self) -> Option<Key<'a>> {
        let (code, slot) = self.code()?;
        let length = match code {
            b'r' => {
                return match self.reference()? {
                    Object::Key(key) => Some(key),
                    _ => None,
                }
            }
            b'(' => usize::try_from(self.i32()?).ok()?,
            b')' => self.byte()? as usize,
            _ => return None,
        };
        if length != 3 {
            return None;
        }
        let file = self.string()?;
        let Object::Int(line) = self.scalar()? else { return None };
        let name = self.string()?;
        let key = Key { file, line, name };
        self.remember(slot, Object::Key(key));
        Some(key)
    }

    /// One caller's figures: `(nc, cc, tt, ct)` from cProfile, a bare count from `profile`.
    fn edge(&mut self) -> Option<(Figures, bool)> {
        let at = self.pos;
        let (code, _slot) = self.code()?;
        if matches!(code, b'(' | b')') {
            let length = if code == b'(' { usize::try_from(self.i32()?).ok()? } else { self.byte()? as usize };
            if length != 4 {
                return None;
            }
            let [nc, cc, tt, ct] = [self.number()?, self.number()?, self.number()?, self.number()?];
            return Some((Figures { primitive_calls: cc, calls: nc, self_time: tt, cumulative_time: ct }, true));
        }
        // Not a tuple: read it again as a scalar (its flag and slot included).
        self.pos = at;
        self.refs.truncate(self.refs.len() - usize::from(self.data[at] & FLAG_REF != 0));
        match self.scalar()? {
            Object::Int(n) => {
                let n = n as f64;
                Some((Figures { primitive_calls: n, calls: n, self_time: 0.0, cumulative_time: 0.0 }, false))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::marshal;

    fn general(data: &[u8]) -> Result<Profile, String> {
        let document = marshal::read(data).map_err(|e| e.to_string())?;
        Profile::from_document(&document).map_err(|e| e.to_string())
    }

    fn fixtures() -> Vec<(String, Vec<u8>)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/profile/fixtures");
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "prof"))
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        out.sort();
        assert!(out.len() >= 9, "{} fixtures", out.len());
        out
    }

    /// On real cProfile files (CPython 3.8, 3.11, 3.13) the direct path is taken and builds the
    /// same profile as the general one, field for field.
    #[test]
    fn builds_what_the_general_path_builds() {
        for (name, data) in fixtures() {
            let direct = read(&data).unwrap_or_else(|| panic!("{name}: the direct path gave up"));
            assert_eq!(Ok(&direct), general(&data).as_ref(), "{name}");
            assert!(direct.functions.iter().any(|f| !f.callers.is_empty()), "{name}");
        }
    }

    /// Every truncation and many single-byte corruptions of real files: the direct path never
    /// panics, and whenever it answers, the general path agrees.
    #[test]
    fn damaged_files_either_agree_or_go_the_general_way() {
        for (name, data) in fixtures().into_iter().filter(|(_, d)| d.len() < 6000) {
            for end in 0..data.len() {
                if let Some(p) = read(&data[..end]) {
                    assert_eq!(Ok(p), general(&data[..end]), "{name} cut at {end}");
                }
            }
            for at in 0..data.len() {
                for byte in [0x00, 0x29, 0x72, 0x80, 0xe9, 0xff] {
                    let mut damaged = data.clone();
                    damaged[at] = byte;
                    if let Some(p) = read(&damaged) {
                        assert_eq!(Ok(p), general(&damaged), "{name} with {byte:#x} at {at}");
                    }
                }
            }
        }
    }

    /// Layouts it does not handle (here a bare count where cProfile writes a tuple, and a caller
    /// with no entry of its own) are left to the general path, which reads them.
    #[test]
    fn other_layouts_go_the_general_way() {
        // {('a.py', 1, 'f'): (1, 1, 0.5, 0.5, {('b.py', 2, 'g'): 1})}: `g` has no entry.
        let mut data = b"{)\x03z\x04a.pyi\x01\x00\x00\x00z\x01f)\x05".to_vec();
        for n in [1i32, 1] {
            data.push(b'i');
            data.extend_from_slice(&n.to_le_bytes());
        }
        for t in [0.5f64, 0.5] {
            data.push(b'g');
            data.extend_from_slice(&t.to_le_bytes());
        }
        data.extend_from_slice(b"{)\x03z\x04b.pyi\x02\x00\x00\x00z\x01gi\x01\x00\x00\x0000");
        assert!(read(&data).is_none());
        let profile = Profile::parse(&data).unwrap();
        assert_eq!(profile.functions.len(), 2);
        assert_eq!(profile.functions[0].callers[0].caller, 1);
        assert!(!profile.functions[0].callers[0].timed);
    }
}
