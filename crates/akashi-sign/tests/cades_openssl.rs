//! CAdES with a (virtual) My Number Card, checked by OpenSSL: the card signs the B-B signed
//! attributes through its APDU interface, `openssl cms -verify` accepts the detached
//! signature against the J-LIS signature CA and refuses a one-byte change in the document;
//! the B-T augmentation keeps it valid there and its timestamp verifies with `openssl ts
//! -verify` over the signature value.

#[path = "../../akashi-tsa/tests/support/openssl.rs"]
mod openssl_cli;

use std::path::Path;

use openssl_cli::openssl;

use sha2::Digest;
use time::OffsetDateTime;

use akashi_card::{Card, CertificateSlot, JpkiCard, MemoryStore, VirtualTransport};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{issue_card, Authority, CardIssueRequest};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex};
use akashi_sign::{add_signature_timestamp, prepare_cades, signature_timestamp, LocalTsa};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

const PIN: &str = "SIGN2026";

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
    let key = SealingKey::from_bytes([4; 32]);
    let mut authority = Authority::init(dir, key.clone(), now, &OsRandom).unwrap();
    let person = BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: time::macros::date!(1990 - 04 - 01),
        sex: Sex::Female,
    };
    let issued = issue_card(
        &mut authority,
        &CardIssueRequest {
            person: &person,
            auth_pin: "1234",
            sign_pin: PIN,
        },
        MemoryStore::default(),
        now,
        &OsRandom,
    )
    .unwrap();
    let root = &authority.generations(CertificateKind::Signature).unwrap()[0].certificate;
    std::fs::write(dir.join("sign-root.pem"), root.to_pem()).unwrap();
    let mut card = JpkiCard::new(VirtualTransport(issued.card));
    let contract = "売買契約書\n第1条 甲は乙に…\n".as_bytes();
    std::fs::write(dir.join("contract.txt"), contract).unwrap();

    // B-B: the card signs the signed attributes (two-phase: no key in this process).
    let certificate = card
        .read_certificate(CertificateSlot::Signature, Some(PIN))
        .unwrap();
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
