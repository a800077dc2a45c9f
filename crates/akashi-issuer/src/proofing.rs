//! Proofing with the card: the issuer's challenge, signed by the JPKI signature certificate,
//! goes through one state per check, each consumed by the next: [`Received`] (challenge
//! unexpired, unused) → [`SignatureChecked`] (chain to a J-LIS root, signature certificate,
//! validity, RSA signature over the challenge) → [`StatusChecked`] (OCSP to J-LIS: good, or
//! pending when J-LIS cannot answer) → [`StatusChecked::record`] (the holder, in one
//! transaction with the challenge marked used). A request that fails writes nothing.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use akashi_bbs::NymEntropy;
use akashi_credential::IdentityClaims;
use akashi_crypto::{HashAlgorithm, SecureRandom};
use akashi_jpki::{BasicFourAttributes, CertificateKind};
use akashi_oid4vc::proofing::{ProofingChallenge, ProofingRequest};
use akashi_pf::certs::CheckedCertificate;
use akashi_pf::{PfError, Revocation};
use akashi_store::{IssuerGrantRecord, IssuerHolderRecord};

use crate::error::internal;
use crate::tokens::{self, CHALLENGE};
use crate::{IssuerError, IssuerService};

const ATTRIBUTES_LABEL: &str = "akashi/issuer/attributes";
const ENTROPY_LABEL: &str = "akashi/issuer/nym-entropy";

/// An authorization request of the authorization-code flow, carried inside its challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub state: Option<String>,
    pub configurations: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ChallengeBody {
    pub n: String,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthorizationRequest>,
}

/// The bytes the card signs for `challenge`.
pub fn to_be_signed(issuer_url: &str, challenge: &str) -> Vec<u8> {
    format!("Akashi identity proofing\nissuer: {issuer_url}\nchallenge: {challenge}\n").into_bytes()
}

/// The challenge is this issuer's, unexpired; the signature, certificate and consent as sent.
pub struct Received {
    challenge: String,
    body: ChallengeBody,
    certificate: Vec<u8>,
    signature: Vec<u8>,
    consent_updates: bool,
}

pub struct SignatureChecked {
    received: Received,
    checked: Arc<CheckedCertificate>,
}

pub struct StatusChecked {
    checked: SignatureChecked,
    /// `good`, or `pending` when J-LIS could not be reached.
    anchor_status: &'static str,
}

/// A proofed holder, recorded.
#[derive(Debug, Clone)]
pub struct Proofed {
    pub holder_id: String,
    pub anchor_status: String,
    pub authorization: Option<AuthorizationRequest>,
}

fn pf(e: PfError) -> IssuerError {
    match e {
        PfError::RevocationUnavailable(d) | PfError::Jlis(d) => IssuerError::Jlis(d),
        other => IssuerError::Anchor {
            code: other.code(),
            detail: other.to_string(),
        },
    }
}

impl IssuerService {
    /// A fresh challenge for the card (`auth`: the authorization request it completes).
    pub fn challenge(
        &self,
        auth: Option<AuthorizationRequest>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<ProofingChallenge, IssuerError> {
        let exp = (now + self.config.code_ttl).unix_timestamp();
        let body = ChallengeBody {
            n: tokens::random_b64(rng)?,
            exp,
            auth,
        };
        let challenge = tokens::seal(CHALLENGE, &body, &self.keys.mac);
        Ok(ProofingChallenge {
            to_be_signed: STANDARD.encode(to_be_signed(&self.config.issuer_url, &challenge)),
            challenge,
            expires_at: exp,
        })
    }
}

impl Received {
    pub fn parse(
        issuer: &IssuerService,
        request: &ProofingRequest,
        now: OffsetDateTime,
    ) -> Result<Self, IssuerError> {
        let body: ChallengeBody = tokens::open(CHALLENGE, &request.challenge, &issuer.keys.mac)
            .ok_or(IssuerError::BadChallenge)?;
        if now.unix_timestamp() > body.exp {
            return Err(IssuerError::BadChallenge);
        }
        let b64 = |field: &str, v: &str| {
            STANDARD
                .decode(v.trim())
                .map_err(|_| IssuerError::Malformed(format!("{field} is not base64")))
        };
        Ok(Self {
            challenge: request.challenge.clone(),
            body,
            certificate: b64("certificate", &request.certificate)?,
            signature: b64("signature", &request.signature)?,
            consent_updates: request.consent_updates,
        })
    }

    pub fn check_signature(
        self,
        issuer: &IssuerService,
        now: OffsetDateTime,
    ) -> Result<SignatureChecked, IssuerError> {
        let checked = issuer
            .certificates
            .check(
                &self.certificate,
                &issuer.anchors,
                now,
                CertificateKind::Signature,
                "identity proofing",
            )
            .map_err(pf)?;
        let tbs = to_be_signed(&issuer.config.issuer_url, &self.challenge);
        checked
            .key
            .verify_pkcs1(HashAlgorithm::Sha256, &tbs, &self.signature)
            .map_err(|_| IssuerError::BadCardSignature)?;
        Ok(SignatureChecked {
            received: self,
            checked,
        })
    }
}

impl SignatureChecked {
    pub async fn check_revocation(
        self,
        issuer: &IssuerService,
        now: OffsetDateTime,
    ) -> Result<StatusChecked, IssuerError> {
        let v = &self.checked.validated;
        let status = issuer
            .revocation
            .status(issuer.link.as_ref(), &v.certificate, &v.issuer, now, true)
            .await;
        let anchor_status = match status {
            Ok(Revocation::Good) => "good",
            // J-LIS cannot answer now: the holder is recorded and issuance waits (deferred).
            Err(PfError::RevocationUnavailable(_)) | Err(PfError::Jlis(_)) => "pending",
            Ok(Revocation::Held) => {
                return Err(IssuerError::Anchor {
                    code: "certificate_suspended",
                    detail: "the card is reported lost (certificate on hold)".into(),
                })
            }
            Ok(Revocation::Revoked { .. }) => {
                return Err(IssuerError::Anchor {
                    code: "certificate_revoked",
                    detail: "J-LIS reports the signature certificate revoked".into(),
                })
            }
            Ok(Revocation::Unknown) => {
                return Err(IssuerError::Anchor {
                    code: "certificate_unknown",
                    detail: "J-LIS does not know the certificate".into(),
                })
            }
            Err(e) => return Err(pf(e)),
        };
        Ok(StatusChecked {
            checked: self,
            anchor_status,
        })
    }
}

impl StatusChecked {
    /// Records the holder (attributes and pseudonym entropy sealed) and uses up the challenge.
    pub async fn record(
        self,
        issuer: &IssuerService,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Proofed, IssuerError> {
        let SignatureChecked { received, checked } = self.checked;
        let attributes =
            checked
                .validated
                .attributes
                .clone()
                .ok_or_else(|| IssuerError::Anchor {
                    code: "no_attributes",
                    detail: "the signature certificate carries no basic four attributes".into(),
                })?;
        // The credential model must accept them before anyone is recorded.
        IdentityClaims::from_attributes(&attributes)
            .map_err(|e| IssuerError::Malformed(format!("attributes: {e}")))?;
        let entropy = random_entropy(rng)?;
        let holder = IssuerHolderRecord {
            id: format!("h-{}", tokens::random_b64(rng)?),
            anchor_kind: CertificateKind::Signature.as_str().to_owned(),
            anchor_serial: checked.serial.clone(),
            anchor_status: self.anchor_status.to_owned(),
            anchor_reason: None,
            consent_updates: received.consent_updates,
            attributes: issuer.seal_attributes(&attributes)?,
            nym_entropy: issuer
                .keys
                .seal
                .seal(ENTROPY_LABEL, &entropy.to_bytes())
                .map_err(internal)?,
            created_at: now.unix_timestamp(),
            updated_at: now.unix_timestamp(),
        };
        let mut tx = issuer.store.begin_write().await?;
        let challenge_hash = tokens::hash(&received.challenge);
        if tx
            .issuer_grant(&challenge_hash, "challenge")
            .await?
            .is_some()
        {
            return Err(IssuerError::BadChallenge);
        }
        tx.issuer_grant_insert(&IssuerGrantRecord {
            code_hash: challenge_hash,
            kind: "challenge".into(),
            holder_id: Some(holder.id.clone()),
            detail: "{}".into(),
            expires_at: received.body.exp,
            used_at: Some(now.unix_timestamp()),
        })
        .await?;
        tx.issuer_holder_insert(&holder).await?;
        tx.commit().await?;
        tracing::info!(holder = %holder.id, anchor = self.anchor_status, "holder proofed");
        Ok(Proofed {
            holder_id: holder.id,
            anchor_status: self.anchor_status.to_owned(),
            authorization: received.body.auth,
        })
    }
}

impl IssuerService {
    /// All four steps.
    pub async fn proof(
        &self,
        request: &ProofingRequest,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Proofed, IssuerError> {
        Received::parse(self, request, now)?
            .check_signature(self, now)?
            .check_revocation(self, now)
            .await?
            .record(self, now, rng)
            .await
    }

    pub(crate) fn seal_attributes(&self, a: &BasicFourAttributes) -> Result<Vec<u8>, IssuerError> {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(a).map_err(internal)?);
        self.keys
            .seal
            .seal(ATTRIBUTES_LABEL, &json)
            .map_err(internal)
    }

    pub(crate) fn open_attributes(
        &self,
        sealed: &[u8],
    ) -> Result<BasicFourAttributes, IssuerError> {
        let json = self
            .keys
            .seal
            .open(ATTRIBUTES_LABEL, sealed)
            .map_err(internal)?;
        serde_json::from_slice(&json).map_err(internal)
    }

    pub(crate) fn open_entropy(&self, sealed: &[u8]) -> Result<NymEntropy, IssuerError> {
        let bytes = self
            .keys
            .seal
            .open(ENTROPY_LABEL, sealed)
            .map_err(internal)?;
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(internal)?;
        NymEntropy::from_bytes(&bytes).map_err(internal)
    }
}

/// A uniform pseudonym entropy: 32 random bytes, top bit cleared, by rejection below r.
fn random_entropy(rng: &dyn SecureRandom) -> Result<NymEntropy, IssuerError> {
    loop {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        rng.fill(bytes.as_mut()).map_err(internal)?;
        bytes[0] &= 0x7f;
        if let Ok(entropy) = NymEntropy::from_bytes(&bytes) {
            return Ok(entropy);
        }
    }
}
