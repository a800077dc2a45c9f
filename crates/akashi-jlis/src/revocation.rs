//! J-LIS revocation services over the registry: CRLs per CA generation, and OCSP answers
//! signed by a delegated responder certificate per generation (id-kp-OCSPSigning,
//! ocsp-nocheck), whose key is sealed in the data directory like the CA keys.

use std::path::PathBuf;

use time::{Duration, OffsetDateTime};

use akashi_crypto::{write_atomic, RsaPrivateKey, SecureRandom};
use akashi_jpki::profile::key_identifier;
use akashi_jpki::{serial_hex, CertificateKind, JpkiCertificate, SerialNumber};
use akashi_revocation::{
    build_basic_response, build_crl, build_responder, error_response, matches_issuer,
    parse_request, CertStatus, CrlParams, OcspResponseStatus, ResponderParams, RevocationReason,
    RevokedEntry, SingleResponseParams,
};
use akashi_store::{AuditRecord, CertificateStatus, Store};

use crate::audit::AuditLog;
use crate::Verifier;

use crate::authority::Generation;
use crate::{Authority, JlisError};

/// How long a responder certificate lives; it is re-issued when less than a week is left.
const RESPONDER_LIFETIME: Duration = Duration::days(90);
const RESPONDER_RENEW_BEFORE: Duration = Duration::days(7);
/// How long an OCSP answer may be cached by relying parties (nextUpdate).
pub const OCSP_VALIDITY: Duration = Duration::hours(1);
/// How long until the next CRL (nextUpdate).
pub const CRL_VALIDITY: Duration = Duration::hours(24);

fn serial_from_hex(hex: &str) -> Result<SerialNumber, JlisError> {
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| JlisError::CorruptState(format!("serial {hex:?} is not hex")))?;
    SerialNumber::new(&bytes).map_err(|e| JlisError::CorruptState(format!("serial {hex}: {e}")))
}

fn time_of(unix: i64) -> Result<OffsetDateTime, JlisError> {
    OffsetDateTime::from_unix_timestamp(unix).map_err(|e| JlisError::CorruptState(e.to_string()))
}

/// A generation's delegated OCSP responder: its certificate and key.
pub struct Responder {
    pub kind: CertificateKind,
    pub generation: u32,
    pub issuer: JpkiCertificate,
    pub certificate: JpkiCertificate,
    key: RsaPrivateKey,
    key_id: Vec<u8>,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("kind", &self.kind)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl Authority {
    /// Builds and signs the CRL of `generation` at `now` from the registry's revoked and held
    /// certificates of that generation. The CRL number is `now` in Unix seconds: it increases
    /// with every CRL without a counter to keep.
    pub async fn crl(
        &self,
        generation: &Generation,
        store: &Store,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, JlisError> {
        let mut tx = store.begin().await?;
        let records = tx
            .revoked(
                generation.kind.as_str(),
                i64::from(generation.number),
                now.unix_timestamp(),
            )
            .await?;
        tx.rollback().await?;
        let entries = records
            .iter()
            .map(|r| {
                Ok(RevokedEntry {
                    serial: serial_from_hex(&r.serial)?,
                    revoked_at: time_of(r.revoked_at)?,
                    reason: r
                        .reason
                        .and_then(|c| u8::try_from(c).ok())
                        .and_then(RevocationReason::from_code)
                        .unwrap_or(RevocationReason::Unspecified),
                })
            })
            .collect::<Result<Vec<_>, JlisError>>()?;
        let unsigned = build_crl(&CrlParams {
            issuer: &generation.certificate,
            this_update: now,
            next_update: now + CRL_VALIDITY,
            crl_number: u64::try_from(now.unix_timestamp()).unwrap_or(0),
            entries: &entries,
        })
        .map_err(|e| JlisError::Revocation(e.to_string()))?;
        let signature = self.sign_with(generation, unsigned.to_be_signed())?;
        unsigned
            .complete(&signature)
            .map_err(|e| JlisError::Revocation(e.to_string()))
    }

    /// A responder for every generation of both CAs (what an OCSP service answers for).
    pub fn responders(
        &self,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Vec<Responder>, JlisError> {
        let mut responders = Vec::new();
        for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
            for generation in self.generations(kind)? {
                responders.push(self.responder(&generation, now, rng)?);
            }
        }
        Ok(responders)
    }

    /// The responder of `generation`, issued (or re-issued, when it nears its end) as needed.
    pub fn responder(
        &self,
        generation: &Generation,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Responder, JlisError> {
        let (cert_path, key_path) = self.responder_paths(generation);
        let label = format!(
            "akashi/jlis/{}-ocsp/gen{}",
            generation.kind, generation.number
        );
        if let (Ok(pem), Ok(sealed)) = (std::fs::read(&cert_path), std::fs::read(&key_path)) {
            let certificate = JpkiCertificate::from_pem(&pem)?;
            if certificate.not_after() - now > RESPONDER_RENEW_BEFORE {
                let key = RsaPrivateKey::unseal(self.sealing_key(), &label, &sealed)?;
                return responder(generation, certificate, key);
            }
        }
        let key = RsaPrivateKey::generate()?;
        let mut serial = [0u8; 8];
        rng.fill(&mut serial)?;
        serial[0] &= 0x7F;
        let unsigned = build_responder(&ResponderParams {
            issuer: &generation.certificate,
            kind: generation.kind,
            generation: &generation.number.to_string(),
            serial: SerialNumber::new(&serial).map_err(|e| JlisError::Revocation(e.to_string()))?,
            not_before: now,
            not_after: (now + RESPONDER_LIFETIME).min(generation.certificate.not_after()),
            public_key_der: &key.public_key_der()?,
        })
        .map_err(|e| JlisError::Revocation(e.to_string()))?;
        let signature = self.sign_with(generation, unsigned.to_be_signed())?;
        let certificate = JpkiCertificate::from_der(&unsigned.complete(&signature)?)?;
        write_atomic(&key_path, &key.seal(self.sealing_key(), &label)?)?;
        write_atomic(&cert_path, certificate.to_pem().as_bytes())?;
        responder(generation, certificate, key)
    }

    fn responder_paths(&self, generation: &Generation) -> (PathBuf, PathBuf) {
        let base = format!("{}-gen{}-ocsp", generation.kind, generation.number);
        (
            self.dir().join(format!("{base}.pem")),
            self.dir().join(format!("{base}.key.sealed")),
        )
    }
}

fn responder(
    generation: &Generation,
    certificate: JpkiCertificate,
    key: RsaPrivateKey,
) -> Result<Responder, JlisError> {
    let spki = certificate
        .certificate()
        .tbs_certificate
        .subject_public_key_info
        .clone();
    Ok(Responder {
        kind: generation.kind,
        generation: generation.number,
        issuer: generation.certificate.clone(),
        certificate,
        key,
        key_id: key_identifier(&spki),
    })
}

/// Answers OCSP requests for a set of responders (all generations of both CAs) from the
/// registry. Never fails: every problem is an OCSP error status.
#[derive(Debug)]
pub struct OcspResponder {
    responders: Vec<Responder>,
    store: Store,
    /// Signed answers to nonce-less requests, keyed by the CertIDs asked and the statuses
    /// found: reused only while every status is unchanged and the entry is younger than
    /// `cache_ttl`, so a revocation is never hidden by the cache.
    cache: std::sync::Mutex<AnswerCache>,
    cache_ttl: Duration,
    audit: AuditLog,
}

/// CertIDs + statuses → (expiry, signed answer).
type AnswerCache = std::collections::HashMap<Vec<u8>, (OffsetDateTime, Vec<u8>)>;

/// Entries kept at most (the cache is cleared when it grows past this).
const CACHE_LIMIT: usize = 100_000;

impl OcspResponder {
    /// A responder whose pre-produced answers live `cache_ttl` (zero turns caching off).
    pub fn new(responders: Vec<Responder>, store: Store, cache_ttl: Duration) -> Self {
        let audit = AuditLog::start(store.clone());
        Self {
            responders,
            store,
            cache: Default::default(),
            cache_ttl,
            audit,
        }
    }

    /// The answer to a caller that is not a registered verifier.
    pub fn unauthorized() -> Vec<u8> {
        error_response(OcspResponseStatus::Unauthorized).expect("error statuses encode")
    }

    /// The DER OCSPResponse to a request in GET form (RFC 6960 Appendix A).
    pub async fn respond_to_get(
        &self,
        verifier: &Verifier,
        path: &str,
        now: OffsetDateTime,
    ) -> Vec<u8> {
        match akashi_revocation::ocsp_request::get_path_der(path) {
            Ok(der) => self.respond(verifier, &der, now).await,
            Err(e) => error_response(e.ocsp_status()).expect("error statuses encode"),
        }
    }

    /// The DER OCSPResponse to `request` at `now`.
    /// Every CertID asked about is written to the audit log with the answer; if the log
    /// cannot be written the answer is tryLater.
    pub async fn respond(
        &self,
        verifier: &Verifier,
        request: &[u8],
        now: OffsetDateTime,
    ) -> Vec<u8> {
        match self.try_respond(verifier, request, now).await {
            Ok(der) => der,
            Err(status) => error_response(status).expect("error statuses encode"),
        }
    }

    async fn try_respond(
        &self,
        verifier: &Verifier,
        request: &[u8],
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, OcspResponseStatus> {
        let parsed = parse_request(request).map_err(|e| e.ocsp_status())?;
        let first = parsed
            .requests
            .first()
            .ok_or(OcspResponseStatus::MalformedRequest)?;
        // The responder of the generation that issued the first certificate answers; the
        // others in the request are "unknown" unless the same generation issued them.
        let responder = self
            .responders
            .iter()
            .find(|r| matches_issuer(first, &r.issuer))
            .ok_or(OcspResponseStatus::Unauthorized)?;
        let mut statuses = Vec::with_capacity(parsed.requests.len());
        let mut audit = Vec::with_capacity(parsed.requests.len());
        let mut tx = self
            .store
            .begin()
            .await
            .map_err(|_| OcspResponseStatus::TryLater)?;
        for id in &parsed.requests {
            let serial = serial_hex(&id.serial);
            let status = if matches_issuer(id, &responder.issuer) {
                let record = tx
                    .certificate(responder.kind.as_str(), &serial)
                    .await
                    .map_err(|_| OcspResponseStatus::TryLater)?;
                match record.filter(|c| c.generation == i64::from(responder.generation)) {
                    None => CertStatus::Unknown,
                    Some(c) => match (c.status, c.revoked_at) {
                        (CertificateStatus::Good, _) => CertStatus::Good,
                        (_, Some(at)) => CertStatus::Revoked {
                            at: time_of(at).map_err(|_| OcspResponseStatus::InternalError)?,
                            reason: c
                                .reason
                                .and_then(|r| u8::try_from(r).ok())
                                .and_then(RevocationReason::from_code),
                        },
                        (_, None) => return Err(OcspResponseStatus::InternalError),
                    },
                }
            } else {
                CertStatus::Unknown
            };
            let outcome = match &status {
                CertStatus::Good => "good",
                CertStatus::Revoked { .. } => "revoked",
                CertStatus::Unknown => "unknown",
            };
            let record = AuditRecord {
                verifier_id: verifier.id.clone(),
                action: "ocsp".into(),
                serial,
                outcome: outcome.into(),
                at: now.unix_timestamp(),
            };
            audit.push(record);
            statuses.push(status);
        }
        drop(tx);
        // The answer goes out only once the audit log holds the query.
        self.audit
            .record(audit)
            .await
            .map_err(|_| OcspResponseStatus::TryLater)?;
        let cache_key = (parsed.nonce.is_none() && self.cache_ttl > Duration::ZERO).then(|| {
            let mut key = Vec::new();
            for (id, status) in parsed.requests.iter().zip(&statuses) {
                key.extend_from_slice(id.der());
                key.extend_from_slice(format!("{status:?}").as_bytes());
            }
            key
        });
        if let Some(key) = &cache_key {
            let cache = self
                .cache
                .lock()
                .map_err(|_| OcspResponseStatus::InternalError)?;
            if let Some((expires, der)) = cache.get(key) {
                if *expires > now {
                    return Ok(der.clone());
                }
            }
        }
        let singles: Vec<SingleResponseParams<'_>> = parsed
            .requests
            .iter()
            .zip(statuses)
            .map(|(cert_id, status)| SingleResponseParams {
                cert_id,
                status,
                this_update: now,
                next_update: Some(now + OCSP_VALIDITY),
            })
            .collect();
        let certs = [responder.certificate.der()];
        let unsigned = build_basic_response(&akashi_revocation::BasicResponseParams {
            responder_key_id: responder.key_id.clone(),
            produced_at: now,
            responses: &singles,
            nonce: parsed.nonce.as_deref(),
            certs: &certs,
        })
        .map_err(|_| OcspResponseStatus::InternalError)?;
        let signature = responder
            .key
            .sign_pkcs1_sha256(unsigned.to_be_signed())
            .map_err(|_| OcspResponseStatus::InternalError)?;
        let der = unsigned
            .complete(&signature)
            .map_err(|_| OcspResponseStatus::InternalError)?;
        if let Some(key) = cache_key {
            let mut cache = self
                .cache
                .lock()
                .map_err(|_| OcspResponseStatus::InternalError)?;
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, (now + self.cache_ttl.min(OCSP_VALIDITY), der.clone()));
        }
        Ok(der)
    }
}
