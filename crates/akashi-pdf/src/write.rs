//! Incremental updates (ISO 32000-1 §7.5.6): the original bytes unchanged, then the new and
//! changed objects, a cross-reference section for them only, and a trailer whose `/Prev` is
//! the previous `startxref`:
//!
//! ```text
//! N 0 obj … endobj                  % each new or replaced object
//! xref                              % classic table, when the previous section is one
//! N 1
//! 0000012345 00000 n\r\n
//! trailer
//! << /Size … /Root … /Prev … [/Info …] [/ID …] >>
//! startxref
//! …
//! %%EOF
//! ```
//!
//! When the previous section is an xref stream (§7.5.8), the update's section is one too
//! (`/Type /XRef /W [1 w 2] /Index […]`, unfiltered), so the file never becomes a hybrid.

use std::collections::BTreeMap;

use crate::object::{write_dict, Dict, ObjId, Object};
use crate::xref::Document;

/// The objects of one incremental update, serialised in object-number order on `finish`.
pub struct Update<'d, 'a> {
    doc: &'d Document<'a>,
    objects: BTreeMap<u32, (u16, Vec<u8>)>,
    next: u32,
}

/// The updated file and, per written object number, the offset of its body (after
/// `N G obj\n`).
pub struct Written {
    pub pdf: Vec<u8>,
    pub bodies: BTreeMap<u32, usize>,
}

impl<'d, 'a> Update<'d, 'a> {
    pub fn new(doc: &'d Document<'a>) -> Self {
        Update {
            doc,
            objects: BTreeMap::new(),
            next: doc.size().max(1),
        }
    }

    /// A fresh object number.
    pub fn alloc(&mut self) -> ObjId {
        let id = (self.next, 0);
        self.next = self.next.saturating_add(1);
        id
    }

    /// Writes (or replaces) object `id` with `obj`.
    pub fn put(&mut self, id: ObjId, obj: &Object) {
        let mut body = Vec::new();
        obj.write(&mut body);
        self.put_raw(id, body);
    }

    /// Writes object `id` with an already serialised body.
    pub fn put_raw(&mut self, id: ObjId, body: Vec<u8>) {
        self.objects.insert(id.0, (id.1, body));
    }

    pub fn finish(mut self) -> Written {
        let data = self.doc.data;
        let mut pdf = Vec::with_capacity(data.len() + 4096);
        pdf.extend_from_slice(data);
        if !matches!(pdf.last(), Some(b'\n' | b'\r')) {
            pdf.push(b'\n');
        }
        let mut offsets = BTreeMap::new();
        let mut bodies = BTreeMap::new();
        for (n, (g, body)) in &self.objects {
            offsets.insert(*n, (pdf.len(), *g));
            pdf.extend_from_slice(format!("{n} {g} obj\n").as_bytes());
            bodies.insert(*n, pdf.len());
            pdf.extend_from_slice(body);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let mut trailer = Dict::new();
        for key in ["Root", "Info", "ID"] {
            if let Some(v) = self.doc.trailer.get(key) {
                trailer.set(key, v.clone());
            }
        }
        trailer.set("Prev", Object::Int(self.doc.startxref as i64));
        let xref_at = pdf.len();
        if self.doc.last_is_stream {
            let (n, _) = self.alloc();
            offsets.insert(n, (xref_at, 0));
            let size = self.doc.size().max(self.next);
            let width = (usize::BITS - xref_at.leading_zeros()).div_ceil(8).max(1) as usize;
            let mut rows = Vec::new();
            let mut index = Vec::new();
            for run in runs(&offsets) {
                index.push(Object::Int(i64::from(run[0].0)));
                index.push(Object::Int(run.len() as i64));
                for (_, (off, g)) in run {
                    rows.push(1u8);
                    rows.extend_from_slice(&(off as u64).to_be_bytes()[8 - width..]);
                    rows.extend_from_slice(&g.to_be_bytes());
                }
            }
            let mut d = Dict::new();
            d.set("Type", Object::name("XRef"));
            d.set("Size", Object::Int(i64::from(size)));
            d.set("Index", Object::Array(index));
            let w = [1, width as i64, 2].map(Object::Int).to_vec();
            d.set("W", Object::Array(w));
            d.0.extend(trailer.0);
            pdf.extend_from_slice(format!("{n} 0 obj\n").as_bytes());
            Object::Stream(d, rows).write(&mut pdf);
            pdf.extend_from_slice(b"\nendobj\n");
        } else {
            pdf.extend_from_slice(b"xref\n");
            for run in runs(&offsets) {
                pdf.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
                for (_, (off, g)) in run {
                    pdf.extend_from_slice(format!("{off:010} {g:05} n\r\n").as_bytes());
                }
            }
            let size = self.doc.size().max(self.next);
            trailer.set("Size", Object::Int(i64::from(size)));
            trailer.0.rotate_right(1);
            pdf.extend_from_slice(b"trailer\n");
            write_dict(&trailer, &mut pdf);
            pdf.push(b'\n');
        }
        pdf.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
        Written { pdf, bodies }
    }
}

/// The entries grouped into runs of consecutive object numbers (xref subsections).
fn runs(offsets: &BTreeMap<u32, (usize, u16)>) -> Vec<Vec<(u32, (usize, u16))>> {
    let mut out: Vec<Vec<(u32, (usize, u16))>> = Vec::new();
    for (n, e) in offsets {
        match out.last_mut() {
            Some(run)
                if run
                    .last()
                    .is_some_and(|(p, _)| p.checked_add(1) == Some(*n)) =>
            {
                run.push((*n, *e))
            }
            _ => out.push(vec![(*n, *e)]),
        }
    }
    out
}
