//! The nonce, credential and deferred-credential endpoints: key proofs checked, then SD-JWT
//! VCs (one per proof key, each at its own random status-list index) or one BBS credential
//! signed blindly over the holder's commitment — or a transaction id while the anchor waits.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime};

use akashi_bbs::IssuanceRequest;
use akashi_credential::{IdentityClaims, BBS_PROFILE, DISCLOSABLE};
use akashi_crypto::SecureRandom;
use akashi_oid4vc::bbs::BbsIssued;
use akashi_oid4vc::vci::{
    CredentialRequest, CredentialResponse, IssuedCredential, NonceResponse, PROOF_TYP,
};
use akashi_oid4vc::FORMAT_SD_JWT_VC;
use akashi_sdjwt::{issue, verify_self_signed, EcPublicKey, Issuance};
use akashi_store::{DeferredRecord, IssuedCredentialRecord, IssuerHolderRecord};

use crate::error::internal;
use crate::tokens::{self, NONCE};
use crate::{IssuerError, IssuerService, CONFIG_BBS, CONFIG_SD_JWT};

/// How long a wallet waits before asking again for a deferred credential.
const DEFERRED_INTERVAL: i64 = 5;
/// Decoy digests per object: hides how many claims an object has.
const DECOYS: usize = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct NonceBody {
    n: String,
    exp: i64,
}

/// A credential request whose proofs passed: what to issue, for which keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Checked {
    /// One SD-JWT VC per holder key (public JWKs).
    SdJwt(Vec<Value>),
    /// base64url of the holder's blind commitment.
    Bbs(String),
}

/// A credential response and whether it is the deferred kind (HTTP 202).
pub struct Answer {
    pub response: CredentialResponse,
    pub deferred: bool,
}

impl IssuerService {
    /// The nonce endpoint: a fresh `c_nonce` for key proofs.
    pub fn nonce(
        &self,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<NonceResponse, IssuerError> {
        let body = NonceBody {
            n: tokens::random_b64(rng)?,
            exp: (now + self.config.nonce_ttl).unix_timestamp(),
        };
        Ok(NonceResponse {
            c_nonce: tokens::seal(NONCE, &body, &self.keys.mac),
        })
    }

    fn check_proofs(
        &self,
        request: &CredentialRequest,
        now: OffsetDateTime,
    ) -> Result<Checked, IssuerError> {
        if request.credential_identifier.is_some() {
            return Err(IssuerError::Malformed(
                "credential_identifier is not used by this issuer; send credential_configuration_id".into(),
            ));
        }
        let config = request
            .credential_configuration_id
            .as_deref()
            .ok_or_else(|| {
                IssuerError::Malformed("credential_configuration_id is missing".into())
            })?;
        let proofs = request.proofs.clone().unwrap_or_default();
        match config {
            CONFIG_SD_JWT => {
                let jwts = proofs
                    .jwt
                    .filter(|j| !j.is_empty())
                    .ok_or_else(|| IssuerError::InvalidProof("proofs.jwt is required".into()))?;
                if jwts.len() > self.config.batch_size as usize {
                    return Err(IssuerError::InvalidProof(format!(
                        "at most {} proofs per request",
                        self.config.batch_size
                    )));
                }
                let mut keys: Vec<Value> = Vec::with_capacity(jwts.len());
                for jwt in &jwts {
                    let key = self.check_key_proof(jwt, now)?;
                    if keys.contains(&key) {
                        return Err(IssuerError::InvalidProof(
                            "every copy needs its own holder key (copies must not be linkable)"
                                .into(),
                        ));
                    }
                    keys.push(key);
                }
                Ok(Checked::SdJwt(keys))
            }
            CONFIG_BBS => {
                let commitments = proofs.akashi_bbs_commitment.unwrap_or_default();
                let [commitment] = commitments.as_slice() else {
                    return Err(IssuerError::InvalidProof(
                        "exactly one proofs.akashi_bbs_commitment is required".into(),
                    ));
                };
                let bytes = URL_SAFE_NO_PAD
                    .decode(commitment)
                    .map_err(|_| IssuerError::InvalidProof("commitment is not base64url".into()))?;
                let parsed = IssuanceRequest::from_bytes(&bytes)
                    .map_err(|e| IssuerError::InvalidProof(format!("commitment: {e}")))?;
                if parsed.suite != crate::BBS_SUITE {
                    return Err(IssuerError::InvalidProof("unsupported BBS suite".into()));
                }
                Ok(Checked::Bbs(commitment.clone()))
            }
            other => Err(IssuerError::UnknownConfiguration(other.to_owned())),
        }
    }

    /// A key proof JWT (OpenID4VCI Appendix F.1): typ, signature by the header key, audience,
    /// a live nonce of ours, iat not in the future or stale. Returns the public JWK.
    fn check_key_proof(&self, jwt: &str, now: OffsetDateTime) -> Result<Value, IssuerError> {
        let proof = verify_self_signed(jwt, PROOF_TYP)
            .map_err(|e| IssuerError::InvalidProof(e.to_string()))?;
        let p = &proof.payload;
        if p.get("aud").and_then(Value::as_str) != Some(self.config.issuer_url.as_str()) {
            return Err(IssuerError::InvalidProof("aud is not this issuer".into()));
        }
        let iat = p
            .get("iat")
            .and_then(Value::as_i64)
            .ok_or_else(|| IssuerError::InvalidProof("iat is missing".into()))?;
        let t = now.unix_timestamp();
        if iat > t + 60 || iat < t - self.config.nonce_ttl.whole_seconds() {
            return Err(IssuerError::InvalidProof("iat is not recent".into()));
        }
        let nonce = p.get("nonce").and_then(Value::as_str).unwrap_or_default();
        match tokens::open::<NonceBody>(NONCE, nonce, &self.keys.mac) {
            Some(body) if body.exp >= t => {}
            _ => return Err(IssuerError::InvalidNonce),
        }
        Ok(proof.key.to_jwk())
    }

    /// The credential endpoint.
    pub async fn credential(
        &self,
        bearer: &str,
        request: &CredentialRequest,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Answer, IssuerError> {
        let holder_id = self.access(bearer, now)?;
        let checked = self.check_proofs(request, now)?;
        let holder = self.holder(&holder_id).await?;
        match holder.anchor_status.as_str() {
            "good" => self.issue_checked(&holder, &checked, now, rng).await,
            "pending" => {
                let transaction_id = format!("d-{}", tokens::random_b64(rng)?);
                let mut tx = self.store.begin_write().await?;
                tx.issuer_deferred_insert(&DeferredRecord {
                    transaction_id: transaction_id.clone(),
                    holder_id,
                    request: serde_json::to_string(&checked).map_err(internal)?,
                    created_at: now.unix_timestamp(),
                    issued_at: None,
                })
                .await?;
                tx.commit().await?;
                Ok(pending(transaction_id))
            }
            _ => Err(revoked(&holder)),
        }
    }

    /// The deferred credential endpoint.
    pub async fn deferred(
        &self,
        bearer: &str,
        transaction_id: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Answer, IssuerError> {
        let holder_id = self.access(bearer, now)?;
        let mut tx = self.store.begin().await?;
        let record = tx
            .issuer_deferred(transaction_id)
            .await?
            .filter(|d| d.holder_id == holder_id && d.issued_at.is_none())
            .ok_or(IssuerError::UnknownTransaction)?;
        drop(tx);
        let holder = self.holder(&holder_id).await?;
        match holder.anchor_status.as_str() {
            "pending" => Ok(pending(record.transaction_id)),
            "good" => {
                let checked: Checked = serde_json::from_str(&record.request).map_err(internal)?;
                let answer = self.issue_checked(&holder, &checked, now, rng).await?;
                let mut tx = self.store.begin_write().await?;
                if !tx
                    .issuer_deferred_done(transaction_id, now.unix_timestamp())
                    .await?
                {
                    return Err(IssuerError::UnknownTransaction);
                }
                tx.commit().await?;
                Ok(answer)
            }
            _ => Err(revoked(&holder)),
        }
    }

    pub(crate) async fn holder(&self, id: &str) -> Result<IssuerHolderRecord, IssuerError> {
        let mut tx = self.store.begin().await?;
        tx.issuer_holder(id).await?.ok_or(IssuerError::InvalidToken)
    }

    async fn issue_checked(
        &self,
        holder: &IssuerHolderRecord,
        checked: &Checked,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Answer, IssuerError> {
        let claims = IdentityClaims::from_attributes(&self.open_attributes(&holder.attributes)?)
            .map_err(|e| IssuerError::Internal(format!("stored attributes: {e}")))?;
        let at = now.unix_timestamp();
        let mut tx = self.store.begin_write().await?;
        let mut credentials = Vec::new();
        match checked {
            Checked::SdJwt(keys) => {
                let exp = (now + self.config.sd_jwt_validity).unix_timestamp();
                for jwk in keys {
                    let key = EcPublicKey::from_jwk(jwk)
                        .map_err(|e| IssuerError::InvalidProof(e.to_string()))?;
                    let id = format!("c-{}", tokens::random_b64(rng)?);
                    let index = loop {
                        let index = random_index(self.config.status_list_size, rng)?;
                        let record = IssuedCredentialRecord {
                            id: id.clone(),
                            holder_id: holder.id.clone(),
                            format: FORMAT_SD_JWT_VC.into(),
                            status_index: Some(index as i64),
                            status: 0,
                            issued_at: at,
                            expires_at: exp,
                        };
                        if tx.issuer_credential_insert(&record).await? {
                            break index;
                        }
                    };
                    let mut payload =
                        claims.sd_jwt_vc_claims(&self.config.issuer_url, at, exp, now.date());
                    payload.insert(
                        "status".into(),
                        json!({ "status_list": { "idx": index, "uri": self.config.status_list_uri() } }),
                    );
                    let sd_jwt = issue(
                        &Issuance {
                            claims: payload,
                            disclosable: DISCLOSABLE,
                            decoys: DECOYS,
                            typ: FORMAT_SD_JWT_VC,
                            holder: Some(&key),
                        },
                        &self.keys.sd_jwt,
                        rng,
                    )
                    .map_err(internal)?;
                    credentials.push(IssuedCredential {
                        credential: sd_jwt.into(),
                    });
                }
            }
            Checked::Bbs(commitment) => {
                let bytes = URL_SAFE_NO_PAD.decode(commitment).map_err(internal)?;
                let request = IssuanceRequest::from_bytes(&bytes).map_err(internal)?;
                let valid_until = now.date() + Duration::days(self.config.bbs_validity_days);
                let entropy = self.open_entropy(&holder.nym_entropy)?;
                let issued = akashi_bbs::issue(
                    &self.keys.bbs,
                    &request,
                    &entropy,
                    BBS_PROFILE.as_bytes(),
                    &claims.bbs_messages(valid_until),
                )
                .map_err(|e| IssuerError::InvalidProof(format!("commitment: {e}")))?;
                let expires_at = (valid_until + Duration::days(1))
                    .midnight()
                    .assume_utc()
                    .unix_timestamp();
                tx.issuer_credential_insert(&IssuedCredentialRecord {
                    id: format!("c-{}", tokens::random_b64(rng)?),
                    holder_id: holder.id.clone(),
                    format: akashi_oid4vc::FORMAT_AKASHI_BBS.into(),
                    status_index: None,
                    status: 0,
                    issued_at: at,
                    expires_at,
                })
                .await?;
                let object = BbsIssued {
                    profile: BBS_PROFILE.into(),
                    suite: crate::BBS_SUITE.name().into(),
                    claims: claims.bbs_claims(valid_until),
                    signature: URL_SAFE_NO_PAD.encode(issued.signature.to_bytes()),
                    nym_entropy: URL_SAFE_NO_PAD.encode(issued.entropy.to_bytes()),
                };
                credentials.push(IssuedCredential {
                    credential: serde_json::to_value(object).map_err(internal)?,
                });
            }
        }
        tx.commit().await?;
        tracing::info!(holder = %holder.id, count = credentials.len(), "credentials issued");
        Ok(Answer {
            response: CredentialResponse {
                credentials: Some(credentials),
                transaction_id: None,
                interval: None,
                notification_id: None,
            },
            deferred: false,
        })
    }
}

fn pending(transaction_id: String) -> Answer {
    Answer {
        response: CredentialResponse {
            credentials: None,
            transaction_id: Some(transaction_id),
            interval: Some(DEFERRED_INTERVAL),
            notification_id: None,
        },
        deferred: true,
    }
}

fn revoked(holder: &IssuerHolderRecord) -> IssuerError {
    IssuerError::Denied(format!(
        "the JPKI anchor was revoked ({}); renew the ID",
        holder.anchor_reason.as_deref().unwrap_or("revoked")
    ))
}

/// A uniform index below `size` (a power of two), so indexes say nothing about issuance order.
fn random_index(size: usize, rng: &dyn SecureRandom) -> Result<usize, IssuerError> {
    let mut bytes = [0u8; 8];
    rng.fill(&mut bytes).map_err(internal)?;
    Ok((u64::from_be_bytes(bytes) as usize) % size)
}
