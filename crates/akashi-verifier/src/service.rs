//! The verifier service: relying parties, presentation requests, responses and results.

use std::sync::Arc;

use base64::Engine;
use serde_json::json;
use time::OffsetDateTime;

use akashi_crypto::{constant_time_eq, sha256, SecureRandom};
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::vp::{
    AuthorizationRequest, AuthorizationResponse, DirectPostAnswer, VpToken,
    CLIENT_ID_PREFIX_REDIRECT_URI, RESPONSE_MODE_DIRECT_POST, RESPONSE_TYPE_VP_TOKEN,
};
use akashi_oid4vc::{FORMAT_AKASHI_BBS, FORMAT_SD_JWT_VC};
use akashi_sdjwt::EcPublicKey;
use akashi_store::{Store, StoreError, VpClientRecord, VpTransactionRecord};

use crate::status::{StatusCache, StatusFetcher};
use crate::verify::{verify_token, Context};
use crate::{
    CreatedRequest, RelyingParty, TransactionResult, TrustedIssuer, VerifierConfig, VerifierError,
};

/// The OpenID4VP verifier.
pub struct VerifierService {
    store: Store,
    config: VerifierConfig,
    fetcher: Arc<dyn StatusFetcher>,
    status: StatusCache,
}

fn random(rng: &dyn SecureRandom, n: usize) -> Result<Vec<u8>, VerifierError> {
    let mut bytes = vec![0u8; n];
    rng.fill(&mut bytes)
        .map_err(|e| VerifierError::Randomness(e.to_string()))?;
    Ok(bytes)
}

/// 128 random bits, base64url: nonces, states and transaction ids.
fn random_token(rng: &dyn SecureRandom) -> Result<String, VerifierError> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random(rng, 16)?))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A trust list every key of which decodes, so that a typo fails at configuration time and
/// not as "untrusted issuer" in front of a user.
fn check_trust(trusted: &[TrustedIssuer]) -> Result<(), VerifierError> {
    let bad = |why: String| VerifierError::MalformedRequest(why);
    for (i, t) in trusted.iter().enumerate() {
        if t.issuer.trim().is_empty() {
            return Err(bad(format!("trusted issuer {i}: the issuer is empty")));
        }
        if trusted[..i].iter().any(|o| o.issuer == t.issuer) {
            return Err(bad(format!(
                "trusted issuer {:?} is listed twice",
                t.issuer
            )));
        }
        if t.sd_jwt_keys.is_empty() && t.bbs_public_key.is_none() {
            return Err(bad(format!("trusted issuer {:?} has no key", t.issuer)));
        }
        if t.sd_jwt_keys
            .iter()
            .any(|k| EcPublicKey::from_jwk(k).is_err())
        {
            return Err(bad(format!(
                "trusted issuer {:?}: an SD-JWT key is not a public EC P-256 JWK",
                t.issuer
            )));
        }
        if let Some(k) = &t.bbs_public_key {
            if crate::bbs::public_key(k).is_none() {
                return Err(bad(format!(
                    "trusted issuer {:?}: the BBS key is not a base64url public key",
                    t.issuer
                )));
            }
        }
    }
    Ok(())
}

impl VerifierService {
    pub fn new(store: Store, config: VerifierConfig, fetcher: Arc<dyn StatusFetcher>) -> Self {
        Self {
            status: StatusCache::new(config.status_ttl),
            store,
            config,
            fetcher,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// The Response URI of relying party `id`.
    pub fn response_uri(&self, id: &str) -> String {
        format!(
            "{}/vp/v1/response/{id}",
            self.config.base_url.trim_end_matches('/')
        )
    }

    fn relying_party(&self, r: VpClientRecord) -> Result<RelyingParty, VerifierError> {
        let trusted = serde_json::from_str(&r.trusted_issuers)
            .map_err(|_| StoreError::Corrupt(format!("relying party {}: trusted issuers", r.id)))?;
        let response_uri = self.response_uri(&r.id);
        Ok(RelyingParty {
            client_id: format!("{CLIENT_ID_PREFIX_REDIRECT_URI}{response_uri}"),
            response_uri,
            id: r.id,
            name: r.name,
            trusted,
        })
    }

    /// Registers a relying party; its API credential is returned once (only its hash is
    /// kept).
    pub async fn register(
        &self,
        name: &str,
        trusted: Vec<TrustedIssuer>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<(RelyingParty, String), VerifierError> {
        if name.trim().is_empty() || name.len() > 200 {
            return Err(VerifierError::MalformedRequest(
                "the relying party name must be 1–200 bytes".into(),
            ));
        }
        check_trust(&trusted)?;
        let id = format!("rp{}", hex(&random(rng, 8)?));
        let credential = format!("akvp1.{}", hex(&random(rng, 32)?));
        let record = VpClientRecord {
            id: id.clone(),
            name: name.to_owned(),
            credential_hash: sha256(credential.as_bytes()).to_vec(),
            trusted_issuers: serde_json::to_string(&trusted).expect("trust list serialises"),
            created_at: now.unix_timestamp(),
        };
        let mut tx = self.store.begin_write().await?;
        tx.vp_client_insert(&record).await.map_err(|e| match e {
            StoreError::Duplicate { .. } => VerifierError::DuplicateRelyingParty(name.to_owned()),
            other => other.into(),
        })?;
        tx.commit().await?;
        tracing::info!(rp = %id, "relying party registered");
        Ok((self.relying_party(record)?, credential))
    }

    /// The relying party holding `credential`.
    pub async fn authenticate(&self, credential: &str) -> Result<RelyingParty, VerifierError> {
        let hash = sha256(credential.as_bytes());
        let mut tx = self.store.begin().await?;
        match tx.vp_client_by_credential(&hash).await? {
            Some(r) if constant_time_eq(&r.credential_hash, &hash) => self.relying_party(r),
            _ => Err(VerifierError::Unauthorized),
        }
    }

    /// Replaces the issuers `rp` trusts (pending transactions are verified against the new
    /// list).
    pub async fn set_trust(
        &self,
        rp: &RelyingParty,
        trusted: Vec<TrustedIssuer>,
    ) -> Result<(), VerifierError> {
        check_trust(&trusted)?;
        let json = serde_json::to_string(&trusted).expect("trust list serialises");
        let mut tx = self.store.begin_write().await?;
        tx.vp_client_set_trust(&rp.id, &json).await?;
        tx.commit().await?;
        tracing::info!(rp = %rp.id, issuers = trusted.len(), "trust list replaced");
        Ok(())
    }

    /// Checks `dcql` and stores a pending transaction with a fresh nonce and state.
    pub async fn create_request(
        &self,
        rp: &RelyingParty,
        dcql: DcqlQuery,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<CreatedRequest, VerifierError> {
        crate::query::check(&dcql)?;
        // Prefixed: a bare base64url id may start with '-' and read as an option on a
        // command line.
        let transaction_id = format!("tx-{}", random_token(rng)?);
        let nonce = random_token(rng)?;
        let state = random_token(rng)?;
        let expires_at = now.unix_timestamp() + self.config.request_ttl;
        let request = AuthorizationRequest {
            response_type: RESPONSE_TYPE_VP_TOKEN.into(),
            client_id: rp.client_id.clone(),
            response_mode: RESPONSE_MODE_DIRECT_POST.into(),
            response_uri: rp.response_uri.clone(),
            nonce: nonce.clone(),
            state: state.clone(),
            dcql_query: dcql,
            client_metadata: Some(json!({
                "client_name": rp.name,
                "vp_formats_supported": {
                    FORMAT_SD_JWT_VC: {
                        "sd-jwt_alg_values": ["ES256"],
                        "kb-jwt_alg_values": ["ES256"],
                    },
                    FORMAT_AKASHI_BBS: {},
                },
            })),
        };
        let mut tx = self.store.begin_write().await?;
        tx.vp_transaction_insert(&VpTransactionRecord {
            id: transaction_id.clone(),
            client: rp.id.clone(),
            state,
            nonce,
            dcql: serde_json::to_string(&request.dcql_query).expect("query serialises"),
            created_at: now.unix_timestamp(),
            expires_at,
            status: "pending".into(),
            result: None,
            answered_at: None,
        })
        .await?;
        tx.commit().await?;
        tracing::info!(rp = %rp.id, transaction = %transaction_id, "presentation request created");
        Ok(CreatedRequest {
            transaction_id,
            uri: request.to_uri(),
            request,
            expires_at,
        })
    }

    /// The `direct_post` Response URI of relying party `rp_id`: verifies the wallet's answer
    /// and records it once. A refusal by the verifier writes nothing.
    pub async fn receive(
        &self,
        rp_id: &str,
        form_body: &[u8],
        now: OffsetDateTime,
    ) -> Result<DirectPostAnswer, VerifierError> {
        let outcome = self.receive_inner(rp_id, form_body, now).await;
        match &outcome {
            Ok((transaction, status)) => {
                tracing::info!(rp = %rp_id, transaction = %transaction, outcome = %status, "response received")
            }
            Err(e) => {
                tracing::info!(rp = %rp_id, outcome = e.code(), "response refused")
            }
        }
        outcome.map(|_| DirectPostAnswer { redirect_uri: None })
    }

    async fn receive_inner(
        &self,
        rp_id: &str,
        form_body: &[u8],
        now: OffsetDateTime,
    ) -> Result<(String, &'static str), VerifierError> {
        let response = AuthorizationResponse::from_form(form_body)
            .map_err(|_| VerifierError::MalformedResponse("the form cannot be decoded".into()))?;
        let state = response
            .state
            .as_deref()
            .ok_or_else(|| VerifierError::MalformedResponse("state is missing".into()))?;
        let mut tx = self.store.begin().await?;
        let transaction = tx
            .vp_transaction_by_state(state)
            .await?
            .ok_or(VerifierError::UnknownState)?;
        if transaction.client != rp_id {
            return Err(VerifierError::WrongRelyingParty);
        }
        if transaction.status != "pending" {
            return Err(VerifierError::AlreadyAnswered);
        }
        if now.unix_timestamp() >= transaction.expires_at {
            return Err(VerifierError::Expired);
        }
        let client = tx
            .vp_client(rp_id)
            .await?
            .ok_or(VerifierError::WrongRelyingParty)?;
        drop(tx);
        let rp = self.relying_party(client)?;
        let (status, result) = if response.error.is_some() {
            // The wallet (or the user) declined: recorded, without a result.
            ("refused", None)
        } else {
            let token = response
                .vp_token
                .as_deref()
                .ok_or_else(|| VerifierError::MalformedResponse("vp_token is missing".into()))?;
            let token: VpToken = serde_json::from_str(token).map_err(|_| {
                VerifierError::MalformedResponse("vp_token is not a JSON object of arrays".into())
            })?;
            let query: DcqlQuery = serde_json::from_str(&transaction.dcql)
                .map_err(|_| StoreError::Corrupt(format!("transaction {}", transaction.id)))?;
            let result = self
                .verify_presentations(&rp, &transaction.nonce, &query, &token, now)
                .await?;
            ("verified", Some(result.to_string()))
        };
        let mut tx = self.store.begin_write().await?;
        if !tx
            .vp_transaction_answer(
                &transaction.id,
                status,
                result.as_deref(),
                now.unix_timestamp(),
            )
            .await?
        {
            return Err(VerifierError::AlreadyAnswered);
        }
        tx.commit().await?;
        Ok((transaction.id, status))
    }

    /// The checks [`VerifierService::receive`] makes on a VP Token, without the store: every
    /// presentation of `token` against `query` for `rp` (trusted issuers, client id as
    /// audience and pseudonym context) and the transaction's `nonce` — issuer signature or BBS
    /// proof, key binding, credential type, status list (through the fetcher and the status
    /// cache), disclosures and predicates. Returns the result object the relying party reads.
    /// Nothing is recorded: replay and expiry are the transaction's, checked by `receive`.
    pub async fn verify_presentations(
        &self,
        rp: &RelyingParty,
        nonce: &str,
        query: &DcqlQuery,
        token: &VpToken,
        now: OffsetDateTime,
    ) -> Result<serde_json::Value, VerifierError> {
        let ctx = Context {
            client_id: &rp.client_id,
            nonce,
            now: now.unix_timestamp(),
            kb_max_age: self.config.kb_max_age,
            trusted: &rp.trusted,
            fetcher: self.fetcher.as_ref(),
            status: &self.status,
        };
        verify_token(&ctx, query, token).await
    }

    /// The status and, once verified, the result of one of `rp`'s transactions.
    pub async fn result(
        &self,
        rp: &RelyingParty,
        transaction_id: &str,
    ) -> Result<TransactionResult, VerifierError> {
        let mut tx = self.store.begin().await?;
        let record = tx
            .vp_transaction(transaction_id)
            .await?
            .filter(|t| t.client == rp.id)
            .ok_or(VerifierError::UnknownTransaction)?;
        let result = record
            .result
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|_| StoreError::Corrupt(format!("transaction {} result", record.id)))?;
        Ok(TransactionResult {
            status: record.status,
            result,
        })
    }
}
