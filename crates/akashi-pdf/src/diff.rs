//! What the revisions after a signature changed, classified the way ISO 32000-1 §12.8.2.2
//! (DocMDP P = 2 "filling in forms … and signing") and ETSI EN 319 142-1 §5.4 (DSS and
//! document timestamps for long-term validation) allow for a signed document:
//!
//! - allowed: the DSS (catalog `/DSS` added or replaced, its dictionaries and streams), new
//!   signature fields and their widgets, new signature and document-timestamp dictionaries,
//!   `/AcroForm /Fields` and page `/Annots` growing by those fields, the catalog changing only
//!   in `/AcroForm` and `/DSS`, cross-reference and object streams;
//! - disallowed: anything else — a page's `/Contents` or `/Resources`, a content stream, the
//!   page tree, other catalog keys, an existing signature dictionary, deleted objects.

use std::collections::{BTreeMap, HashSet};

use crate::inspect::fields;
use crate::object::{Dict, ObjId, Object};
use crate::xref::{Document, Entry};
use crate::PdfError;

/// A change later revisions may make to a signed document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AllowedChange {
    /// The DSS dictionary, its VRI or arrays, or a stream in it.
    Dss { object: ObjId },
    /// A new signature field, its widget, or an object only they use (an appearance).
    SignatureField { object: ObjId },
    /// A new `/Type /Sig` signature dictionary.
    Signature { object: ObjId },
    /// A new `/Type /DocTimeStamp` dictionary.
    DocTimeStamp { object: ObjId },
    /// `/AcroForm` (or its `/Fields` array) grown by new signature fields.
    AcroForm { object: ObjId },
    /// A page (or its `/Annots` array) grown by new signature widgets only.
    PageAnnots { object: ObjId },
    /// The catalog, changed only in `/AcroForm` and `/DSS`.
    Catalog { object: ObjId },
    /// An xref stream or object stream.
    Structure { object: ObjId },
}

/// One changed object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Allowed(AllowedChange),
    Disallowed { object: ObjId, why: String },
}

fn disallowed(object: ObjId, why: &str) -> Change {
    Change::Disallowed {
        object,
        why: why.to_string(),
    }
}

/// What the part of `pdf` after `signed_len` (the end of a signed revision) changed,
/// comparing that revision with the latest, object by object.
pub fn changes_after(pdf: &[u8], signed_len: u64) -> Result<Vec<Change>, PdfError> {
    let cut = usize::try_from(signed_len)
        .ok()
        .filter(|c| *c <= pdf.len())
        .ok_or(PdfError::ByteRange {
            range: [0, signed_len, 0, 0],
            len: pdf.len() as u64,
        })?;
    let old = Document::load(&pdf[..cut])?;
    let new = Document::load(pdf)?;
    let cx = Context::new(&old, &new)?;
    let mut out = BTreeMap::new();
    // Whole-document changes, reported after the per-object ones.
    let mut document = Vec::new();
    if old.root_id()? != cx.root {
        document.push(disallowed(cx.root, "the trailer's /Root changed"));
    }
    if old.pages()? != new.pages()? {
        document.push(disallowed(
            cx.root,
            "pages were added, removed or reordered",
        ));
    }
    let mut added = Vec::new();
    for (n, e) in &new.xref {
        let gen = match e {
            Entry::Free => {
                if matches!(
                    old.xref.get(n),
                    Some(Entry::Offset(..) | Entry::InStream(..))
                ) {
                    out.insert((*n, 0), disallowed((*n, 0), "an object was deleted"));
                }
                continue;
            }
            Entry::Offset(_, g) => *g,
            Entry::InStream(..) => 0,
        };
        let id = (*n, gen);
        if old.xref.get(n) == Some(e) {
            continue;
        }
        let (before, after) = (old.object(id)?, new.object(id)?);
        if before == after {
            continue;
        }
        if before == Object::Null {
            added.push(id);
        } else {
            out.insert(id, cx.modified(id, &before, &after)?);
        }
    }
    let added_set: HashSet<ObjId> = added.iter().copied().collect();
    let appearances = cx.reachable(&cx.sig_fields, &added_set)?;
    for id in added {
        let after = new.object(id)?;
        out.insert(id, cx.added(id, &after, &appearances)?);
    }
    Ok(out.into_values().chain(document).collect())
}

/// What is known about the two revisions.
struct Context<'d, 'a> {
    old: &'d Document<'a>,
    new: &'d Document<'a>,
    root: ObjId,
    pages: HashSet<ObjId>,
    /// Signature dictionaries of the signed revision.
    old_sigs: HashSet<ObjId>,
    /// Signature fields (and their widget kids) new since the signed revision.
    sig_fields: HashSet<ObjId>,
    /// Signature dictionaries of the new fields.
    new_sigs: HashSet<ObjId>,
    /// Everything reachable from the new catalog's /DSS.
    dss: HashSet<ObjId>,
}

impl<'d, 'a> Context<'d, 'a> {
    fn new(old: &'d Document<'a>, new: &'d Document<'a>) -> Result<Self, PdfError> {
        let old_fields = fields(old)?;
        let old_sigs = old_fields
            .iter()
            .filter_map(|f| f.dict.get("V").and_then(Object::as_ref_id))
            .collect();
        let old_ids: HashSet<ObjId> = old_fields.iter().filter_map(|f| f.id).collect();
        let mut sig_fields = HashSet::new();
        let mut new_sigs = HashSet::new();
        for f in fields(new)? {
            let Some(id) = f.id.filter(|id| !old_ids.contains(id)) else {
                continue;
            };
            if f.ft.as_deref() != Some(b"Sig") {
                continue;
            }
            sig_fields.insert(id);
            if let Some(Object::Array(kids)) = f.dict.get("Kids") {
                sig_fields.extend(kids.iter().filter_map(Object::as_ref_id));
            }
            if let Some(v) = f.dict.get("V").and_then(Object::as_ref_id) {
                new_sigs.insert(v);
            }
        }
        let catalog = new.catalog()?;
        let dss_roots: HashSet<ObjId> = catalog
            .get("DSS")
            .and_then(Object::as_ref_id)
            .into_iter()
            .collect();
        let everything: HashSet<ObjId> = new.xref.keys().map(|n| (*n, 0)).collect();
        let mut cx = Context {
            old,
            new,
            root: new.root_id()?,
            pages: new.pages()?.into_iter().collect(),
            old_sigs,
            sig_fields,
            new_sigs,
            dss: HashSet::new(),
        };
        cx.dss = cx.reachable(&dss_roots, &everything)?;
        if let Some(Object::Dict(d)) = catalog.get("DSS") {
            let direct = cx.refs_in(&Object::Dict(d.clone()));
            cx.dss = cx.reachable(&direct, &everything)?;
        }
        Ok(cx)
    }

    fn refs_in(&self, o: &Object) -> HashSet<ObjId> {
        let mut out = HashSet::new();
        collect_refs(o, &mut out);
        out
    }

    /// The objects of `within` reachable from `start` (and `start` itself) in the new revision.
    fn reachable(
        &self,
        start: &HashSet<ObjId>,
        within: &HashSet<ObjId>,
    ) -> Result<HashSet<ObjId>, PdfError> {
        let mut seen: HashSet<ObjId> = start.clone();
        let mut stack: Vec<ObjId> = start.iter().copied().collect();
        while let Some(id) = stack.pop() {
            for r in self.refs_in(&self.new.object(id)?) {
                if within.contains(&(r.0, 0)) && !self.pages.contains(&r) && seen.insert(r) {
                    stack.push(r);
                }
            }
        }
        Ok(seen)
    }

    /// Whether the array `after` (new revision) is `before` (old revision) plus elements of
    /// `allowed` only.
    fn grew(
        &self,
        before: Option<&Object>,
        after: Option<&Object>,
        allowed: &HashSet<ObjId>,
    ) -> Result<bool, PdfError> {
        let arr = |doc: &Document, o: Option<&Object>| -> Result<Vec<Object>, PdfError> {
            match o.map(|o| doc.resolve(o)).transpose()? {
                None | Some(Object::Null) => Ok(Vec::new()),
                Some(Object::Array(a)) => Ok(a),
                Some(_) => Err(PdfError::Structure("expected an array".into())),
            }
        };
        let (b, a) = (arr(self.old, before)?, arr(self.new, after)?);
        Ok(a.len() >= b.len()
            && a[..b.len()] == b[..]
            && a[b.len()..]
                .iter()
                .all(|o| o.as_ref_id().is_some_and(|id| allowed.contains(&id))))
    }

    /// The AcroForm changed only by new signature fields (and /SigFlags).
    fn acroform_ok(
        &self,
        before: Option<&Object>,
        after: Option<&Object>,
    ) -> Result<bool, PdfError> {
        let dict = |doc: &Document, o: Option<&Object>| -> Result<Dict, PdfError> {
            match o.map(|o| doc.resolve(o)).transpose()? {
                Some(Object::Dict(d)) => Ok(d),
                _ => Ok(Dict::new()),
            }
        };
        let (b, a) = (dict(self.old, before)?, dict(self.new, after)?);
        let same_ref = matches!((b.get("Fields"), a.get("Fields")), (Some(Object::Ref(x)), Some(Object::Ref(y))) if x == y);
        Ok(
            b.without(&["Fields", "SigFlags"]) == a.without(&["Fields", "SigFlags"])
                && (same_ref || self.grew(b.get("Fields"), a.get("Fields"), &self.sig_fields)?),
        )
    }

    fn modified(&self, id: ObjId, before: &Object, after: &Object) -> Result<Change, PdfError> {
        if self.old_sigs.contains(&id) {
            return Ok(disallowed(
                id,
                "a signature dictionary of the signed revision changed",
            ));
        }
        if let (Object::Dict(b), Object::Dict(a)) = (before, after) {
            if id == self.root {
                let keys = ["AcroForm", "DSS"];
                if b.without(&keys) != a.without(&keys) {
                    return Ok(disallowed(
                        id,
                        "catalog keys other than /AcroForm and /DSS changed",
                    ));
                }
                let (bf, af) = (b.get("AcroForm"), a.get("AcroForm"));
                let form_same_ref =
                    matches!((bf, af), (Some(Object::Ref(x)), Some(Object::Ref(y))) if x == y);
                if !form_same_ref && !self.acroform_ok(bf, af)? {
                    return Ok(disallowed(
                        id,
                        "/AcroForm changed beyond new signature fields",
                    ));
                }
                return Ok(Change::Allowed(AllowedChange::Catalog { object: id }));
            }
            if self.pages.contains(&id) {
                if b.without(&["Annots"]) != a.without(&["Annots"]) {
                    return Ok(disallowed(id, "a page changed beyond /Annots"));
                }
                let same_ref = matches!((b.get("Annots"), a.get("Annots")), (Some(Object::Ref(x)), Some(Object::Ref(y))) if x == y);
                if !same_ref && !self.grew(b.get("Annots"), a.get("Annots"), &self.sig_fields)? {
                    return Ok(disallowed(
                        id,
                        "page /Annots changed beyond new signature widgets",
                    ));
                }
                return Ok(Change::Allowed(AllowedChange::PageAnnots { object: id }));
            }
            if self.dss.contains(&id) {
                return Ok(Change::Allowed(AllowedChange::Dss { object: id }));
            }
            if self.is_acroform(id)? && self.acroform_ok(Some(before), Some(after))? {
                return Ok(Change::Allowed(AllowedChange::AcroForm { object: id }));
            }
        }
        if let (Object::Array(_), Object::Array(_)) = (before, after) {
            let (b, a) = (Some(before), Some(after));
            if self.is_annots_array(id)? && self.grew(b, a, &self.sig_fields)? {
                return Ok(Change::Allowed(AllowedChange::PageAnnots { object: id }));
            }
            if self.is_fields_array(id)? && self.grew(b, a, &self.sig_fields)? {
                return Ok(Change::Allowed(AllowedChange::AcroForm { object: id }));
            }
            if self.dss.contains(&id) {
                return Ok(Change::Allowed(AllowedChange::Dss { object: id }));
            }
        }
        Ok(match after {
            Object::Stream(..) if self.dss.contains(&id) => {
                Change::Allowed(AllowedChange::Dss { object: id })
            }
            Object::Stream(..) => disallowed(id, "a stream (e.g. page content) was rewritten"),
            _ => disallowed(id, "an object of the signed revision changed"),
        })
    }

    fn added(
        &self,
        id: ObjId,
        after: &Object,
        appearances: &HashSet<ObjId>,
    ) -> Result<Change, PdfError> {
        let d = after.as_dict();
        if self.new_sigs.contains(&id) {
            return Ok(Change::Allowed(
                if d.is_some_and(|d| d.is("Type", "DocTimeStamp")) {
                    AllowedChange::DocTimeStamp { object: id }
                } else {
                    AllowedChange::Signature { object: id }
                },
            ));
        }
        if self.sig_fields.contains(&id) || appearances.contains(&id) {
            return Ok(Change::Allowed(AllowedChange::SignatureField {
                object: id,
            }));
        }
        if self.dss.contains(&id) {
            return Ok(Change::Allowed(AllowedChange::Dss { object: id }));
        }
        if let Object::Stream(d, _) = after {
            if d.is("Type", "XRef") || d.is("Type", "ObjStm") {
                return Ok(Change::Allowed(AllowedChange::Structure { object: id }));
            }
        }
        if matches!(after, Object::Array(_)) {
            if self.is_annots_array(id)? && self.grew(None, Some(after), &self.sig_fields)? {
                return Ok(Change::Allowed(AllowedChange::PageAnnots { object: id }));
            }
            if self.is_fields_array(id)? && self.grew(None, Some(after), &self.sig_fields)? {
                return Ok(Change::Allowed(AllowedChange::AcroForm { object: id }));
            }
        }
        if self.is_acroform(id)? && self.acroform_ok(None, Some(after))? {
            return Ok(Change::Allowed(AllowedChange::AcroForm { object: id }));
        }
        Ok(disallowed(
            id,
            "a new object that is not a signature field, timestamp or DSS entry",
        ))
    }

    fn acroform_ref(&self) -> Result<Option<Object>, PdfError> {
        Ok(self.new.catalog()?.get("AcroForm").cloned())
    }

    fn is_acroform(&self, id: ObjId) -> Result<bool, PdfError> {
        Ok(self.acroform_ref()?.and_then(|o| o.as_ref_id()) == Some(id))
    }

    fn is_fields_array(&self, id: ObjId) -> Result<bool, PdfError> {
        let Some(form) = self.acroform_ref()? else {
            return Ok(false);
        };
        let form = self.new.resolve(&form)?;
        Ok(form
            .as_dict()
            .and_then(|f| f.get("Fields"))
            .and_then(Object::as_ref_id)
            == Some(id))
    }

    fn is_annots_array(&self, id: ObjId) -> Result<bool, PdfError> {
        for p in &self.pages {
            let page = self.new.object(*p)?;
            if page
                .as_dict()
                .and_then(|d| d.get("Annots"))
                .and_then(Object::as_ref_id)
                == Some(id)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

fn collect_refs(o: &Object, out: &mut HashSet<ObjId>) {
    match o {
        Object::Ref(id) => {
            out.insert(*id);
        }
        Object::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        Object::Dict(d) | Object::Stream(d, _) => {
            d.0.iter().for_each(|(_, v)| collect_refs(v, out))
        }
        _ => {}
    }
}
