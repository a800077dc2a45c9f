//! Codes and the token endpoint: a code is bound to its client, redirect URI and PKCE
//! challenge, lives a minute and works once — presented again, it is refused and the tokens
//! it gave are revoked (RFC 6749 §4.1.2). The ID token is signed (FAL1), then encrypted to
//! the RP's key when it registered one (FAL2); with a DPoP proof the access token is bound
//! to the client's key (FAL3, RFC 9449).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use akashi_auth::Session;
use akashi_crypto::{sha256, SecureRandom};
use akashi_jose::dpop::{self, ProofExpectations, DPOP_ALGORITHMS};
use akashi_jose::jwe::{self, ContentEncryption, JweAlgorithm};
use akashi_jose::jwk::JwkKey;
use akashi_jose::jws::sign_compact;
use akashi_store::{OpGrantRecord, StoreError, Txn};

use crate::authorize::ValidRequest;
use crate::clients::Client;
use crate::error::internal;
use crate::protocol::{TokenParams, TokenResponse};
use crate::{OidcError, OidcProvider};
use akashi_auth::{hash_hex, random_token};

/// How far a DPoP proof's `iat` may lie in the future (clocks of clients drift).
const DPOP_CLOCK_SKEW_SECONDS: i64 = 5;

/// What a code (and the tokens from it) carry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodeDetail {
    pub request: ValidRequest,
    pub account_id: String,
    pub sid: String,
    pub auth_time: i64,
    pub acr: String,
    pub amr: Vec<String>,
}

/// What an access token carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessDetail {
    pub account_id: String,
    pub scopes: Vec<String>,
    /// The RFC 7638 thumbprint of the client's DPoP key, when bound.
    pub jkt: Option<String>,
    pub sid: String,
}

impl OidcProvider {
    /// A new code for `session` (its own write transaction).
    pub(crate) async fn issue_code(
        &self,
        request: &ValidRequest,
        session: &Session,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        let mut tx = self.store().begin_write().await?;
        let code = self
            .insert_code(&mut tx, request, session, now, rng)
            .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// Stores a new code for `session` in `tx`; returns it.
    pub(crate) async fn insert_code(
        &self,
        tx: &mut Txn,
        request: &ValidRequest,
        session: &Session,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        let code = random_token(rng)?;
        let detail = CodeDetail {
            request: request.clone(),
            account_id: session.account_id.clone(),
            sid: session.sid().to_owned(),
            auth_time: session.auth_time,
            acr: session.level().acr().to_owned(),
            amr: session.amr.clone(),
        };
        tx.op_grant_insert(&OpGrantRecord {
            hash: hash_hex(code.as_bytes()),
            kind: "code".into(),
            client_id: request.client_id.clone(),
            account_id: Some(session.account_id.clone()),
            detail: serde_json::to_string(&detail).map_err(internal)?,
            expires_at: (now + self.config.code_ttl).unix_timestamp(),
            used_at: None,
            parent: None,
        })
        .await?;
        Ok(code)
    }

    /// Verifies a DPoP proof for `method` at `endpoint` (signature, claims, age); no I/O.
    pub(crate) fn verify_dpop(
        &self,
        proof: &str,
        method: &str,
        endpoint: &str,
        access_token: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<dpop::VerifiedProof, OidcError> {
        let max_age = self.config.dpop_max_age.whole_seconds();
        let expect = ProofExpectations {
            htm: method,
            htu: endpoint,
            now: now.unix_timestamp(),
            max_age_seconds: max_age,
            clock_skew_seconds: DPOP_CLOCK_SKEW_SECONDS,
            access_token,
            nonce: None,
            algorithms: DPOP_ALGORITHMS,
        };
        dpop::verify_proof(proof, &expect).map_err(|e| OidcError::InvalidDpopProof(e.to_string()))
    }

    /// Records a verified proof in `tx`; one seen before is a replay.
    pub(crate) async fn record_dpop(
        &self,
        tx: &mut Txn,
        proof: &dpop::VerifiedProof,
        now: OffsetDateTime,
    ) -> Result<(), OidcError> {
        let seen = hash_hex(format!("{}\n{}", proof.jkt, proof.jti).as_bytes());
        let keep_until = now.unix_timestamp() + 2 * self.config.dpop_max_age.whole_seconds();
        match tx.op_dpop_seen(&seen, keep_until).await {
            Ok(()) => Ok(()),
            Err(StoreError::Duplicate { .. }) => Err(OidcError::InvalidDpopProof(
                "this proof was used before (replay)".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// The token endpoint for an authenticated `client`.
    pub async fn token(
        &self,
        client: &Client,
        params: TokenParams,
        dpop_proof: Option<&str>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<TokenResponse, OidcError> {
        if params.grant_type != "authorization_code" {
            return Err(OidcError::UnsupportedGrantType(params.grant_type));
        }
        self.refresh_signing_keys(now).await?;
        let code = params
            .code
            .as_deref()
            .ok_or_else(|| OidcError::InvalidRequest("code is required".into()))?;
        let verifier = params
            .code_verifier
            .as_deref()
            .ok_or_else(|| OidcError::InvalidRequest("code_verifier is required (PKCE)".into()))?;
        if !(43..=128).contains(&verifier.len()) {
            return Err(OidcError::InvalidRequest(
                "code_verifier must be 43–128 characters".into(),
            ));
        }
        if client.require_dpop && dpop_proof.is_none() {
            return Err(OidcError::InvalidDpopProof(
                "this client's tokens are bound to its key (FAL3): send a DPoP proof".into(),
            ));
        }
        let code_hash = hash_hex(code.as_bytes());
        let t = now.unix_timestamp();
        // Everything but the single use is checked, and the tokens signed, before the write
        // transaction: it only marks the code used and stores the access token.
        let grant = {
            let mut tx = self.store().begin().await?;
            let grant = tx.op_grant(&code_hash, "code").await?;
            tx.commit().await?;
            grant.ok_or_else(|| OidcError::InvalidGrant("unknown code".into()))?
        };
        if grant.used_at.is_some() {
            // A code presented twice: someone else may hold it. Revoke what it gave.
            let mut tx = self.store().begin_write().await?;
            tx.op_grants_revoke_children(&code_hash, t - 1).await?;
            tx.commit().await?;
            tracing::warn!(client = %client.client_id, "authorization code reused; tokens revoked");
            return Err(OidcError::InvalidGrant(
                "the code was already used; its tokens are revoked".into(),
            ));
        }
        if grant.client_id != client.client_id {
            return Err(OidcError::InvalidGrant(
                "the code was issued to another client".into(),
            ));
        }
        if grant.expires_at < t {
            return Err(OidcError::InvalidGrant("the code expired".into()));
        }
        let detail: CodeDetail = serde_json::from_str(&grant.detail).map_err(internal)?;
        if params.redirect_uri.as_deref() != Some(detail.request.redirect_uri.as_str()) {
            return Err(OidcError::InvalidGrant(
                "redirect_uri differs from the authorization request".into(),
            ));
        }
        let computed = URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes()));
        if computed != detail.request.code_challenge {
            return Err(OidcError::InvalidGrant(
                "the PKCE code_verifier does not match".into(),
            ));
        }
        let proof = dpop_proof
            .map(|p| self.verify_dpop(p, "POST", &self.config.endpoint("token"), None, now))
            .transpose()?;
        let access_token = random_token(rng)?;
        let id_token = self.id_token(client, &detail, &access_token, now, rng)?;
        let access = AccessDetail {
            account_id: detail.account_id.clone(),
            scopes: detail.request.scopes.clone(),
            jkt: proof.as_ref().map(|p| p.jkt.clone()),
            sid: detail.sid.clone(),
        };
        let mut tx = self.store().begin_write().await?;
        if !tx.op_grant_use(&code_hash, t).await? {
            // Another request redeemed it since the read: the same reuse, the same answer.
            tx.op_grants_revoke_children(&code_hash, t - 1).await?;
            tx.commit().await?;
            return Err(OidcError::InvalidGrant(
                "the code was already used; its tokens are revoked".into(),
            ));
        }
        if let Some(p) = &proof {
            self.record_dpop(&mut tx, p, now).await?;
        }
        tx.op_grant_insert(&OpGrantRecord {
            hash: hash_hex(access_token.as_bytes()),
            kind: "access".into(),
            client_id: client.client_id.clone(),
            account_id: Some(detail.account_id.clone()),
            detail: serde_json::to_string(&access).map_err(internal)?,
            expires_at: t + self.config.access_token_ttl.whole_seconds(),
            used_at: None,
            parent: Some(code_hash),
        })
        .await?;
        tx.commit().await?;
        Ok(TokenResponse {
            access_token,
            token_type: if proof.is_some() { "DPoP" } else { "Bearer" }.into(),
            expires_in: self.config.access_token_ttl.whole_seconds(),
            id_token,
            scope: detail.request.scopes.join(" "),
        })
    }

    fn id_token(
        &self,
        client: &Client,
        detail: &CodeDetail,
        access_token: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        let t = now.unix_timestamp();
        let digest = sha256(access_token.as_bytes());
        let mut claims = json!({
            "iss": self.config.issuer,
            "sub": self.pairwise_sub(&client.sector, &detail.account_id),
            "aud": client.client_id,
            "azp": client.client_id,
            "iat": t,
            "exp": t + self.config.id_token_ttl.whole_seconds(),
            "auth_time": detail.auth_time,
            "acr": detail.acr,
            "amr": detail.amr,
            "sid": detail.sid,
            "at_hash": URL_SAFE_NO_PAD.encode(&digest[..16]),
        });
        if let Some(nonce) = &detail.request.nonce {
            claims["nonce"] = json!(nonce);
        }
        let signer = self.signing.current()?;
        let mut header = Map::new();
        header.insert("typ".into(), Value::from("JWT"));
        let payload = serde_json::to_vec(&claims).map_err(internal)?;
        let signed = sign_compact(header, &payload, signer.as_ref()).map_err(internal)?;
        match &client.encryption {
            None => Ok(signed),
            Some(key) => {
                let alg = match key.key() {
                    JwkKey::Rsa { .. } => JweAlgorithm::RsaOaep256,
                    _ => JweAlgorithm::EcdhEs,
                };
                jwe::encrypt_compact(
                    signed.as_bytes(),
                    key,
                    alg,
                    ContentEncryption::A256Gcm,
                    Some("JWT"),
                    rng,
                )
                .map_err(internal)
            }
        }
    }
}
