//! The `jpki-cms-v1` format: CMS SignedData made by the SP library with a virtual card (two
//! phases through the APDU layer) and by OpenSSL's `cms -sign`; OpenSSL's `cms -verify`
//! accepts ours; tampering is refused.

mod common;

use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use akashi_crypto::OsRandom;
use akashi_jpki::CertificateKind;
use akashi_pf::{PfConfig, FORMAT_CMS};
use akashi_pf_protocol::{CompleteRequest, Purpose, StartRequest};
use akashi_sp::{card_signs_cms, Pin};
use common::*;

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl (scripts/setup.sh)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[tokio::test]
async fn cms_from_the_card_and_from_openssl() {
    let mut w = world(false, "").await.unwrap();
    let mut card = w.enrol("R1", &hanako()).await;
    let pf = w.pf(PfConfig::default());
    let bank = register_sp(&pf, "Demo Bank").await;
    let start = |purpose: Purpose| {
        pf.start(
            &bank,
            &StartRequest {
                purpose,
                transaction_data: (purpose == Purpose::IdentityProofing).then(|| "申込書".into()),
                subscribe_updates: false,
            },
            NOW,
            &OsRandom,
        )
        .unwrap()
    };

    // The SP library with the card: proofing and login, the same identifier as always.
    let s = start(Purpose::IdentityProofing);
    let cms_proofing =
        card_signs_cms(&mut card, Purpose::IdentityProofing, &s, Pin(SIGN_PIN), NOW).unwrap();
    assert_eq!(cms_proofing.format, FORMAT_CMS);
    assert!(
        cms_proofing.certificate.is_empty(),
        "the certificate travels inside the CMS"
    );
    let proofed = pf
        .complete(&bank, &cms_proofing, NOW, &OsRandom)
        .await
        .unwrap();
    assert_eq!(proofed.attributes.unwrap().birth_date, "1990-04-01");
    let s = start(Purpose::Login);
    let login = card_signs_cms(&mut card, Purpose::Login, &s, Pin(AUTH_PIN), NOW).unwrap();
    let logged_in = pf.complete(&bank, &login, NOW, &OsRandom).await.unwrap();
    assert_eq!(logged_in.sp_user_id, proofed.sp_user_id);

    // OpenSSL verifies our detached SignedData against the J-LIS root.
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    std::fs::write(
        p("tbs"),
        STANDARD.decode(&cms_proofing.signed_data).unwrap(),
    )
    .unwrap();
    std::fs::write(
        p("ours.der"),
        STANDARD.decode(&cms_proofing.signature).unwrap(),
    )
    .unwrap();
    let root = w.authority.generations(CertificateKind::Signature).unwrap()[0]
        .certificate
        .to_pem();
    std::fs::write(p("root.pem"), root).unwrap();
    let verified = openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &p("ours.der"),
        "-content",
        &p("tbs"),
        "-CAfile",
        &p("root.pem"),
        "-purpose",
        "any",
        "-out",
        &p("content.out"),
    ]);
    assert!(verified.contains("Verification successful"), "{verified}");

    // Tampering: a flipped signature byte; a CMS over another transaction's bytes.
    let s = start(Purpose::IdentityProofing);
    let mut r =
        card_signs_cms(&mut card, Purpose::IdentityProofing, &s, Pin(SIGN_PIN), NOW).unwrap();
    let mut der = STANDARD.decode(&r.signature).unwrap();
    let last = der.len() - 5;
    der[last] ^= 1;
    let good = r.signature.clone();
    r.signature = STANDARD.encode(&der);
    assert_eq!(
        pf.complete(&bank, &r, NOW, &OsRandom)
            .await
            .unwrap_err()
            .code(),
        "bad-signature"
    );
    let other = start(Purpose::IdentityProofing);
    let swapped = CompleteRequest {
        signature: good,
        ..card_signs_cms(
            &mut card,
            Purpose::IdentityProofing,
            &other,
            Pin(SIGN_PIN),
            NOW,
        )
        .unwrap()
    };
    assert_eq!(
        pf.complete(&bank, &swapped, NOW, &OsRandom)
            .await
            .unwrap_err()
            .code(),
        "signed-data-mismatch"
    );
    let mut garbage = r.clone();
    garbage.signature = STANDARD.encode([0x30, 0x03, 0x02, 0x01]);
    let e = pf
        .complete(&bank, &garbage, NOW, &OsRandom)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "malformed-request");
    assert!(e.to_string().contains("DER"), "{e}");

    // OpenSSL's own `cms -sign` with a key J-LIS certified: detached and attached.
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        &p("key.pem"),
    ]);
    openssl(&[
        "pkey",
        "-in",
        &p("key.pem"),
        "-pubout",
        "-outform",
        "DER",
        "-out",
        &p("pub.der"),
    ]);
    let issued = w
        .authority
        .issue(
            CertificateKind::Signature,
            &hanako(),
            &std::fs::read(p("pub.der")).unwrap(),
            NOW,
            &OsRandom,
        )
        .unwrap();
    w.registry
        .record_issued("R1", "card-openssl", &[(&issued, None)], NOW)
        .await
        .unwrap();
    std::fs::write(p("cert.pem"), issued.certificate.to_pem()).unwrap();
    let (cert, key, input, output) = (p("cert.pem"), p("key.pem"), p("tbs"), p("theirs.der"));
    for attached in [false, true] {
        let s = start(Purpose::IdentityProofing);
        std::fs::write(p("tbs"), STANDARD.decode(&s.to_be_signed).unwrap()).unwrap();
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-md",
            "sha256",
            "-nosmimecap",
            "-outform",
            "DER",
            "-signer",
            &cert,
            "-inkey",
            &key,
        ];
        args.extend(["-in", &input, "-out", &output]);
        if attached {
            args.push("-nodetach");
        }
        openssl(&args);
        let request = CompleteRequest {
            transaction: s.transaction.clone(),
            format: FORMAT_CMS.into(),
            signed_data: s.to_be_signed.clone(),
            certificate: String::new(),
            signature: STANDARD.encode(std::fs::read(p("theirs.der")).unwrap()),
        };
        let outcome = pf.complete(&bank, &request, NOW, &OsRandom).await.unwrap();
        assert_eq!(
            outcome.sp_user_id, proofed.sp_user_id,
            "J-LIS's history links the new certificate"
        );
    }
}
