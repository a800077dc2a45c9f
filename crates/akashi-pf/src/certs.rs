//! Validated certificates, remembered by the SHA-256 of their DER. A person logs in with the
//! same certificate again and again; its chain and profile need checking once. A hit still
//! checks the type for the purpose and the validity windows (certificate and root) at the
//! request's time; revocation is checked separately on every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use akashi_crypto::{sha256, RsaPublicKey};
use akashi_jpki::{
    validate, CertificateKind, JpkiCertificate, TrustAnchors, ValidatedCertificate, ValidationError,
};

use crate::PfError;

/// A certificate that chains to a J-LIS root, with its key parsed for verification.
pub struct CheckedCertificate {
    pub validated: ValidatedCertificate,
    pub key: RsaPublicKey,
    pub serial: String,
}

const LIMIT: usize = 100_000;

#[derive(Default)]
pub struct CertificateCache {
    entries: Mutex<HashMap<[u8; 32], Arc<CheckedCertificate>>>,
}

fn refused(purpose: &'static str, e: ValidationError) -> PfError {
    match e {
        ValidationError::WrongKind { expected, found } => PfError::WrongCertificateType {
            purpose,
            expected: expected.as_str(),
            found: found.as_str(),
        },
        ValidationError::Expired { .. } => PfError::CertificateExpired,
        other => PfError::InvalidCertificate(other.to_string()),
    }
}

fn within(cert: &JpkiCertificate, at: OffsetDateTime) -> bool {
    cert.not_before() <= at && at <= cert.not_after()
}

impl CertificateCache {
    /// The checked certificate `der` for `purpose` (which needs `expected`) at `now`.
    pub fn check(
        &self,
        der: &[u8],
        anchors: &TrustAnchors,
        now: OffsetDateTime,
        expected: CertificateKind,
        purpose: &'static str,
    ) -> Result<Arc<CheckedCertificate>, PfError> {
        let digest = sha256(der);
        let hit = self
            .entries
            .lock()
            .expect("cache lock")
            .get(&digest)
            .cloned();
        if let Some(c) = hit {
            if c.validated.kind != expected {
                return Err(refused(
                    purpose,
                    ValidationError::WrongKind {
                        expected,
                        found: c.validated.kind,
                    },
                ));
            }
            if within(&c.validated.certificate, now) && within(&c.validated.issuer, now) {
                return Ok(c);
            }
            // Outside a window: the full check names the problem.
        }
        let certificate = JpkiCertificate::from_der(der)
            .map_err(|e| PfError::InvalidCertificate(e.to_string()))?;
        let validated = validate(&certificate, anchors, now, Some(expected))
            .map_err(|e| refused(purpose, e))?;
        let key = certificate
            .public_key_der()
            .map_err(|e| PfError::InvalidCertificate(e.to_string()))
            .and_then(|spki| {
                RsaPublicKey::from_spki_der(&spki)
                    .map_err(|e| PfError::InvalidCertificate(e.to_string()))
            })?;
        let checked = Arc::new(CheckedCertificate {
            serial: certificate.serial_hex(),
            validated,
            key,
        });
        let mut entries = self.entries.lock().expect("cache lock");
        if entries.len() >= LIMIT {
            entries.clear();
        }
        entries.insert(digest, checked.clone());
        Ok(checked)
    }
}
