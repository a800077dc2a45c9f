//! Signature and document-timestamp placeholders as one incremental update: an invisible
//! signature field merged with its widget (ISO 32000-1 §12.7.4.5, §12.5.6.19),
//!
//! ```text
//! << /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V 12 0 R
//!    /F 132 /Rect [0 0 0 0] /P 3 0 R >>          % hidden + locked, on page 1
//! ```
//!
//! added to the page's `/Annots` and to `/AcroForm /Fields` (with `/SigFlags 3`:
//! SignaturesExist | AppendOnly), and the signature dictionary it points at (§12.8.1):
//!
//! ```text
//! << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:…)
//!    /ByteRange [0 a b c]⎵⎵⎵…               % patched in place, padded with spaces
//!    /Contents <0000…0000> >>               % 2 × capacity hex digits
//! ```
//!
//! A document timestamp (ETSI EN 319 142-1 §5.4, ISO 32000-2 §12.8.5) is the same with
//! `/Type /DocTimeStamp /SubFilter /ETSI.RFC3161` and an RFC 3161 token as `/Contents`.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::inspect::{fields, format_pdf_date};
use crate::object::{text_string, Dict, Object};
use crate::write::Update;
use crate::xref::Document;
use crate::PdfError;

/// The `/SubFilter` of a signature dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubFilter {
    /// `ETSI.CAdES.detached` (`/Type /Sig`): a detached CAdES signature, PAdES baseline.
    CadesDetached,
    /// `ETSI.RFC3161` (`/Type /DocTimeStamp`): a document timestamp token.
    Rfc3161,
    /// Any other value (e.g. `adbe.pkcs7.detached`), as read.
    Unknown(String),
}

impl SubFilter {
    pub(crate) fn from_name(n: &[u8]) -> Self {
        match n {
            b"ETSI.CAdES.detached" => SubFilter::CadesDetached,
            b"ETSI.RFC3161" => SubFilter::Rfc3161,
            other => SubFilter::Unknown(String::from_utf8_lossy(other).into_owned()),
        }
    }
}

/// What [`prepare_signature`] writes.
#[derive(Debug, Clone)]
pub struct SignatureSpec<'a> {
    /// The new field's `/T`; must not name an existing field.
    pub field_name: &'a str,
    pub sub_filter: SubFilter,
    /// `/M` (informative; PAdES puts no signing-time in the CMS). Ignored for timestamps.
    pub signing_time: Option<OffsetDateTime>,
    pub reason: Option<&'a str>,
    pub location: Option<&'a str>,
    /// Bytes reserved for the CMS DER (the placeholder holds twice as many hex digits).
    pub contents_capacity: usize,
}

/// A file with a signature placeholder, waiting for its CMS.
#[derive(Debug, Clone)]
pub struct PreparedSignature {
    pdf: Vec<u8>,
    byte_range: [u64; 4],
    /// Offset of the `<` of `/Contents`.
    contents_at: usize,
    capacity: usize,
}

/// Room for `[0 a b c]` with four 20-digit numbers.
const BYTE_RANGE_WIDTH: usize = 90;
const MAX_CAPACITY: usize = 16 << 20;

/// Appends an incremental update with a new invisible signature field on page 1 whose
/// signature dictionary has a zero-filled `/Contents` placeholder and a `/ByteRange`
/// covering the whole new file except the `/Contents` hex string.
pub fn prepare_signature(pdf: &[u8], spec: &SignatureSpec) -> Result<PreparedSignature, PdfError> {
    if spec.contents_capacity == 0 || spec.contents_capacity > MAX_CAPACITY {
        return Err(PdfError::Capacity(spec.contents_capacity));
    }
    let (sig_type, sub_filter) = match spec.sub_filter {
        SubFilter::CadesDetached => ("Sig", "ETSI.CAdES.detached"),
        SubFilter::Rfc3161 => ("DocTimeStamp", "ETSI.RFC3161"),
        SubFilter::Unknown(_) => return Err(PdfError::Unsupported("unknown /SubFilter")),
    };
    let doc = Document::load(pdf)?;
    if fields(&doc)?.iter().any(|f| f.name == spec.field_name) {
        return Err(PdfError::FieldExists(spec.field_name.to_string()));
    }
    let page = *doc
        .pages()?
        .first()
        .ok_or(PdfError::Structure("the document has no page".into()))?;
    let mut up = Update::new(&doc);
    let sig_id = up.alloc();
    let field_id = up.alloc();

    let mut widget = Dict::new();
    widget.set("Type", Object::name("Annot"));
    widget.set("Subtype", Object::name("Widget"));
    widget.set("FT", Object::name("Sig"));
    widget.set("T", text_string(spec.field_name));
    widget.set("V", Object::Ref(sig_id));
    widget.set("F", Object::Int(132));
    widget.set("Rect", Object::Array(vec![Object::Int(0); 4]));
    widget.set("P", Object::Ref(page));
    up.put(field_id, &Object::Dict(widget));

    // The page's /Annots, direct or indirect.
    let mut page_dict = doc.dict(&Object::Ref(page), "page 1")?;
    if let Some(arr) = append_to_array(&doc, &mut up, page_dict.get("Annots"), field_id)? {
        page_dict.set("Annots", arr);
        up.put(page, &Object::Dict(page_dict));
    }

    // The catalog's /AcroForm /Fields and /SigFlags.
    let root = doc.root_id()?;
    let mut catalog = doc.catalog()?;
    let (form_ref, mut form) = match catalog.get("AcroForm") {
        Some(Object::Ref(r)) => (Some(*r), doc.dict(&Object::Ref(*r), "/AcroForm")?),
        Some(Object::Dict(d)) => (None, d.clone()),
        _ => (None, Dict::new()),
    };
    if let Some(arr) = append_to_array(&doc, &mut up, form.get("Fields"), field_id)? {
        form.set("Fields", arr);
    }
    let flags = form.get("SigFlags").and_then(Object::as_int).unwrap_or(0);
    form.set("SigFlags", Object::Int(flags | 3));
    match form_ref {
        Some(r) => up.put(r, &Object::Dict(form)),
        None => {
            catalog.set("AcroForm", Object::Dict(form));
            up.put(root, &Object::Dict(catalog));
        }
    }

    // The signature dictionary, serialised here so the placeholders' offsets are known.
    let mut sig = Dict::new();
    sig.set("Type", Object::name(sig_type));
    sig.set("Filter", Object::name("Adobe.PPKLite"));
    sig.set("SubFilter", Object::name(sub_filter));
    if let (Some(t), SubFilter::CadesDetached) = (spec.signing_time, &spec.sub_filter) {
        sig.set("M", Object::Str(format_pdf_date(t).into_bytes()));
    }
    if let Some(r) = spec.reason {
        sig.set("Reason", text_string(r));
    }
    if let Some(l) = spec.location {
        sig.set("Location", text_string(l));
    }
    let mut body = Vec::new();
    Object::Dict(sig).write(&mut body);
    body.truncate(body.len() - 2); // reopen the dictionary: drop ">>"
    body.extend_from_slice(b" /ByteRange ");
    let br_rel = body.len();
    body.extend_from_slice(&[b' '; BYTE_RANGE_WIDTH]);
    body.extend_from_slice(b" /Contents ");
    let contents_rel = body.len();
    body.push(b'<');
    body.resize(body.len() + 2 * spec.contents_capacity, b'0');
    body.extend_from_slice(b">>>");
    up.put_raw(sig_id, body);

    let written = up.finish();
    let mut pdf = written.pdf;
    let body_at = written.bodies.get(&sig_id.0).copied().unwrap_or(0);
    let contents_at = body_at + contents_rel;
    let contents_end = contents_at + 2 * spec.contents_capacity + 2;
    let byte_range = [
        0,
        contents_at as u64,
        contents_end as u64,
        (pdf.len() - contents_end) as u64,
    ];
    let text = format!(
        "[{} {} {} {}]",
        byte_range[0], byte_range[1], byte_range[2], byte_range[3]
    );
    let br_at = body_at + br_rel;
    pdf[br_at..br_at + text.len()].copy_from_slice(text.as_bytes());
    Ok(PreparedSignature {
        pdf,
        byte_range,
        contents_at,
        capacity: spec.contents_capacity,
    })
}

/// `array` (absent, direct or a reference) with `id` appended: the new direct value for the
/// holder, or `None` if the array was indirect and has been rewritten in `up` instead.
fn append_to_array(
    doc: &Document,
    up: &mut Update,
    array: Option<&Object>,
    id: (u32, u16),
) -> Result<Option<Object>, PdfError> {
    match array {
        None | Some(Object::Null) => Ok(Some(Object::Array(vec![Object::Ref(id)]))),
        Some(Object::Array(a)) => {
            let mut a = a.clone();
            a.push(Object::Ref(id));
            Ok(Some(Object::Array(a)))
        }
        Some(Object::Ref(r)) => match doc.object(*r)? {
            Object::Array(mut a) => {
                a.push(Object::Ref(id));
                up.put(*r, &Object::Array(a));
                Ok(None)
            }
            Object::Null => Ok(Some(Object::Array(vec![Object::Ref(id)]))),
            _ => Err(PdfError::Structure(
                "/Annots or /Fields is not an array".into(),
            )),
        },
        Some(_) => Err(PdfError::Structure(
            "/Annots or /Fields is not an array".into(),
        )),
    }
}

impl PreparedSignature {
    /// `[0, a, b, c]`: the signed bytes are `[0, a)` and `[b, b + c)`.
    pub fn byte_range(&self) -> [u64; 4] {
        self.byte_range
    }

    /// The two covered ranges.
    pub fn signed_bytes(&self) -> [&[u8]; 2] {
        let [_, a, b, _] = self.byte_range.map(|x| x as usize);
        [&self.pdf[..a], &self.pdf[b..]]
    }

    /// SHA-256 over the covered bytes: the CMS message-digest, or a TSA's message imprint.
    pub fn sha256(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in self.signed_bytes() {
            h.update(part);
        }
        h.finalize().into()
    }

    /// The file with the placeholder still zero-filled.
    pub fn pdf(&self) -> &[u8] {
        &self.pdf
    }

    /// Hex-encodes `cms_der` into the placeholder (the rest stays `0`).
    pub fn complete(mut self, cms_der: &[u8]) -> Result<Vec<u8>, PdfError> {
        if cms_der.len() > self.capacity {
            return Err(PdfError::ContentsTooLarge {
                needed: cms_der.len(),
                capacity: self.capacity,
            });
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut at = self.contents_at + 1;
        for b in cms_der {
            self.pdf[at] = HEX[usize::from(b >> 4)];
            self.pdf[at + 1] = HEX[usize::from(b & 0xF)];
            at += 2;
        }
        Ok(self.pdf)
    }
}
