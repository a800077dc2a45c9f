//! The wallet side of issuance: proofing with the card, OpenID4VCI (offer → token → nonce →
//! credential, deferred), verifying what arrives, renewal with the refresh token, and the
//! status check that tells the holder the anchor changed.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Map, Value};

use akashi_bbs::{PendingIssuance, PublicKey};
use akashi_card::{Card, CertificateSlot};
use akashi_crypto::SecureRandom;
use akashi_oid4vc::proofing::{ProofingAnswer, ProofingChallenge, ProofingRequest};
use akashi_oid4vc::vci::{
    AuthorizationServerMetadata, CredentialOffer, CredentialResponse, IssuerMetadata, TokenRequest,
    TokenResponse, GRANT_PRE_AUTHORIZED, GRANT_REFRESH_TOKEN, PROOF_TYP,
};
use akashi_oid4vc::{FORMAT_AKASHI_BBS, FORMAT_SD_JWT_VC};
use akashi_sdjwt::{sign_jwt, verify, EcPrivateKey, EcPublicKey, Expectations};

use crate::http::{self, well_known};
use crate::{StoredCredential, Wallet, WalletError};

/// SD-JWT copies asked for per issuance: one per verifier the holder will meet before renewal.
pub const DEFAULT_COPIES: usize = 5;

/// What the issuer's metadata says, fetched once per flow.
pub struct Issuer {
    pub metadata: IssuerMetadata,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub sd_jwt_jwks: Vec<Value>,
}

/// A credential the issuer will deliver later (HTTP 202), with what the wallet needs to
/// finish it: the access token and the copy keys of the proofs it sent.
pub struct Deferred {
    pub transaction_id: String,
    pub interval: i64,
    pub(crate) access_token: String,
    pub(crate) configuration_id: String,
    pub(crate) keys: Vec<(EcPrivateKey, String)>,
    /// For a deferred BBS credential: the holder's side of the blind issuance.
    pub(crate) pending_bbs: Option<PendingIssuance>,
    pub(crate) refresh_token: Option<String>,
}

impl Deferred {
    /// The issuer answered 202: what the wallet keeps to fetch the credential later.
    pub(crate) fn received(
        response: &CredentialResponse,
        token: &TokenResponse,
        configuration: &str,
        keys: Vec<(EcPrivateKey, String)>,
        pending_bbs: Option<PendingIssuance>,
    ) -> Result<Received, WalletError> {
        Ok(Received::Deferred(Box::new(Deferred {
            transaction_id: response
                .transaction_id
                .clone()
                .ok_or_else(|| WalletError::Http("202 without transaction_id".into()))?,
            interval: response.interval.unwrap_or(5),
            access_token: token.access_token.clone(),
            configuration_id: configuration.to_owned(),
            keys,
            pending_bbs,
            refresh_token: token.refresh_token.clone(),
        })))
    }
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Deferred({})", self.transaction_id)
    }
}

/// The outcome of one credential configuration.
#[derive(Debug)]
pub enum Received {
    Stored(String),
    Deferred(Box<Deferred>),
}

/// The card signs the issuer's challenge with the signature certificate (PIN: the signature
/// PIN); the issuer proofs the holder and answers with a credential offer.
pub async fn proof_with_card(
    client: &reqwest::Client,
    issuer_url: &str,
    card: &mut dyn Card,
    sign_pin: &str,
    consent_updates: bool,
) -> Result<ProofingAnswer, WalletError> {
    let base = issuer_url.trim_end_matches('/');
    let (_, body) = http::post_json(
        client,
        &format!("{base}/proofing/challenge"),
        &json!({}),
        None,
    )
    .await?;
    let challenge: ProofingChallenge = http::parse("proofing challenge", body)?;
    let request = card_answer(challenge, card, sign_pin, consent_updates)?;
    let body = serde_json::to_value(&request).map_err(|e| WalletError::Io(e.to_string()))?;
    let (_, answer) = http::post_json(client, &format!("{base}/proofing"), &body, None).await?;
    http::parse("proofing answer", answer)
}

/// The card's answer to an issuer's challenge: the signature certificate and its signature
/// over `to_be_signed` (the signature PIN unlocks both).
pub(crate) fn card_answer(
    challenge: ProofingChallenge,
    card: &mut dyn Card,
    sign_pin: &str,
    consent_updates: bool,
) -> Result<ProofingRequest, WalletError> {
    let tbs = STANDARD
        .decode(&challenge.to_be_signed)
        .map_err(|_| WalletError::Http("to_be_signed is not base64".into()))?;
    let card_err = |e: akashi_card::HostError| WalletError::Card(e.to_string());
    let certificate = card
        .read_certificate(CertificateSlot::Signature, Some(sign_pin))
        .map_err(card_err)?;
    let signature = card.sign(&tbs, sign_pin).map_err(card_err)?;
    Ok(ProofingRequest {
        challenge: challenge.challenge,
        certificate: STANDARD.encode(certificate),
        signature: STANDARD.encode(signature),
        consent_updates,
    })
}

impl Issuer {
    pub async fn discover(client: &reqwest::Client, issuer_url: &str) -> Result<Self, WalletError> {
        let metadata: IssuerMetadata = http::parse(
            "issuer metadata",
            http::get(client, &well_known(issuer_url, "openid-credential-issuer")).await?,
        )?;
        if metadata.credential_issuer != issuer_url {
            return Err(WalletError::BadCredential(
                "issuer metadata names another issuer".into(),
            ));
        }
        let as_url = metadata
            .authorization_servers
            .first()
            .cloned()
            .unwrap_or_else(|| issuer_url.to_owned());
        let authorization: AuthorizationServerMetadata = http::parse(
            "authorization server metadata",
            http::get(client, &well_known(&as_url, "oauth-authorization-server")).await?,
        )?;
        let jwks = http::get(client, &well_known(issuer_url, "jwt-vc-issuer")).await?;
        let sd_jwt_jwks = jwks["jwks"]["keys"].as_array().cloned().unwrap_or_default();
        Ok(Self {
            metadata,
            authorization_endpoint: authorization.authorization_endpoint,
            token_endpoint: authorization.token_endpoint,
            sd_jwt_jwks,
        })
    }

    pub(crate) async fn token(
        &self,
        client: &reqwest::Client,
        request: &TokenRequest,
    ) -> Result<TokenResponse, WalletError> {
        let form =
            serde_urlencoded::to_string(request).map_err(|e| WalletError::Io(e.to_string()))?;
        let (_, body) = http::post_form(client, &self.token_endpoint, form).await?;
        http::parse("token response", body)
    }

    async fn nonce(&self, client: &reqwest::Client) -> Result<String, WalletError> {
        let url = self
            .metadata
            .nonce_endpoint
            .clone()
            .ok_or_else(|| WalletError::Http("the issuer has no nonce endpoint".into()))?;
        let (_, body) = http::post_json(client, &url, &json!({}), None).await?;
        body["c_nonce"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| WalletError::Http("no c_nonce".into()))
    }

    pub(crate) fn bbs_key(&self) -> Result<(PublicKey, String), WalletError> {
        let text = self
            .metadata
            .credential_configurations_supported
            .values()
            .find_map(|c| c.extra.get("akashi_bbs_public_key").and_then(Value::as_str))
            .ok_or_else(|| WalletError::BadCredential("the issuer publishes no BBS key".into()))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| WalletError::BadCredential("BBS key is not base64url".into()))?;
        let key =
            PublicKey::from_bytes(&bytes).map_err(|e| WalletError::BadCredential(e.to_string()))?;
        Ok((key, text.to_owned()))
    }
}

/// Accepts an offer with a pre-authorized code: every configuration it names.
pub async fn accept_offer(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    offer: &CredentialOffer,
    now: i64,
    rng: &dyn SecureRandom,
) -> Result<Vec<Received>, WalletError> {
    let issuer = Issuer::discover(client, &offer.credential_issuer).await?;
    let code = offer
        .grants
        .as_ref()
        .and_then(|g| g.pre_authorized_code.as_ref())
        .ok_or_else(|| WalletError::BadRequest("the offer has no pre-authorized code".into()))?;
    let token = issuer
        .token(
            client,
            &TokenRequest {
                grant_type: GRANT_PRE_AUTHORIZED.into(),
                pre_authorized_code: Some(code.pre_authorized_code.clone()),
                ..Default::default()
            },
        )
        .await?;
    let mut out = Vec::new();
    for configuration in &offer.credential_configuration_ids {
        out.push(
            request_credential(wallet, client, &issuer, &token, configuration, now, rng).await?,
        );
    }
    Ok(out)
}

pub(crate) async fn request_credential(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    issuer: &Issuer,
    token: &TokenResponse,
    configuration: &str,
    now: i64,
    rng: &dyn SecureRandom,
) -> Result<Received, WalletError> {
    let format = issuer
        .metadata
        .credential_configurations_supported
        .get(configuration)
        .map(|c| c.format.clone())
        .ok_or_else(|| WalletError::BadRequest(format!("unknown configuration {configuration}")))?;
    let issuer_id = issuer.metadata.credential_issuer.clone();
    let endpoint = issuer.metadata.credential_endpoint.clone();
    match format.as_str() {
        FORMAT_SD_JWT_VC => {
            let nonce = issuer.nonce(client).await?;
            let copies = DEFAULT_COPIES.min(
                issuer
                    .metadata
                    .batch_credential_issuance
                    .map_or(1, |b| b.batch_size as usize),
            );
            let mut keys = Vec::with_capacity(copies);
            let mut proofs = Vec::with_capacity(copies);
            for _ in 0..copies {
                let (key, sealed) = wallet.new_copy_key(rng)?;
                let mut header = Map::new();
                header.insert("jwk".into(), key.public_key().to_jwk());
                let payload = json!({ "aud": issuer_id, "iat": now, "nonce": nonce });
                proofs.push(
                    sign_jwt(PROOF_TYP, header, &payload, &key)
                        .map_err(|e| WalletError::Io(e.to_string()))?,
                );
                keys.push((key, sealed));
            }
            let body = json!({ "credential_configuration_id": configuration, "proofs": { "jwt": proofs } });
            let (status, answer) =
                http::post_json(client, &endpoint, &body, Some(&token.access_token)).await?;
            let response: CredentialResponse = http::parse("credential response", answer)?;
            if status == 202 {
                return Deferred::received(&response, token, configuration, keys, None);
            }
            store_sd_jwt(
                wallet,
                issuer,
                configuration,
                response,
                keys,
                token.refresh_token.clone(),
                now,
            )
            .map(Received::Stored)
        }
        FORMAT_AKASHI_BBS => {
            crate::bbs_issuance::request(wallet, client, issuer, token, configuration, now, rng)
                .await
        }
        other => Err(WalletError::BadRequest(format!(
            "unsupported format {other}"
        ))),
    }
}

/// Every credential of one issuer shares the holder's refresh token, which rotates on use.
pub(crate) fn set_refresh(
    wallet: &mut Wallet,
    issuer: &str,
    token: Option<String>,
) -> Result<(), WalletError> {
    let Some(token) = token else { return Ok(()) };
    wallet.update_credentials(|c| {
        if c.issuer == issuer {
            c.refresh_token = Some(token.clone());
        }
    })
}

/// Verifies each SD-JWT VC with the issuer's key and its binding to the copy key, then keeps
/// them as one credential with one copy per key.
fn store_sd_jwt(
    wallet: &mut Wallet,
    issuer: &Issuer,
    configuration: &str,
    response: CredentialResponse,
    keys: Vec<(EcPrivateKey, String)>,
    refresh: Option<String>,
    now: i64,
) -> Result<String, WalletError> {
    let credentials = response.credentials.unwrap_or_default();
    if credentials.len() != keys.len() {
        return Err(WalletError::BadCredential(format!(
            "{} credentials for {} keys",
            credentials.len(),
            keys.len()
        )));
    }
    let jwk = issuer
        .sd_jwt_jwks
        .first()
        .ok_or_else(|| WalletError::BadCredential("the issuer publishes no key".into()))?;
    let issuer_key =
        EcPublicKey::from_jwk(jwk).map_err(|e| WalletError::BadCredential(e.to_string()))?;
    let mut texts = Vec::new();
    let mut view = Value::Null;
    let mut expires = None;
    for (c, (key, _)) in credentials.iter().zip(&keys) {
        let text = c
            .credential
            .as_str()
            .ok_or_else(|| WalletError::BadCredential("an SD-JWT VC is a string".into()))?;
        let verified = verify(
            text,
            &Expectations {
                issuer_key: &issuer_key,
                key_binding: None,
            },
        )
        .map_err(|e| WalletError::BadCredential(e.to_string()))?;
        if verified.holder.as_ref() != Some(&key.public_key()) {
            return Err(WalletError::BadCredential(
                "a copy is not bound to the key it was asked for".into(),
            ));
        }
        let mut claims = verified.claims;
        claims.remove("cnf");
        expires = claims.get("exp").and_then(Value::as_i64);
        view = Value::Object(claims);
        texts.push(text.to_owned());
    }
    let id = format!("sdjwt-{}", short_id_from(&texts[0]));
    let mut stored = StoredCredential::new(
        &id,
        FORMAT_SD_JWT_VC,
        &issuer.metadata.credential_issuer,
        view["vct"].as_str().unwrap_or_default(),
        texts,
        now,
        expires,
    );
    for (i, (_, sealed)) in keys.into_iter().enumerate() {
        stored.set_copy_key(i, sealed);
    }
    stored.configuration_id = Some(configuration.to_owned());
    stored.claims = view;
    stored.issuer_key = jwk.clone();
    wallet.put_credential(stored)?;
    set_refresh(wallet, &issuer.metadata.credential_issuer, refresh)?;
    Ok(id)
}

fn short_id_from(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(&akashi_crypto::sha256(text.as_bytes())[..6])
}

/// Asks for a deferred credential: stored, or still deferred.
pub async fn poll_deferred(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    issuer_url: &str,
    deferred: Deferred,
    now: i64,
) -> Result<Received, WalletError> {
    let issuer = Issuer::discover(client, issuer_url).await?;
    let url = issuer
        .metadata
        .deferred_credential_endpoint
        .clone()
        .ok_or_else(|| WalletError::Http("no deferred endpoint".into()))?;
    let body = json!({ "transaction_id": deferred.transaction_id });
    let (status, answer) =
        http::post_json(client, &url, &body, Some(&deferred.access_token)).await?;
    if status == 202 {
        return Ok(Received::Deferred(Box::new(deferred)));
    }
    let response: CredentialResponse = http::parse("deferred credential response", answer)?;
    if let Some(pending) = deferred.pending_bbs {
        return crate::bbs_issuance::finish(
            wallet,
            &issuer,
            &deferred.configuration_id,
            pending,
            response,
            deferred.refresh_token,
            now,
        );
    }
    store_sd_jwt(
        wallet,
        &issuer,
        &deferred.configuration_id,
        response,
        deferred.keys,
        deferred.refresh_token,
        now,
    )
    .map(Received::Stored)
}

/// Renews a credential with the refresh token (no card): a new credential of the same
/// configuration replaces it. A revoked anchor without J-LIS renewal is refused by the issuer
/// (`invalid_grant`) and the credential is marked "renew your ID".
pub async fn renew(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    credential_id: &str,
    now: i64,
    rng: &dyn SecureRandom,
) -> Result<Received, WalletError> {
    let old = wallet.credential(credential_id)?.clone();
    let refresh = old.refresh_token.clone().ok_or_else(|| {
        WalletError::BadRequest("no refresh token: prove with the card again".into())
    })?;
    let configuration = old
        .configuration_id
        .clone()
        .ok_or_else(|| WalletError::BadRequest("not issued over OpenID4VCI".into()))?;
    let issuer = Issuer::discover(client, &old.issuer).await?;
    let token = match issuer
        .token(
            client,
            &TokenRequest {
                grant_type: GRANT_REFRESH_TOKEN.into(),
                refresh_token: Some(refresh),
                ..Default::default()
            },
        )
        .await
    {
        Ok(t) => t,
        Err(WalletError::Refused(e)) if e.error == "invalid_grant" => {
            wallet.mark_anchor_revoked(credential_id)?;
            return Err(WalletError::Refused(e));
        }
        Err(e) => return Err(e),
    };
    set_refresh(wallet, &old.issuer, token.refresh_token.clone())?;
    let received =
        request_credential(wallet, client, &issuer, &token, &configuration, now, rng).await?;
    if let Received::Stored(_) = received {
        wallet.remove_credential(credential_id)?;
    }
    Ok(received)
}

/// Checks each SD-JWT VC's status list entry at its issuer; a revoked one gets the notice.
/// Returns the ids newly marked.
pub async fn check_status(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    now: i64,
) -> Result<Vec<String>, WalletError> {
    let mut marked = Vec::new();
    let candidates: Vec<StoredCredential> = wallet
        .credentials()
        .iter()
        .filter(|c| c.format == FORMAT_SD_JWT_VC && !c.anchor_revoked)
        .cloned()
        .collect();
    for c in candidates {
        let (Some(index), Some(uri)) = (
            c.claims["status"]["status_list"]["idx"].as_u64(),
            c.claims["status"]["status_list"]["uri"].as_str(),
        ) else {
            continue;
        };
        let key = EcPublicKey::from_jwk(&c.issuer_key)
            .map_err(|e| WalletError::BadCredential(e.to_string()))?;
        let token = http::get_text(client, uri).await?;
        let list = akashi_sdjwt::status_list::verify_status_list_token(&token, &key, uri, now)
            .map_err(|e| WalletError::BadCredential(e.to_string()))?;
        if list.get(index as usize).unwrap_or(1) != 0 {
            wallet.mark_anchor_revoked(&c.id)?;
            marked.push(c.id);
        }
    }
    Ok(marked)
}
