//! The PDF object syntax (ISO 32000-1 §7.2 lexical conventions, §7.3 objects): a bounded,
//! recursive-descent reader that never panics and reports the byte offset of what it refuses.

use crate::object::{Dict, ObjId, Object};
use crate::PdfError;

/// Nesting deeper than this (arrays in dictionaries in …) is refused.
const MAX_DEPTH: usize = 64;

pub fn is_ws(c: u8) -> bool {
    matches!(c, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

pub fn is_delim(c: u8) -> bool {
    b"()<>[]{}/%".contains(&c)
}

/// A cursor over the file (or a decoded object stream).
pub struct Lexer<'a> {
    pub data: &'a [u8],
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Lexer { data, pos }
    }

    pub fn err(&self, what: &'static str) -> PdfError {
        PdfError::Syntax {
            offset: self.pos as u64,
            what,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Skips white space and comments.
    pub fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if is_ws(c) {
                self.pos += 1;
            } else if c == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// The next run of regular characters (a keyword or number), after white space.
    pub fn token(&mut self) -> &'a [u8] {
        self.skip_ws();
        let start = self.pos;
        while let Some(c) = self.peek() {
            if is_ws(c) || is_delim(c) {
                break;
            }
            self.pos += 1;
        }
        &self.data[start..self.pos]
    }

    pub fn expect(&mut self, keyword: &'static str) -> Result<(), PdfError> {
        let at = self.pos;
        if self.token() == keyword.as_bytes() {
            Ok(())
        } else {
            self.pos = at;
            self.skip_ws();
            Err(self.err(keyword))
        }
    }

    /// An unsigned integer token, or an error naming `what`.
    pub fn uint(&mut self, what: &'static str) -> Result<u64, PdfError> {
        self.skip_ws();
        let at = self.pos;
        let t = self.token();
        parse_uint(t).ok_or(PdfError::Syntax {
            offset: at as u64,
            what,
        })
    }

    /// Tries `N G R` after an integer `n` was read; restores the position if it is not one.
    fn try_ref(&mut self, n: i64) -> Option<ObjId> {
        let save = self.pos;
        let found = (|| {
            let num = u32::try_from(n).ok()?;
            let g = parse_uint(self.token())?;
            let gen = u16::try_from(g).ok()?;
            (self.token() == b"R").then_some((num, gen))
        })();
        if found.is_none() {
            self.pos = save;
        }
        found
    }

    pub fn object(&mut self) -> Result<Object, PdfError> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_DEPTH {
            return Err(self.err("objects nested too deeply"));
        }
        self.skip_ws();
        let c = self
            .peek()
            .ok_or_else(|| self.err("object expected, end of data"))?;
        match c {
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => {
                Ok(Object::Dict(self.dict_at_depth(depth)?))
            }
            b'<' => self.hex_string().map(Object::Str),
            b'(' => self.literal_string().map(Object::Str),
            b'/' => self.name().map(Object::Name),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => return Err(self.err("unterminated array")),
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Object::Array(items));
                        }
                        Some(_) => items.push(self.object_at_depth(depth + 1)?),
                    }
                }
            }
            _ => {
                let at = self.pos;
                let t = self.token();
                match t {
                    b"true" => Ok(Object::Bool(true)),
                    b"false" => Ok(Object::Bool(false)),
                    b"null" => Ok(Object::Null),
                    _ if t.contains(&b'.') && is_number(t) => Ok(Object::Real(t.to_vec())),
                    _ if is_number(t) => {
                        let n = std::str::from_utf8(t)
                            .ok()
                            .and_then(|s| s.parse::<i64>().ok())
                            .ok_or(PdfError::Syntax {
                                offset: at as u64,
                                what: "integer out of range",
                            })?;
                        Ok(match self.try_ref(n) {
                            Some(id) => Object::Ref(id),
                            None => Object::Int(n),
                        })
                    }
                    _ => {
                        self.pos = at;
                        Err(self.err("object expected"))
                    }
                }
            }
        }
    }

    pub fn dict(&mut self) -> Result<Dict, PdfError> {
        self.dict_at_depth(0)
    }

    fn dict_at_depth(&mut self, depth: usize) -> Result<Dict, PdfError> {
        self.skip_ws();
        if !self.data[self.pos.min(self.data.len())..].starts_with(b"<<") {
            return Err(self.err("dictionary expected"));
        }
        self.pos += 2;
        let mut d = Dict::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(self.err("unterminated dictionary")),
                Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Ok(d);
                }
                Some(b'/') => {
                    let k = self.name()?;
                    let v = self.object_at_depth(depth + 1)?;
                    if !d.0.iter().any(|(key, _)| *key == k) {
                        d.0.push((k, v));
                    }
                }
                Some(_) => return Err(self.err("name expected as dictionary key")),
            }
        }
    }

    /// The top-level entries of the dictionary here with the byte span of each value, for
    /// locating `/Contents` and `/ByteRange` of a signature dictionary in the file.
    pub fn dict_spans(&mut self) -> Result<Vec<(Vec<u8>, usize, usize)>, PdfError> {
        self.skip_ws();
        if !self.data[self.pos.min(self.data.len())..].starts_with(b"<<") {
            return Err(self.err("dictionary expected"));
        }
        self.pos += 2;
        let mut spans = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                None => return Err(self.err("unterminated dictionary")),
                Some(b'>') if self.data.get(self.pos + 1) == Some(&b'>') => return Ok(spans),
                Some(b'/') => {
                    let k = self.name()?;
                    self.skip_ws();
                    let start = self.pos;
                    self.object_at_depth(1)?;
                    spans.push((k, start, self.pos));
                }
                Some(_) => return Err(self.err("name expected as dictionary key")),
            }
        }
    }

    fn name(&mut self) -> Result<Vec<u8>, PdfError> {
        self.pos += 1; // '/'
        let mut n = Vec::new();
        while let Some(c) = self.peek() {
            if is_ws(c) || is_delim(c) {
                break;
            }
            if c == b'#' {
                let h = self.data.get(self.pos + 1..self.pos + 3);
                match h.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()) {
                    Some(b) => {
                        n.push(b);
                        self.pos += 3;
                        continue;
                    }
                    None => return Err(self.err("bad #xx escape in name")),
                }
            }
            n.push(c);
            self.pos += 1;
        }
        Ok(n)
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, PdfError> {
        self.pos += 1; // '<'
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let c = self
                .peek()
                .ok_or_else(|| self.err("unterminated hex string"))?;
            self.pos += 1;
            let v = match c {
                b'>' => break,
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ if is_ws(c) => continue,
                _ => {
                    self.pos -= 1;
                    return Err(self.err("non-hex digit in hex string"));
                }
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        Ok(out)
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, PdfError> {
        self.pos += 1; // '('
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let c = self.peek().ok_or_else(|| self.err("unterminated string"))?;
            self.pos += 1;
            match c {
                b'(' => {
                    depth += 1;
                    out.push(c);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(c);
                }
                b'\\' => {
                    let e = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
    }
}

fn is_number(t: &[u8]) -> bool {
    let digits = t.iter().filter(|c| c.is_ascii_digit()).count();
    let body = t.strip_prefix(b"+").or(t.strip_prefix(b"-")).unwrap_or(t);
    digits > 0
        && body.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && body.iter().filter(|c| **c == b'.').count() <= 1
}

pub fn parse_uint(t: &[u8]) -> Option<u64> {
    if t.is_empty() || t.len() > 19 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(t).ok()?.parse().ok()
}
