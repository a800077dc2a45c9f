//! The TSA against an independent implementation: `openssl ts` makes the requests, and
//! `openssl ts -verify` checks our tokens (signature, ESSCertIDv2 binding to the TSA
//! certificate, the critical timeStamping EKU, the imprint against the data, the nonce); a
//! one-byte change in the data fails it. Rejections decode there with the right failure info,
//! and serial numbers keep growing across a restart.

#[path = "support/openssl.rs"]
mod openssl_cli;

use std::path::Path;

use openssl_cli::openssl;

use time::OffsetDateTime;

use akashi_crypto::{OsRandom, SealingKey};
use akashi_store::Store;
use akashi_tsa::{next_serial, Tsa, TsaAuthority, TsaRejection};

async fn answer(tsa: &Tsa, store: &Store, dir: &Path, request: &str, reply: &str) {
    let req = std::fs::read(dir.join(request)).unwrap();
    let response = match tsa.check(&req) {
        Ok(checked) => {
            let serial = next_serial(store, "default").await.unwrap();
            tsa.grant(&checked, serial, OffsetDateTime::now_utc())
                .unwrap()
        }
        Err(why) => Tsa::reject(&why),
    };
    std::fs::write(dir.join(reply), response).unwrap();
}

#[tokio::test]
async fn openssl_verifies_our_tokens_and_reads_our_rejections() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = SealingKey::from_bytes([3; 32]);
    let now = OffsetDateTime::now_utc();
    let tsa = Tsa::new(TsaAuthority::open_or_create(dir, &key, now, &OsRandom).unwrap());
    let store = Store::open_in_dir(dir).await.unwrap();
    std::fs::write(dir.join("contract.txt"), "売買契約書 第1条 …".as_bytes()).unwrap();

    // With the TSA certificate in the token (-cert) and openssl's default nonce.
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "contract.txt",
            "-sha256",
            "-cert",
            "-out",
            "a.tsq",
        ],
    );
    assert!(ok, "{out}");
    answer(&tsa, &store, dir, "a.tsq", "a.tsr").await;
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-data",
            "contract.txt",
            "-in",
            "a.tsr",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "{out}");
    // Against the request too (imprint, nonce, policy).
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-queryfile",
            "a.tsq",
            "-in",
            "a.tsr",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "{out}");
    let (ok, text) = openssl(dir, &["ts", "-reply", "-in", "a.tsr", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Status: Granted."), "{text}");
    assert!(
        text.contains("Policy OID: 1.3.6.1.4.1.65530.1.3.1"),
        "{text}"
    );
    assert!(text.contains("Serial number: 0x01"), "{text}");
    assert!(text.contains("Accuracy: 0x01 seconds"), "{text}");

    // A one-byte change in the document fails.
    let mut changed = std::fs::read(dir.join("contract.txt")).unwrap();
    changed[0] ^= 1;
    std::fs::write(dir.join("changed.txt"), changed).unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-data",
            "changed.txt",
            "-in",
            "a.tsr",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(!ok && out.contains("message imprint mismatch"), "{out}");
    // So does a token checked against another root.
    let other = tempfile::tempdir().unwrap();
    drop(TsaAuthority::open_or_create(other.path(), &key, now, &OsRandom).unwrap());
    let other_ca = other.path().join("tsa/ca.pem");
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-data",
            "contract.txt",
            "-in",
            "a.tsr",
            "-CAfile",
            other_ca.to_str().unwrap(),
        ],
    );
    assert!(!ok, "{out}");

    // Without -cert the token carries no certificate; the validator brings it.
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "contract.txt",
            "-sha512",
            "-out",
            "b.tsq",
        ],
    );
    assert!(ok, "{out}");
    answer(&tsa, &store, dir, "b.tsq", "b.tsr").await;
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-data",
            "contract.txt",
            "-in",
            "b.tsr",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(!ok, "verified without the TSA certificate: {out}");
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-data",
            "contract.txt",
            "-in",
            "b.tsr",
            "-CAfile",
            "tsa/ca.pem",
            "-untrusted",
            "tsa/tsa.pem",
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "{out}");

    // SHA-1 is refused with badAlg, and no serial number is spent.
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "contract.txt",
            "-sha1",
            "-out",
            "c.tsq",
        ],
    );
    assert!(ok, "{out}");
    let req = std::fs::read(dir.join("c.tsq")).unwrap();
    assert_eq!(tsa.check(&req).unwrap_err(), TsaRejection::BadAlg);
    answer(&tsa, &store, dir, "c.tsq", "c.tsr").await;
    let (ok, text) = openssl(dir, &["ts", "-reply", "-in", "c.tsr", "-text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Status: Rejected"), "{text}");
    assert!(
        text.contains("unrecognized or unsupported algorithm identifier"),
        "{text}"
    );
    // Garbage is badDataFormat.
    assert!(matches!(
        tsa.check(b"\x30\x03\x02\x01"),
        Err(TsaRejection::BadDataFormat(_))
    ));
    std::fs::write(
        dir.join("d.tsr"),
        Tsa::reject(&TsaRejection::BadDataFormat("x".into())),
    )
    .unwrap();
    let (_, text) = openssl(dir, &["ts", "-reply", "-in", "d.tsr", "-text"]);
    assert!(
        text.contains("the data submitted has the wrong format"),
        "{text}"
    );

    // Serial numbers: 1 and 2 went out; after reopening the store and the TSA, 3.
    drop(store);
    let store = Store::open_in_dir(dir).await.unwrap();
    let tsa = Tsa::new(TsaAuthority::open_or_create(dir, &key, now, &OsRandom).unwrap());
    answer(&tsa, &store, dir, "a.tsq", "e.tsr").await;
    let (_, text) = openssl(dir, &["ts", "-reply", "-in", "e.tsr", "-text"]);
    assert!(text.contains("Serial number: 0x03"), "{text}");
}
