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

use crate::AppState;

/// The provider's name as a registered verifier at J-LIS.
pub const OIDC_VERIFIER_NAME: &str = "Akashi OpenID provider";
const COOKIE: &str = "akashi_op";
/// Which account a passkey login on this browser is for (not a session: it outlives logout).
const KNOWN_COOKIE: &str = "akashi_op_known";
const KNOWN_MAX_AGE: i64 = 400 * 24 * 3600;

/// Passkeys for the provider at `public_url` (off, with a warning, where WebAuthn cannot
/// work: an IP address instead of a domain name). Attestation roots that prove a
/// hardware-bound key (AAL3) are the DER or PEM certificates in `{data}/oidc/passkey-roots/`.
fn passkeys(dir: &Path, public_url: &str) -> Option<akashi_auth::Passkeys> {
    let mut roots = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("passkey-roots")) {
        for entry in entries.flatten() {
            if let Ok(bytes) = std::fs::read(entry.path()) {
                roots.push(bytes);
            }
        }
    }
    let passkeys = akashi_auth::PasskeyConfig::for_public_url(public_url, "Akashi", &roots)
        .and_then(akashi_auth::Passkeys::new);
    match passkeys {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::warn!(error = %e, "passkeys are off");
            None
        }
    }
}

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
    let mut engine = AuthEngine::new(store.clone(), keys, anchors, link, AuthConfig::default());
    if let Some(p) = passkeys(&dir, public_url) {
        engine = engine.with_passkeys(p);
    }
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

/// A link for administration only (registering relying parties, rotating keys): it reaches
/// no J-LIS, so nothing that needs one (a login) can succeed through it.
struct Offline;

impl Offline {
    fn refuse() -> akashi_pf::PfError {
        akashi_pf::PfError::Jlis("offline administration: J-LIS is not reached".into())
    }
}

impl JlisLink for Offline {
    fn ocsp<'a>(
        &'a self,
        _: Vec<u8>,
        _: OffsetDateTime,
    ) -> akashi_pf::link::BoxFuture<'a, Result<Vec<u8>, akashi_pf::PfError>> {
        Box::pin(async { Err(Self::refuse()) })
    }
    fn status<'a>(
        &'a self,
        _: akashi_jpki::CertificateKind,
        _: &'a str,
        _: OffsetDateTime,
    ) -> akashi_pf::link::BoxFuture<'a, Result<akashi_pf::link::JlisStatus, akashi_pf::PfError>>
    {
        Box::pin(async { Err(Self::refuse()) })
    }
    fn history<'a>(
        &'a self,
        _: akashi_jpki::CertificateKind,
        _: &'a str,
        _: OffsetDateTime,
    ) -> akashi_pf::link::BoxFuture<
        'a,
        Result<Vec<akashi_pf::link::HistorySerial>, akashi_pf::PfError>,
    > {
        Box::pin(async { Err(Self::refuse()) })
    }
}

/// The provider of a data directory for its operator's administration (`akashi oidc …`):
/// relying parties and signing keys, with no J-LIS and no HTTP.
pub async fn open_provider_admin(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    public_url: &str,
    now: OffsetDateTime,
) -> Result<OidcProvider, OidcError> {
    open_with_link(
        data,
        store,
        sealing_key,
        public_url,
        TrustAnchors::default(),
        Arc::new(Offline),
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

fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The browser's session handle.
fn cookie(headers: &HeaderMap) -> Option<String> {
    cookie_named(headers, COOKIE)
}

fn append_cookie(
    r: &mut Response,
    provider: &OidcProvider,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) {
    let secure = if provider.config().issuer.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    let c = format!("{name}={value}; Path=/oidc; HttpOnly; SameSite=Lax{age}{secure}");
    if let Ok(v) = HeaderValue::from_str(&c) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Sets (or, with `None`, clears) the session cookie.
fn set_cookie(r: &mut Response, provider: &OidcProvider, value: Option<&str>) {
    match value {
        Some(v) => append_cookie(r, provider, COOKIE, v, None),
        None => append_cookie(r, provider, COOKIE, "", Some(0)),
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

mod account;
mod handlers;
mod routes;

pub(crate) use routes::ROUTES;

/// The JSON answer, or the OAuth error object.
fn respond<T: serde::Serialize>(status: StatusCode, outcome: Result<T, OidcError>) -> Response {
    match outcome {
        Ok(v) => json_response(status, &v),
        Err(e) => error(&e),
    }
}
