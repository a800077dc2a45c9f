//! The private ID issuer (OpenID4VCI 1.0 under `/issuer`, with its metadata under
//! `/.well-known/…/issuer`) and the OpenID4VP verifier (`/vp/v1`). Issuer errors answer as
//! OAuth error objects (RFC 6749 §5.2, OpenID4VCI §8.3.1); the verifier's relying-party API
//! answers problem documents, its Response URI OAuth error objects.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use time::OffsetDateTime;

use akashi_crypto::{OsRandom, SealingKey};
use akashi_issuer::{IssuerConfig, IssuerError, IssuerKeys, IssuerService};
use akashi_jlis::{OcspResponder, Registry};
use akashi_jpki::TrustAnchors;
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::proofing::ProofingRequest;
use akashi_oid4vc::vci::{CredentialRequest, DeferredCredentialRequest, TokenRequest};
use akashi_pf::{HttpJlis, InProcessJlis, JlisLink};
use akashi_store::Store;
use akashi_verifier::{
    HttpStatusFetcher, RelyingParty, VerifierConfig, VerifierError, VerifierService,
};

use crate::AppState;

/// The issuer's name as a registered verifier at J-LIS.
pub const ISSUER_VERIFIER_NAME: &str = "Akashi private ID issuer";

/// The embedded issuer: keys under `DATA/issuer`, J-LIS in the same process (registered as a
/// verifier the first time), identifier `{public_url}/issuer`.
pub async fn open_issuer(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    registry: &Registry,
    ocsp: Arc<OcspResponder>,
    public_url: &str,
    now: OffsetDateTime,
) -> Result<IssuerService, IssuerError> {
    let jlis = |e: akashi_jlis::JlisError| IssuerError::Jlis(e.to_string());
    let (verifier, anchors) =
        crate::pf::registered_verifier(data, sealing_key, registry, ISSUER_VERIFIER_NAME, now)
            .await
            .map_err(jlis)?;
    let link = InProcessJlis {
        registry: registry.clone(),
        ocsp,
        verifier,
    };
    issuer_with_link(
        data,
        store,
        sealing_key,
        public_url,
        anchors,
        Arc::new(link),
    )
}

/// The issuer of an operator that reaches J-LIS over HTTP as the registered verifier holding
/// `credential` (the same registration as its PF): J-LIS's consent and audit log name it.
pub fn open_remote_issuer(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    jlis_url: &str,
    credential: &str,
    anchors: TrustAnchors,
    public_url: &str,
) -> Result<IssuerService, IssuerError> {
    let link = HttpJlis::new(jlis_url, credential).map_err(|e| IssuerError::Jlis(e.to_string()))?;
    issuer_with_link(
        data,
        store,
        sealing_key,
        public_url,
        anchors,
        Arc::new(link),
    )
}

fn issuer_with_link(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    public_url: &str,
    anchors: TrustAnchors,
    link: Arc<dyn JlisLink>,
) -> Result<IssuerService, IssuerError> {
    let keys = IssuerKeys::load_or_create(
        &data.join("issuer").join("keys.sealed"),
        sealing_key,
        &OsRandom,
    )?;
    Ok(IssuerService::new(
        store.clone(),
        keys,
        IssuerConfig::new(&format!("{}/issuer", public_url.trim_end_matches('/'))),
        anchors,
        link,
    ))
}

/// The embedded verifier at `public_url`; `status_ttl`: how long a fetched status list is
/// reused (seconds).
pub fn open_verifier(
    store: &Store,
    public_url: &str,
    status_ttl: i64,
) -> Result<VerifierService, VerifierError> {
    let config = VerifierConfig {
        base_url: public_url.trim_end_matches('/').to_owned(),
        status_ttl,
        ..VerifierConfig::default()
    };
    Ok(VerifierService::new(
        store.clone(),
        config,
        Arc::new(HttpStatusFetcher::new()?),
    ))
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    let mut r = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(value).expect("answers serialise"),
    )
        .into_response();
    // OpenID4VCI §6.2, §7.2: token and nonce answers must not be cached.
    r.headers_mut()
        .insert(header::CACHE_CONTROL, "no-store".parse().expect("header"));
    r
}

fn oauth(e: &IssuerError) -> Response {
    tracing::info!(code = e.oauth_code(), "issuer refused");
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut body = e.to_oauth();
    if matches!(
        e,
        IssuerError::Store(_) | IssuerError::Keys(_) | IssuerError::Internal(_)
    ) {
        body.error_description = Some("the issuer is temporarily unable to answer".into());
    }
    json(status, &body)
}

fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("DPoP "))
        })
        .map(str::trim)
        .unwrap_or_default()
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, IssuerError> {
    serde_json::from_slice(body).map_err(|e| IssuerError::Malformed(format!("JSON body: {e}")))
}

macro_rules! issuer {
    ($state:expr) => {
        $state
            .issuer
            .as_ref()
            .expect("issuer routes are mounted only with an issuer")
    };
}

pub(crate) async fn issuer_metadata(State(state): State<Arc<AppState>>) -> Response {
    json(StatusCode::OK, &issuer!(state).metadata())
}

pub(crate) async fn authorization_server_metadata(State(state): State<Arc<AppState>>) -> Response {
    json(
        StatusCode::OK,
        &issuer!(state).authorization_server_metadata(),
    )
}

pub(crate) async fn jwt_vc_issuer(State(state): State<Arc<AppState>>) -> Response {
    json(StatusCode::OK, &issuer!(state).jwt_vc_issuer_metadata())
}

pub(crate) async fn proofing_challenge(State(state): State<Arc<AppState>>) -> Response {
    match issuer!(state).challenge(None, OffsetDateTime::now_utc(), &OsRandom) {
        Ok(c) => json(StatusCode::CREATED, &c),
        Err(e) => oauth(&e),
    }
}

pub(crate) async fn proofing(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let issuer = issuer!(state);
    let now = OffsetDateTime::now_utc();
    let result = async {
        let request: ProofingRequest = parse_json(&body)?;
        let proofed = issuer.proof(&request, now, &OsRandom).await?;
        if proofed.authorization.is_some() {
            return Err(IssuerError::Malformed("this challenge belongs to an authorization request; complete it at /issuer/authorize".into()));
        }
        issuer.offer(&proofed, now, &OsRandom).await
    }
    .await;
    match result {
        Ok(answer) => json(StatusCode::CREATED, &answer),
        Err(e) => oauth(&e),
    }
}

/// Authorization request (GET): the parameters are checked and the card's challenge returned.
pub(crate) async fn authorize_start(
    State(state): State<Arc<AppState>>,
    Query(params): Query<BTreeMap<String, String>>,
) -> Response {
    let issuer = issuer!(state);
    let result = issuer
        .authorization_request(&params)
        .and_then(|auth| issuer.challenge(Some(auth), OffsetDateTime::now_utc(), &OsRandom));
    match result {
        Ok(c) => json(StatusCode::OK, &c),
        Err(e) => oauth(&e),
    }
}

/// The card's answer to an authorization request's challenge: the redirect with the code.
pub(crate) async fn authorize_complete(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Response {
    let issuer = issuer!(state);
    let now = OffsetDateTime::now_utc();
    let result = async {
        let request: ProofingRequest = parse_json(&body)?;
        let proofed = issuer.proof(&request, now, &OsRandom).await?;
        issuer.authorization_code(&proofed, now, &OsRandom).await
    }
    .await;
    match result {
        Ok(answer) => json(StatusCode::OK, &answer),
        Err(e) => oauth(&e),
    }
}

pub(crate) async fn token(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let issuer = issuer!(state);
    let result = async {
        let request: TokenRequest = serde_urlencoded::from_bytes(&body)
            .map_err(|e| IssuerError::Malformed(format!("form body: {e}")))?;
        issuer
            .token(&request, OffsetDateTime::now_utc(), &OsRandom)
            .await
    }
    .await;
    match result {
        Ok(answer) => json(StatusCode::OK, &answer),
        Err(e) => oauth(&e),
    }
}

pub(crate) async fn nonce(State(state): State<Arc<AppState>>) -> Response {
    match issuer!(state).nonce(OffsetDateTime::now_utc(), &OsRandom) {
        Ok(n) => json(StatusCode::OK, &n),
        Err(e) => oauth(&e),
    }
}

/// A credential endpoint's answer: 200 with the credentials, 202 when deferred (OpenID4VCI
/// §8.3, §9.2), or the OAuth error.
fn credential_answer(result: Result<akashi_issuer::credential::Answer, IssuerError>) -> Response {
    match result {
        Ok(a) if a.deferred => json(StatusCode::ACCEPTED, &a.response),
        Ok(a) => json(StatusCode::OK, &a.response),
        Err(e) => oauth(&e),
    }
}

pub(crate) async fn credential(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let issuer = issuer!(state);
    let result = async {
        let request: CredentialRequest = parse_json(&body)?;
        issuer
            .credential(
                bearer(&headers),
                &request,
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    credential_answer(result)
}

pub(crate) async fn deferred_credential(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let issuer = issuer!(state);
    let result = async {
        let request: DeferredCredentialRequest = parse_json(&body)?;
        issuer
            .deferred(
                bearer(&headers),
                &request.transaction_id,
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    credential_answer(result)
}

pub(crate) async fn status_list(State(state): State<Arc<AppState>>) -> Response {
    match issuer!(state).status_list(OffsetDateTime::now_utc()).await {
        Ok(token) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/statuslist+jwt")],
            token,
        )
            .into_response(),
        Err(e) => oauth(&e),
    }
}

// --- the verifier ---

macro_rules! verifier {
    ($state:expr) => {
        $state
            .verifier
            .as_ref()
            .expect("verifier routes are mounted only with a verifier")
    };
}

fn verifier_problem(e: &VerifierError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({
        "type": format!("https://akashi.example/problems/{}", e.code()),
        "title": status.canonical_reason(),
        "status": status.as_u16(),
        "detail": e.to_string(),
        "code": e.code(),
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

async fn relying_party(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<RelyingParty, VerifierError> {
    verifier!(state).authenticate(bearer(headers)).await
}

pub(crate) async fn vp_create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let rp = relying_party(&state, &headers).await?;
        #[derive(serde::Deserialize)]
        struct Create {
            dcql_query: DcqlQuery,
        }
        let create: Create = serde_json::from_slice(&body)
            .map_err(|e| VerifierError::MalformedRequest(format!("JSON body: {e}")))?;
        verifier!(state)
            .create_request(&rp, create.dcql_query, OffsetDateTime::now_utc(), &OsRandom)
            .await
    }
    .await;
    match result {
        Ok(created) => json(
            StatusCode::CREATED,
            &json!({
                "transaction_id": created.transaction_id,
                "request_uri": created.uri,
                "expires_at": created.expires_at,
            }),
        ),
        Err(e) => verifier_problem(&e),
    }
}

pub(crate) async fn vp_result(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let result = async {
        let rp = relying_party(&state, &headers).await?;
        verifier!(state).result(&rp, &id).await
    }
    .await;
    match result {
        Ok(r) => json(
            StatusCode::OK,
            &json!({ "status": r.status, "result": r.result }),
        ),
        Err(e) => verifier_problem(&e),
    }
}

/// The Response URI (`direct_post`).
pub(crate) async fn vp_response(
    State(state): State<Arc<AppState>>,
    UrlPath(rp): UrlPath<String>,
    body: Bytes,
) -> Response {
    match verifier!(state)
        .receive(&rp, &body, OffsetDateTime::now_utc())
        .await
    {
        Ok(answer) => json(StatusCode::OK, &answer),
        Err(e) => {
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            json(
                status,
                &json!({ "error": e.oauth_error(), "error_description": e.to_string(), "code": e.code() }),
            )
        }
    }
}

/// Watches every anchor at J-LIS on the PF's check interval.
pub(crate) fn spawn_watch(issuer: Arc<IssuerService>, every: std::time::Duration) {
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = issuer.watch_anchors(OffsetDateTime::now_utc()).await {
                tracing::error!(code = e.oauth_code(), error = %e, "anchor watch failed");
            }
        }
    });
}

use crate::openapi::ApiRoute;
use crate::AppRouter;
use axum::routing::{get, post};

const OAUTH_400: (&str, &str, &str) = (
    "400",
    "application/json",
    "OAuth error object {error, error_description}",
);

/// The issuer's and the verifier's routes (mounted with `Roles::All` and a public URL).
pub(crate) const ROUTES: &[ApiRoute<AppRouter>] = &[
    ApiRoute { method: "get", path: "/.well-known/openid-credential-issuer/issuer", summary: "Credential Issuer Metadata (OpenID4VCI §12.2)", request: None,
        responses: &[("200", "application/json", "issuer metadata")], mount: |r| r.route("/.well-known/openid-credential-issuer/issuer", get(issuer_metadata)) },
    ApiRoute { method: "get", path: "/.well-known/oauth-authorization-server/issuer", summary: "Authorization Server Metadata (RFC 8414) of the issuer's AS", request: None,
        responses: &[("200", "application/json", "AS metadata")], mount: |r| r.route("/.well-known/oauth-authorization-server/issuer", get(authorization_server_metadata)) },
    ApiRoute { method: "get", path: "/.well-known/jwt-vc-issuer/issuer", summary: "SD-JWT VC Issuer Metadata: the key set that verifies SD-JWT VCs and the status list", request: None,
        responses: &[("200", "application/json", "{issuer, jwks}")], mount: |r| r.route("/.well-known/jwt-vc-issuer/issuer", get(jwt_vc_issuer)) },
    ApiRoute { method: "post", path: "/issuer/proofing/challenge", summary: "A challenge for the card to sign with the JPKI signature certificate", request: None,
        responses: &[("201", "application/json", "{challenge, to_be_signed, expires_at}")], mount: |r| r.route("/issuer/proofing/challenge", post(proofing_challenge)) },
    ApiRoute { method: "post", path: "/issuer/proofing", summary: "The card-signed challenge: proofing at IAL3, answered with a credential offer (pre-authorized code)", request: Some("application/json"),
        responses: &[("201", "application/json", "{credential_offer, credential_offer_uri, anchor_status}"), OAUTH_400, ("403", "application/json", "access_denied: certificate, signature or revocation refused"), ("503", "application/json", "J-LIS unavailable")],
        mount: |r| r.route("/issuer/proofing", post(proofing)) },
    ApiRoute { method: "get", path: "/issuer/authorize", summary: "Authorization request (code flow, PKCE S256): answers the challenge the card signs", request: None,
        responses: &[("200", "application/json", "{challenge, to_be_signed, expires_at}"), OAUTH_400], mount: |r| r.route("/issuer/authorize", get(authorize_start).post(authorize_complete)) },
    ApiRoute { method: "post", path: "/issuer/authorize", summary: "The card-signed challenge of an authorization request: the redirect URI with the code", request: Some("application/json"),
        responses: &[("200", "application/json", "{redirect_uri}"), OAUTH_400, ("403", "application/json", "access_denied")], mount: |r| r },
    ApiRoute { method: "post", path: "/issuer/token", summary: "Token endpoint: pre-authorized code, authorization code + PKCE, refresh token", request: Some("application/x-www-form-urlencoded"),
        responses: &[("200", "application/json", "{access_token, token_type, expires_in, refresh_token}"), OAUTH_400], mount: |r| r.route("/issuer/token", post(token)) },
    ApiRoute { method: "post", path: "/issuer/nonce", summary: "Nonce endpoint (OpenID4VCI §7)", request: None,
        responses: &[("200", "application/json", "{c_nonce}")], mount: |r| r.route("/issuer/nonce", post(nonce)) },
    ApiRoute { method: "post", path: "/issuer/credential", summary: "Credential endpoint: SD-JWT VCs (one per key proof) or a blind BBS credential", request: Some("application/json"),
        responses: &[("200", "application/json", "{credentials}"), ("202", "application/json", "{transaction_id, interval}"), OAUTH_400, ("401", "application/json", "invalid_token")],
        mount: |r| r.route("/issuer/credential", post(credential)) },
    ApiRoute { method: "post", path: "/issuer/deferred_credential", summary: "Deferred credential endpoint (OpenID4VCI §9)", request: Some("application/json"),
        responses: &[("200", "application/json", "{credentials}"), ("202", "application/json", "{transaction_id, interval}"), OAUTH_400],
        mount: |r| r.route("/issuer/deferred_credential", post(deferred_credential)) },
    ApiRoute { method: "get", path: "/issuer/status/1", summary: "The Token Status List (statuslist+jwt) of the issuer's SD-JWT VCs", request: None,
        responses: &[("200", "application/statuslist+jwt", "the signed status list token")], mount: |r| r.route("/issuer/status/1", get(status_list)) },
    ApiRoute { method: "post", path: "/vp/v1/requests", summary: "A relying party asks for a presentation: DCQL query in, OpenID4VP request URI out", request: Some("application/json"),
        responses: &[("201", "application/json", "{transaction_id, request_uri, expires_at}"), ("400", "application/problem+json", "malformed or unsupported query"), ("401", "application/problem+json", "unknown relying party")],
        mount: |r| r.route("/vp/v1/requests", post(vp_create)) },
    ApiRoute { method: "get", path: "/vp/v1/requests/{id}", summary: "The transaction's outcome: only the disclosed claims, predicate results and the pseudonym", request: None,
        responses: &[("200", "application/json", "{status, result}"), ("401", "application/problem+json", "unknown relying party"), ("404", "application/problem+json", "no such transaction")],
        mount: |r| r.route("/vp/v1/requests/{id}", get(vp_result)) },
    ApiRoute { method: "post", path: "/vp/v1/response/{rp}", summary: "Response URI (direct_post): the wallet's VP token or error", request: Some("application/x-www-form-urlencoded"),
        responses: &[("200", "application/json", "{}"), ("400", "application/json", "OAuth error object with an Akashi code"), ("409", "application/json", "already answered (replay)"), ("410", "application/json", "expired"), ("422", "application/json", "presentation refused")],
        mount: |r| r.route("/vp/v1/response/{rp}", post(vp_response)) },
];
