//! The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1 §5.4.2), referenced
//! from the catalog as `/DSS`:
//!
//! ```text
//! << /Type /DSS
//!    /Certs [10 0 R …]        % streams, each one DER certificate
//!    /OCSPs [11 0 R …]        % streams, each one DER OCSPResponse
//!    /CRLs  [12 0 R …]        % streams, each one DER CertificateList
//!    /VRI << /<uppercase hex SHA-1 of a signature's /Contents>
//!            << /Cert […] /OCSP […] /CRL […] >> >> >>
//! ```
//!
//! An update merges with the existing store: entries already present (same bytes) are not
//! written again, an indirect DSS (or array, or VRI dictionary) keeps its object number.

use sha1::Sha1;
use sha2::Digest;

use crate::filter;
use crate::object::{Dict, ObjId, Object};
use crate::write::Update;
use crate::xref::Document;
use crate::PdfError;

/// Validation material for long-term validation (DER each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationData {
    pub certificates: Vec<Vec<u8>>,
    pub ocsp_responses: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
}

/// The DSS array keys and the VRI keys that correspond.
const KINDS: [(&str, &str); 3] = [("Certs", "Cert"), ("OCSPs", "OCSP"), ("CRLs", "CRL")];

fn lists(data: &ValidationData) -> [&Vec<Vec<u8>>; 3] {
    [&data.certificates, &data.ocsp_responses, &data.crls]
}

/// The decoded streams of a DSS array: (the array element, its data).
fn read_array(doc: &Document, o: Option<&Object>) -> Result<Vec<(Object, Vec<u8>)>, PdfError> {
    let items = match o {
        None => return Ok(Vec::new()),
        Some(o) => match doc.resolve(o)? {
            Object::Array(a) => a,
            Object::Null => return Ok(Vec::new()),
            _ => return Err(PdfError::Structure("a DSS entry is not an array".into())),
        },
    };
    items
        .into_iter()
        .map(|item| match doc.resolve(&item)? {
            Object::Stream(d, raw) => Ok((item, filter::decode(&d, &raw)?)),
            _ => Err(PdfError::Structure(
                "a DSS array element is not a stream".into(),
            )),
        })
        .collect()
}

/// The DSS of the latest revision, if the catalog has one.
pub fn dss(pdf: &[u8]) -> Result<Option<ValidationData>, PdfError> {
    let doc = Document::load(pdf)?;
    let Some(d) = doc.catalog()?.get("DSS").cloned() else {
        return Ok(None);
    };
    let d = doc.dict(&d, "/DSS")?;
    let mut out = ValidationData::default();
    let targets = [
        &mut out.certificates,
        &mut out.ocsp_responses,
        &mut out.crls,
    ];
    for ((key, _), target) in KINDS.iter().zip(targets) {
        *target = read_array(&doc, d.get(key))?
            .into_iter()
            .map(|(_, b)| b)
            .collect();
    }
    Ok(Some(out))
}

/// The VRI key of a signature: uppercase hex SHA-1 of its CMS bytes.
fn vri_key(cms: &[u8]) -> Vec<u8> {
    Sha1::digest(cms)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<String>()
        .into_bytes()
}

/// Appends an incremental update with `data` in the DSS (created, or merged with the
/// existing one without duplicates) and, for each CMS in `vri_for`, a `/VRI` entry listing
/// `data`'s streams.
pub fn add_dss(pdf: &[u8], data: &ValidationData, vri_for: &[&[u8]]) -> Result<Vec<u8>, PdfError> {
    let doc = Document::load(pdf)?;
    let root = doc.root_id()?;
    let mut catalog = doc.catalog()?;
    let mut up = Update::new(&doc);
    let (dss_id, mut dss) = match catalog.get("DSS") {
        Some(Object::Ref(r)) => (Some(*r), doc.dict(&Object::Ref(*r), "/DSS")?),
        Some(Object::Dict(d)) => (None, d.clone()),
        _ => (None, Dict::new()),
    };
    dss.set("Type", Object::name("DSS"));
    let mut vri_refs: [Vec<Object>; 3] = Default::default();
    for (i, ((key, _), items)) in KINDS.iter().zip(lists(data)).enumerate() {
        let existing = read_array(&doc, dss.get(key))?;
        let mut array: Vec<Object> = existing.iter().map(|(o, _)| o.clone()).collect();
        let mut known: Vec<(Object, Vec<u8>)> = existing;
        for item in items {
            let obj = match known.iter().find(|(_, b)| b == item) {
                Some((o, _)) => o.clone(),
                None => {
                    let id = up.alloc();
                    let mut d = Dict::new();
                    d.set("Filter", Object::name("FlateDecode"));
                    up.put(id, &Object::Stream(d, filter::deflate(item)));
                    array.push(Object::Ref(id));
                    known.push((Object::Ref(id), item.clone()));
                    Object::Ref(id)
                }
            };
            if !vri_refs[i].contains(&obj) {
                vri_refs[i].push(obj);
            }
        }
        if !array.is_empty() {
            set_maybe_indirect(&mut up, &mut dss, key, Object::Array(array));
        }
    }
    if !vri_for.is_empty() {
        let mut vri = match dss.get("VRI") {
            Some(o) => doc.dict(o, "/VRI")?,
            None => Dict::new(),
        };
        for cms in vri_for {
            let mut entry = Dict::new();
            for ((_, vkey), refs) in KINDS.iter().zip(&vri_refs) {
                if !refs.is_empty() {
                    entry.set(vkey, Object::Array(refs.clone()));
                }
            }
            vri.0.retain(|(k, _)| *k != vri_key(cms));
            vri.0.push((vri_key(cms), Object::Dict(entry)));
        }
        set_maybe_indirect(&mut up, &mut dss, "VRI", Object::Dict(vri));
    }
    match dss_id {
        Some(id) => up.put(id, &Object::Dict(dss)),
        None => {
            let id: ObjId = up.alloc();
            up.put(id, &Object::Dict(dss));
            catalog.set("DSS", Object::Ref(id));
            up.put(root, &Object::Dict(catalog));
        }
    }
    Ok(up.finish().pdf)
}

/// Sets `holder[key]` to `value`, or rewrites the object it refers to if it is indirect.
fn set_maybe_indirect(up: &mut Update, holder: &mut Dict, key: &str, value: Object) {
    match holder.get(key) {
        Some(Object::Ref(r)) => up.put(*r, &value),
        _ => holder.set(key, value),
    }
}
