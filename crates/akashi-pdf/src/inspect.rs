//! Reading signatures back. A signature dictionary (ISO 32000-1 §12.8.1, Table 252):
//!
//! ```text
//! << /Type /Sig                      % /DocTimeStamp for ETSI.RFC3161 (ISO 32000-2 §12.8.5)
//!    /Filter /Adobe.PPKLite
//!    /SubFilter /ETSI.CAdES.detached % or /ETSI.RFC3161
//!    /ByteRange [0 a b c]            % the signed bytes: [0, a) and [b, b + c)
//!    /Contents <3082…000000>         % the CMS DER, hex, zero-padded; [a, b) exactly
//!    /M (D:20250101120000+09'00') >> % informative signing time
//! ```
//!
//! A signature is sound as a PAdES signature only if the byte range starts at 0, its gap is
//! exactly the `/Contents` hex string (with its `<` `>`), and it ends where a revision ends.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::lexer::Lexer;
use crate::object::{decode_text, Dict, ObjId, Object};
use crate::sign::SubFilter;
use crate::xref::{Document, Entry};
use crate::PdfError;

/// One signature or document timestamp of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureInfo {
    /// The fully qualified field name (partial names joined with `.`).
    pub field_name: String,
    pub sub_filter: SubFilter,
    pub byte_range: [u64; 4],
    /// `/Contents` without the zero padding (the length of the first DER TLV).
    pub cms: Vec<u8>,
    /// `byte_range[2] + byte_range[3]`: the end of the revision it signs.
    pub signed_len: u64,
    /// `/M`, if present and well-formed.
    pub signing_time: Option<OffsetDateTime>,
    /// The byte range starts at 0, its gap is exactly this `/Contents` hex string, and it
    /// ends at the end of a revision within the file.
    pub byte_range_ok: bool,
}

/// A terminal form field (ISO 32000-1 §12.7.3.1) with inherited `/FT`.
pub(crate) struct Field {
    pub name: String,
    pub id: Option<ObjId>,
    pub dict: Dict,
    pub ft: Option<Vec<u8>>,
}

/// At most this many fields are walked.
const MAX_FIELDS: usize = 100_000;

/// The terminal fields of the latest revision's `/AcroForm /Fields`.
pub(crate) fn fields(doc: &Document) -> Result<Vec<Field>, PdfError> {
    let catalog = doc.catalog()?;
    let Some(form) = catalog.get("AcroForm") else {
        return Ok(Vec::new());
    };
    let form = match doc.resolve(form)? {
        Object::Dict(d) => d,
        _ => return Ok(Vec::new()),
    };
    let roots = match doc.resolve(form.get("Fields").unwrap_or(&Object::Null))? {
        Object::Array(a) => a,
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(Object, String, Option<Vec<u8>>)> = roots
        .into_iter()
        .rev()
        .map(|f| (f, String::new(), None))
        .collect();
    while let Some((node, prefix, ft)) = stack.pop() {
        if seen.len() > MAX_FIELDS {
            return Err(PdfError::Structure("too many form fields".into()));
        }
        let id = node.as_ref_id();
        if let Some(id) = id {
            if !seen.insert(id) {
                continue; // a cycle or a field listed twice
            }
        }
        let Object::Dict(dict) = doc.resolve(&node)? else {
            continue;
        };
        let name = match dict.get("T") {
            Some(Object::Str(t)) if prefix.is_empty() => decode_text(t),
            Some(Object::Str(t)) => format!("{prefix}.{}", decode_text(t)),
            _ => prefix,
        };
        let ft = dict.name("FT").map(<[u8]>::to_vec).or(ft);
        let kids = match dict.get("Kids") {
            Some(k) => match doc.resolve(k)? {
                Object::Array(a) => a,
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        // Kids that are only widgets (no /T) belong to this field.
        let field_kids: Vec<Object> = kids
            .into_iter()
            .filter(|k| {
                doc.resolve(k)
                    .ok()
                    .and_then(|o| o.as_dict().map(|d| d.get("T").is_some()))
                    .unwrap_or(false)
            })
            .collect();
        if field_kids.is_empty() {
            out.push(Field { name, id, dict, ft });
        } else {
            for k in field_kids.into_iter().rev() {
                stack.push((k, name.clone(), ft.clone()));
            }
        }
    }
    Ok(out)
}

/// The signatures and document timestamps of `pdf`, found through the AcroForm fields of
/// the latest revision, oldest first.
pub fn signatures(pdf: &[u8]) -> Result<Vec<SignatureInfo>, PdfError> {
    let doc = Document::load(pdf)?;
    let ends = revisions(pdf)?;
    let mut out = Vec::new();
    for field in fields(&doc)? {
        if field.ft.as_deref() != Some(b"Sig") {
            continue;
        }
        let Some(v) = field.dict.get("V") else {
            continue;
        };
        let Object::Dict(sig) = doc.resolve(v)? else {
            continue;
        };
        out.push(signature_info(&doc, field.name, v, &sig, &ends)?);
    }
    out.sort_by_key(|s| s.signed_len);
    Ok(out)
}

fn signature_info(
    doc: &Document,
    field_name: String,
    v: &Object,
    sig: &Dict,
    ends: &[u64],
) -> Result<SignatureInfo, PdfError> {
    let bad = |what: &str| PdfError::Structure(format!("signature {field_name:?}: {what}"));
    let sub_filter = SubFilter::from_name(sig.name("SubFilter").unwrap_or(b""));
    let br = match sig.get("ByteRange") {
        Some(Object::Array(a)) if a.len() == 4 => a
            .iter()
            .map(|o| o.as_int().and_then(|i| u64::try_from(i).ok()))
            .collect::<Option<Vec<u64>>>(),
        _ => None,
    };
    let br = br.ok_or_else(|| bad("/ByteRange is not four non-negative integers"))?;
    let byte_range = [br[0], br[1], br[2], br[3]];
    let contents = match sig.get("Contents") {
        Some(Object::Str(s)) => s.as_slice(),
        _ => return Err(bad("/Contents is not a string")),
    };
    let signed_len = byte_range[2].saturating_add(byte_range[3]);
    // Where /Contents is in the file: only a directly stored dictionary can be checked.
    let span = match v.as_ref_id().and_then(|id| doc.xref.get(&id.0)) {
        Some(Entry::Offset(off, _)) => contents_span(doc.data, *off),
        _ => None,
    };
    let byte_range_ok = byte_range[0] == 0
        && span.is_some_and(|(a, b)| byte_range[1] == a as u64 && byte_range[2] == b as u64)
        && ends.contains(&signed_len);
    let signing_time = match sig.get("M") {
        Some(Object::Str(m)) => parse_pdf_date(m),
        _ => None,
    };
    Ok(SignatureInfo {
        field_name,
        sub_filter,
        byte_range,
        cms: strip_padding(contents).to_vec(),
        signed_len,
        signing_time,
        byte_range_ok,
    })
}

/// The span of the `/Contents` value of the dictionary of the object at `off`, if it is a
/// hex string.
fn contents_span(data: &[u8], off: usize) -> Option<(usize, usize)> {
    let mut lx = Lexer::new(data, off);
    lx.uint("").ok()?;
    lx.uint("").ok()?;
    lx.expect("obj").ok()?;
    let spans = lx.dict_spans().ok()?;
    let (_, a, b) = spans.into_iter().find(|(k, _, _)| k == b"Contents")?;
    (data.get(a) == Some(&b'<')).then_some((a, b))
}

/// `contents` cut to the length its first DER TLV header declares (the placeholder is
/// zero-padded); an all-zero placeholder gives an empty slice.
pub(crate) fn strip_padding(contents: &[u8]) -> &[u8] {
    if contents.first().is_none_or(|t| *t == 0) {
        return &[];
    }
    let total = match contents.get(1) {
        Some(&l) if l < 0x80 => Some(2 + usize::from(l)),
        Some(&l) if (0x81..=0x84).contains(&l) => {
            let n = usize::from(l & 0x7F);
            contents
                .get(2..2 + n)
                .map(|b| 2 + n + b.iter().fold(0usize, |acc, x| acc << 8 | usize::from(*x)))
        }
        _ => None,
    };
    match total {
        Some(t) if t <= contents.len() => &contents[..t],
        _ => contents,
    }
}

/// The end offset of each revision: after each `%%EOF` (and its end-of-line) that closes a
/// `startxref` section.
pub fn revisions(pdf: &[u8]) -> Result<Vec<u64>, PdfError> {
    let mut ends = Vec::new();
    let mut i = 0;
    while let Some(rel) = pdf[i..].windows(5).position(|w| w == b"%%EOF") {
        let at = i + rel;
        let mut end = at + 5;
        if pdf.get(end) == Some(&b'\r') {
            end += 1;
        }
        if pdf.get(end) == Some(&b'\n') {
            end += 1;
        }
        let before = &pdf[at.saturating_sub(40)..at];
        if before.windows(9).any(|w| w == b"startxref") {
            ends.push(end as u64);
        }
        i = at + 5;
    }
    if ends.is_empty() {
        return Err(PdfError::Xref {
            offset: pdf.len() as u64,
            what: "no %%EOF after a startxref",
        });
    }
    Ok(ends)
}

/// SHA-256 over the two ranges of `byte_range`, after checking they lie within `pdf`.
pub fn covered_digest(pdf: &[u8], byte_range: [u64; 4]) -> Result<[u8; 32], PdfError> {
    let err = || PdfError::ByteRange {
        range: byte_range,
        len: pdf.len() as u64,
    };
    let [a, b, c, d] = byte_range.map(|x| usize::try_from(x).ok());
    let (Some(a), Some(b), Some(c), Some(d)) = (a, b, c, d) else {
        return Err(err());
    };
    let first = a
        .checked_add(b)
        .filter(|e| *e <= pdf.len())
        .ok_or_else(err)?;
    let second = c.checked_add(d).filter(|e| *e <= pdf.len() && c >= first);
    let second = second.ok_or_else(err)?;
    let mut h = Sha256::new();
    h.update(&pdf[a..first]);
    h.update(&pdf[c..second]);
    Ok(h.finalize().into())
}

/// A PDF date (ISO 32000-1 §7.9.4): `D:YYYYMMDDHHmmSSOHH'mm'`, every part after the year
/// optional, `O` one of `+ - Z`.
pub(crate) fn parse_pdf_date(s: &[u8]) -> Option<OffsetDateTime> {
    let s = s.strip_prefix(b"D:").unwrap_or(s);
    let num = |r: std::ops::Range<usize>, default: u32| -> Option<u32> {
        match s.get(r) {
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                std::str::from_utf8(d).ok()?.parse().ok()
            }
            Some(_) => None,
            None => Some(default),
        }
    };
    let year = i32::try_from(num(0..4, u32::MAX)?).ok()?;
    let month = Month::try_from(u8::try_from(num(4..6, 1)?).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(num(6..8, 1)?).ok()?).ok()?;
    let [h, m, sec] = [num(8..10, 0)?, num(10..12, 0)?, num(12..14, 0)?].map(|x| x as u8);
    let time = Time::from_hms(h, m, sec).ok()?;
    let offset = match s.get(14) {
        Some(b'+') | Some(b'-') => {
            let oh = i8::try_from(num(15..17, 0)?).ok()?;
            let om = i8::try_from(num(18..20, 0)?).ok()?;
            let sign = if s[14] == b'-' { -1 } else { 1 };
            UtcOffset::from_hms(sign * oh, sign * om, 0).ok()?
        }
        _ => UtcOffset::UTC,
    };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// A PDF date for `/M`.
pub(crate) fn format_pdf_date(t: OffsetDateTime) -> String {
    let o = t.offset();
    let sign = if o.is_negative() { '-' } else { '+' };
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}{sign}{:02}'{:02}'",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        o.whole_hours().unsigned_abs(),
        o.minutes_past_hour().unsigned_abs()
    )
}
