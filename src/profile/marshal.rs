//! A reader for Python's `marshal` format: the subset `pstats` files use (dicts, tuples, lists,
//! strings in all their spellings, ints, longs, floats, None/True/False, and back-references).
//!
//! Written by hand because no maintained crate reads marshal, and the subset is small. Every read
//! is bounds-checked and every length is checked against what is left of the input before anything
//! is allocated, so truncated or hostile input gives an error, never a panic or a huge allocation.
//!
//! Nothing is allocated per object: strings borrow the input, and the contents of every container
//! sit in one arena ([`Document`]), so a back-reference (`FLAG_REF`) is a copy of a small value.

/// A decoded marshal object, borrowing its strings from the input and its container contents
/// from the [`Document`] that holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    None,
    Bool(bool),
    Int(i64),
    /// A long too big for 64 bits: kept only as an approximate float (pstats never needs more).
    BigInt(f64),
    Float(f64),
    Str(&'a str),
    Bytes(&'a [u8]),
    Tuple(Span),
    List(Span),
    /// Keys and values alternate in the span: `len` is twice the number of entries.
    Dict(Span),
}

/// Where a container's contents sit in its document's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Value<'_> {
    /// A short name of the value's type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
        }
    }

    /// The value as a number, if it is one (ints widen to floats: pstats counts and times).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::BigInt(f) | Value::Float(f) => Some(*f),
            Value::Bool(b) => Some(*b as i64 as f64),
            _ => None,
        }
    }
}

/// One decoded marshal object and the arena its containers' contents live in.
#[derive(Debug)]
pub struct Document<'a> {
    root: Value<'a>,
    arena: Vec<Value<'a>>,
}

impl<'a> Document<'a> {
    /// The object the input holds.
    pub fn root(&self) -> Value<'a> {
        self.root
    }

    /// The items of a tuple or list (a dict's keys and values, alternating).
    pub fn items(&self, span: Span) -> &[Value<'a>] {
        &self.arena[span.start as usize..(span.start + span.len) as usize]
    }

    /// A dict's `(key, value)` entries, in file order.
    pub fn entries(&self, span: Span) -> impl ExactSizeIterator<Item = (Value<'a>, Value<'a>)> + Clone + '_ {
        self.items(span).chunks_exact(2).map(|pair| (pair[0], pair[1]))
    }
}

/// Why the input is not valid marshal data. `offset` is where the reader was.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MarshalError {
    #[error("the data ends early, at byte {offset} (the file is truncated or is not a marshal file)")]
    Truncated { offset: usize },
    #[error("unknown marshal type code 0x{code:02x} at byte {offset}")]
    UnknownType { code: u8, offset: usize },
    #[error("marshal object at byte {offset} is {what}, which pstats files never contain")]
    Unsupported { what: &'static str, offset: usize },
    #[error(
        "marshal object at byte {offset} is a code object: the pure-Python `profile` module writes one \
         into its files; profile with cProfile instead (`python -m cProfile -o FILE script.py`)"
    )]
    CodeObject { offset: usize },
    #[error("bad back-reference {index} at byte {offset} (only {available} objects so far)")]
    BadReference { index: i64, available: usize, offset: usize },
    #[error("negative or oversized length {length} at byte {offset}")]
    BadLength { length: i64, offset: usize },
    #[error("string at byte {offset} is not valid UTF-8")]
    BadUtf8 { offset: usize },
    #[error("float text at byte {offset} is not a number")]
    BadFloat { offset: usize },
    #[error("objects nested more than {limit} deep at byte {offset}")]
    TooDeep { limit: usize, offset: usize },
    #[error("{extra} bytes of unexpected data after the object, from byte {offset}")]
    TrailingData { extra: usize, offset: usize },
}

/// Nesting depth beyond which the input is refused (pstats nests 4 deep; this protects the stack).
const MAX_DEPTH: usize = 100;
const FLAG_REF: u8 = 0x80;

/// Reads exactly one marshal object that must span the whole input.
pub fn read(data: &[u8]) -> Result<Document<'_>, MarshalError> {
    // A pstats file holds roughly one object per 4 bytes: size the arena once.
    let mut reader =
        Reader { data, pos: 0, refs: Vec::new(), stack: Vec::new(), arena: Vec::with_capacity(data.len() / 4) };
    let root = reader.object(0)?;
    if reader.pos != data.len() {
        return Err(MarshalError::TrailingData { extra: data.len() - reader.pos, offset: reader.pos });
    }
    Ok(Document { root, arena: reader.arena })
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Objects flagged for reference, in order; `None` while a container is still being read.
    refs: Vec<Option<Value<'a>>>,
    /// The contents of the dicts being read (their length is not written up front), innermost
    /// last; a finished dict moves its part to the arena in one piece.
    stack: Vec<Value<'a>>,
    arena: Vec<Value<'a>>,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], MarshalError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or(MarshalError::Truncated { offset: self.data.len() })?;
        let slice = &self.data[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, MarshalError> {
        Ok(self.bytes(1)?[0])
    }

    fn i32(&mut self) -> Result<i32, MarshalError> {
        let b = self.bytes(4)?;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A length prefix, checked against the bytes left (each element needs at least `min_size`).
    fn length(&mut self, long: bool, min_size: usize) -> Result<usize, MarshalError> {
        let offset = self.pos;
        let length = if long { self.i32()? as i64 } else { self.u8()? as i64 };
        let left = (self.data.len() - self.pos) as i64;
        if length < 0 || length.saturating_mul(min_size as i64) > left {
            if length >= 0 && length.saturating_mul(min_size as i64) > left && length <= u32::MAX as i64 {
                return Err(MarshalError::Truncated { offset: self.data.len() });
            }
            return Err(MarshalError::BadLength { length, offset });
        }
        Ok(length as usize)
    }

    fn text(&mut self, long: bool) -> Result<&'a str, MarshalError> {
        let n = self.length(long, 1)?;
        let offset = self.pos;
        let raw = self.bytes(n)?;
        std::str::from_utf8(raw).map_err(|_| MarshalError::BadUtf8 { offset })
    }

    /// `n` slots in the arena. Every item of every container takes at least a byte of input, so a
    /// valid file never needs more slots than it has bytes: checking that bounds the memory a
    /// hostile file can make nested containers reserve (to 24 bytes per input byte).
    fn reserve(&mut self, n: usize) -> Result<Span, MarshalError> {
        let offset = self.pos;
        if self.arena.len().saturating_add(n) > self.data.len() {
            return Err(MarshalError::Truncated { offset: self.data.len() });
        }
        let too_big = || MarshalError::BadLength { length: self.arena.len() as i64, offset };
        let at = u32::try_from(self.arena.len()).map_err(|_| too_big())?;
        let len = u32::try_from(n).map_err(|_| too_big())?;
        at.checked_add(len).ok_or_else(too_big)?;
        self.arena.resize(self.arena.len() + n, Value::None);
        Ok(Span { start: at, len })
    }

    /// Moves the contents read since `start` from the stack to the arena.
    fn finish(&mut self, start: usize) -> Result<Span, MarshalError> {
        let offset = self.pos;
        let too_big = || MarshalError::BadLength { length: self.arena.len() as i64, offset };
        let at = u32::try_from(self.arena.len()).map_err(|_| too_big())?;
        let len = u32::try_from(self.stack.len() - start).map_err(|_| too_big())?;
        at.checked_add(len).ok_or_else(too_big)?;
        self.arena.extend(self.stack.drain(start..));
        Ok(Span { start: at, len })
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, MarshalError> {
        let offset = self.pos;
        if depth > MAX_DEPTH {
            return Err(MarshalError::TooDeep { limit: MAX_DEPTH, offset });
        }
        let byte = self.u8()?;
        let flagged = byte & FLAG_REF != 0;
        let code = byte & !FLAG_REF;
        // Containers take their reference slot before their contents, as CPython's reader does,
        // so indices match the writer's.
        let slot = flagged.then(|| {
            self.refs.push(None);
            self.refs.len() - 1
        });
        let value = match code {
            b'N' => Value::None,
            b'T' => Value::Bool(true),
            b'F' => Value::Bool(false),
            b'i' => Value::Int(self.i32()? as i64),
            b'I' => {
                let b = self.bytes(8)?;
                Value::Int(i64::from_le_bytes(b.try_into().expect("8 bytes")))
            }
            b'l' => self.long()?,
            b'g' => {
                let b = self.bytes(8)?;
                Value::Float(f64::from_le_bytes(b.try_into().expect("8 bytes")))
            }
            b'f' => {
                let n = self.length(false, 1)?;
                let at = self.pos;
                let raw = self.bytes(n)?;
                let parsed = std::str::from_utf8(raw).ok().and_then(|s| s.trim().parse::<f64>().ok());
                Value::Float(parsed.ok_or(MarshalError::BadFloat { offset: at })?)
            }
            b'u' | b't' | b'a' | b'A' => Value::Str(self.text(true)?),
            b'z' | b'Z' => Value::Str(self.text(false)?),
            b's' => {
                let n = self.length(true, 1)?;
                Value::Bytes(self.bytes(n)?)
            }
            b'(' | b')' | b'[' => {
                let n = self.length(code != b')', 1)?;
                // The length is known: the items go straight to their slots in the arena
                // (containers inside them take the slots after).
                let items = self.reserve(n)?;
                for slot in 0..n {
                    let item = self.object(depth + 1)?;
                    self.arena[items.start as usize + slot] = item;
                }
                if code == b'[' {
                    Value::List(items)
                } else {
                    Value::Tuple(items)
                }
            }
            b'{' => {
                let start = self.stack.len();
                loop {
                    if self.data.get(self.pos) == Some(&b'0') {
                        self.pos += 1;
                        break;
                    }
                    let key = self.object(depth + 1)?;
                    self.stack.push(key);
                    let value = self.object(depth + 1)?;
                    self.stack.push(value);
                }
                Value::Dict(self.finish(start)?)
            }
            b'r' => {
                let index = self.i32()? as i64;
                let found = usize::try_from(index).ok().and_then(|i| self.refs.get(i).copied().flatten());
                found.ok_or(MarshalError::BadReference { index, available: self.refs.len(), offset })?
            }
            b'0' => return Err(MarshalError::Unsupported { what: "a stray dict terminator", offset }),
            b'c' => return Err(MarshalError::CodeObject { offset }),
            b'<' | b'>' => return Err(MarshalError::Unsupported { what: "a set", offset }),
            b'y' | b'x' => return Err(MarshalError::Unsupported { what: "a complex number", offset }),
            b'S' => return Err(MarshalError::Unsupported { what: "StopIteration", offset }),
            b'.' => return Err(MarshalError::Unsupported { what: "Ellipsis", offset }),
            _ => return Err(MarshalError::UnknownType { code: byte, offset }),
        };
        if let Some(slot) = slot {
            self.refs[slot] = Some(value);
        }
        Ok(value)
    }

    /// A Python int stored as base-2**15 digits, least significant first.
    fn long(&mut self) -> Result<Value<'a>, MarshalError> {
        let offset = self.pos;
        let count = self.i32()? as i64;
        let digits = count.unsigned_abs() as usize;
        if digits.saturating_mul(2) > self.data.len() - self.pos {
            return Err(MarshalError::Truncated { offset: self.data.len() });
        }
        let mut exact: Option<i128> = Some(0);
        let mut approx = 0f64;
        for i in 0..digits {
            let b = self.bytes(2)?;
            let digit = u16::from_le_bytes([b[0], b[1]]);
            if digit >= 1 << 15 {
                return Err(MarshalError::BadLength { length: digit as i64, offset });
            }
            approx += digit as f64 * 32768f64.powi(i as i32);
            exact = exact.and_then(|e| {
                let shift = 15u32.checked_mul(i as u32).filter(|s| *s < 120)?;
                e.checked_add((digit as i128) << shift)
            });
        }
        let sign = if count < 0 { -1 } else { 1 };
        Ok(match exact.and_then(|e| i64::try_from(e * sign as i128).ok()) {
            Some(v) => Value::Int(v),
            None => Value::BigInt(approx * sign as f64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_small_types() {
        let root = |data: &[u8]| read(data).unwrap().root().as_f64();
        assert_eq!(read(b"N").unwrap().root(), Value::None);
        assert_eq!(root(b"i\x05\x00\x00\x00"), Some(5.0));
        assert_eq!(root(b"\xe9\xff\xff\xff\xff"), Some(-1.0));
        assert_eq!(read(b"z\x03abc").unwrap().root(), Value::Str("abc"));
        let float = [&[b'g'][..], &1.5f64.to_le_bytes()].concat();
        assert_eq!(root(&float), Some(1.5));
        // 2**40 as a long: digits 0, 0, 1024 (base 2**15).
        assert_eq!(read(b"l\x03\x00\x00\x00\x00\x00\x00\x00\x00\x04").unwrap().root(), Value::Int(1 << 40));
        assert_eq!(root(b"f\x032.5"), Some(2.5));
    }

    #[test]
    fn containers_keep_their_order_when_nested() {
        // {1: (2, [3]), 4: ()} as marshal writes it.
        let data = b"{i\x01\x00\x00\x00)\x02i\x02\x00\x00\x00[\x01\x00\x00\x00i\x03\x00\x00\x00i\x04\x00\x00\x00)\x000";
        let doc = read(data).unwrap();
        let Value::Dict(dict) = doc.root() else { panic!("{:?}", doc.root()) };
        let entries: Vec<_> = doc.entries(dict).collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].0, Value::Int(1));
        assert_eq!(entries[1].0, Value::Int(4));
        let Value::Tuple(pair) = entries[0].1 else { panic!("{:?}", entries[0].1) };
        let pair = doc.items(pair);
        assert_eq!(pair[0], Value::Int(2));
        let Value::List(list) = pair[1] else { panic!("{:?}", pair[1]) };
        assert_eq!(doc.items(list), &[Value::Int(3)]);
        let Value::Tuple(empty) = entries[1].1 else { panic!("{:?}", entries[1].1) };
        assert!(doc.items(empty).is_empty());
    }

    #[test]
    fn back_references_share_strings_and_containers_reserve_their_slot_first() {
        // A flagged tuple (slot 0) holding a flagged string (slot 1), then a ref to slot 1.
        let data = b")\x02\xfa\x01xr\x01\x00\x00\x00";
        let mut with_flag = data.to_vec();
        with_flag[0] |= FLAG_REF;
        let doc = read(&with_flag).unwrap();
        let Value::Tuple(items) = doc.root() else { panic!("{:?}", doc.root()) };
        let [Value::Str(first), Value::Str(second)] = doc.items(items) else { panic!("{:?}", doc.items(items)) };
        assert_eq!((*first, *second), ("x", "x"));
        // The reference is the same string, not a copy: pstats matches keys by these addresses.
        assert_eq!(first.as_ptr(), second.as_ptr());
    }

    #[test]
    fn errors_say_where_and_what() {
        assert_eq!(read(b"i\x01").unwrap_err(), MarshalError::Truncated { offset: 2 });
        assert_eq!(read(b"Q").unwrap_err(), MarshalError::UnknownType { code: b'Q', offset: 0 });
        assert_eq!(
            read(b"r\x07\x00\x00\x00").unwrap_err(),
            MarshalError::BadReference { index: 7, available: 0, offset: 0 }
        );
        assert_eq!(read(b"NN").unwrap_err(), MarshalError::TrailingData { extra: 1, offset: 1 });
        assert!(matches!(read(b"(\xff\xff\xff\x7f").unwrap_err(), MarshalError::Truncated { .. }));
        assert!(matches!(read(b"(\xff\xff\xff\xff").unwrap_err(), MarshalError::BadLength { length: -1, .. }));
        let deep = [b')', 1].repeat(200);
        assert!(matches!(read(&deep).unwrap_err(), MarshalError::TooDeep { .. }));
        // Nested lists each claiming all the bytes left: refused before they reserve much.
        let mut nested = Vec::new();
        for _ in 0..50 {
            nested.extend_from_slice(b"[\x00\x00\x01\x00");
        }
        nested.resize(70_000, b'N');
        let mut reader = Reader { data: &nested, pos: 0, refs: Vec::new(), stack: Vec::new(), arena: Vec::new() };
        assert!(matches!(reader.object(0).unwrap_err(), MarshalError::Truncated { .. }));
        assert!(reader.arena.len() <= nested.len(), "{} slots reserved", reader.arena.len());
    }
}
