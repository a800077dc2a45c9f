//! Hostile input: truncations, byte flips, garbage, reference cycles and absurd lengths give
//! errors or results, never panics.

use akashi_pdf::{
    add_dss, changes_after, covered_digest, dss, prepare_signature, revisions, signatures,
    text_pdf, SignatureSpec, SubFilter, ValidationData,
};
use proptest::prelude::*;
use std::sync::OnceLock;

fn signed() -> &'static [u8] {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let mut pdf = text_pdf("Contract", &["line one", "line two"]);
        for name in ["A", "B"] {
            let spec = SignatureSpec {
                field_name: name,
                sub_filter: SubFilter::CadesDetached,
                signing_time: None,
                reason: None,
                location: None,
                contents_capacity: 64,
            };
            pdf = prepare_signature(&pdf, &spec)
                .unwrap()
                .complete(&[0x30, 3, 1, 2, 3])
                .unwrap();
        }
        add_dss(
            &pdf,
            &ValidationData {
                certificates: vec![vec![1, 2, 3]],
                ..Default::default()
            },
            &[&[0x30, 0]],
        )
        .unwrap()
    })
}

/// Runs every reader and writer on `pdf`; only panics matter.
fn exercise(pdf: &[u8]) {
    let _ = revisions(pdf);
    let _ = dss(pdf);
    if let Ok(sigs) = signatures(pdf) {
        for s in sigs {
            let _ = covered_digest(pdf, s.byte_range);
            let _ = changes_after(pdf, s.signed_len);
        }
    }
    let _ = changes_after(pdf, pdf.len() as u64 / 2);
    let spec = SignatureSpec {
        field_name: "X",
        sub_filter: SubFilter::Rfc3161,
        signing_time: None,
        reason: None,
        location: None,
        contents_capacity: 16,
    };
    if let Ok(p) = prepare_signature(pdf, &spec) {
        let _ = p.complete(&[0x30, 0]);
    }
    let _ = add_dss(pdf, &ValidationData::default(), &[b"x"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn truncations_never_panic(cut in 0usize..100_000) {
        let pdf = signed();
        exercise(&pdf[..cut % (pdf.len() + 1)]);
    }

    #[test]
    fn byte_flips_never_panic(flips in proptest::collection::vec((0usize..100_000, any::<u8>()), 1..8)) {
        let mut pdf = signed().to_vec();
        for (at, b) in flips {
            let i = at % pdf.len();
            pdf[i] = b;
        }
        exercise(&pdf);
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        exercise(&bytes);
        let mut with_tail = bytes.clone();
        with_tail.extend_from_slice(b"\nstartxref\n0\n%%EOF\n");
        exercise(&with_tail);
    }
}

/// A one-section file with `objects` numbered from 1 and `trailer` entries after /Size.
fn file(objects: &[&str], trailer: &str) -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    let trailer = trailer.replace("XREF", &xref.to_string());
    pdf.extend_from_slice(
        format!(
            "trailer\n<</Size {} {trailer}>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[test]
fn reference_cycles_and_absurd_numbers_are_errors() {
    let deep = format!("<</Type /Catalog /Pages {}>>", "[".repeat(500));
    let cases = [
        // /Prev pointing at its own section.
        file(&["<</Type /Catalog /Pages 2 0 R>>", "<</Type /Pages /Kids [3 0 R] /Count 1>>", "<</Type /Page>>"], "/Root 1 0 R /Prev XREF"),
        // A page tree whose /Kids contains itself.
        file(&["<</Type /Catalog /Pages 2 0 R>>", "<</Type /Pages /Kids [2 0 R] /Count 1>>"], "/Root 1 0 R"),
        // The catalog a stream whose /Length refers to itself; references in a loop.
        file(&["<</Length 1 0 R>>\nstream\nabc\nendstream", "3 0 R", "2 0 R"], "/Root 2 0 R"),
        // Nesting deeper than any real file.
        file(&[&deep], "/Root 1 0 R"),
        // Absurd counts and offsets.
        b"%PDF-1.7\nxref\n0 99999999999\n0000000000 65535 f \ntrailer\n<</Size 1>>\nstartxref\n9\n%%EOF\n".to_vec(),
        b"%PDF-1.7\nstartxref\n99999999999999999999999\n%%EOF\n".to_vec(),
        b"%PDF-1.7\nstartxref\n18446744073709551615\n%%EOF\n".to_vec(),
    ];
    for pdf in &cases {
        exercise(pdf);
        let spec = SignatureSpec {
            field_name: "X",
            sub_filter: SubFilter::CadesDetached,
            signing_time: None,
            reason: None,
            location: None,
            contents_capacity: 16,
        };
        assert!(
            prepare_signature(pdf, &spec).is_err(),
            "{}",
            String::from_utf8_lossy(pdf)
        );
    }
}
