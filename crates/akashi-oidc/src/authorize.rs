//! The authorization endpoint and PAR. A request is validated into a [`ValidRequest`] (client
//! known, redirect URI registered exactly, `code` only, `openid` scope, PKCE S256), then the
//! browser's session decides: if it is missing, older than `max_age`, below the level that
//! `acr_values` asks, or `prompt=login` was asked, the person logs in again in an
//! interaction — the existing session never satisfies a step-up by itself.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use akashi_auth::{assurance, Level, Session};
use akashi_crypto::SecureRandom;
use akashi_store::OpGrantRecord;

use crate::clients::Client;
use crate::error::internal;
use crate::interaction::{InteractionState, Stage};
use crate::protocol::{AuthorizationParams, ParResponse};
use crate::{OidcError, OidcProvider};
use akashi_auth::{hash_hex, random_token};

const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// The scopes this provider knows, and the claims each gives.
pub const SCOPES: &[(&str, &[&str])] = &[
    ("openid", &["sub"]),
    ("profile", &["name", "birthdate", "gender"]),
    ("name", &["name"]),
    ("address", &["address"]),
    ("birthdate", &["birthdate"]),
    ("gender", &["gender"]),
    ("age", &["age_over_20"]),
    ("residence", &["municipality"]),
];

/// An authorization request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    /// The lowest level the RP's `acr_values` accept.
    pub required_level: Option<u8>,
    pub max_age: Option<i64>,
    pub prompt: Vec<String>,
}

impl ValidRequest {
    pub fn required_level(&self) -> Option<Level> {
        self.required_level
            .and_then(|n| Level::ALL.into_iter().find(|l| l.number() == n))
    }

    /// Why the person must log in now, if they must.
    pub fn login_reason(
        &self,
        session: Option<&Session>,
        now: OffsetDateTime,
    ) -> Option<&'static str> {
        let Some(s) = session else {
            return Some("no_session");
        };
        if self.prompt.iter().any(|p| p == "login") {
            return Some("prompt_login");
        }
        if let Some(max_age) = self.max_age {
            // max_age=0 means "authenticate now" (a login this very second is not enough).
            if max_age == 0 || now.unix_timestamp() - s.auth_time > max_age {
                return Some("max_age");
            }
        }
        match self.required_level() {
            Some(level) if s.level() < level => Some("step_up"),
            _ => None,
        }
    }

    /// The RP's redirect with `params` added (and `iss`, RFC 9207).
    pub(crate) fn redirect(&self, issuer: &str, params: &[(&str, &str)]) -> String {
        let mut url = url::Url::parse(&self.redirect_uri).expect("checked at validation");
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
            if let Some(state) = &self.state {
                q.append_pair("state", state);
            }
            q.append_pair("iss", issuer);
        }
        url.to_string()
    }

    pub(crate) fn error_redirect(&self, issuer: &str, e: &OidcError) -> String {
        self.redirect(
            issuer,
            &[("error", e.code()), ("error_description", &e.to_string())],
        )
    }
}

/// What the browser is told to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// Back to the relying party (a code, or an error it may see).
    Redirect(String),
    /// To the login or consent interaction.
    Interaction { handle: String, location: String },
}

fn valid_pkce_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The checks after client and redirect URI are trusted: errors here go to the RP.
fn validate_rest(
    client: &Client,
    redirect_uri: String,
    p: &AuthorizationParams,
) -> Result<ValidRequest, OidcError> {
    let bad = |m: &str| OidcError::InvalidRequest(m.to_owned());
    match p.response_type.as_deref() {
        Some("code") => {}
        Some(other) => return Err(OidcError::UnsupportedResponseType(other.to_owned())),
        None => return Err(bad("response_type is required")),
    }
    if p.response_mode.as_deref().is_some_and(|m| m != "query") {
        return Err(bad("response_mode must be query"));
    }
    let requested: Vec<&str> = p
        .scope
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    if !requested.contains(&"openid") {
        return Err(OidcError::InvalidScope(
            "the openid scope is required".into(),
        ));
    }
    // Unknown scopes are ignored (RFC 6749 §3.3: the server may fulfil fewer).
    let mut scopes: Vec<String> = SCOPES
        .iter()
        .filter(|(s, _)| requested.contains(s))
        .map(|(s, _)| (*s).to_owned())
        .collect();
    scopes.dedup();
    match (
        p.code_challenge.as_deref(),
        p.code_challenge_method.as_deref(),
    ) {
        (Some(c), Some("S256")) if valid_pkce_challenge(c) => {}
        (Some(_), Some("S256")) => {
            return Err(bad("code_challenge must be 43 base64url characters"))
        }
        (None, _) => return Err(bad("PKCE is required: send code_challenge with S256")),
        _ => return Err(bad("code_challenge_method must be S256")),
    }
    let max_age = match p.max_age.as_deref() {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| bad("max_age must be a non-negative integer"))?,
        ),
    };
    let prompt: Vec<String> = p
        .prompt
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if prompt
        .iter()
        .any(|v| !matches!(v.as_str(), "none" | "login" | "consent"))
    {
        return Err(bad("prompt may only be none, login or consent"));
    }
    if prompt.len() > 1 && prompt.iter().any(|v| v == "none") {
        return Err(bad("prompt=none cannot be combined with other values"));
    }
    let required_level = match p.acr_values.as_deref() {
        None => None,
        Some(v) => Some(assurance::required_level(v).ok_or_else(|| {
            OidcError::UnmetAuthenticationRequirements(format!(
                "none of the acr_values {v:?} is offered here"
            ))
        })?),
    };
    Ok(ValidRequest {
        client_id: client.client_id.clone(),
        redirect_uri,
        scopes,
        state: p.state.clone(),
        nonce: p.nonce.clone(),
        code_challenge: p.code_challenge.clone().unwrap_or_default(),
        required_level: required_level.map(Level::number),
        max_age,
        prompt,
    })
}

impl OidcProvider {
    /// Client and redirect URI first (errors shown to the person, never redirected), then
    /// the rest (errors redirected to the RP).
    async fn validate(
        &self,
        p: &AuthorizationParams,
    ) -> Result<(Client, Result<ValidRequest, OidcError>), OidcError> {
        let client = self.client(&p.client_id).await?;
        let redirect_uri = p
            .redirect_uri
            .clone()
            .filter(|u| client.redirect_uri_registered(u))
            .ok_or(OidcError::InvalidRedirectUri)?;
        let rest = validate_rest(&client, redirect_uri, p);
        Ok((client, rest))
    }

    /// PAR (RFC 9126): the client pushes its request over an authenticated back channel and
    /// gets a one-time `request_uri` for the browser.
    pub async fn push_authorization_request(
        &self,
        client: &Client,
        params: AuthorizationParams,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<ParResponse, OidcError> {
        if params.request_uri.is_some() {
            return Err(OidcError::InvalidRequest(
                "request_uri is not allowed in a pushed request".into(),
            ));
        }
        if !params.client_id.is_empty() && params.client_id != client.client_id {
            return Err(OidcError::InvalidRequest(
                "client_id differs from the authenticated client".into(),
            ));
        }
        let mut params = params;
        params.client_id = client.client_id.clone();
        params.client_secret = None;
        let (_, checked) = self.validate(&params).await?;
        checked?;
        let handle = random_token(rng)?;
        let mut tx = self.store().begin_write().await?;
        tx.op_grant_insert(&OpGrantRecord {
            hash: hash_hex(handle.as_bytes()),
            kind: "par".into(),
            client_id: client.client_id.clone(),
            account_id: None,
            detail: serde_json::to_string(&params).map_err(internal)?,
            expires_at: (now + self.config.par_ttl).unix_timestamp(),
            used_at: None,
            parent: None,
        })
        .await?;
        tx.commit().await?;
        Ok(ParResponse {
            request_uri: format!("{REQUEST_URI_PREFIX}{handle}"),
            expires_in: self.config.par_ttl.whole_seconds(),
        })
    }

    /// A pushed request, used once.
    async fn pushed(
        &self,
        p: &AuthorizationParams,
        now: OffsetDateTime,
    ) -> Result<AuthorizationParams, OidcError> {
        let uri = p.request_uri.as_deref().unwrap_or_default();
        let handle = uri
            .strip_prefix(REQUEST_URI_PREFIX)
            .ok_or(OidcError::InvalidRequestUri)?;
        let hash = hash_hex(handle.as_bytes());
        let mut tx = self.store().begin_write().await?;
        let grant = tx
            .op_grant(&hash, "par")
            .await?
            .ok_or(OidcError::InvalidRequestUri)?;
        if grant.client_id != p.client_id || grant.expires_at < now.unix_timestamp() {
            return Err(OidcError::InvalidRequestUri);
        }
        if !tx.op_grant_use(&hash, now.unix_timestamp()).await? {
            return Err(OidcError::InvalidRequestUri);
        }
        tx.commit().await?;
        serde_json::from_str(&grant.detail).map_err(internal)
    }

    /// The authorization endpoint. `session_handle`: the browser's session cookie.
    pub async fn authorize(
        &self,
        params: AuthorizationParams,
        session_handle: Option<&str>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<AuthorizeOutcome, OidcError> {
        let params = if params.request_uri.is_some() {
            self.pushed(&params, now).await?
        } else {
            params
        };
        let (_client, checked) = self.validate(&params).await?;
        let issuer = &self.config.issuer;
        let request = match checked {
            Ok(r) => r,
            Err(e) => {
                let redirect_uri = params.redirect_uri.clone().unwrap_or_default();
                let shell = ValidRequest {
                    client_id: params.client_id.clone(),
                    redirect_uri,
                    scopes: vec![],
                    state: params.state.clone(),
                    nonce: None,
                    code_challenge: String::new(),
                    required_level: None,
                    max_age: None,
                    prompt: vec![],
                };
                return Ok(AuthorizeOutcome::Redirect(shell.error_redirect(issuer, &e)));
            }
        };
        let session = self.browser_session(session_handle, now).await?;
        let prompt_none = request.prompt.iter().any(|p| p == "none");
        if let Some(reason) = request.login_reason(session.as_ref(), now) {
            if prompt_none {
                return Ok(AuthorizeOutcome::Redirect(
                    request.error_redirect(issuer, &OidcError::LoginRequired),
                ));
            }
            return self
                .start_interaction(request, Stage::Login, Some(reason), None, now, rng)
                .await;
        }
        let session = session.expect("a login reason when there is no session");
        if self.needs_consent(&request, &session.account_id).await? {
            if prompt_none {
                return Ok(AuthorizeOutcome::Redirect(
                    request.error_redirect(issuer, &OidcError::ConsentRequired),
                ));
            }
            return self
                .start_interaction(request, Stage::Consent, None, Some(&session), now, rng)
                .await;
        }
        let code = self.issue_code(&request, &session, now, rng).await?;
        Ok(AuthorizeOutcome::Redirect(
            request.redirect(issuer, &[("code", &code)]),
        ))
    }

    /// True unless the account consented to every asked scope (and `prompt=consent` was not
    /// asked).
    pub(crate) async fn needs_consent(
        &self,
        request: &ValidRequest,
        account_id: &str,
    ) -> Result<bool, OidcError> {
        if request.prompt.iter().any(|p| p == "consent") {
            return Ok(true);
        }
        let mut tx = self.store().begin().await?;
        let given = tx.op_consent(account_id, &request.client_id).await?;
        tx.commit().await?;
        let given: Vec<String> = match given {
            Some(json) => serde_json::from_str(&json).map_err(internal)?,
            None => vec![],
        };
        Ok(request
            .scopes
            .iter()
            .any(|s| s != "openid" && !given.contains(s)))
    }

    pub(crate) async fn start_interaction(
        &self,
        request: ValidRequest,
        stage: Stage,
        reason: Option<&str>,
        session: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<AuthorizeOutcome, OidcError> {
        let handle = random_token(rng)?;
        let state = InteractionState {
            client_id: request.client_id.clone(),
            request,
            stage,
            reason: reason.map(str::to_owned),
            challenge: random_token(rng)?,
            started_at: now.unix_timestamp(),
            account_id: session.map(|s| s.account_id.clone()),
            passkey_ceremony: None,
            wallet_state: None,
        };
        state.insert(self, &handle, now).await?;
        Ok(AuthorizeOutcome::Interaction {
            location: self.config.endpoint(&format!("interaction/{handle}")),
            handle,
        })
    }
}
