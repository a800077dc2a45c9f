//! CAdES-B-LTA checked by others: `openssl cms -verify` accepts the B-LTA file, `openssl ts
//! -verify` each archive token over the imprint we recompute, pyHanko the signature and its
//! signature timestamp; and the imprint and hash index recomputed from decoded structures, as
//! ETSI EN 319 122-1 §5.5.2/§5.5.3 read, equal ours.

#[path = "../../akashi-tsa/tests/support/openssl.rs"]
mod openssl_cli;
mod support;

use std::path::Path;

use der::asn1::OctetString;
use der::{Decode, Encode};
use sha2::Digest;
use time::{Duration, OffsetDateTime};

use akashi_sign::validate::Level;
use akashi_sign::{
    add_archive_timestamp, archive_timestamps, renew_cades_archive_timestamp, validate_cades,
    ID_ATS_HASH_INDEX_V3,
};

use support::lta::{crls, digest, signed_data, World, CONTRACT};

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
