//! The OpenID Connect provider under `/oidc` (issuer `{public_url}/oidc`): discovery, JWKS,
//! PAR, authorize, the login/consent interaction, token, userinfo, logout, and the person's
//! account page. Handlers only translate HTTP: the browser session is the `akashi_op`
//! cookie; errors are OAuth error objects (RFC 6749 §5.2) with the status each error names.

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use akashi_auth::{AuthConfig, AuthEngine, AuthKeys};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{OcspResponder, Registry};
use akashi_jpki::TrustAnchors;
use akashi_oidc::protocol::{
    AuthorizationParams, CardLogin, ConsentDecision, DeviceLogin, TokenParams,
};
use akashi_oidc::{
    AuthorizeOutcome, LoginMethod, LogoutParams, OidcConfig, OidcError, OidcProvider,
};
use akashi_pf::{HttpJlis, InProcessJlis, JlisLink};
use akashi_store::Store;

use crate::openapi::ApiRoute;
use crate::{AppRouter, AppState};

/// The provider's name as a registered verifier at J-LIS.
pub const OIDC_VERIFIER_NAME: &str = "Akashi OpenID provider";
const COOKIE: &str = "akashi_op";

async fn open_with_link(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    public_url: &str,
    anchors: TrustAnchors,
    link: Arc<dyn JlisLink>,
    now: OffsetDateTime,
) -> Result<OidcProvider, OidcError> {
    let dir = data.join("oidc");
    let keys = AuthKeys::load_or_create(&dir.join("auth-keys.sealed"), sealing_key, &OsRandom)?;
    let engine = AuthEngine::new(store.clone(), keys, anchors, link, AuthConfig::default());
    let config = OidcConfig::new(&format!("{}/oidc", public_url.trim_end_matches('/')));
    OidcProvider::open(
        Arc::new(engine),
        config,
        &dir.join("keys.sealed"),
        sealing_key,
        now,
        &OsRandom,
    )
    .await
}

/// The embedded provider: J-LIS in the same process (registered as a verifier the first time).
pub async fn open_provider(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    registry: &Registry,
    ocsp: Arc<OcspResponder>,
    public_url: &str,
    now: OffsetDateTime,
) -> Result<OidcProvider, OidcError> {
    let (verifier, anchors) =
        crate::pf::registered_verifier(data, sealing_key, registry, OIDC_VERIFIER_NAME, now)
            .await
            .map_err(|e| OidcError::Internal(format!("J-LIS: {e}")))?;
    let link = InProcessJlis {
        registry: registry.clone(),
        ocsp,
        verifier,
    };
    open_with_link(
        data,
        store,
        sealing_key,
        public_url,
        anchors,
        Arc::new(link),
        now,
    )
    .await
}

/// The provider of an operator that reaches J-LIS over HTTP with `credential`.
#[allow(clippy::too_many_arguments)]
pub async fn open_remote_provider(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    jlis_url: &str,
    credential: &str,
    anchors: TrustAnchors,
    public_url: &str,
    now: OffsetDateTime,
) -> Result<OidcProvider, OidcError> {
    let link =
        HttpJlis::new(jlis_url, credential).map_err(|e| OidcError::Internal(e.to_string()))?;
    open_with_link(
        data,
        store,
        sealing_key,
        public_url,
        anchors,
        Arc::new(link),
        now,
    )
    .await
}

fn json_response<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(value).expect("answers serialise"),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn error(e: &OidcError) -> Response {
    tracing::info!(code = e.code(), "OpenID provider refused");
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let description = match e {
        OidcError::Store(_) | OidcError::Internal(_) => {
            "the provider is temporarily unable to answer".to_owned()
        }
        other => other.to_string(),
    };
    let mut r = json_response(
        status,
        &json!({ "error": e.code(), "error_description": description }),
    );
    let challenge = match e {
        OidcError::InvalidClient => Some("Basic realm=\"akashi\"".to_owned()),
        OidcError::InvalidToken(_) => {
            Some("Bearer error=\"invalid_token\", DPoP algs=\"ES256 RS256\"".to_owned())
        }
        OidcError::InvalidDpopProof(_) => {
            Some("DPoP error=\"invalid_dpop_proof\", algs=\"ES256 RS256\"".to_owned())
        }
        _ => None,
    };
    if let Some(c) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, c);
    }
    r
}

fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(r: &mut Response, provider: &OidcProvider, value: Option<&str>) {
    let secure = if provider.config().issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let c = match value {
        Some(v) => format!("{COOKIE}={v}; Path=/oidc; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{COOKIE}=; Path=/oidc; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    if let Ok(v) = HeaderValue::from_str(&c) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1: form-encoded id and secret).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = header_str(headers, "authorization")?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(value.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut v| v.pop())
            .map(|(_, v)| v)
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn form<T: DeserializeOwned>(body: &[u8]) -> Result<T, OidcError> {
    serde_urlencoded::from_bytes(body)
        .map_err(|e| OidcError::InvalidRequest(format!("form body: {e}")))
}

fn body_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, OidcError> {
    serde_json::from_slice(body).map_err(|e| OidcError::InvalidRequest(format!("JSON body: {e}")))
}

macro_rules! op {
    ($state:expr) => {
        $state
            .oidc
            .as_ref()
            .expect("OpenID routes are mounted only with a provider")
    };
}

async fn discovery(State(state): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &op!(state).metadata())
}

async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    match op!(state).jwks() {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => error(&e),
    }
}

async fn authenticate(
    provider: &OidcProvider,
    headers: &HeaderMap,
    id: Option<&str>,
    secret: Option<&str>,
) -> Result<akashi_oidc::Client, OidcError> {
    match basic_credentials(headers) {
        Some((id, secret)) => provider.authenticate_client(Some(&id), Some(&secret)).await,
        None => provider.authenticate_client(id, secret).await,
    }
}

async fn par(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let provider = op!(state);
    let outcome = async {
        let params: AuthorizationParams = form(&body)?;
        let client_id = (!params.client_id.is_empty()).then_some(params.client_id.as_str());
        let client = authenticate(
            provider,
            &headers,
            client_id,
            params.client_secret.as_deref(),
        )
        .await?;
        provider
            .push_authorization_request(&client, params, OffsetDateTime::now_utc(), &OsRandom)
            .await
    }
    .await;
    match outcome {
        Ok(r) => json_response(StatusCode::CREATED, &r),
        Err(e) => error(&e),
    }
}

async fn authorize(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<AuthorizationParams>,
) -> Response {
    let provider = op!(state);
    let session = cookie(&headers);
    match provider
        .authorize(
            params,
            session.as_deref(),
            OffsetDateTime::now_utc(),
            &OsRandom,
        )
        .await
    {
        Ok(AuthorizeOutcome::Redirect(to)) => see_other(&to),
        Ok(AuthorizeOutcome::Interaction { location, .. }) => see_other(&location),
        Err(e) => error(&e),
    }
}

async fn interaction(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(handle): UrlPath<String>,
) -> Response {
    let session = cookie(&headers);
    match op!(state)
        .interaction_view(&handle, session.as_deref(), OffsetDateTime::now_utc())
        .await
    {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => error(&e),
    }
}

async fn login(
    state: &AppState,
    headers: &HeaderMap,
    handle: &str,
    method: Result<LoginMethod, OidcError>,
) -> Response {
    let provider = op!(state);
    let session = cookie(headers);
    let outcome = match method {
        Ok(m) => {
            provider
                .interaction_login(
                    handle,
                    m,
                    session.as_deref(),
                    OffsetDateTime::now_utc(),
                    &OsRandom,
                )
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok((next, handle)) => {
            let mut r = json_response(StatusCode::OK, &next);
            set_cookie(&mut r, provider, Some(&handle));
            r
        }
        Err(e) => error(&e),
    }
}

async fn login_card(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(h): UrlPath<String>,
    body: Bytes,
) -> Response {
    login(
        &state,
        &headers,
        &h,
        body_json::<CardLogin>(&body).map(LoginMethod::Card),
    )
    .await
}

async fn login_proofing(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(h): UrlPath<String>,
    body: Bytes,
) -> Response {
    login(
        &state,
        &headers,
        &h,
        body_json::<CardLogin>(&body).map(LoginMethod::Proofing),
    )
    .await
}

async fn login_device(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(h): UrlPath<String>,
    body: Bytes,
) -> Response {
    login(
        &state,
        &headers,
        &h,
        body_json::<DeviceLogin>(&body).map(LoginMethod::Device),
    )
    .await
}

async fn consent(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(h): UrlPath<String>,
    body: Bytes,
) -> Response {
    let provider = op!(state);
    let session = cookie(&headers);
    let outcome = async {
        let decision: ConsentDecision = body_json(&body)?;
        provider
            .interaction_consent(
                &h,
                decision.approve,
                session.as_deref(),
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    match outcome {
        Ok(next) => json_response(StatusCode::OK, &next),
        Err(e) => error(&e),
    }
}

async fn abort(State(state): State<Arc<AppState>>, UrlPath(h): UrlPath<String>) -> Response {
    match op!(state)
        .interaction_abort(&h, OffsetDateTime::now_utc())
        .await
    {
        Ok(next) => json_response(StatusCode::OK, &next),
        Err(e) => error(&e),
    }
}

async fn token(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let provider = op!(state);
    let outcome = async {
        let params: TokenParams = form(&body)?;
        let client = authenticate(
            provider,
            &headers,
            params.client_id.as_deref(),
            params.client_secret.as_deref(),
        )
        .await?;
        provider
            .token(
                &client,
                params,
                header_str(&headers, "dpop"),
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    match outcome {
        Ok(r) => json_response(StatusCode::OK, &r),
        Err(e) => error(&e),
    }
}

async fn userinfo_with(state: &AppState, headers: &HeaderMap, method: &str) -> Response {
    let outcome = op!(state)
        .userinfo(
            header_str(headers, "authorization"),
            header_str(headers, "dpop"),
            method,
            OffsetDateTime::now_utc(),
        )
        .await;
    match outcome {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => error(&e),
    }
}

async fn userinfo_get(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    userinfo_with(&state, &headers, "GET").await
}

async fn userinfo_post(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    userinfo_with(&state, &headers, "POST").await
}

async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<LogoutParams>,
) -> Response {
    let provider = op!(state);
    let session = cookie(&headers);
    match provider
        .logout(params, session.as_deref(), OffsetDateTime::now_utc())
        .await
    {
        Ok(outcome) => {
            let mut r = match &outcome.redirect {
                Some(to) => see_other(to),
                None => json_response(StatusCode::OK, &json!({ "logged_out": outcome.ended })),
            };
            set_cookie(&mut r, provider, None);
            r
        }
        Err(e) => error(&e),
    }
}

async fn account(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let session = cookie(&headers);
    match op!(state)
        .account_summary(session.as_deref(), OffsetDateTime::now_utc())
        .await
    {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => error(&e),
    }
}

async fn bind_challenge(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let session = cookie(&headers);
    match op!(state)
        .bind_challenge(session.as_deref(), OffsetDateTime::now_utc(), &OsRandom)
        .await
    {
        Ok(v) => json_response(StatusCode::CREATED, &v),
        Err(e) => error(&e),
    }
}

#[derive(Deserialize)]
struct Bind<T> {
    challenge: String,
    label: String,
    #[serde(flatten)]
    response: T,
}

async fn bind_device(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let provider = op!(state);
    let session = cookie(&headers);
    let outcome = async {
        let b: Bind<DeviceLogin> = body_json(&body)?;
        provider
            .bind_device(
                session.as_deref(),
                &b.challenge,
                &b.response,
                &b.label,
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    match outcome {
        Ok(id) => json_response(StatusCode::CREATED, &json!({ "id": id })),
        Err(e) => error(&e),
    }
}

async fn bind_card(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let provider = op!(state);
    let session = cookie(&headers);
    let outcome = async {
        let b: Bind<CardLogin> = body_json(&body)?;
        provider
            .bind_card(
                session.as_deref(),
                &b.challenge,
                &b.response,
                &b.label,
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    match outcome {
        Ok(id) => json_response(StatusCode::CREATED, &json!({ "id": id })),
        Err(e) => error(&e),
    }
}

async fn remove_authenticator(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let session = cookie(&headers);
    match op!(state)
        .remove_authenticator(session.as_deref(), &id, OffsetDateTime::now_utc())
        .await
    {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => error(&e),
    }
}

const OAUTH_ERR: (&str, &str, &str) = (
    "400",
    "application/json",
    "OAuth error object {error, error_description}",
);

/// The provider's routes, mounted and documented from this one table.
pub(crate) const ROUTES: &[ApiRoute<AppRouter>] = &[
    ApiRoute { method: "get", path: "/oidc/.well-known/openid-configuration", summary: "OpenID Provider Metadata (Discovery 1.0)", request: None,
        responses: &[("200", "application/json", "provider metadata")],
        mount: |r| r.route("/oidc/.well-known/openid-configuration", get(discovery)) },
    ApiRoute { method: "get", path: "/oidc/jwks", summary: "The ID token signing keys (current and recently retired)", request: None,
        responses: &[("200", "application/json", "JWK Set")],
        mount: |r| r.route("/oidc/jwks", get(jwks)) },
    ApiRoute { method: "post", path: "/oidc/par", summary: "Pushed authorization request (RFC 9126); client authentication as at the token endpoint", request: Some("application/x-www-form-urlencoded"),
        responses: &[("201", "application/json", "{request_uri, expires_in}"), OAUTH_ERR, ("401", "application/json", "invalid_client")],
        mount: |r| r.route("/oidc/par", post(par)) },
    ApiRoute { method: "get", path: "/oidc/authorize", summary: "Authorization endpoint: code flow with PKCE S256, acr_values / max_age / prompt step-up", request: None,
        responses: &[("303", "text/plain", "to the RP (code or error) or to the login/consent interaction"), ("400", "application/json", "unknown client or unregistered redirect_uri (never redirected)")],
        mount: |r| r.route("/oidc/authorize", get(authorize)) },
    ApiRoute { method: "get", path: "/oidc/interaction/{handle}", summary: "The login or consent screen's data: who asks, scopes and claims, required acr, methods, challenges", request: None,
        responses: &[("200", "application/json", "interaction view"), ("400", "application/json", "invalid_request: unknown or finished interaction")],
        mount: |r| r.route("/oidc/interaction/{handle}", get(interaction)) },
    ApiRoute { method: "post", path: "/oidc/interaction/{handle}/card", summary: "Log in with the card's authentication certificate (AAL3)", request: Some("application/json"),
        responses: &[("200", "application/json", "{next, location?, acr} and the session cookie"), OAUTH_ERR, ("403", "application/json", "refused (access_denied with the reason)")],
        mount: |r| r.route("/oidc/interaction/{handle}/card", post(login_card)) },
    ApiRoute { method: "post", path: "/oidc/interaction/{handle}/proofing", summary: "Register or recover with the card's signature certificate (IAL3, AAL3)", request: Some("application/json"),
        responses: &[("200", "application/json", "{next, location?, acr} and the session cookie"), OAUTH_ERR, ("403", "application/json", "refused")],
        mount: |r| r.route("/oidc/interaction/{handle}/proofing", post(login_proofing)) },
    ApiRoute { method: "post", path: "/oidc/interaction/{handle}/device", summary: "Log in with a wallet device key and its PIN (AAL2); wrong PINs are counted", request: Some("application/json"),
        responses: &[("200", "application/json", "{next, location?, acr} and the session cookie"), OAUTH_ERR, ("403", "application/json", "refused (wrong PIN, locked, unknown key)")],
        mount: |r| r.route("/oidc/interaction/{handle}/device", post(login_device)) },
    ApiRoute { method: "post", path: "/oidc/interaction/{handle}/consent", summary: "The person's consent decision", request: Some("application/json"),
        responses: &[("200", "application/json", "{next: redirect, location}"), OAUTH_ERR],
        mount: |r| r.route("/oidc/interaction/{handle}/consent", post(consent)) },
    ApiRoute { method: "post", path: "/oidc/interaction/{handle}/abort", summary: "The person gives up: the RP gets access_denied or unmet_authentication_requirements", request: None,
        responses: &[("200", "application/json", "{next: redirect, location}"), ("400", "application/json", "invalid_request: unknown interaction")],
        mount: |r| r.route("/oidc/interaction/{handle}/abort", post(abort)) },
    ApiRoute { method: "post", path: "/oidc/token", summary: "Token endpoint: authorization_code with PKCE; a DPoP header binds the token (FAL3)", request: Some("application/x-www-form-urlencoded"),
        responses: &[("200", "application/json", "{access_token, token_type, expires_in, id_token, scope}"), OAUTH_ERR, ("401", "application/json", "invalid_client / invalid_dpop_proof")],
        mount: |r| r.route("/oidc/token", post(token)) },
    ApiRoute { method: "get", path: "/oidc/userinfo", summary: "Claims of the consented scopes (Bearer, or DPoP for bound tokens)", request: None,
        responses: &[("200", "application/json", "claims"), ("401", "application/json", "invalid_token / invalid_dpop_proof")],
        mount: |r| r.route("/oidc/userinfo", get(userinfo_get).post(userinfo_post)) },
    ApiRoute { method: "get", path: "/oidc/logout", summary: "RP-initiated logout (id_token_hint or client_id; registered post_logout_redirect_uri)", request: None,
        responses: &[("303", "text/plain", "to the RP's post-logout page"), ("200", "application/json", "{logged_out}"), OAUTH_ERR],
        mount: |r| r.route("/oidc/logout", get(logout)) },
    ApiRoute { method: "get", path: "/oidc/account", summary: "The logged-in person's account: state, IAL, the session's AAL/acr, authenticators", request: None,
        responses: &[("200", "application/json", "account summary"), ("401", "application/json", "no session")],
        mount: |r| r.route("/oidc/account", get(account)) },
    ApiRoute { method: "post", path: "/oidc/account/challenge", summary: "A one-time challenge for binding an authenticator", request: None,
        responses: &[("201", "application/json", "{challenge, to_be_signed}"), ("401", "application/json", "no session")],
        mount: |r| r.route("/oidc/account/challenge", post(bind_challenge)) },
    ApiRoute { method: "post", path: "/oidc/account/authenticators/device", summary: "Bind a wallet device key with a PIN (needs an AAL2 session)", request: Some("application/json"),
        responses: &[("201", "application/json", "{id}"), OAUTH_ERR, ("403", "application/json", "refused (level, freshness, already bound)")],
        mount: |r| r.route("/oidc/account/authenticators/device", post(bind_device)) },
    ApiRoute { method: "post", path: "/oidc/account/authenticators/card", summary: "Bind the card's authentication certificate (needs an AAL3 session; the card must be the owner's)", request: Some("application/json"),
        responses: &[("201", "application/json", "{id}"), OAUTH_ERR, ("403", "application/json", "refused")],
        mount: |r| r.route("/oidc/account/authenticators/card", post(bind_card)) },
    ApiRoute { method: "delete", path: "/oidc/account/authenticators/{id}", summary: "Remove an authenticator (the last one puts the account into recovery)", request: None,
        responses: &[("200", "application/json", "{removed, account}"), ("403", "application/json", "refused")],
        mount: |r| r.route("/oidc/account/authenticators/{id}", delete(remove_authenticator)) },
];
