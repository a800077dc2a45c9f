//! PDF objects (ISO 32000-1 §7.3) as this crate reads and writes them, and their serialisation.
//!
//! Reals keep their source text so a rewritten dictionary says exactly what the old one said;
//! strings are written as hex strings (`<…>`), names with `#xx` escapes where needed.

use std::fmt::Write as _;

/// An object number and generation.
pub type ObjId = (u32, u16);

/// A direct PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Null,
    Bool(bool),
    Int(i64),
    /// A real number, as written in the file.
    Real(Vec<u8>),
    /// A name without its `/`, `#xx` escapes decoded.
    Name(Vec<u8>),
    /// A literal or hex string, decoded.
    Str(Vec<u8>),
    Array(Vec<Object>),
    Dict(Dict),
    /// A stream: its dictionary and its raw (still encoded) data.
    Stream(Dict, Vec<u8>),
    Ref(ObjId),
}

/// A dictionary in file order (ISO 32000-1 §7.3.7); later duplicates are ignored on read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict(pub Vec<(Vec<u8>, Object)>);

impl Dict {
    pub fn new() -> Self {
        Dict(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Object> {
        self.0
            .iter()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v)
    }

    /// Sets `key`, replacing an earlier value in place.
    pub fn set(&mut self, key: &str, value: Object) {
        match self.0.iter_mut().find(|(k, _)| k == key.as_bytes()) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.as_bytes().to_vec(), value)),
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key.as_bytes());
    }

    pub fn name(&self, key: &str) -> Option<&[u8]> {
        match self.get(key) {
            Some(Object::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// Whether `key` is the name `value`.
    pub fn is(&self, key: &str, value: &str) -> bool {
        self.name(key) == Some(value.as_bytes())
    }

    /// The dictionary without `keys`, for comparing two dictionaries except there.
    pub fn without(&self, keys: &[&str]) -> Dict {
        let mut d = self.clone();
        for k in keys {
            d.remove(k);
        }
        d
    }
}

impl Object {
    pub fn name(n: &str) -> Object {
        Object::Name(n.as_bytes().to_vec())
    }

    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) | Object::Stream(d, _) => Some(d),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Object::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_ref_id(&self) -> Option<ObjId> {
        match self {
            Object::Ref(id) => Some(*id),
            _ => None,
        }
    }

    /// Appends the serialisation of `self` to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Object::Null => out.extend_from_slice(b"null"),
            Object::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Object::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Object::Real(r) => out.extend_from_slice(r),
            Object::Name(n) => write_name(n, out),
            Object::Str(s) => write_hex_string(s, out),
            Object::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Object::Dict(d) => write_dict(d, out),
            Object::Stream(d, data) => {
                let mut d = d.clone();
                d.set("Length", Object::Int(data.len() as i64));
                write_dict(&d, out);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream");
            }
            Object::Ref((n, g)) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        }
    }
}

pub fn write_dict(d: &Dict, out: &mut Vec<u8>) {
    out.extend_from_slice(b"<<");
    for (i, (k, v)) in d.0.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        write_name(k, out);
        out.push(b' ');
        v.write(out);
    }
    out.extend_from_slice(b">>");
}

fn is_regular(c: u8) -> bool {
    (b'!'..=b'~').contains(&c) && !b"()<>[]{}/%#".contains(&c)
}

pub fn write_name(n: &[u8], out: &mut Vec<u8>) {
    out.push(b'/');
    for &c in n {
        if is_regular(c) {
            out.push(c);
        } else {
            out.extend_from_slice(format!("#{c:02X}").as_bytes());
        }
    }
}

pub fn write_hex_string(s: &[u8], out: &mut Vec<u8>) {
    let mut h = String::with_capacity(2 + 2 * s.len());
    h.push('<');
    for b in s {
        let _ = write!(h, "{b:02X}");
    }
    h.push('>');
    out.extend_from_slice(h.as_bytes());
}

/// A PDF text string (ISO 32000-1 §7.9.2.2): PDFDocEncoding for ASCII, else UTF-16BE with BOM.
pub fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        Object::Str(s.as_bytes().to_vec())
    } else {
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::Str(b)
    }
}

/// Decodes a PDF text string: UTF-16BE with BOM, UTF-8 with BOM, else PDFDocEncoding (read
/// as Latin-1, which agrees on the printable ASCII range).
pub fn decode_text(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(rest) = b.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        b.iter().map(|&c| c as char).collect()
    }
}
