//! The J-LIS authority: generations, sealed keys, issuance, and what openssl says about the
//! certificates it issues.

use std::path::Path;
use std::process::Command;

use akashi_crypto::{OsRandom, RsaPrivateKey, SealingKey};
use akashi_jlis::{Authority, JlisError};
use akashi_jpki::{
    validate, BasicFourAttributes, CertificateKind, Sex, TrustAnchors, ValidationError,
};
use time::macros::{date, datetime};
use time::OffsetDateTime;

fn key() -> SealingKey {
    SealingKey::from_bytes([42; 32])
}

fn hanako() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "神奈川県横浜市中区日本大通1".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);

struct Issued {
    dir: tempfile::TempDir,
    authority: Authority,
    certs: akashi_jlis::IssuedCertificates,
}

fn issue() -> Issued {
    let dir = tempfile::tempdir().unwrap();
    let mut authority = Authority::init(dir.path(), key(), NOW, &OsRandom).unwrap();
    let sign_key = RsaPrivateKey::generate().unwrap();
    let auth_key = RsaPrivateKey::generate().unwrap();
    let certs = authority
        .issue_certificates(
            &hanako(),
            &sign_key.public_key_der().unwrap(),
            &auth_key.public_key_der().unwrap(),
            NOW,
            &OsRandom,
        )
        .unwrap();
    Issued {
        dir,
        authority,
        certs,
    }
}

fn roots(authority: &Authority) -> TrustAnchors {
    let mut anchors = TrustAnchors::default();
    for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
        for g in authority.generations(kind).unwrap() {
            anchors.push(g.certificate);
        }
    }
    anchors
}

#[test]
fn issued_certificates_validate_and_carry_the_basic_four() {
    let Issued {
        dir: _dir,
        authority,
        certs,
    } = issue();
    let sign = validate(
        &certs.signature.certificate,
        &roots(&authority),
        NOW,
        Some(CertificateKind::Signature),
    )
    .unwrap();
    assert_eq!(sign.attributes.unwrap(), hanako());
    let auth = validate(
        &certs.authentication.certificate,
        &roots(&authority),
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(auth.kind, CertificateKind::Authentication);
    assert!(certs
        .authentication
        .certificate
        .basic_four()
        .unwrap()
        .is_none());
    // Fifth birthday after 2026-11-23 (birthday 1 April) is 2031-04-01, 23:59:59 JST.
    assert_eq!(
        certs.signature.certificate.not_after(),
        datetime!(2031-04-01 14:59:59 UTC)
    );
    assert_eq!(
        certs
            .signature
            .certificate
            .subject_identifier()
            .unwrap()
            .len(),
        23
    );
    assert_ne!(
        certs.signature.certificate.serial_hex(),
        certs.authentication.certificate.serial_hex()
    );
}

#[test]
fn a_certificate_from_another_authority_with_the_same_names_is_refused() {
    let first = issue();
    let second = issue();
    let err = validate(
        &second.certs.signature.certificate,
        &roots(&first.authority),
        NOW,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, ValidationError::BadSignature { candidates: 1, .. }),
        "{err}"
    );
}

#[test]
fn generations_share_the_name_and_both_keep_validating() {
    let Issued {
        dir,
        mut authority,
        certs,
    } = issue();
    let later = datetime!(2030-01-01 00:00 UTC);
    let gen2 = authority
        .add_generation(CertificateKind::Signature, later)
        .unwrap();
    assert_eq!(gen2.number, 2);
    let gens = authority.generations(CertificateKind::Signature).unwrap();
    assert_eq!(gens[0].certificate.subject(), gens[1].certificate.subject());
    assert_ne!(
        gens[0].certificate.public_key_der().unwrap(),
        gens[1].certificate.public_key_der().unwrap()
    );
    // Overlap: generation 1 still validates the old card while generation 2 issues new ones.
    assert_eq!(
        authority
            .issuing_generation(CertificateKind::Signature, later)
            .unwrap()
            .number,
        2
    );
    drop(authority); // the directory is locked while an authority has it open
    let reopened = Authority::open(dir.path(), key()).unwrap();
    let ok = validate(&certs.signature.certificate, &roots(&reopened), later, None).unwrap();
    assert_eq!(ok.issuer.serial_hex(), gens[0].certificate.serial_hex());
}

#[test]
fn ca_keys_are_sealed_at_rest_and_need_the_right_key() {
    let Issued { dir, .. } = issue();
    for entry in std::fs::read_dir(dir.path().join("jlis")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        if path.to_string_lossy().ends_with(".key.sealed") {
            assert!(
                bytes.starts_with(b"AKSEAL1"),
                "{} is not sealed",
                path.display()
            );
        }
        if !path.to_string_lossy().ends_with(".pem") {
            // No rsaEncryption OID in the clear: a plain PKCS#8 key would show one.
            let rsa_oid = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
            assert!(
                !bytes.windows(9).any(|w| w == rsa_oid),
                "{} holds a key in the clear",
                path.display()
            );
        }
        assert!(!String::from_utf8_lossy(&bytes).contains("PRIVATE KEY"));
    }
    let mut wrong = Authority::open(dir.path(), SealingKey::from_bytes([1; 32])).unwrap();
    let spki = RsaPrivateKey::generate().unwrap().public_key_der().unwrap();
    let err = wrong
        .issue_certificates(&hanako(), &spki, &spki, NOW, &OsRandom)
        .unwrap_err();
    assert!(
        matches!(
            err,
            JlisError::Crypto(akashi_crypto::CryptoError::SealedOpen)
        ),
        "{err}"
    );
}

#[test]
fn init_twice_and_open_uninitialised_are_named_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Authority::open(dir.path(), key()),
        Err(JlisError::NotInitialised(_))
    ));
    Authority::init(dir.path(), key(), NOW, &OsRandom).unwrap();
    assert!(matches!(
        Authority::init(dir.path(), key(), NOW, &OsRandom),
        Err(JlisError::AlreadyInitialised(_))
    ));
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed (scripts/setup.sh)");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn write_pem(dir: &Path, name: &str, cert: &akashi_jpki::JpkiCertificate) -> String {
    let path = dir.join(name);
    std::fs::write(&path, cert.to_pem()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn openssl_shows_the_profile_and_verifies_the_chain() {
    let Issued { dir, certs, .. } = issue();
    let sign = write_pem(dir.path(), "sign.pem", &certs.signature.certificate);
    let auth = write_pem(dir.path(), "auth.pem", &certs.authentication.certificate);
    let sign_ca = write_pem(dir.path(), "sign-ca.pem", &certs.signature.ca_certificate);
    let auth_ca = write_pem(
        dir.path(),
        "auth-ca.pem",
        &certs.authentication.ca_certificate,
    );

    let (ok, text) = openssl(&["x509", "-in", &sign, "-noout", "-text", "-nameopt", "utf8"]);
    assert!(ok, "{text}");
    for expected in [
        "Signature Algorithm: sha256WithRSAEncryption",
        "Public-Key: (2048 bit)",
        "Exponent: 65537 (0x10001)",
        "Issuer: C=JP, O=JPKI, OU=JPKI for digital signature, OU=Japan Agency for Local Authority Information Systems",
        "Not After : Apr  1 14:59:59 2031 GMT",
        "X509v3 Key Usage: critical\n                Digital Signature, Non Repudiation",
        "X509v3 Certificate Policies: critical\n                Policy: 1.2.392.200149.8.5.1.1.20",
        "CPS: http://www.jpki.go.jp/cps.html",
        "othername: 1.2.392.200149.8.5.5.1::山田\u{3000}花子",
        "othername: 1.2.392.200149.8.5.5.4::419900401",
        "othername: 1.2.392.200149.8.5.5.3::2",
        "othername: 1.2.392.200149.8.5.5.5::神奈川県横浜市中区日本大通1",
        "othername: 1.2.392.200149.8.5.5.2::00000",
        "X509v3 CRL Distribution Points",
        "OU = CRL Distribution Points, OU = Kanagawa-ken, CN = \\E6\\A8\\AA\\E6\\B5\\9C\\E5\\B8\\82\\E4\\B8\\AD\\E5\\8C\\BA CRLDP",
        "OCSP - URI:http://ocspsign.jpki.go.jp",
        "X509v3 Authority Key Identifier",
        "X509v3 Subject Key Identifier",
        "X509v3 Issuer Alternative Name",
    ] {
        assert!(text.contains(expected), "openssl output lacks {expected:?}:\n{text}");
    }
    assert!(
        text.contains("Subject: C=JP, L=Kanagawa-ken, L=横浜市中区, CN="),
        "{text}"
    );
    let order: Vec<usize> = [
        "5.5.1::", "5.5.4::", "5.5.3::", "5.5.5::", "5.5.2::", "5.5.6::",
    ]
    .iter()
    .map(|o| text.find(o).unwrap())
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "otherName order is not 1,4,3,5,2,6"
    );

    let (ok, text) = openssl(&["x509", "-in", &auth, "-noout", "-text"]);
    assert!(ok, "{text}");
    for expected in [
        "X509v3 Key Usage: critical\n                Digital Signature\n",
        "X509v3 Extended Key Usage: \n                TLS Web Client Authentication",
        "X509v3 Certificate Policies: critical\n                Policy: 1.2.392.200149.8.5.1.3.30",
        "OCSP - URI:http://ocspauthnorm.jpki.go.jp",
        "14:59:59 2031 GMT",
    ] {
        assert!(
            text.contains(expected),
            "openssl output lacks {expected:?}:\n{text}"
        );
    }
    assert!(
        !text.contains("othername"),
        "the authentication certificate carries no attributes"
    );

    let at = NOW.unix_timestamp().to_string();
    for (ca, ee) in [(&sign_ca, &sign), (&auth_ca, &auth)] {
        let (ok, text) = openssl(&["verify", "-attime", &at, "-CAfile", ca, "-x509_strict", ee]);
        assert!(ok && text.contains(": OK"), "{text}");
    }
    // And the wrong root is refused by openssl too.
    let (ok, _) = openssl(&["verify", "-attime", &at, "-CAfile", &auth_ca, &sign]);
    assert!(!ok);
}

#[test]
fn concurrent_issuers_never_share_a_serial() {
    let dir = tempfile::tempdir().unwrap();
    drop(Authority::init(dir.path(), key(), NOW, &OsRandom).unwrap());
    let spki = RsaPrivateKey::generate().unwrap().public_key_der().unwrap();
    let serials: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    // Each thread opens the directory as a separate process would.
                    let mut a = Authority::open(dir.path(), key()).unwrap();
                    let c = a
                        .issue_certificates(&hanako(), &spki, &spki, NOW, &OsRandom)
                        .unwrap();
                    [
                        c.signature.certificate.serial_hex(),
                        c.authentication.certificate.serial_hex(),
                    ]
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut unique = serials.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), serials.len(), "{serials:?}");
}
