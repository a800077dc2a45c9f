//! The wallet store: sealed at rest, one SD-JWT copy per verifier, notices, history, locking.

use akashi_crypto::{OsRandom, SealingKey};
use akashi_wallet::{
    Consent, DisclosureRecord, StoredCredential, Wallet, WalletError, FORMAT_SD_JWT,
};

fn key() -> SealingKey {
    SealingKey::from_bytes([11; 32])
}

#[test]
fn a_sealed_wallet_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.akw");
    let (public, bbs) = {
        let mut w = Wallet::create(&path, key(), &OsRandom).unwrap();
        assert!(
            matches!(Wallet::open(&path, key()), Err(WalletError::Busy(_))),
            "locked while open"
        );
        w.put_credential(StoredCredential::new(
            "cred-1",
            FORMAT_SD_JWT,
            "https://id.akashi.example",
            "urn:akashi:credential:jp-identity:1",
            vec![
                "copy-A~山田花子".into(),
                "copy-B~山田花子".into(),
                "copy-C~山田花子".into(),
            ],
            100,
            Some(1000),
        ))
        .unwrap();
        w.record_consent(Consent {
            party: "https://id.akashi.example".into(),
            scope: "attribute-updates".into(),
            granted: true,
            at: 100,
        })
        .unwrap();
        // One fresh copy per verifier; the same verifier gets its own copy again.
        let shop = w.copy_for("cred-1", "https://shop.example").unwrap();
        let city = w.copy_for("cred-1", "https://city.example").unwrap();
        assert_ne!(shop, city);
        assert_eq!(w.copy_for("cred-1", "https://shop.example").unwrap(), shop);
        w.copy_for("cred-1", "https://bank.example").unwrap();
        assert!(matches!(
            w.copy_for("cred-1", "https://fourth.example"),
            Err(WalletError::NoFreshCopy(_))
        ));
        w.record_disclosure(DisclosureRecord {
            verifier: "https://shop.example".into(),
            credential: "cred-1".into(),
            disclosed: vec!["age_equal_or_over.20".into()],
            at: 120,
        })
        .unwrap();
        (
            w.holder_key().public_key(),
            w.bbs_holder_secret().to_bytes(),
        )
    };
    // At rest: no claim, no key byte, no credential text.
    let raw = std::fs::read(&path).unwrap();
    for needle in [
        "山田花子".as_bytes(),
        b"copy-A",
        b"shop.example",
        b"attribute-updates",
    ] {
        assert!(
            !raw.windows(needle.len()).any(|w| w == needle),
            "plaintext in the wallet file"
        );
    }
    assert!(!raw.windows(32).any(|w| w == bbs.as_ref()));
    // Another key cannot open it.
    assert!(matches!(
        Wallet::open(&path, SealingKey::from_bytes([12; 32])),
        Err(WalletError::Sealed)
    ));
    // Reopened: the same keys, credentials, copies in use, consents and history.
    let mut w = Wallet::open(&path, key()).unwrap();
    assert_eq!(w.holder_key().public_key(), public);
    assert_eq!(w.bbs_holder_secret().to_bytes().as_ref(), bbs.as_ref());
    assert_eq!(w.credentials()[0].fresh_copies(), 0);
    assert_eq!(w.consents().len(), 1);
    assert_eq!(w.history()[0].disclosed, ["age_equal_or_over.20"]);
    // Notices: expiry soon, then a revoked anchor.
    assert_eq!(w.notices(999).len(), 0);
    assert!(w.notices(1000)[0].contains("expires soon"));
    w.mark_anchor_revoked("cred-1").unwrap();
    assert!(w.notices(0)[0].contains("renew your ID"));
    assert!(matches!(
        Wallet::create(&path, key(), &OsRandom),
        Err(WalletError::Busy(_) | WalletError::Exists(_))
    ));
    drop(w);
    assert!(matches!(
        Wallet::create(&path, key(), &OsRandom),
        Err(WalletError::Exists(_))
    ));
    assert!(matches!(
        Wallet::open(&dir.path().join("none.akw"), key()),
        Err(WalletError::Missing(_))
    ));
}
