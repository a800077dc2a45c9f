//! CAdES with a (virtual) My Number Card, checked by OpenSSL: the card signs the B-B signed
//! attributes through its APDU interface, `openssl cms -verify` accepts the detached
//! signature against the J-LIS signature CA and refuses a one-byte change in the document;
//! the B-T augmentation keeps it valid there and its timestamp verifies with `openssl ts
//! -verify` over the signature value.

#[path = "../../akashi-tsa/tests/support/openssl.rs"]
mod openssl_cli;
mod support;

use std::path::Path;

use openssl_cli::openssl;

use sha2::Digest;
use time::OffsetDateTime;

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_sign::{add_signature_timestamp, prepare_cades, signature_timestamp, LocalTsa};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

use support::PIN;

fn cms_verify(dir: &Path, signature: &str, content: &str) -> (bool, String) {
    openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            signature,
            "-content",
            content,
            "-CAfile",
            "sign-root.pem",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
    )
}

#[tokio::test]
async fn openssl_verifies_a_card_signed_cades_b_b_and_its_b_t_timestamp() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let now = OffsetDateTime::now_utc();
    let key = support::sealing_key();
    let mut authority = support::jlis(dir, now);
    let hanako = support::person("山田\u{3000}花子", time::macros::date!(1990 - 04 - 01));
    let mut card = support::card(&mut authority, &hanako, now);
    let contract = "売買契約書\n第1条 甲は乙に…\n".as_bytes();
    std::fs::write(dir.join("contract.txt"), contract).unwrap();

    // B-B: the card signs the signed attributes (two-phase: no key in this process).
    let certificate = support::signature_certificate(&mut card);
    let prepared = prepare_cades(contract, &certificate, now).unwrap();
    let signature = card.sign(prepared.to_be_signed(), PIN).unwrap();
    let b_b = prepared.complete(&signature).unwrap();
    std::fs::write(dir.join("contract.p7s"), &b_b).unwrap();
    let (ok, out) = cms_verify(dir, "contract.p7s", "contract.txt");
    assert!(ok && out.contains("Verification successful"), "{out}");
    let mut changed = contract.to_vec();
    changed[3] ^= 1;
    std::fs::write(dir.join("changed.txt"), changed).unwrap();
    let (ok, out) = cms_verify(dir, "contract.p7s", "changed.txt");
    assert!(!ok, "a changed document verified: {out}");
    assert_eq!(signature_timestamp(&b_b).unwrap(), None);

    // B-T: a signature timestamp from the TSA over the signature value.
    let tsa = Tsa::new(TsaAuthority::open_or_create(dir, &key, now, &OsRandom).unwrap());
    let store = Store::open_in_dir(dir).await.unwrap();
    let source = LocalTsa {
        tsa: &tsa,
        store: &store,
        now,
    };
    let b_t = add_signature_timestamp(&b_b, &source).await.unwrap();
    std::fs::write(dir.join("contract-t.p7s"), &b_t).unwrap();
    let (ok, out) = cms_verify(dir, "contract-t.p7s", "contract.txt");
    assert!(ok && out.contains("Verification successful"), "{out}");
    let token = signature_timestamp(&b_t)
        .unwrap()
        .expect("a B-T signature has a timestamp");
    std::fs::write(dir.join("sig.tst"), &token).unwrap();
    let digest = hex(&sha2::Sha256::digest(&signature));
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-digest",
            &digest,
            "-token_in",
            "-in",
            "sig.tst",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "{out}");
    // The timestamp is over this signature, not another value.
    let other = hex(&sha2::Sha256::digest(b"another signature"));
    let (ok, _) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-digest",
            &other,
            "-token_in",
            "-in",
            "sig.tst",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(!ok);
    // B-T twice is refused.
    assert!(add_signature_timestamp(&b_t, &source).await.is_err());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
