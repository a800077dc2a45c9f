//! Hostile input never panics the parser or the validator: it is refused with an error.

use akashi_jpki::{validate, JpkiCertificate, TrustAnchors};
use proptest::prelude::*;
use time::macros::datetime;

fn real(name: &str) -> JpkiCertificate {
    let dir = std::env::var("AKASHI_SHARED_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").to_owned());
    JpkiCertificate::from_pem(
        &std::fs::read(format!("{dir}/fixtures/jpki-real/{name}.pem")).unwrap(),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(JpkiCertificate::from_der(&bytes).is_err());
        prop_assert!(JpkiCertificate::from_pem_or_der(&bytes).is_err());
    }

    #[test]
    fn mutated_real_certificates_never_validate(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let original = real("auth_user_2023").der().to_vec();
        let mut der = original.clone();
        for (index, value) in edits {
            let i = index.index(der.len());
            der[i] = value;
        }
        if truncate {
            der.truncate(cut.index(der.len()));
        }
        prop_assume!(der != original);
        let anchors = TrustAnchors::new(vec![real("auth_ca_2019")]);
        if let Ok(cert) = JpkiCertificate::from_der(&der) {
            let _ = cert.basic_four();
            let _ = cert.kind();
            prop_assert!(validate(&cert, &anchors, datetime!(2026-11-23 00:00 UTC), None).is_err());
        }
    }
}
