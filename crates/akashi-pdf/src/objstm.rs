//! Decoded xref streams (ISO 32000-1 §7.5.8: rows of `/W` fields for the `/Index` ranges)
//! and object streams (§7.5.7: `/N` pairs of object number and offset, then the objects
//! from `/First`).

use crate::lexer::Lexer;
use crate::object::{Dict, Object};
use crate::xref::Entry;
use crate::PdfError;

fn xref_err(offset: usize, what: &'static str) -> PdfError {
    PdfError::Xref {
        offset: offset as u64,
        what,
    }
}

pub(crate) fn xref_stream_entries(
    dict: &Dict,
    data: &[u8],
    off: usize,
) -> Result<Vec<(u32, Entry)>, PdfError> {
    let ints = |k: &str| -> Option<Vec<u64>> {
        match dict.get(k) {
            Some(Object::Array(a)) => a
                .iter()
                .map(|o| o.as_int().and_then(|i| u64::try_from(i).ok()))
                .collect(),
            _ => None,
        }
    };
    let w = ints("W").filter(|w| w.len() == 3 && w.iter().all(|x| *x <= 8));
    let w = w.ok_or(xref_err(off, "bad /W"))?;
    let size = dict
        .get("Size")
        .and_then(Object::as_int)
        .and_then(|s| u64::try_from(s).ok());
    let index = match ints("Index") {
        Some(i) if i.len() % 2 == 0 => i,
        Some(_) => return Err(xref_err(off, "bad /Index")),
        None => vec![0, size.ok_or(xref_err(off, "xref stream without /Size"))?],
    };
    let width = (w[0] + w[1] + w[2]) as usize;
    if width == 0 {
        return Err(xref_err(off, "/W is all zero"));
    }
    let field = |b: &[u8]| b.iter().fold(0u64, |acc, x| acc << 8 | u64::from(*x));
    let mut rows = data.chunks_exact(width);
    let mut entries = Vec::new();
    for pair in index.chunks(2) {
        for i in 0..pair[1] {
            let row = rows
                .next()
                .ok_or(xref_err(off, "xref stream shorter than /Index"))?;
            let n = u32::try_from(pair[0] + i).map_err(|_| xref_err(off, "object number"))?;
            let (a, rest) = row.split_at(w[0] as usize);
            let (b, c) = rest.split_at(w[1] as usize);
            let kind = if w[0] == 0 { 1 } else { field(a) };
            let (b, c) = (field(b), field(c));
            let e = match kind {
                0 => Entry::Free,
                1 => Entry::Offset(
                    usize::try_from(b).map_err(|_| xref_err(off, "offset"))?,
                    u16::try_from(c).map_err(|_| xref_err(off, "generation"))?,
                ),
                2 => Entry::InStream(
                    u32::try_from(b).map_err(|_| xref_err(off, "object stream number"))?,
                    u32::try_from(c).map_err(|_| xref_err(off, "object stream index"))?,
                ),
                _ => continue, // §7.5.8.3: unknown types are references to null
            };
            entries.push((n, e));
        }
    }
    Ok(entries)
}

/// Object `num` at `index` in a decoded object stream (§7.5.7: `N` pairs, then objects at
/// `/First` + offset).
pub(crate) fn object_in_stream(
    dict: &Dict,
    data: &[u8],
    num: u32,
    index: u32,
) -> Result<Object, PdfError> {
    let bad = |what: &'static str| PdfError::Syntax { offset: 0, what };
    let n = dict
        .get("N")
        .and_then(Object::as_int)
        .ok_or(bad("object stream without /N"))?;
    let first = dict
        .get("First")
        .and_then(Object::as_int)
        .and_then(|f| usize::try_from(f).ok());
    let first = first.ok_or(bad("object stream without /First"))?;
    if i64::from(index) >= n {
        return Err(bad("object stream index beyond /N"));
    }
    let mut lx = Lexer::new(data, 0);
    for _ in 0..index {
        lx.uint("object stream header")?;
        lx.uint("object stream header")?;
    }
    let found = lx.uint("object stream header")?;
    let rel = lx.uint("object stream header")?;
    if found != u64::from(num) {
        return Err(bad("object stream holds another object at this index"));
    }
    let at = usize::try_from(rel).ok().and_then(|r| r.checked_add(first));
    let at = at
        .filter(|a| *a < data.len())
        .ok_or(bad("object stream offset out of range"))?;
    Lexer::new(data, at).object()
}
