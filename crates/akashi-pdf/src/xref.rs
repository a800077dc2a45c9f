//! Cross-reference sections (ISO 32000-1 §7.5.4 tables, §7.5.8 streams, §7.5.7 object
//! streams) and the document they index: the newest entry for each object wins, sections are
//! followed through `/Prev` (and `/XRefStm` of hybrid files) with cycle detection.

use std::collections::{BTreeMap, HashSet};

use crate::filter;
use crate::lexer::{parse_uint, Lexer};
use crate::object::{Dict, ObjId, Object};
use crate::objstm::{object_in_stream, xref_stream_entries};
use crate::PdfError;

/// Where an object lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Free,
    /// Byte offset of `N G obj` and the generation.
    Offset(usize, u16),
    /// In object stream number `.0`, at index `.1`.
    InStream(u32, u32),
}

/// At most this many xref sections are followed.
const MAX_SECTIONS: usize = 10_000;
/// At most this many references are followed to reach one object.
const MAX_DEPTH: usize = 8;

/// One cross-reference section: its entries, its trailer (the stream dictionary for an xref
/// stream), and whether it is a stream.
type Section = (Vec<(u32, Entry)>, Dict, bool);

/// A PDF file as its newest xref section sees it.
pub struct Document<'a> {
    pub data: &'a [u8],
    pub xref: BTreeMap<u32, Entry>,
    pub trailer: Dict,
    /// Offset of the newest xref section.
    pub startxref: usize,
    /// Whether the newest section is an xref stream.
    pub last_is_stream: bool,
}

fn xref_err(offset: usize, what: &'static str) -> PdfError {
    PdfError::Xref {
        offset: offset as u64,
        what,
    }
}

/// The offset after the last `startxref` keyword of `data`.
pub fn find_startxref(data: &[u8]) -> Result<usize, PdfError> {
    let tail_start = data.len().saturating_sub(2048);
    let tail = &data[tail_start..];
    let at = tail
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or(xref_err(data.len(), "no startxref"))?;
    let mut lx = Lexer::new(data, tail_start + at + 9);
    let off = lx.uint("startxref offset")?;
    usize::try_from(off)
        .ok()
        .filter(|o| *o < data.len())
        .ok_or(xref_err(
            tail_start + at,
            "startxref beyond the end of the file",
        ))
}

impl<'a> Document<'a> {
    /// Reads the xref sections of `data`, newest first.
    pub fn load(data: &'a [u8]) -> Result<Self, PdfError> {
        let startxref = find_startxref(data)?;
        let mut doc = Document {
            data,
            xref: BTreeMap::new(),
            trailer: Dict::new(),
            startxref,
            last_is_stream: false,
        };
        let mut visited = HashSet::new();
        let mut next = Some(startxref);
        let mut first = true;
        while let Some(off) = next {
            if !visited.insert(off) || visited.len() > MAX_SECTIONS {
                return Err(xref_err(off, "xref sections form a cycle"));
            }
            let (entries, trailer, is_stream) = doc.section(off)?;
            doc.merge(entries);
            if !is_stream {
                if let Some(stm) = trailer.get("XRefStm").and_then(Object::as_int) {
                    let stm = usize::try_from(stm).map_err(|_| xref_err(off, "bad /XRefStm"))?;
                    if visited.insert(stm) {
                        let (entries, _, _) = doc.section(stm)?;
                        doc.merge(entries);
                    }
                }
            }
            next = match trailer.get("Prev") {
                None => None,
                Some(Object::Int(p)) => {
                    Some(usize::try_from(*p).map_err(|_| xref_err(off, "bad /Prev"))?)
                }
                Some(_) => return Err(xref_err(off, "/Prev is not an integer")),
            };
            if first {
                doc.trailer = trailer;
                doc.last_is_stream = is_stream;
                first = false;
            }
        }
        if doc.trailer.get("Encrypt").is_some() {
            return Err(PdfError::Unsupported("encrypted PDF"));
        }
        Ok(doc)
    }

    fn merge(&mut self, entries: Vec<(u32, Entry)>) {
        for (n, e) in entries {
            if n != 0 {
                self.xref.entry(n).or_insert(e);
            }
        }
    }

    /// One xref section at `off`: its entries, its trailer, whether it is a stream.
    fn section(&self, off: usize) -> Result<Section, PdfError> {
        if off >= self.data.len() {
            return Err(xref_err(off, "xref offset beyond the end of the file"));
        }
        let mut lx = Lexer::new(self.data, off);
        if lx.token() == b"xref" {
            let mut entries = Vec::new();
            loop {
                let at = lx.pos;
                let t = lx.token();
                if t == b"trailer" {
                    break;
                }
                let start = parse_uint(t).ok_or(xref_err(at, "xref subsection expected"))?;
                let count = lx.uint("xref subsection count")?;
                for i in 0..count {
                    let n = u32::try_from(start + i).map_err(|_| xref_err(at, "object number"))?;
                    let o = lx.uint("xref entry offset")?;
                    let g = lx.uint("xref entry generation")?;
                    let at = lx.pos;
                    let e = match lx.token() {
                        b"n" => Entry::Offset(
                            usize::try_from(o).map_err(|_| xref_err(at, "offset"))?,
                            u16::try_from(g).map_err(|_| xref_err(at, "generation"))?,
                        ),
                        b"f" => Entry::Free,
                        _ => return Err(xref_err(at, "xref entry type is not n or f")),
                    };
                    entries.push((n, e));
                }
            }
            let trailer = lx.dict()?;
            return Ok((entries, trailer, false));
        }
        let (_, obj) = self.parse_indirect(off, None, 0)?;
        let Object::Stream(dict, raw) = obj else {
            return Err(xref_err(off, "neither an xref table nor an xref stream"));
        };
        if !dict.is("Type", "XRef") {
            return Err(xref_err(off, "stream is not /Type /XRef"));
        }
        let data = filter::decode(&dict, &raw)?;
        Ok((xref_stream_entries(&dict, &data, off)?, dict, true))
    }

    /// Parses `N G obj … endobj` at `off`; for a stream, `/Length` may be indirect.
    fn parse_indirect(
        &self,
        off: usize,
        expect: Option<ObjId>,
        depth: usize,
    ) -> Result<(ObjId, Object), PdfError> {
        let mut lx = Lexer::new(self.data, off);
        let n = lx.uint("object number")?;
        let g = lx.uint("generation")?;
        lx.expect("obj")?;
        let id = (
            u32::try_from(n).map_err(|_| lx.err("object number out of range"))?,
            u16::try_from(g).map_err(|_| lx.err("generation out of range"))?,
        );
        if expect.is_some_and(|e| e != id) {
            return Err(PdfError::Syntax {
                offset: off as u64,
                what: "xref points at another object",
            });
        }
        let obj = lx.object()?;
        let Object::Dict(dict) = obj else {
            return Ok((id, obj));
        };
        if lx.token() != b"stream" {
            return Ok((id, Object::Dict(dict)));
        }
        // §7.3.8.1: `stream` is followed by CRLF or LF.
        if self.data.get(lx.pos) == Some(&b'\r') {
            lx.pos += 1;
        }
        if self.data.get(lx.pos) == Some(&b'\n') {
            lx.pos += 1;
        }
        let start = lx.pos;
        let declared = match dict.get("Length") {
            Some(Object::Int(l)) => usize::try_from(*l).ok(),
            Some(Object::Ref(r)) if depth < MAX_DEPTH => self
                .object_at(*r, depth + 1)?
                .as_int()
                .and_then(|l| usize::try_from(l).ok()),
            _ => None,
        };
        let fits = declared.filter(|l| {
            let end = start.saturating_add(*l);
            let mut after = Lexer::new(self.data, end.min(self.data.len()));
            end <= self.data.len() && after.token() == b"endstream"
        });
        let end = match fits {
            Some(l) => start + l,
            None => {
                let rel = self.data[start..]
                    .windows(9)
                    .position(|w| w == b"endstream")
                    .ok_or(lx.err("stream without endstream"))?;
                let mut end = start + rel;
                if end > start && self.data[end - 1] == b'\n' {
                    end -= 1;
                }
                if end > start && self.data[end - 1] == b'\r' {
                    end -= 1;
                }
                end
            }
        };
        Ok((id, Object::Stream(dict, self.data[start..end].to_vec())))
    }

    /// Object `id` (ISO 32000-1 §7.3.10: a reference to a free or missing object is null).
    pub fn object(&self, id: ObjId) -> Result<Object, PdfError> {
        self.object_at(id, 0)
    }

    fn object_at(&self, id: ObjId, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_DEPTH {
            return Err(PdfError::Structure("references nested too deeply".into()));
        }
        match self.xref.get(&id.0) {
            None | Some(Entry::Free) => Ok(Object::Null),
            Some(Entry::Offset(off, gen)) => {
                if *gen != id.1 {
                    return Ok(Object::Null);
                }
                if *off >= self.data.len() {
                    return Err(xref_err(*off, "object offset beyond the end of the file"));
                }
                Ok(self.parse_indirect(*off, Some(id), depth)?.1)
            }
            Some(Entry::InStream(stm, index)) => {
                if id.1 != 0 {
                    return Ok(Object::Null);
                }
                let Object::Stream(dict, raw) = self.object_at((*stm, 0), depth + 1)? else {
                    return Err(PdfError::Structure(format!(
                        "object stream {stm} is missing"
                    )));
                };
                if !dict.is("Type", "ObjStm") {
                    return Err(PdfError::Structure(format!(
                        "{stm} is not an object stream"
                    )));
                }
                let data = filter::decode(&dict, &raw)?;
                object_in_stream(&dict, &data, id.0, *index)
            }
        }
    }

    /// `o`, with references followed.
    pub fn resolve(&self, o: &Object) -> Result<Object, PdfError> {
        let mut cur = o.clone();
        for _ in 0..MAX_DEPTH {
            match cur {
                Object::Ref(id) => cur = self.object(id)?,
                other => return Ok(other),
            }
        }
        Err(PdfError::Structure("chain of references too long".into()))
    }

    /// The dictionary `o` is (or refers to), or an error saying it is not `what`.
    pub fn dict(&self, o: &Object, what: &str) -> Result<Dict, PdfError> {
        match self.resolve(o)? {
            Object::Dict(d) => Ok(d),
            _ => Err(PdfError::Structure(format!("{what} is not a dictionary"))),
        }
    }

    pub fn root_id(&self) -> Result<ObjId, PdfError> {
        self.trailer
            .get("Root")
            .and_then(Object::as_ref_id)
            .ok_or(PdfError::Structure("trailer has no /Root reference".into()))
    }

    pub fn catalog(&self) -> Result<Dict, PdfError> {
        self.dict(&Object::Ref(self.root_id()?), "the catalog")
    }

    /// The next free object number: /Size, or above every number in use.
    pub fn size(&self) -> u32 {
        let from_xref = self
            .xref
            .keys()
            .next_back()
            .map_or(1, |n| n.saturating_add(1));
        let declared = self
            .trailer
            .get("Size")
            .and_then(Object::as_int)
            .unwrap_or(0);
        from_xref.max(u32::try_from(declared).unwrap_or(0))
    }

    /// The page objects in order (ISO 32000-1 §7.7.3 page tree), with cycle detection.
    pub fn pages(&self) -> Result<Vec<ObjId>, PdfError> {
        let root = self.catalog()?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![root.get("Pages").cloned().unwrap_or(Object::Null)];
        while let Some(node) = stack.pop() {
            let id = node
                .as_ref_id()
                .ok_or(PdfError::Structure("page tree node is not indirect".into()))?;
            if !seen.insert(id) {
                return Err(PdfError::Structure("page tree has a cycle".into()));
            }
            let d = self.dict(&node, "a page tree node")?;
            if d.is("Type", "Page") || d.get("Kids").is_none() {
                out.push(id);
                continue;
            }
            match self.resolve(d.get("Kids").unwrap_or(&Object::Null))? {
                Object::Array(kids) => stack.extend(kids.into_iter().rev()),
                _ => return Err(PdfError::Structure("/Kids is not an array".into())),
            }
        }
        Ok(out)
    }
}
