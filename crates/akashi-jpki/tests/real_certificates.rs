//! The real J-LIS certificates in shared/fixtures/jpki-real: parsed, validated, rejected when
//! they should be, and rebuilt byte for byte by our profile builder.

use akashi_jpki::profile::{
    build_ca, build_end_entity, CaParams, EndEntityParams, Holder, IssuerRef,
};
use akashi_jpki::{validate, CertificateKind, JpkiCertificate, TrustAnchors, ValidationError};
use time::macros::datetime;

fn fixture(name: &str) -> JpkiCertificate {
    let dir = std::env::var("AKASHI_SHARED_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").to_owned());
    let path = format!("{dir}/fixtures/jpki-real/{name}.pem");
    let pem = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    JpkiCertificate::from_pem(&pem).unwrap()
}

fn all_roots() -> TrustAnchors {
    TrustAnchors::new(
        [
            "auth_ca_2015",
            "auth_ca_2019",
            "auth_ca_2023",
            "sign_ca_2015",
            "sign_ca_2023",
        ]
        .into_iter()
        .map(fixture)
        .collect(),
    )
}

#[test]
fn auth_user_2023_is_valid_in_2026_and_issued_by_the_2019_generation() {
    let cert = fixture("auth_user_2023");
    let ok = validate(&cert, &all_roots(), datetime!(2026-11-23 00:00 UTC), None).unwrap();
    assert_eq!(ok.kind, CertificateKind::Authentication);
    assert_eq!(ok.issuer.serial_hex(), "0133C349");
    assert!(ok.attributes.is_none());
    assert_eq!(
        cert.subject_identifier().as_deref(),
        Some("412594E75JACJM14104003A")
    );
}

#[test]
fn auth_user_2020_is_valid_in_2022_only() {
    let cert = fixture("auth_user_2020");
    validate(&cert, &all_roots(), datetime!(2022-01-01 00:00 UTC), None).unwrap();
    let err = validate(&cert, &all_roots(), datetime!(2026-11-23 00:00 UTC), None).unwrap_err();
    assert!(matches!(err, ValidationError::Expired { .. }), "{err}");
}

#[test]
fn expiry_is_exact_to_the_second() {
    let cert = fixture("auth_user_2023");
    validate(
        &cert,
        &all_roots(),
        datetime!(2027-12-07 14:59:59 UTC),
        None,
    )
    .unwrap();
    let err = validate(
        &cert,
        &all_roots(),
        datetime!(2027-12-07 15:00:00 UTC),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("validity: expired"), "{err}");
    let err = validate(
        &cert,
        &all_roots(),
        datetime!(2023-05-19 16:37:08 UTC),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, ValidationError::NotYetValid { .. }), "{err}");
}

#[test]
fn the_2023_root_alone_shares_the_name_but_not_the_key() {
    let only_2023 = TrustAnchors::new(vec![fixture("auth_ca_2023")]);
    let err = validate(
        &fixture("auth_user_2023"),
        &only_2023,
        datetime!(2026-11-23 00:00 UTC),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, ValidationError::BadSignature { candidates: 1, .. }),
        "{err}"
    );
    let sign_only = TrustAnchors::new(vec![fixture("sign_ca_2023")]);
    let err = validate(
        &fixture("auth_user_2023"),
        &sign_only,
        datetime!(2026-11-23 00:00 UTC),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, ValidationError::UnknownIssuer { .. }),
        "{err}"
    );
}

#[test]
fn pinning_the_wrong_type_fails() {
    let err = validate(
        &fixture("auth_user_2023"),
        &all_roots(),
        datetime!(2026-11-23 00:00 UTC),
        Some(CertificateKind::Signature),
    )
    .unwrap_err();
    assert!(matches!(err, ValidationError::WrongKind { .. }), "{err}");
}

#[test]
fn changing_any_single_byte_is_detected() {
    let cert = fixture("auth_user_2023");
    let roots = all_roots();
    let at = datetime!(2026-11-23 00:00 UTC);
    for i in 0..cert.der().len() {
        let mut der = cert.der().to_vec();
        der[i] ^= 0x01;
        let outcome = JpkiCertificate::from_der(&der)
            .map_err(ValidationError::from)
            .and_then(|c| validate(&c, &roots, at, None));
        assert!(
            outcome.is_err(),
            "flipping a bit of byte {i} went unnoticed"
        );
    }
}

#[test]
fn truncated_der_reports_a_position() {
    let der = fixture("auth_user_2023").der().to_vec();
    let err = JpkiCertificate::from_der(&der[..700])
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("malformed DER"), "{err}");
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(JpkiCertificate::from_der(&trailing).is_err());
}

#[test]
fn the_builder_reproduces_the_real_root_and_end_entity_byte_for_byte() {
    let root = fixture("auth_ca_2019");
    let rebuilt_root = build_ca(&CaParams {
        kind: CertificateKind::Authentication,
        serial: root.certificate().tbs_certificate.serial_number.clone(),
        not_before: root.not_before(),
        not_after: root.not_after(),
        public_key_der: &root.public_key_der().unwrap(),
    })
    .unwrap();
    assert_eq!(
        hex::encode(rebuilt_root.to_be_signed()),
        hex::encode(root.tbs_der())
    );

    let user = fixture("auth_user_2023");
    let issuer = IssuerRef {
        name: root.subject().clone(),
        key_id: root.subject_key_id().unwrap().unwrap(),
        serial: root.certificate().tbs_certificate.serial_number.clone(),
    };
    let spki = user.public_key_der().unwrap();
    let rebuilt = build_end_entity(&EndEntityParams {
        holder: Holder::Authentication,
        identifier: "412594E75JACJM14104003A",
        serial: user.certificate().tbs_certificate.serial_number.clone(),
        not_before: user.not_before(),
        not_after: user.not_after(),
        subject_public_key_der: &spki,
        crl_location: ("Kanagawa-ken", "Yokohama-shi-Naka-ku"),
        issuer: &issuer,
    })
    .unwrap();
    assert_eq!(
        hex::encode(rebuilt.to_be_signed()),
        hex::encode(user.tbs_der())
    );
    let signature = user.certificate().signature.raw_bytes().to_vec();
    assert_eq!(rebuilt.complete(&signature).unwrap(), user.der());
}
