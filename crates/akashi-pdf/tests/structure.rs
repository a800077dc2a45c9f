//! Placeholders, reading back, the DSS and the classification of later changes, without an
//! external validator (tests/pyhanko.rs checks the same files with pyHanko).

use akashi_pdf::{
    add_dss, changes_after, covered_digest, dss, prepare_signature, revisions, signatures,
    text_pdf, AllowedChange, Change, PdfError, SignatureSpec, SubFilter, ValidationData,
};
use sha2::{Digest, Sha256};

#[path = "support/xref_stream.rs"]
mod xref_stream;

/// A DER SEQUENCE of `n` content bytes standing in for a CMS.
fn fake_cms(n: usize, fill: u8) -> Vec<u8> {
    let mut v = vec![0x30, 0x82, (n >> 8) as u8, n as u8];
    v.extend(std::iter::repeat_n(fill, n));
    v
}

fn spec(name: &str) -> SignatureSpec<'_> {
    SignatureSpec {
        field_name: name,
        sub_filter: SubFilter::CadesDetached,
        signing_time: Some(time::macros::datetime!(2026-01-02 03:04:05 +09:00)),
        reason: Some("Contract"),
        location: Some("Tokyo"),
        contents_capacity: 4096,
    }
}

fn sign(pdf: &[u8], name: &str, fill: u8) -> Vec<u8> {
    let prepared = prepare_signature(pdf, &spec(name)).unwrap();
    let digest = prepared.sha256();
    let br = prepared.byte_range();
    let [a, b] = prepared.signed_bytes();
    assert_eq!(Sha256::digest([a, b].concat()).as_slice(), digest);
    let out = prepared.complete(&fake_cms(600, fill)).unwrap();
    assert_eq!(
        covered_digest(&out, br).unwrap(),
        digest,
        "completing changed covered bytes"
    );
    out
}

#[test]
fn text_pdf_is_a_one_revision_document() {
    let pdf = text_pdf(
        "Contract",
        &["Party A agrees (with Party B)", "to \\ everything"],
    );
    assert!(pdf.starts_with(b"%PDF-1.7"));
    assert_eq!(revisions(&pdf).unwrap(), vec![pdf.len() as u64]);
    assert!(signatures(&pdf).unwrap().is_empty());
    assert_eq!(dss(&pdf).unwrap(), None);
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("(Party A agrees \\(with Party B\\)) Tj"));
}

#[test]
fn prepare_complete_and_read_back() {
    let pdf = text_pdf("Contract", &["line"]);
    let prepared = prepare_signature(&pdf, &spec("Alice")).unwrap();
    assert!(
        prepared.pdf().starts_with(&pdf),
        "the original bytes must be a prefix"
    );
    let br = prepared.byte_range();
    let signed = prepare_signature(&pdf, &spec("Alice"))
        .unwrap()
        .complete(&fake_cms(600, 7))
        .unwrap();
    let text = String::from_utf8_lossy(&signed);
    assert!(text.contains("/Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached"));
    assert!(text.contains("/F 132 /Rect [0 0 0 0]"));
    assert!(text.contains("/SigFlags 3"));
    // The gap is exactly the hex string, with its delimiters.
    assert_eq!(signed[br[1] as usize], b'<');
    assert_eq!(signed[br[2] as usize - 1], b'>');
    assert_eq!(br[0], 0);
    assert_eq!(br[2] + br[3], signed.len() as u64);
    assert_eq!(br[2] - br[1], 2 + 2 * 4096);
    let sigs = signatures(&signed).unwrap();
    assert_eq!(sigs.len(), 1);
    let s = &sigs[0];
    assert_eq!(s.field_name, "Alice");
    assert_eq!(s.sub_filter, SubFilter::CadesDetached);
    assert_eq!(s.byte_range, br);
    assert_eq!(s.cms, fake_cms(600, 7));
    assert_eq!(s.signed_len, signed.len() as u64);
    assert!(s.byte_range_ok);
    assert_eq!(
        s.signing_time,
        Some(time::macros::datetime!(2026-01-02 03:04:05 +09:00))
    );
    assert_eq!(
        revisions(&signed).unwrap(),
        vec![pdf.len() as u64, signed.len() as u64]
    );
}

#[test]
fn a_cms_larger_than_the_placeholder_is_refused() {
    let pdf = text_pdf("Contract", &["line"]);
    let p = prepare_signature(&pdf, &spec("Alice")).unwrap();
    assert!(matches!(
        p.complete(&fake_cms(5000, 1)),
        Err(PdfError::ContentsTooLarge {
            needed: 5004,
            capacity: 4096
        })
    ));
}

#[test]
fn a_second_signature_leaves_the_first_revision_intact() {
    let pdf = text_pdf("Contract", &["line"]);
    let one = sign(&pdf, "Alice", 1);
    let two = sign(&one, "Bob", 2);
    assert!(two.starts_with(&one));
    let three = sign(&two, "Carol", 3);
    let sigs = signatures(&three).unwrap();
    let names: Vec<_> = sigs.iter().map(|s| s.field_name.as_str()).collect();
    assert_eq!(names, ["Alice", "Bob", "Carol"]);
    assert_eq!(sigs[0].signed_len, one.len() as u64);
    assert_eq!(sigs[1].signed_len, two.len() as u64);
    for (s, fill) in sigs.iter().zip([1, 2, 3]) {
        assert!(s.byte_range_ok, "{}", s.field_name);
        assert_eq!(s.cms, fake_cms(600, fill));
    }
    // The first signature's covered bytes are the same in the final file.
    let first = signatures(&one).unwrap()[0].byte_range;
    assert_eq!(
        covered_digest(&one, first).unwrap(),
        covered_digest(&three, first).unwrap()
    );
    // Later signatures are allowed changes.
    for s in &sigs[..2] {
        let changes = changes_after(&three, s.signed_len).unwrap();
        assert!(!changes.is_empty());
        assert!(
            changes.iter().all(|c| matches!(c, Change::Allowed(_))),
            "{changes:?}"
        );
    }
    assert!(changes_after(&three, three.len() as u64)
        .unwrap()
        .is_empty());
    assert!(matches!(
        prepare_signature(&three, &spec("Bob")),
        Err(PdfError::FieldExists(n)) if n == "Bob"
    ));
}

#[test]
fn dss_round_trip_merge_and_vri() {
    let pdf = sign(&text_pdf("Contract", &["line"]), "Alice", 1);
    let data = ValidationData {
        certificates: vec![b"cert-1".to_vec(), b"cert-2".to_vec()],
        ocsp_responses: vec![b"ocsp-1".to_vec()],
        crls: vec![],
    };
    let cms = signatures(&pdf).unwrap()[0].cms.clone();
    let with = add_dss(&pdf, &data, &[&cms]).unwrap();
    assert!(with.starts_with(&pdf));
    assert_eq!(dss(&with).unwrap(), Some(data.clone()));
    let key: String = sha1_hex(&cms);
    assert!(String::from_utf8_lossy(&with).contains(&format!("/VRI <</{key} <</Cert [")));
    // Merging: duplicates are not stored twice, new entries are appended.
    let more = ValidationData {
        certificates: vec![b"cert-2".to_vec(), b"cert-3".to_vec()],
        ocsp_responses: vec![],
        crls: vec![b"crl-1".to_vec()],
    };
    let merged = add_dss(&with, &more, &[]).unwrap();
    let got = dss(&merged).unwrap().unwrap();
    assert_eq!(
        got.certificates,
        [b"cert-1".to_vec(), b"cert-2".to_vec(), b"cert-3".to_vec()]
    );
    assert_eq!(got.ocsp_responses, [b"ocsp-1".to_vec()]);
    assert_eq!(got.crls, [b"crl-1".to_vec()]);
    // The signature is still whole, and the DSS updates are allowed after it.
    let s = &signatures(&merged).unwrap()[0];
    assert!(s.byte_range_ok);
    let changes = changes_after(&merged, s.signed_len).unwrap();
    assert!(
        changes.iter().all(|c| matches!(c, Change::Allowed(_))),
        "{changes:?}"
    );
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::Allowed(AllowedChange::Dss { .. }))));
}

fn sha1_hex(b: &[u8]) -> String {
    use sha1::Digest as _;
    sha1::Sha1::digest(b)
        .iter()
        .map(|x| format!("{x:02X}"))
        .collect()
}

/// Appends a hand-made incremental update replacing object `num` with `body`.
pub fn hand_update(pdf: &[u8], num: u32, body: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf);
    let prev: usize = text
        .rsplit("startxref")
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut out = pdf.to_vec();
    let at = out.len();
    out.extend_from_slice(format!("{num} 0 obj\n{body}\nendobj\n").as_bytes());
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n{num} 1\n{at:010} 00000 n\r\ntrailer\n<</Size 40 /Root 1 0 R /Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

#[test]
fn content_changes_after_signing_are_disallowed() {
    let signed = sign(&text_pdf("Contract", &["pay 100 yen"]), "Alice", 1);
    let len = signed.len() as u64;
    // The page content stream (object 5) rewritten.
    let content = "BT /F1 11 Tf 72 700 Td (pay 999 yen) Tj ET";
    let body = format!(
        "<</Length {}>>\nstream\n{content}\nendstream",
        content.len()
    );
    let changed = hand_update(&signed, 5, &body);
    let changes = changes_after(&changed, len).unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        matches!(&changes[0], Change::Disallowed { object: (5, 0), .. }),
        "{changes:?}"
    );
    // The signature itself still covers its revision.
    assert!(signatures(&changed).unwrap()[0].byte_range_ok);

    // The page (object 3) given another /Contents (keeping the signature widget).
    let page = "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 4 0 R>>>> /Contents 5 0 R /Annots [7 0 R] /Rotate 90>>";
    let changes = changes_after(&hand_update(&signed, 3, page), len).unwrap();
    assert!(
        matches!(&changes[..], [Change::Disallowed { object: (3, 0), .. }]),
        "{changes:?}"
    );
    // The catalog gaining another key.
    let text = String::from_utf8_lossy(&signed).to_string();
    let catalog_at = text.rfind("1 0 obj\n").unwrap() + 8;
    let catalog_end = text[catalog_at..].find("\nendobj").unwrap() + catalog_at;
    let catalog = text[catalog_at..catalog_end].replacen("<<", "<</OpenAction [3 0 R /Fit] ", 1);
    let changes = changes_after(&hand_update(&signed, 1, &catalog), len).unwrap();
    assert!(
        matches!(&changes[..], [Change::Disallowed { object: (1, 0), .. }]),
        "{changes:?}"
    );
    // A second page added: the page tree (object 2) changed and the page list differs.
    let pages = "<</Type /Pages /Kids [3 0 R 4 0 R] /Count 2>>";
    let changes = changes_after(&hand_update(&signed, 2, pages), len).unwrap();
    assert!(
        changes.len() == 2
            && changes
                .iter()
                .all(|c| matches!(c, Change::Disallowed { .. })),
        "{changes:?}"
    );
    // The signature dictionary (object 6) replaced.
    let changes = changes_after(&hand_update(&signed, 6, "<</Type /Sig>>"), len).unwrap();
    assert!(
        matches!(&changes[..], [Change::Disallowed { object: (6, 0), .. }]),
        "{changes:?}"
    );
}

#[test]
fn document_timestamp_placeholder() {
    let signed = sign(&text_pdf("Contract", &["line"]), "Alice", 1);
    let ts = SignatureSpec {
        field_name: "DocTS1",
        sub_filter: SubFilter::Rfc3161,
        signing_time: Some(time::OffsetDateTime::UNIX_EPOCH),
        reason: None,
        location: None,
        contents_capacity: 8192,
    };
    let prepared = prepare_signature(&signed, &ts).unwrap();
    let text = String::from_utf8_lossy(prepared.pdf()).to_string();
    let dict_at = text
        .rfind("/Type /DocTimeStamp")
        .expect("/Type /DocTimeStamp");
    let dict = &text[dict_at..];
    assert!(dict.starts_with(
        "/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange ["
    ));
    assert!(
        !dict[..200].contains("/M "),
        "no /M in a document timestamp"
    );
    let stamped = prepared.complete(&fake_cms(3000, 9)).unwrap();
    let sigs = signatures(&stamped).unwrap();
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[1].field_name, "DocTS1");
    assert_eq!(sigs[1].sub_filter, SubFilter::Rfc3161);
    assert_eq!(sigs[1].cms, fake_cms(3000, 9));
    assert!(sigs[1].byte_range_ok);
    assert_eq!(sigs[1].signing_time, None);
    let changes = changes_after(&stamped, sigs[0].signed_len).unwrap();
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::Allowed(AllowedChange::DocTimeStamp { .. }))),
        "{changes:?}"
    );
    assert!(
        changes.iter().all(|c| matches!(c, Change::Allowed(_))),
        "{changes:?}"
    );
}

#[test]
fn xref_stream_and_object_stream_input() {
    let pdf = xref_stream::xref_stream_pdf("compressed");
    assert!(signatures(&pdf).unwrap().is_empty());
    let one = sign(&pdf, "Alice", 1);
    let two = sign(&one, "Bob", 2);
    // The updates' cross-reference sections are xref streams too: no hybrid file.
    let tail = String::from_utf8_lossy(&two[pdf.len()..]).to_string();
    assert!(
        !tail.contains("\nxref\n") && !tail.contains("trailer"),
        "{tail}"
    );
    assert_eq!(tail.matches("/Type /XRef").count(), 2);
    let sigs = signatures(&two).unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(sigs.iter().all(|s| s.byte_range_ok));
    assert_eq!(sigs[1].cms, fake_cms(600, 2));
    let with = add_dss(
        &two,
        &ValidationData {
            certificates: vec![b"c".to_vec()],
            ..Default::default()
        },
        &[],
    )
    .unwrap();
    assert_eq!(dss(&with).unwrap().unwrap().certificates, [b"c".to_vec()]);
    let changes = changes_after(&with, sigs[0].signed_len).unwrap();
    assert!(
        changes.iter().all(|c| matches!(c, Change::Allowed(_))),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::Allowed(AllowedChange::Structure { .. }))),
        "{changes:?}"
    );
}
