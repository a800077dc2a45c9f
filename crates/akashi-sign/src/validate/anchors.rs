//! The trust anchors a validator accepts: J-LIS roots (any generation) for signer
//! certificates, and TSA roots for timestamps. Loaded from a directory of certificates or from
//! a signed trusted list ([`crate::trusted_list`]).

use std::path::Path;

use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use akashi_jpki::{JpkiCertificate, TrustAnchors};
use time::OffsetDateTime;

use super::report::iso;
use crate::SignError;

/// What a validator trusts.
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    /// J-LIS roots that issue signature certificates.
    pub jpki: TrustAnchors,
    /// Roots (or TSA certificates themselves) that timestamps must chain to.
    pub tsa: Vec<JpkiCertificate>,
    /// Anchors a trusted list withdrew, and when (DER, time): they anchor only what is
    /// proven to exist before.
    pub withdrawn: Vec<(Vec<u8>, OffsetDateTime)>,
}

/// Whether `issuer`'s key signed `cert` (names match, sha256WithRSAEncryption verifies).
pub(crate) fn issued_by(cert: &JpkiCertificate, issuer: &JpkiCertificate) -> bool {
    cert.issuer() == issuer.subject()
        && issuer.public_key_der().is_ok_and(|key| {
            verify_rsa_pkcs1(
                &key,
                HashAlgorithm::Sha256,
                cert.tbs_der(),
                cert.certificate().signature.raw_bytes(),
            )
            .is_ok()
        })
}

/// J-LIS roots name their organisation "JPKI"; everything else is taken as a TSA root.
fn is_jlis_root(cert: &JpkiCertificate) -> bool {
    akashi_jpki::names::attribute(cert.subject(), akashi_jpki::oid::ORGANIZATION_NAME)
        .is_some_and(|o| o == "JPKI")
}

impl Anchors {
    /// Every certificate file (`.pem`, `.crt`, `.cer`, `.der`) in `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, SignError> {
        let mut anchors = Anchors::default();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| SignError::Anchors(format!("{}: {e}", dir.display())))?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !["pem", "crt", "cer", "der"].contains(&ext) {
                continue;
            }
            let bytes = std::fs::read(&path)
                .map_err(|e| SignError::Anchors(format!("{}: {e}", path.display())))?;
            let cert = JpkiCertificate::from_pem_or_der(&bytes)
                .map_err(|e| SignError::Anchors(format!("{}: {e}", path.display())))?;
            anchors.add(cert);
        }
        if anchors.jpki.is_empty() && anchors.tsa.is_empty() {
            return Err(SignError::Anchors(format!(
                "{}: no certificate files (.pem, .crt, .cer, .der)",
                dir.display()
            )));
        }
        Ok(anchors)
    }

    /// When a trusted list withdrew `anchor`, if it did.
    pub fn withdrawn_at(&self, anchor: &JpkiCertificate) -> Option<OffsetDateTime> {
        self.withdrawn
            .iter()
            .find(|(der, _)| der.as_slice() == anchor.der())
            .map(|(_, at)| *at)
    }

    /// Adds a root, sorted by its name into J-LIS roots or TSA roots.
    pub fn add(&mut self, cert: JpkiCertificate) {
        if is_jlis_root(&cert) {
            self.jpki.push(cert);
        } else {
            self.tsa.push(cert);
        }
    }

    /// The TSA root that issued `tsa_cert` (or `tsa_cert` itself when trusted directly),
    /// valid at `at` (the token's genTime) and not withdrawn by a trusted list before it: as
    /// a J-LIS root against the proof of existence, a withdrawn TSA vouches only for the
    /// times it stamped before the withdrawal.
    pub(crate) fn tsa_root_of(
        &self,
        tsa_cert: &JpkiCertificate,
        at: OffsetDateTime,
    ) -> Result<&JpkiCertificate, String> {
        let root = self.tsa_issuer(tsa_cert)?;
        if root.der() != tsa_cert.der() && (at < root.not_before() || at > root.not_after()) {
            return Err(format!(
                "the TSA root (serial {}) is not valid at {at}",
                root.serial_hex()
            ));
        }
        if let Some(withdrawn) = self.withdrawn_at(root).filter(|w| *w <= at) {
            return Err(format!(
                "the trusted list withdrew the TSA root (serial {}) at {}, before the token's \
                 time {}",
                root.serial_hex(),
                iso(withdrawn),
                iso(at)
            ));
        }
        Ok(root)
    }

    /// A note when a trusted list withdrew the root of `tsa_cert` after `gen_time`: the
    /// timestamp still counts.
    pub(crate) fn tsa_withdrawal_note(
        &self,
        tsa_cert: &JpkiCertificate,
        gen_time: OffsetDateTime,
    ) -> Option<String> {
        let root = self.tsa_issuer(tsa_cert).ok()?;
        let withdrawn = self.withdrawn_at(root).filter(|w| *w > gen_time)?;
        Some(format!(
            "the trusted list withdrew the TSA root (serial {}) at {}, after the timestamp's \
             time {}",
            root.serial_hex(),
            iso(withdrawn),
            iso(gen_time)
        ))
    }

    fn tsa_issuer(&self, tsa_cert: &JpkiCertificate) -> Result<&JpkiCertificate, String> {
        if let Some(same) = self.tsa.iter().find(|r| r.der() == tsa_cert.der()) {
            return Ok(same);
        }
        self.tsa
            .iter()
            .find(|r| issued_by(tsa_cert, r))
            .ok_or_else(|| {
                format!(
                    "the TSA certificate (serial {}) is not issued by a trusted TSA root",
                    tsa_cert.serial_hex()
                )
            })
    }
}
