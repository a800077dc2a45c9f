//! A small PKI for the tests: one CA generation, an end-entity certificate, a delegated OCSP
//! responder, all written as PEM into a temporary directory for the openssl CLI.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use akashi_crypto::RsaPrivateKey;
use akashi_jpki::profile::{
    build_ca, build_end_entity, CaParams, EndEntityParams, Holder, IssuerRef,
};
use akashi_jpki::{CertificateKind, JpkiCertificate, SerialNumber};
use akashi_revocation::{build_responder, ResponderParams};
use time::{Duration, OffsetDateTime};

pub struct Pki {
    pub dir: tempfile::TempDir,
    pub ca_key: RsaPrivateKey,
    pub ca: JpkiCertificate,
    pub ee: JpkiCertificate,
    pub responder_key: RsaPrivateKey,
    pub responder: JpkiCertificate,
}

/// Whole seconds: ASN.1 times carry no fractions.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap()
}

impl Pki {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let now = now();
        let ca_key = RsaPrivateKey::generate().unwrap();
        let unsigned = build_ca(&CaParams {
            kind: CertificateKind::Authentication,
            serial: SerialNumber::from(0x0101u32),
            not_before: now - Duration::days(365),
            not_after: now + Duration::days(3650),
            public_key_der: &ca_key.public_key_der().unwrap(),
        })
        .unwrap();
        let sig = ca_key.sign_pkcs1_sha256(unsigned.to_be_signed()).unwrap();
        let ca = JpkiCertificate::from_der(&unsigned.complete(&sig).unwrap()).unwrap();

        let ee_key = RsaPrivateKey::generate().unwrap();
        let issuer = IssuerRef {
            name: ca.subject().clone(),
            key_id: ca.subject_key_id().unwrap().unwrap(),
            serial: ca.certificate().tbs_certificate.serial_number.clone(),
        };
        let unsigned = build_end_entity(&EndEntityParams {
            holder: Holder::Authentication,
            identifier: "412594E75JACJM14104003A",
            serial: SerialNumber::from(0x06BF_C341u32),
            not_before: now - Duration::days(30),
            not_after: now + Duration::days(1800),
            subject_public_key_der: &ee_key.public_key_der().unwrap(),
            crl_location: ("Kanagawa-ken", "Yokohama-shi-Naka-ku"),
            issuer: &issuer,
        })
        .unwrap();
        let sig = ca_key.sign_pkcs1_sha256(unsigned.to_be_signed()).unwrap();
        let ee = JpkiCertificate::from_der(&unsigned.complete(&sig).unwrap()).unwrap();

        let responder_key = RsaPrivateKey::generate().unwrap();
        let unsigned = build_responder(&ResponderParams {
            issuer: &ca,
            kind: CertificateKind::Authentication,
            generation: "2019",
            serial: SerialNumber::from(0x7001u32),
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(30),
            public_key_der: &responder_key.public_key_der().unwrap(),
        })
        .unwrap();
        let sig = ca_key.sign_pkcs1_sha256(unsigned.to_be_signed()).unwrap();
        let responder = JpkiCertificate::from_der(&unsigned.complete(&sig).unwrap()).unwrap();

        let pki = Pki {
            dir,
            ca_key,
            ca,
            ee,
            responder_key,
            responder,
        };
        pki.write("ca.pem", pki.ca.to_pem().as_bytes());
        pki.write("ee.pem", pki.ee.to_pem().as_bytes());
        pki.write("responder.pem", pki.responder.to_pem().as_bytes());
        pki
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    pub fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.dir.path().join(name), bytes).unwrap();
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.path().join(name)).unwrap()
    }

    /// Runs `openssl` in the temporary directory; returns (success, stdout + stderr).
    pub fn openssl(&self, args: &[&str]) -> (bool, String) {
        openssl_in(self.dir.path(), args)
    }
}

pub fn openssl_in(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI is installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
