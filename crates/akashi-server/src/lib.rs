//! `akashi serve`: J-LIS as a verifier meets it over HTTP.
//!
//! | method | path | what |
//! |---|---|---|
//! | POST | `/ocsp` | OCSP (RFC 6960), `application/ocsp-request` → `application/ocsp-response` |
//! | GET | `/ocsp/{base64 request}` | the same, GET form (RFC 6960 Appendix A) |
//! | GET | `/crl/{signature,authentication}-gen{N}.crl` | the generation's DER CRL (`application/pkix-crl`) |
//! | GET | `/healthz` | liveness |
//!
//! Handlers are thin: the answers come from `akashi_jlis`. Every request is logged (method,
//! path, status, time) — never a certificate's contents or a person's attributes.
#![forbid(unsafe_code)]

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
use akashi_jlis::{Authority, JlisError, OcspResponder};
use akashi_jpki::CertificateKind;
use akashi_store::Store;

/// What `akashi serve` needs.
pub struct ServerConfig {
    pub data: PathBuf,
    pub store: Store,
    pub sealing_key: SealingKey,
    /// CRLs older than this are regenerated when requested.
    pub crl_max_age: Duration,
}

struct AppState {
    ocsp: OcspResponder,
    config: ServerConfig,
    crls: Mutex<HashMap<String, (Instant, Vec<u8>)>>,
}

const KINDS: [CertificateKind; 2] = [CertificateKind::Signature, CertificateKind::Authentication];

/// Builds the router: issues (or loads) a responder certificate for every CA generation.
pub fn router(config: ServerConfig) -> Result<Router, JlisError> {
    let now = OffsetDateTime::now_utc();
    let authority = Authority::open(&config.data, config.sealing_key.clone())?;
    let mut responders = Vec::new();
    for kind in KINDS {
        for generation in authority.generations(kind)? {
            responders.push(authority.responder(&generation, now, &OsRandom)?);
        }
    }
    // Release the data directory: the CLI may use it while the server runs.
    drop(authority);
    let state = Arc::new(AppState {
        ocsp: OcspResponder::new(responders, config.store.clone()),
        config,
        crls: Mutex::new(HashMap::new()),
    });
    Ok(Router::new()
        .route("/ocsp", post(ocsp_post))
        .route("/ocsp/{*request}", get(ocsp_get))
        .route("/crl/{file}", get(crl))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state))
}

fn ocsp_response(der: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/ocsp-response")], der).into_response()
}

async fn ocsp_post(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/ocsp-request") {
        tracing::info!(content_type, "OCSP POST without application/ocsp-request");
    }
    let started = Instant::now();
    let der = state.ocsp.respond(&body, OffsetDateTime::now_utc()).await;
    tracing::info!(
        bytes = body.len(),
        micros = started.elapsed().as_micros() as u64,
        "OCSP POST"
    );
    ocsp_response(der)
}

async fn ocsp_get(State(state): State<Arc<AppState>>, Path(request): Path<String>) -> Response {
    let der = state
        .ocsp
        .respond_to_get(&request, OffsetDateTime::now_utc())
        .await;
    tracing::info!("OCSP GET");
    ocsp_response(der)
}

async fn crl(State(state): State<Arc<AppState>>, Path(file): Path<String>) -> Response {
    let Some((kind, number)) = parse_crl_name(&file) else {
        return problem(
            StatusCode::NOT_FOUND,
            "no such CRL: use /crl/{signature|authentication}-gen{N}.crl",
        );
    };
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

/// An RFC 9457 problem document.
fn problem(status: StatusCode, detail: &str) -> Response {
    let body = serde_json::json!({ "type": "about:blank", "title": status.canonical_reason(), "status": status.as_u16(), "detail": detail });
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
