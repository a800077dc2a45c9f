//! A three-party contract signed with three (virtual) My Number Cards as PAdES, each signature
//! an incremental update with its signature timestamp, then the DSS with the J-LIS validation
//! data (B-LT) and a document timestamp (B-LTA). pyHanko (PyPI, independent) validates it
//! AdES-style offline at a time after every signer's certificate expired; our validator agrees;
//! a one-byte change in the signed content fails both.

mod support;

use time::{Duration, OffsetDateTime};

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_jlis::Registry;
use akashi_jpki::JpkiCertificate;
use akashi_sign::validate::{Indication, Level, SubIndication};
use akashi_sign::{
    add_document_timestamp, add_pades_validation_data, prepare_pades, renew_archive_timestamp,
    validate_pades, Anchors, Evidence, LocalJlis, LocalTsa,
};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

use support::pyhanko::pyhanko;

const PARTIES: [(&str, &str); 3] = [
    ("a", "山田\u{3000}花子"),
    ("b", "佐藤\u{3000}一郎"),
    ("c", "鈴木\u{3000}三郎"),
];

/// The validation data of this installation at `at`: J-LIS CRLs, and the TSA CA's CRL.
fn services<'a>(
    authority: &'a akashi_jlis::Authority,
    store: &'a Store,
    tsa: &Tsa,
    dir: &std::path::Path,
    at: OffsetDateTime,
) -> LocalJlis<'a> {
    LocalJlis {
        authority,
        store,
        now: at,
        tsa: Evidence {
            certificates: vec![tsa.authority().ca_certificate().to_vec()],
            crls: vec![tsa
                .authority()
                .crl(dir, &support::sealing_key(), at)
                .unwrap()],
            ocsp_responses: Vec::new(),
        },
    }
}

/// Six years ago three parties signed (B-T each), the contract got its DSS (B-LT) and a
/// document timestamp (B-LTA). Their certificates expired at their fifth birthday after
/// issuance; an hour ago the archive timestamp was renewed. Validation now, offline.
#[tokio::test]
async fn pyhanko_validates_a_three_signer_pades_lta_contract_after_the_certificates_expired() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let now = OffsetDateTime::now_utc();
    let then = now - Duration::days(6 * 365);
    let mut authority = support::jlis(dir, then);
    let store = Store::open_in_dir(dir).await.unwrap();
    let registry = Registry::new(store.clone());
    let tsa = Tsa::new(
        TsaAuthority::open_or_create(dir, &support::sealing_key(), then, &OsRandom).unwrap(),
    );
    let local_tsa = |now| LocalTsa {
        tsa: &tsa,
        store: &store,
        now,
    };

    let mut pdf = akashi_pdf::text_pdf(
        "Joint venture agreement",
        &[
            "Article 1. The parties A, B and C form a joint venture.",
            "Article 2. ...",
        ],
    );
    let mut not_after = Vec::new();
    for (i, (id, name)) in PARTIES.iter().enumerate() {
        let person = support::person(name, time::macros::date!(1980 - 02 - 29));
        let mut card = support::registered_card(&mut authority, &registry, id, &person, then).await;
        let certificate = support::signature_certificate(&mut card);
        not_after.push(JpkiCertificate::from_der(&certificate).unwrap().not_after());
        let at = then + Duration::days(1) + Duration::minutes(i as i64);
        let prepared = prepare_pades(&pdf, &format!("Signer{}", i + 1), &certificate, at).unwrap();
        let signature = card.sign(prepared.to_be_signed(), support::PIN).unwrap();
        pdf = prepared
            .complete_with_timestamp(&signature, &local_tsa(at))
            .await
            .unwrap();
    }
    let lt_time = then + Duration::days(1) + Duration::minutes(5);
    let source = services(&authority, &store, &tsa, dir, lt_time);
    pdf = add_pades_validation_data(&pdf, &source).await.unwrap();
    pdf = add_document_timestamp(&pdf, &local_tsa(lt_time + Duration::minutes(1)))
        .await
        .unwrap();
    let renewal = now - Duration::hours(1);
    let source = services(&authority, &store, &tsa, dir, renewal);
    pdf = renew_archive_timestamp(&pdf, &source, &local_tsa(renewal))
        .await
        .unwrap();
    std::fs::write(dir.join("contract.pdf"), &pdf).unwrap();

    // Every signer's certificate has expired; the TSA's has not.
    assert!(not_after.iter().all(|t| *t < now), "{not_after:?}");
    let mut anchors = Anchors::default();
    anchors.add(
        JpkiCertificate::from_pem_or_der(&std::fs::read(dir.join("sign-root.pem")).unwrap())
            .unwrap(),
    );
    anchors.add(JpkiCertificate::from_der(tsa.authority().ca_certificate()).unwrap());
    let report = validate_pades(&pdf, &anchors, now);
    assert_eq!(report.signatures.len(), 3, "{report:#?}");
    for s in &report.signatures {
        assert_eq!(s.indication, Indication::TotalPassed, "{s:#?}");
        assert_eq!(s.level, Some(Level::BLta), "{s:#?}");
    }
    assert_eq!(report.archive_timestamps.len(), 2, "{report:#?}");
    assert!(
        report.archive_timestamps.iter().all(|t| t.valid),
        "{report:#?}"
    );
    assert!(report.document_findings.is_empty(), "{report:#?}");

    let validation_time = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let adesverify = |file: &str| {
        pyhanko(
            dir,
            &[
                "sign",
                "adesverify",
                "--pretty-print",
                "--validation-time",
                &validation_time,
                "--trust",
                "sign-root.pem",
                "--trust",
                "tsa/ca.pem",
                "--trust-replace",
                file,
            ],
        )
    };
    let Some((ok, out)) = adesverify("contract.pdf") else {
        return;
    };
    assert!(ok, "pyHanko refused our PAdES-LTA contract: {out}");
    assert_eq!(
        out.matches("The signature is judged VALID").count(),
        3,
        "{out}"
    );
    assert!(out.contains("The signer's certificate is trusted"), "{out}");

    // One byte of the contract's text (in the first revision, under every signature).
    let at = pdf.windows(13).position(|w| w == b"joint venture").unwrap();
    let mut changed = pdf.clone();
    changed[at] = b'J';
    std::fs::write(dir.join("changed.pdf"), &changed).unwrap();
    let (ok, out) = adesverify("changed.pdf").unwrap();
    assert!(!ok, "pyHanko accepted a changed contract: {out}");
    assert!(!out.contains("judged VALID"), "{out}");
    let report = validate_pades(&changed, &anchors, now);
    assert_eq!(report.signatures.len(), 3);
    for s in &report.signatures {
        assert_eq!(
            (s.indication, s.sub_indication),
            (Indication::TotalFailed, Some(SubIndication::HashFailure)),
            "{s:#?}"
        );
    }

    // An incremental update after the signatures that rewrites the page's content stream:
    // the signed bytes are intact, but what a reader shows is not what was signed.
    // Object 5 is the page's content stream in `text_pdf`.
    let forged = support::append_stream_object(
        &pdf,
        5,
        b"BT /F1 16 Tf 72 770 Td (Nothing was agreed) Tj ET",
    );
    std::fs::write(dir.join("forged.pdf"), &forged).unwrap();
    let (ok, out) = adesverify("forged.pdf").unwrap();
    assert!(!ok, "pyHanko accepted a forged update: {out}");
    let report = validate_pades(&forged, &anchors, now);
    for s in &report.signatures {
        assert_eq!(s.indication, Indication::TotalFailed, "{s:#?}");
        assert!(
            s.reason
                .as_ref()
                .unwrap()
                .contains("later incremental update changed"),
            "{s:#?}"
        );
    }

    // Truncated files: a report with findings, never a panic.
    for cut in [0, 10, pdf.len() / 3, pdf.len() - 7] {
        let report = validate_pades(&pdf[..cut], &anchors, now);
        assert!(!report.all_passed(), "cut at {cut}");
    }
}
