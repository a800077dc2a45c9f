//! CAdES-B-T from a (virtual) My Number Card, validated by pyHanko (PyPI, an independent
//! implementation): `pyhanko sign validate --detached` accepts the detached signature and its
//! signature timestamp against the J-LIS signature root and the TSA root, and refuses it when
//! one byte of the document changes.

mod support;

use time::OffsetDateTime;

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_sign::{add_signature_timestamp, prepare_cades, LocalTsa};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

use support::pyhanko::pyhanko;
use support::PIN;

#[tokio::test]
async fn pyhanko_validates_a_detached_cades_b_t_and_refuses_a_changed_document() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let now = OffsetDateTime::now_utc();
    let mut authority = support::jlis(dir, now);
    let hanako = support::person("山田\u{3000}花子", time::macros::date!(1990 - 04 - 01));
    let mut card = support::card(&mut authority, &hanako, now);
    let contract = "賃貸借契約書\n第1条 甲は乙に本物件を賃貸する。\n".as_bytes();
    std::fs::write(dir.join("contract.txt"), contract).unwrap();

    let certificate = support::signature_certificate(&mut card);
    let prepared = prepare_cades(contract, &certificate, now).unwrap();
    let signature = card.sign(prepared.to_be_signed(), PIN).unwrap();
    let b_b = prepared.complete(&signature).unwrap();
    let tsa = Tsa::new(
        TsaAuthority::open_or_create(dir, &support::sealing_key(), now, &OsRandom).unwrap(),
    );
    let store = Store::open_in_dir(dir).await.unwrap();
    let source = LocalTsa {
        tsa: &tsa,
        store: &store,
        now,
    };
    let b_t = add_signature_timestamp(&b_b, &source).await.unwrap();
    std::fs::write(dir.join("contract.p7s"), &b_t).unwrap();

    let validate = |content: &str| {
        pyhanko(
            dir,
            &[
                "sign",
                "validate",
                "--pretty-print",
                "--no-revocation-check",
                "--trust",
                "sign-root.pem",
                "--trust",
                "tsa/ca.pem",
                "--trust-replace",
                "--detached",
                "contract.p7s",
                content,
            ],
        )
    };
    let Some((ok, out)) = validate("contract.txt") else {
        return;
    };
    assert!(ok, "pyHanko refused our CAdES-B-T: {out}");
    assert!(
        out.contains("The signature is cryptographically sound"),
        "{out}"
    );
    assert!(out.contains("The signer's certificate is trusted"), "{out}");
    assert!(
        out.contains("The timestamp token is cryptographically sound"),
        "{out}"
    );
    assert!(out.contains("The TSA certificate is trusted"), "{out}");
    assert!(out.contains("The signature is judged VALID"), "{out}");

    let mut changed = contract.to_vec();
    changed[5] ^= 1;
    std::fs::write(dir.join("changed.txt"), changed).unwrap();
    let (ok, out) = validate("changed.txt").unwrap();
    assert!(!ok, "pyHanko accepted a changed document: {out}");
}
