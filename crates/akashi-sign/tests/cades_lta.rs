//! CAdES-B-LTA (ETSI EN 319 122-1 §5.5.3): a card signature made six years ago, raised to
//! B-LT and archive-timestamped, validated eleven years after signing, when the TSA
//! certificate of its signature timestamp and first archive timestamp has expired. A renewal
//! by a second TSA, made while the first TSA certificate was valid, keeps it TOTAL-PASSED;
//! without it the proof of existence is gone. Changed content, archive token, signature
//! timestamp or embedded CRL each fail with their sub-indication; OpenSSL verifies the
//! B-LTA file and the archive tokens over our recomputed imprints, pyHanko the signature.

#[path = "../../akashi-tsa/tests/support/openssl.rs"]
mod openssl_cli;
mod support;

use std::path::Path;

use cms::content_info::ContentInfo;
use cms::revocation::RevocationInfoChoice;
use cms::signed_data::SignedData;
use der::asn1::OctetString;
use der::{Decode, Encode};
use sha2::Digest;
use time::{Duration, OffsetDateTime};

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_jlis::{Authority, Registry};
use akashi_jpki::JpkiCertificate;
use akashi_sign::validate::{Indication, Level, SubIndication};
use akashi_sign::{
    add_archive_timestamp, add_signature_timestamp, add_validation_data, archive_timestamps,
    prepare_cades, renew_cades_archive_timestamp, validate_cades, Anchors, Evidence, LocalJlis,
    LocalTsa, SignError, ID_ATS_HASH_INDEX_V3,
};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

const CONTRACT: &[u8] = "賃貸借契約書\n第1条 甲は乙に建物を賃貸する。\n".as_bytes();
const YEAR: Duration = Duration::days(365);

struct World {
    dir: tempfile::TempDir,
    authority: Authority,
    registry: Registry,
    store: Store,
    anchors: Anchors,
}

impl World {
    async fn new(t0: OffsetDateTime) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let authority = support::jlis(dir.path(), t0);
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        let mut anchors = Anchors::default();
        anchors.add(
            JpkiCertificate::from_pem_or_der(
                &std::fs::read(dir.path().join("sign-root.pem")).unwrap(),
            )
            .unwrap(),
        );
        World {
            registry: Registry::new(store.clone()),
            dir,
            authority,
            store,
            anchors,
        }
    }

    /// A TSA whose CA and 10-year certificate start at `now`, in `dir/<name>`; its root
    /// becomes a trust anchor.
    fn tsa(&mut self, name: &str, now: OffsetDateTime) -> Tsa {
        let data = self.dir.path().join(name);
        let tsa = Tsa::new(
            TsaAuthority::open_or_create(&data, &support::sealing_key(), now, &OsRandom).unwrap(),
        );
        self.anchors
            .add(JpkiCertificate::from_der(tsa.authority().ca_certificate()).unwrap());
        tsa
    }

    fn stamp<'a>(&'a self, tsa: &'a Tsa, now: OffsetDateTime) -> LocalTsa<'a> {
        LocalTsa {
            tsa,
            store: &self.store,
            now,
        }
    }

    /// J-LIS CRLs at `now`, and the validation data of `tsa` (its CA and the CA's CRL).
    fn services(&self, tsa: &Tsa, name: &str, now: OffsetDateTime) -> LocalJlis<'_> {
        let data = self.dir.path().join(name);
        LocalJlis {
            authority: &self.authority,
            store: &self.store,
            now,
            tsa: Evidence {
                certificates: vec![tsa.authority().ca_certificate().to_vec()],
                crls: vec![tsa
                    .authority()
                    .crl(&data, &support::sealing_key(), now)
                    .unwrap()],
                ocsp_responses: Vec::new(),
            },
        }
    }

    /// B-B, B-T and B-LT of a card signature at `t0`, timestamped by `tsa`.
    async fn sign(&mut self, tsa: &Tsa, t0: OffsetDateTime) -> [Vec<u8>; 3] {
        let person = support::person("高橋\u{3000}美咲", time::macros::date!(1988 - 11 - 03));
        let mut card =
            support::registered_card(&mut self.authority, &self.registry, "r1", &person, t0).await;
        let certificate = support::signature_certificate(&mut card);
        let prepared = prepare_cades(CONTRACT, &certificate, t0).unwrap();
        let signature = card.sign(prepared.to_be_signed(), support::PIN).unwrap();
        let b_b = prepared.complete(&signature).unwrap();
        let b_t = add_signature_timestamp(&b_b, &self.stamp(tsa, t0))
            .await
            .unwrap();
        let b_lt =
            add_validation_data(&b_t, &self.services(tsa, "tsa1", t0 + Duration::minutes(5)))
                .await
                .unwrap();
        [b_b, b_t, b_lt]
    }
}

fn digest(content: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(content).into()
}

fn flip_in(cms: &[u8], part: &[u8], offset_from_end: usize) -> Vec<u8> {
    let at = cms
        .windows(part.len())
        .position(|w| w == part)
        .expect("the part is in the signature");
    let mut bad = cms.to_vec();
    bad[at + part.len() - 1 - offset_from_end] ^= 0x01;
    bad
}

fn crls(cms: &[u8]) -> Vec<Vec<u8>> {
    signed_data(cms)
        .crls
        .iter()
        .flat_map(|c| c.0.iter())
        .map(|c| match c {
            RevocationInfoChoice::Crl(crl) => crl.to_der().unwrap(),
            RevocationInfoChoice::Other(_) => unreachable!(),
        })
        .collect()
}

fn outcome(
    content: &[u8],
    cms: &[u8],
    w: &World,
    at: OffsetDateTime,
) -> (Indication, Option<SubIndication>) {
    let s = &validate_cades(content, cms, &w.anchors, at).signatures[0];
    (s.indication, s.sub_indication)
}

#[tokio::test]
async fn a_renewed_b_lta_outlives_the_tsa_certificate_and_tampering_is_named() {
    let t0 = OffsetDateTime::now_utc() - 6 * YEAR;
    let mut w = World::new(t0).await;
    let tsa1 = w.tsa("tsa1", t0);
    let [b_b, b_t, b_lt] = w.sign(&tsa1, t0).await;
    let sha = digest(CONTRACT);

    // Only a B-LT signature over this content gets an archive timestamp.
    let stamp = w.stamp(&tsa1, t0 + Duration::minutes(10));
    for (cms, level) in [(&b_b, "B-B"), (&b_t, "B-T")] {
        match add_archive_timestamp(cms, &sha, &stamp).await {
            Err(SignError::Invalid(why)) => assert!(why.contains(level), "{why}"),
            other => panic!("{level} got an archive timestamp: {other:?}"),
        }
    }
    let wrong = add_archive_timestamp(&b_lt, &digest(b"another contract"), &stamp).await;
    assert!(
        matches!(wrong, Err(SignError::Invalid(why)) if why.contains("message digest")),
        "{wrong:?}"
    );
    let lta1 = add_archive_timestamp(&b_lt, &sha, &stamp).await.unwrap();

    // Now (six years on) the first TSA certificate (ten years) still holds.
    let now = t0 + 6 * YEAR;
    let report = validate_cades(CONTRACT, &lta1, &w.anchors, now);
    let s = &report.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(s.level, Some(Level::BLta), "{report:#?}");
    assert_eq!(report.archive_timestamps.len(), 1);
    assert!(report.archive_timestamps[0].valid, "{report:#?}");

    // Nine years on a second TSA renews it, while the first TSA certificate is valid.
    let t9 = t0 + 9 * YEAR;
    let tsa2 = w.tsa("tsa2", t9);
    let lta2 = renew_cades_archive_timestamp(
        &lta1,
        &sha,
        &w.services(&tsa1, "tsa1", t9),
        &w.stamp(&tsa2, t9),
    )
    .await
    .unwrap();
    assert_eq!(archive_timestamps(&lta2, &sha).unwrap().len(), 2);

    // Eleven years on: the first TSA certificate has expired.
    let t11 = t0 + 11 * YEAR;
    assert!(
        JpkiCertificate::from_der(tsa1.authority().certificate())
            .unwrap()
            .not_after()
            < t11
    );
    let report = validate_cades(CONTRACT, &lta2, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(s.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(s.level, Some(Level::BLta), "{report:#?}");
    assert_eq!(report.archive_timestamps.len(), 2, "{report:#?}");
    assert!(
        report.archive_timestamps.iter().all(|t| t.valid),
        "{report:#?}"
    );
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("2 of 2 archive timestamps hold")),
        "{s:#?}"
    );

    // Without the renewal the proof of existence ends with the first TSA certificate.
    let report = validate_cades(CONTRACT, &lta1, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::OutOfBoundsNoPoe)
        ),
        "{report:#?}"
    );
    assert!(!report.archive_timestamps[0].valid);
    let reason = report.archive_timestamps[0].reason.as_deref().unwrap();
    assert!(reason.contains("no renewal in time"), "{reason}");

    // A byte of the content.
    let mut changed = CONTRACT.to_vec();
    changed[3] ^= 1;
    assert_eq!(
        outcome(&changed, &lta2, &w, t11),
        (Indication::TotalFailed, Some(SubIndication::HashFailure))
    );

    // A byte of the newest archive token's signature value.
    let tokens = archive_timestamps(&lta2, &sha).unwrap();
    let newest = tokens
        .iter()
        .find(|t| !lta1.windows(t.token.len()).any(|w| w == t.token.as_slice()))
        .unwrap();
    let tsa_signature = akashi_cms::parse_signed_data(&newest.token)
        .unwrap()
        .signer
        .signature;
    let bad = flip_in(&lta2, &tsa_signature, 3);
    assert_eq!(
        outcome(CONTRACT, &bad, &w, t11),
        (
            Indication::TotalFailed,
            Some(SubIndication::SigCryptoFailure)
        )
    );
    let report = validate_cades(CONTRACT, &bad, &w.anchors, t11);
    assert!(
        report.archive_timestamps.iter().any(|t| t
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("TSA signature does not verify"))),
        "{report:#?}"
    );

    // A byte of the J-LIS CRL embedded for B-LT (covered by both archive timestamps).
    let jlis_crl = crls(&b_lt).remove(0);
    let bad = flip_in(&lta2, &jlis_crl, 0);
    let report = validate_cades(CONTRACT, &bad, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure)),
        "{report:#?}"
    );
    assert!(s.reason.as_deref().unwrap().contains("a CRL"), "{s:#?}");

    // A byte of the signature timestamp (an unsigned attribute the archive covers).
    let signature_token = akashi_sign::signature_timestamp(&lta2).unwrap().unwrap();
    let tst_signature = akashi_cms::parse_signed_data(&signature_token)
        .unwrap()
        .signer
        .signature;
    let bad = flip_in(&lta2, &tst_signature, 5);
    let report = validate_cades(CONTRACT, &bad, &w.anchors, t11);
    let s = &report.signatures[0];
    assert_eq!(
        (s.indication, s.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure)),
        "{report:#?}"
    );
    assert!(
        s.reason.as_deref().unwrap().contains("unsigned attribute"),
        "{s:#?}"
    );

    // Truncations and flipped bytes: a report, never a panic, never a pass when cut.
    for cut in [0, 1, 64, lta2.len() / 3, lta2.len() / 2, lta2.len() - 1] {
        let report = validate_cades(CONTRACT, &lta2[..cut], &w.anchors, t11);
        assert!(!report.all_passed(), "cut at {cut}");
    }
    for i in (0..lta2.len()).step_by(53) {
        let mut flipped = lta2.clone();
        flipped[i] ^= 0x80;
        let _ = validate_cades(CONTRACT, &flipped, &w.anchors, t11);
        let _ = archive_timestamps(&flipped, &sha);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ts_verify(dir: &Path, token: &str, digest: &[u8], ca: &str) -> (bool, String) {
    openssl_cli::openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-digest",
            &hex(digest),
            "-token_in",
            "-in",
            token,
            "-CAfile",
            ca,
        ],
    )
}

#[tokio::test]
async fn openssl_verifies_the_b_lta_signature_and_its_archive_tokens() {
    let t0 = OffsetDateTime::now_utc() - Duration::hours(2);
    let mut w = World::new(t0).await;
    let tsa = w.tsa("tsa1", t0);
    let [_, _, b_lt] = w.sign(&tsa, t0).await;
    let sha = digest(CONTRACT);
    let later = t0 + Duration::hours(1);
    // The first archive timestamp through renewal (TSA validation data first), then another in
    // the same second: the validator orders them by what they cover.
    let lta = renew_cades_archive_timestamp(
        &b_lt,
        &sha,
        &w.services(&tsa, "tsa1", later),
        &w.stamp(&tsa, later),
    )
    .await
    .unwrap();
    let lta = add_archive_timestamp(&lta, &sha, &w.stamp(&tsa, later))
        .await
        .unwrap();
    let dir = w.dir.path();
    std::fs::write(dir.join("contract.txt"), CONTRACT).unwrap();
    std::fs::write(dir.join("contract.p7s"), &lta).unwrap();
    let (ok, out) = openssl_cli::openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "contract.p7s",
            "-content",
            "contract.txt",
            "-CAfile",
            "sign-root.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    );
    assert!(ok && out.contains("Verification successful"), "{out}");

    let report = validate_cades(CONTRACT, &lta, &w.anchors, later + Duration::hours(1));
    assert_eq!(report.signatures[0].level, Some(Level::BLta), "{report:#?}");
    assert!(report.all_passed(), "{report:#?}");
    assert_eq!(report.archive_timestamps.len(), 2, "{report:#?}");
    assert!(
        report.archive_timestamps.iter().all(|t| t.valid),
        "{report:#?}"
    );

    let tokens = archive_timestamps(&lta, &sha).unwrap();
    assert_eq!(tokens.len(), 2);
    for (i, ts) in tokens.iter().enumerate() {
        let name = format!("archive{i}.tst");
        std::fs::write(dir.join(&name), &ts.token).unwrap();
        let (ok, out) = ts_verify(dir, &name, &ts.imprint, "tsa1/tsa/ca.pem");
        assert!(ok && out.contains("Verification: OK"), "{out}");
        // Over our imprint only: the content's digest is not what it timestamped.
        let (ok, _) = ts_verify(dir, &name, &sha, "tsa1/tsa/ca.pem");
        assert!(!ok);
    }
    // pyHanko (independent; it does not evaluate archive timestamps) still judges the
    // augmented signature and its signature timestamp valid.
    if let Some((ok, out)) = support::pyhanko::pyhanko(
        dir,
        &[
            "sign",
            "validate",
            "--pretty-print",
            "--no-revocation-check",
            "--trust",
            "sign-root.pem",
            "--trust",
            "tsa1/tsa/ca.pem",
            "--trust-replace",
            "--detached",
            "contract.p7s",
            "contract.txt",
        ],
    ) {
        assert!(ok && out.contains("The signature is judged VALID"), "{out}");
        assert!(
            out.contains("The timestamp token is cryptographically sound"),
            "{out}"
        );
    }

    // Recomputed from decoded structures as §5.5.2/§5.5.3 read (not from our byte slices).
    let mut covered_attrs = Vec::new();
    for ts in &tokens {
        let (imprint, index) = by_the_book(&lta, &ts.token, CONTRACT);
        assert_eq!(imprint, ts.imprint);
        let hashes = |list: &[OctetString]| -> Vec<Vec<u8>> {
            list.iter().map(|o| o.as_bytes().to_vec()).collect()
        };
        let (certificates, crls) = covered_sets(&lta);
        assert_eq!(hashes(&index.certificates), certificates);
        assert_eq!(hashes(&index.crls), crls);
        covered_attrs.push(hashes(&index.unsigned_values));
    }
    // The first covers the signature timestamp, the second that and the first.
    covered_attrs.sort_by_key(Vec::len);
    assert_eq!(
        covered_attrs.iter().map(Vec::len).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(covered_attrs[1].contains(&covered_attrs[0][0]));
}

#[derive(der::Sequence)]
struct Index {
    certificates: Vec<OctetString>,
    crls: Vec<OctetString>,
    unsigned_values: Vec<OctetString>,
}

fn signed_data(cms: &[u8]) -> SignedData {
    ContentInfo::from_der(cms)
        .unwrap()
        .content
        .decode_as()
        .unwrap()
}

/// SHA-256 of each certificate and CRL of the SignedData, as the cms crate encodes them.
fn covered_sets(cms: &[u8]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let signed = signed_data(cms);
    let certificates = signed
        .certificates
        .iter()
        .flat_map(|c| c.0.iter())
        .map(|c| digest(&c.to_der().unwrap()).to_vec())
        .collect();
    let crls = crls(cms).iter().map(|c| digest(c).to_vec()).collect();
    (certificates, crls)
}

/// The archive-time-stamp-v3 imprint: H(eContentType || H(content) || version, sid,
/// digestAlgorithm, signedAttrs ([0] IMPLICIT), signatureAlgorithm, signature ||
/// ATSHashIndexV3), and the index the token carries.
fn by_the_book(cms: &[u8], token: &[u8], content: &[u8]) -> ([u8; 32], Index) {
    let signed = signed_data(cms);
    let signer = signed.signer_infos.0.get(0).unwrap();
    let index = signed_data(token)
        .signer_infos
        .0
        .get(0)
        .unwrap()
        .unsigned_attrs
        .as_ref()
        .unwrap()
        .iter()
        .find(|a| a.oid == ID_ATS_HASH_INDEX_V3)
        .unwrap()
        .values
        .get(0)
        .unwrap()
        .to_der()
        .unwrap();
    let mut signed_attrs = signer.signed_attrs.as_ref().unwrap().to_der().unwrap();
    signed_attrs[0] = 0xA0;
    let imprint = sha2::Sha256::new()
        .chain_update(signed.encap_content_info.econtent_type.to_der().unwrap())
        .chain_update(digest(content))
        .chain_update(signer.version.to_der().unwrap())
        .chain_update(signer.sid.to_der().unwrap())
        .chain_update(signer.digest_alg.to_der().unwrap())
        .chain_update(signed_attrs)
        .chain_update(signer.signature_algorithm.to_der().unwrap())
        .chain_update(signer.signature.to_der().unwrap())
        .chain_update(&index)
        .finalize()
        .into();
    (imprint, Index::from_der(&index).unwrap())
}
