//! Revocation status of a certificate by OCSP to J-LIS, verified against the issuing root,
//! with a short-lived cache so repeated logins with one card cost no round trip.

use std::collections::HashMap;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use akashi_jpki::JpkiCertificate;
use akashi_revocation::{
    build_request, verify_basic_response, CertId, CertIdHash, CertStatus, RevocationReason,
};

use crate::link::JlisLink;
use crate::PfError;

/// What J-LIS says about one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    Good,
    Revoked {
        reason: Option<RevocationReason>,
    },
    /// certificateHold: the card was reported lost.
    Held,
    Unknown,
}

impl Revocation {
    pub fn as_str(self) -> &'static str {
        match self {
            Revocation::Good => "good",
            Revocation::Revoked { .. } => "revoked",
            Revocation::Held => "held",
            Revocation::Unknown => "unknown",
        }
    }
}

/// How far J-LIS's clock may run ahead of ours.
const SKEW: Duration = Duration::minutes(5);
const CACHE_LIMIT: usize = 200_000;

/// OCSP checks with a cache keyed by (issuer, serial).
pub struct RevocationChecker {
    ttl: Duration,
    cache: Mutex<HashMap<Vec<u8>, (OffsetDateTime, Revocation)>>,
}

impl RevocationChecker {
    /// Answers younger than `ttl` are reused (zero: always ask).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The status of `cert` (issued by `issuer`) at `now`; `fresh` bypasses the cache.
    pub async fn status(
        &self,
        link: &dyn JlisLink,
        cert: &JpkiCertificate,
        issuer: &JpkiCertificate,
        now: OffsetDateTime,
        fresh: bool,
    ) -> Result<Revocation, PfError> {
        let unavailable = |e: &dyn std::fmt::Display| PfError::RevocationUnavailable(e.to_string());
        let id = CertId::new(
            CertIdHash::Sha256,
            issuer,
            cert.certificate().tbs_certificate.serial_number.clone(),
        )
        .map_err(|e| unavailable(&e))?;
        if !fresh && !self.ttl.is_zero() {
            let cache = self.cache.lock().expect("cache lock");
            if let Some((at, status)) = cache.get(id.der()) {
                if now - *at < self.ttl {
                    return Ok(*status);
                }
            }
        }
        let request = build_request(&[&id], None).map_err(|e| unavailable(&e))?;
        let der = link.ocsp(request, now).await?;
        let basic = verify_basic_response(&der, issuer).map_err(|e| unavailable(&e))?;
        let single = basic
            .status_of(&id)
            .ok_or_else(|| unavailable(&"the response does not answer for the certificate"))?;
        if single.this_update > now + SKEW {
            return Err(unavailable(&"the response's thisUpdate is in the future"));
        }
        if single.next_update.is_some_and(|next| next < now) {
            return Err(unavailable(
                &"the response is stale (nextUpdate has passed)",
            ));
        }
        let status = match single.status {
            CertStatus::Good => Revocation::Good,
            CertStatus::Revoked {
                reason: Some(RevocationReason::CertificateHold),
                ..
            } => Revocation::Held,
            CertStatus::Revoked { reason, .. } => Revocation::Revoked { reason },
            CertStatus::Unknown => Revocation::Unknown,
        };
        if !self.ttl.is_zero() {
            let mut cache = self.cache.lock().expect("cache lock");
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(id.der().to_vec(), (now, status));
        }
        Ok(status)
    }
}
