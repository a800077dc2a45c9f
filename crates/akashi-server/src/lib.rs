//! `akashi serve`: J-LIS as a verifier meets it over HTTP.
//!
//! | method | path | what |
//! |---|---|---|
//! | POST | `/ocsp` | OCSP (RFC 6960), `application/ocsp-request` → `application/ocsp-response` |
//! | GET | `/ocsp/{base64 request}` | the same, GET form (RFC 6960 Appendix A) |
//! | GET | `/crl/{signature,authentication}-gen{N}.crl` | the generation's DER CRL (`application/pkix-crl`) |
//! | POST | `/verifier/status` | a registered verifier asks about a serial it holds (JSON) |
//! | GET | `/healthz` | liveness |
//! | GET | `/openapi.json` | OpenAPI 3.1 document, generated from the route table that mounts the routes |
//!
//! Only registered verifiers (署名検証者) get revocation data: every route but `/healthz` needs
//! `Authorization: Bearer <credential>` (`akashi jlis verifier register`). Without it OCSP
//! answers `unauthorized` and the other routes a 401 problem document. Every query is
//! audit-logged by the registry.
//!
//! Handlers are thin: the answers come from `akashi_jlis`. Requests are logged (route, size,
//! time) — never a certificate's contents or a person's attributes.
#![forbid(unsafe_code)]

pub mod openapi;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{Authority, JlisError, OcspResponder, Registry, Verifier};
use akashi_jpki::CertificateKind;
use akashi_store::Store;

/// What `akashi serve` needs.
pub struct ServerConfig {
    pub data: PathBuf,
    pub store: Store,
    pub sealing_key: SealingKey,
    /// CRLs older than this are regenerated when requested.
    pub crl_max_age: Duration,
    /// How long a signed OCSP answer to a nonce-less request is reused while the statuses it
    /// states are unchanged (zero: sign every answer).
    pub ocsp_cache: Duration,
}

struct AppState {
    ocsp: OcspResponder,
    registry: Registry,
    config: ServerConfig,
    crls: Mutex<HashMap<String, (Instant, Vec<u8>)>>,
    verifiers: Mutex<HashMap<[u8; 32], (Instant, Verifier)>>,
}

const KINDS: [CertificateKind; 2] = [CertificateKind::Signature, CertificateKind::Authentication];

/// Builds the router: issues (or loads) a responder certificate for every CA generation.
pub fn router(config: ServerConfig) -> Result<Router, JlisError> {
    let now = OffsetDateTime::now_utc();
    let authority = Authority::open(&config.data, config.sealing_key.clone())?;
    let mut responders = Vec::new();
    let mut crl_names = Vec::new();
    for kind in KINDS {
        for generation in authority.generations(kind)? {
            responders.push(authority.responder(&generation, now, &OsRandom)?);
            crl_names.push(format!("{}-gen{}.crl", kind.as_str(), generation.number));
        }
    }
    // Release the data directory: the CLI may use it while the server runs.
    drop(authority);
    let state = Arc::new(AppState {
        ocsp: OcspResponder::new(
            responders,
            config.store.clone(),
            time::Duration::try_from(config.ocsp_cache).unwrap_or(time::Duration::ZERO),
        ),
        registry: Registry::new(config.store.clone()),
        config,
        crls: Mutex::new(HashMap::new()),
        verifiers: Mutex::new(HashMap::new()),
    });
    if !state.config.crl_max_age.is_zero() {
        tokio::spawn(refresh_crls(state.clone(), crl_names));
    }
    let document = openapi::document(ROUTES).to_string();
    let router = ROUTES
        .iter()
        .fold(Router::new(), |router, route| (route.mount)(router));
    Ok(router
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
        )
        .with_state(state))
}

type AppRouter = Router<Arc<AppState>>;

/// Every route, mounted and documented from this one table: a route cannot exist undocumented.
const ROUTES: &[openapi::ApiRoute<AppRouter>] = &[
    openapi::ApiRoute {
        method: "post",
        path: "/ocsp",
        summary: "OCSP request (RFC 6960), for registered verifiers",
        request: Some("application/ocsp-request"),
        responses: &[("200", "application/ocsp-response", "an OCSPResponse: successful, or malformedRequest / unauthorized / tryLater")],
        mount: |r| r.route("/ocsp", post(ocsp_post)),
    },
    openapi::ApiRoute {
        method: "get",
        path: "/ocsp/{request}",
        summary: "OCSP request in GET form (RFC 6960 Appendix A: base64 of the DER, URL-encoded)",
        request: None,
        responses: &[("200", "application/ocsp-response", "an OCSPResponse")],
        mount: |r| r.route("/ocsp/{*request}", get(ocsp_get)),
    },
    openapi::ApiRoute {
        method: "get",
        path: "/crl/{file}",
        summary: "DER CRL of one CA generation: signature-gen{N}.crl or authentication-gen{N}.crl",
        request: None,
        responses: &[
            ("200", "application/pkix-crl", "the CRL"),
            ("401", "application/problem+json", "not a registered verifier"),
            ("404", "application/problem+json", "no such CA generation"),
        ],
        mount: |r| r.route("/crl/{file}", get(crl)),
    },
    openapi::ApiRoute {
        method: "post",
        path: "/verifier/status",
        summary: "Status of a serial the verifier holds; with the resident's consent also the current serial and the latest four attributes",
        request: Some("application/json"),
        responses: &[
            ("200", "application/json", "{serial, status, reason, revoked_at, current_serial?, attributes?}"),
            ("400", "application/problem+json", "malformed request"),
            ("401", "application/problem+json", "not a registered verifier"),
        ],
        mount: |r| r.route("/verifier/status", post(verifier_status)),
    },
    openapi::ApiRoute {
        method: "get",
        path: "/healthz",
        summary: "Liveness",
        request: None,
        responses: &[("200", "text/plain", "ok")],
        mount: |r| r.route("/healthz", get(|| async { "ok" })),
    },
];

/// How long a checked credential is trusted without asking the store again.
const CREDENTIAL_TTL: Duration = Duration::from_secs(30);

/// The registered verifier presenting `Authorization: Bearer …`, if any.
async fn verifier(state: &AppState, headers: &HeaderMap) -> Option<Verifier> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let credential = value.strip_prefix("Bearer ")?.trim();
    // Keyed by the credential's hash, so the cache holds no credential.
    let key = akashi_crypto::sha256(credential.as_bytes());
    if let Some((checked, v)) = state.verifiers.lock().await.get(&key) {
        if checked.elapsed() < CREDENTIAL_TTL {
            return Some(v.clone());
        }
    }
    match state.registry.authenticate_verifier(credential).await {
        Ok(v) => {
            state
                .verifiers
                .lock()
                .await
                .insert(key, (Instant::now(), v.clone()));
            Some(v)
        }
        Err(e) => {
            tracing::info!(error = %e, "refused a caller");
            None
        }
    }
}

fn ocsp_response(der: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/ocsp-response")], der).into_response()
}

async fn ocsp_post(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(verifier) = verifier(&state, &headers).await else {
        return ocsp_response(OcspResponder::unauthorized());
    };
    let started = Instant::now();
    let der = state
        .ocsp
        .respond(&verifier, &body, OffsetDateTime::now_utc())
        .await;
    tracing::info!(verifier = %verifier.id, bytes = body.len(), micros = started.elapsed().as_micros() as u64, "OCSP POST");
    ocsp_response(der)
}

async fn ocsp_get(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(request): Path<String>,
) -> Response {
    let Some(verifier) = verifier(&state, &headers).await else {
        return ocsp_response(OcspResponder::unauthorized());
    };
    let der = state
        .ocsp
        .respond_to_get(&verifier, &request, OffsetDateTime::now_utc())
        .await;
    tracing::info!(verifier = %verifier.id, "OCSP GET");
    ocsp_response(der)
}

async fn crl(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let Some(verifier) = verifier(&state, &headers).await else {
        return problem(
            StatusCode::UNAUTHORIZED,
            "revocation data is for registered verifiers",
        );
    };
    let Some((kind, number)) = parse_crl_name(&file) else {
        return problem(
            StatusCode::NOT_FOUND,
            "no such CRL: use /crl/{signature|authentication}-gen{N}.crl",
        );
    };
    if let Err(e) = state
        .registry
        .audit(
            &verifier,
            "crl",
            &file,
            "downloaded",
            OffsetDateTime::now_utc(),
        )
        .await
    {
        tracing::error!(error = %e, "audit log not written");
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the audit log is unavailable; retry",
        );
    }
    let mut cache = state.crls.lock().await;
    if let Some((made, der)) = cache.get(&file) {
        if made.elapsed() < state.config.crl_max_age {
            return crl_response(der.clone());
        }
    }
    match make_crl(&state.config, kind, number).await {
        Ok(Some(der)) => {
            cache.insert(file.clone(), (Instant::now(), der.clone()));
            tracing::info!(file, bytes = der.len(), "CRL regenerated");
            crl_response(der)
        }
        Ok(None) => problem(StatusCode::NOT_FOUND, "no such CA generation"),
        Err(e) => {
            tracing::error!(error = %e, "CRL generation failed");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the CRL could not be generated; retry",
            )
        }
    }
}

/// Regenerates every generation's CRL on a schedule (every `crl_max_age`), so downloads are
/// served from memory and a CRL is never older than that.
async fn refresh_crls(state: Arc<AppState>, names: Vec<String>) {
    let mut tick = tokio::time::interval(state.config.crl_max_age);
    loop {
        tick.tick().await;
        for name in &names {
            let Some((kind, number)) = parse_crl_name(name) else {
                continue;
            };
            match make_crl(&state.config, kind, number).await {
                Ok(Some(der)) => {
                    tracing::info!(
                        file = name.as_str(),
                        bytes = der.len(),
                        "CRL regenerated on schedule"
                    );
                    state
                        .crls
                        .lock()
                        .await
                        .insert(name.clone(), (Instant::now(), der));
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, file = name.as_str(), "scheduled CRL generation failed")
                }
            }
        }
    }
}

fn crl_response(der: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/pkix-crl")], der).into_response()
}

fn parse_crl_name(file: &str) -> Option<(CertificateKind, u32)> {
    let stem = file.strip_suffix(".crl")?;
    let (kind, number) = stem.split_once("-gen")?;
    let kind = match kind {
        "signature" => CertificateKind::Signature,
        "authentication" => CertificateKind::Authentication,
        _ => return None,
    };
    Some((kind, number.parse().ok()?))
}

async fn make_crl(
    config: &ServerConfig,
    kind: CertificateKind,
    number: u32,
) -> Result<Option<Vec<u8>>, JlisError> {
    let authority = Authority::open(&config.data, config.sealing_key.clone())?;
    let Some(generation) = authority
        .generations(kind)?
        .into_iter()
        .find(|g| g.number == number)
    else {
        return Ok(None);
    };
    Ok(Some(
        authority
            .crl(&generation, &config.store, OffsetDateTime::now_utc())
            .await?,
    ))
}

async fn verifier_status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(verifier) = verifier(&state, &headers).await else {
        return problem(
            StatusCode::UNAUTHORIZED,
            "this API is for registered verifiers",
        );
    };
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "the body must be JSON: {\"kind\": \"signature\"|\"authentication\", \"serial\": \"HEX\"}");
    };
    let kind = match request["kind"].as_str() {
        Some("signature") => CertificateKind::Signature,
        Some("authentication") => CertificateKind::Authentication,
        _ => {
            return problem(
                StatusCode::BAD_REQUEST,
                "kind must be \"signature\" or \"authentication\"",
            )
        }
    };
    let Some(serial) = request["serial"]
        .as_str()
        .filter(|s| !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return problem(
            StatusCode::BAD_REQUEST,
            "serial must be the certificate serial in hex",
        );
    };
    match state
        .registry
        .query_status(&verifier, kind, serial, OffsetDateTime::now_utc())
        .await
    {
        Ok(answer) => {
            tracing::info!(verifier = %verifier.id, "status query");
            (
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_string(&answer).expect("answers serialise"),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "status query failed");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the registry is unavailable; retry",
            )
        }
    }
}

/// An RFC 9457 problem document.
fn problem(status: StatusCode, detail: &str) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason(),
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight. `on_listen` gets the
/// bound address (useful with port 0).
pub async fn serve(
    config: ServerConfig,
    listen: SocketAddr,
    on_listen: impl FnOnce(SocketAddr),
) -> Result<(), std::io::Error> {
    let app = router(config).map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    on_listen(listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
