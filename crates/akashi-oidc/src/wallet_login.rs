//! Wallet login over OpenID4VP: within an interaction, the provider asks the person's wallet
//! for a BBS presentation of the identity credential (only what the relying party's scopes
//! need: "born at least 20 years ago" for `age`, the prefecture and municipality for
//! `residence`, and always "still valid"), verified with akashi-verifier against the issuers
//! the provider trusts. The provider learns a pseudonym of its own (the same at each login,
//! unlinkable to other verifiers) and the predicates — never a name, certificate or serial —
//! and the relying party gets its pairwise `sub` and `age_over_20` / `municipality`.
//!
//! The request (nonce, state, query) is a grant row bound to the interaction; the wallet's
//! `direct_post` answer is verified before anything is written and recorded once; the browser
//! then completes the login (`LoginMethod::Wallet`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::{Duration, OffsetDateTime};

use akashi_auth::{hash_hex, random_token, Aal, LoggedIn, Session};
use akashi_credential::{born_on_or_before, BBS_PROFILE};
use akashi_crypto::SecureRandom;
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::vp::{
    AuthorizationRequest, AuthorizationResponse, VpToken, CLIENT_ID_PREFIX_REDIRECT_URI,
    RESPONSE_MODE_DIRECT_POST, RESPONSE_TYPE_VP_TOKEN,
};
use akashi_oid4vc::FORMAT_AKASHI_BBS;
use akashi_store::OpGrantRecord;
use akashi_verifier::{RelyingParty, TrustedIssuer, VerifierService};

use crate::error::internal;
use crate::interaction::InteractionState;
use crate::{OidcError, OidcProvider};

const KIND: &str = "wallet_vp";
const REQUEST_TTL: Duration = Duration::minutes(5);
/// The credential query's id in the DCQL query and the VP Token.
const QUERY_ID: &str = "identity";

/// What wallet login needs: the verifier logic and the issuers whose credentials count.
pub struct WalletLogin {
    pub verifier: Arc<VerifierService>,
    pub trusted: Vec<TrustedIssuer>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingPresentation {
    nonce: String,
    dcql: DcqlQuery,
    /// The verified result, once the wallet answered; `None` for a declined request.
    #[serde(default)]
    result: Option<Value>,
}

/// The BBS query for `scopes` on `today`.
fn query_for(scopes: &[String], today: time::Date) -> Result<DcqlQuery, OidcError> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut predicates = vec![json!({ "claim": "valid_until", "gte": today.to_string() })];
    if has("age") {
        predicates.push(json!({
            "claim": "birthdate",
            "lte": born_on_or_before(today, 20).to_string()
        }));
    }
    let mut query = json!({ "credentials": [{
        "id": QUERY_ID, "format": FORMAT_AKASHI_BBS,
        "meta": { "profile_values": [BBS_PROFILE], "predicates": predicates }
    }]});
    if has("residence") {
        query["credentials"][0]["claims"] =
            json!([{ "path": ["prefecture"] }, { "path": ["municipality"] }]);
    }
    serde_json::from_value(query).map_err(internal)
}

/// The claims an account gets from a verified result: only what was proved.
fn claims_from(result: &Value) -> Result<(String, Map<String, Value>), OidcError> {
    let credential = &result["credentials"][QUERY_ID];
    let pseudonym = credential["pseudonym"]
        .as_str()
        .ok_or_else(|| internal("a verified BBS result without a pseudonym"))?
        .to_owned();
    let mut claims = Map::new();
    let proved_age = credential["predicates"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["claim"] == "birthdate" && p["holds"] == true);
    if proved_age {
        claims.insert("age_over_20".into(), Value::Bool(true));
    }
    let disclosed = &credential["claims"];
    if let (Some(prefecture), Some(municipality)) = (
        disclosed["prefecture"].as_str(),
        disclosed["municipality"].as_str(),
    ) {
        claims.insert(
            "municipality".into(),
            json!(format!("{prefecture}{municipality}")),
        );
    }
    Ok((pseudonym, claims))
}

impl OidcProvider {
    /// Enables wallet login with `login`'s verifier and trusted issuers.
    pub fn with_wallet_login(mut self, login: WalletLogin) -> Self {
        self.wallet = Some(login);
        self
    }

    pub fn wallet_login_enabled(&self) -> bool {
        self.wallet.is_some()
    }

    fn wallet(&self) -> Result<&WalletLogin, OidcError> {
        self.wallet
            .as_ref()
            .ok_or_else(|| OidcError::InvalidRequest("wallet login is not enabled here".into()))
    }

    /// The provider as the verifier the wallet answers: its response URI is
    /// `{issuer}/wallet/response`, its client id the `redirect_uri:` form of it (which is also
    /// the context of the pseudonym the wallet gives it).
    fn wallet_relying_party(&self) -> Result<RelyingParty, OidcError> {
        let response_uri = self.config.endpoint("wallet/response");
        Ok(RelyingParty {
            id: "oidc-provider".into(),
            name: "Akashi OpenID provider".into(),
            client_id: format!("{CLIENT_ID_PREFIX_REDIRECT_URI}{response_uri}"),
            response_uri,
            trusted: self.wallet()?.trusted.clone(),
        })
    }

    /// Creates the presentation request for interaction `handle`: `{request_uri, expires_at}`
    /// (`openid4vp://…`, for the wallet: a QR code or a same-device link).
    pub async fn interaction_wallet_request(
        &self,
        handle: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Value, OidcError> {
        let rp = self.wallet_relying_party()?;
        let (mut state, grant) = InteractionState::load(self, handle, now).await?;
        if let Some(level) = state.request.required_level() {
            if level.needed_aal() > Aal::Aal1 {
                return Err(OidcError::UnmetAuthenticationRequirements(format!(
                    "{} asks for {}; a wallet presentation reaches {} at most",
                    state.client_id,
                    level.acr(),
                    Aal::Aal1
                )));
            }
        }
        let dcql = query_for(&state.request.scopes, now.date())?;
        let request = AuthorizationRequest {
            response_type: RESPONSE_TYPE_VP_TOKEN.into(),
            client_id: rp.client_id.clone(),
            response_mode: RESPONSE_MODE_DIRECT_POST.into(),
            response_uri: rp.response_uri.clone(),
            nonce: random_token(rng)?,
            state: random_token(rng)?,
            dcql_query: dcql.clone(),
            client_metadata: Some(json!({
                "client_name": rp.name,
                "vp_formats_supported": { FORMAT_AKASHI_BBS: {} },
            })),
        };
        let expires_at = (now + REQUEST_TTL).unix_timestamp();
        let pending = PendingPresentation {
            nonce: request.nonce.clone(),
            dcql,
            result: None,
        };
        let mut tx = self.store().begin_write().await?;
        tx.op_grant_insert(&OpGrantRecord {
            hash: hash_hex(request.state.as_bytes()),
            kind: KIND.into(),
            client_id: state.client_id.clone(),
            account_id: None,
            detail: serde_json::to_string(&pending).map_err(internal)?,
            expires_at,
            used_at: None,
            parent: Some(grant.hash.clone()),
        })
        .await?;
        tx.commit().await?;
        state.wallet_state = Some(request.state.clone());
        state.save(self, grant).await?;
        Ok(json!({ "request_uri": request.to_uri(), "expires_at": expires_at }))
    }

    /// The `direct_post` response URI: verifies the wallet's answer and records it once. A
    /// presentation that fails verification writes nothing (the wallet may answer again).
    pub async fn wallet_response(
        &self,
        form_body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Value, OidcError> {
        let bad = |m: &str| OidcError::InvalidRequest(m.to_owned());
        let response = AuthorizationResponse::from_form(form_body)
            .map_err(|_| bad("the response form cannot be decoded"))?;
        let vp_state = response
            .state
            .as_deref()
            .ok_or_else(|| bad("state is missing"))?;
        let hash = hash_hex(vp_state.as_bytes());
        let mut tx = self.store().begin().await?;
        let grant = tx.op_grant(&hash, KIND).await?;
        tx.commit().await?;
        let mut grant = grant
            .filter(|g| g.used_at.is_none() && g.expires_at > now.unix_timestamp())
            .ok_or_else(|| bad("the presentation request is unknown, answered or expired"))?;
        let mut pending: PendingPresentation =
            serde_json::from_str(&grant.detail).map_err(internal)?;
        if response.error.is_none() {
            let token: VpToken = response
                .vp_token
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|_| bad("vp_token is not a JSON object of arrays"))?
                .ok_or_else(|| bad("vp_token is missing"))?;
            let rp = self.wallet_relying_party()?;
            let result = self
                .wallet()?
                .verifier
                .verify_presentations(&rp, &pending.nonce, &pending.dcql, &token, now)
                .await
                .map_err(|e| OidcError::InvalidRequest(format!("presentation refused: {e}")))?;
            pending.result = Some(result);
        }
        grant.detail = serde_json::to_string(&pending).map_err(internal)?;
        let mut tx = self.store().begin_write().await?;
        if !tx.op_grant_use(&hash, now.unix_timestamp()).await? {
            return Err(bad("the presentation request was answered already"));
        }
        tx.op_grant_update(&grant).await?;
        tx.commit().await?;
        tracing::info!(
            verified = pending.result.is_some(),
            "wallet answered a login request"
        );
        Ok(json!({}))
    }

    /// The login once the wallet answered the interaction's request.
    pub(crate) async fn login_with_wallet(
        &self,
        state: &mut InteractionState,
        interaction_hash: &str,
        current: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<LoggedIn, OidcError> {
        let vp_state = state
            .wallet_state
            .as_deref()
            .ok_or_else(|| OidcError::InvalidRequest("ask for the wallet request first".into()))?;
        let mut tx = self.store().begin().await?;
        let grant = tx.op_grant(&hash_hex(vp_state.as_bytes()), KIND).await?;
        tx.commit().await?;
        let grant = grant
            .filter(|g| g.parent.as_deref() == Some(interaction_hash))
            .ok_or(OidcError::UnknownInteraction)?;
        if grant.used_at.is_none() {
            return Err(OidcError::InvalidRequest(
                "the wallet has not answered yet".into(),
            ));
        }
        state.wallet_state = None;
        let pending: PendingPresentation = serde_json::from_str(&grant.detail).map_err(internal)?;
        let result = pending.result.ok_or(OidcError::AccessDenied)?;
        let (pseudonym, claims) = claims_from(&result)?;
        Ok(self
            .engine
            .login_wallet(&pseudonym, claims, current, now, rng)
            .await?)
    }
}
