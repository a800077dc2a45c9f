//! The PF operator's endpoints for service providers, and its background work: the periodic
//! certificate check at J-LIS and webhook delivery.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{OcspResponder, Registry};
use akashi_jpki::{CertificateKind, TrustAnchors};
use akashi_pf::{
    HttpJlis, HttpWebhookSender, InProcessJlis, PfConfig, PfError, PfKeys, PfService,
    ServiceProvider,
};
use akashi_pf_protocol::{CompleteRequest, Problem, StartRequest};
use akashi_store::Store;

use crate::AppState;

/// The PF's name as a registered verifier at J-LIS (what J-LIS's audit log shows).
pub const PF_VERIFIER_NAME: &str = "Akashi PF";

/// The PF of the embedded default: keys under `DATA/pf`, J-LIS in the same process (the PF
/// registers itself as a verifier the first time), the J-LIS roots as trust anchors.
pub async fn open_pf(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    registry: &Registry,
    ocsp: Arc<OcspResponder>,
    now: OffsetDateTime,
) -> Result<PfService, PfError> {
    let jlis = |e: akashi_jlis::JlisError| PfError::Jlis(e.to_string());
    let keys =
        PfKeys::load_or_create(&data.join("pf").join("keys.sealed"), sealing_key, &OsRandom)?;
    let (verifier, anchors) =
        registered_verifier(data, sealing_key, registry, PF_VERIFIER_NAME, now)
            .await
            .map_err(jlis)?;
    let link = InProcessJlis {
        registry: registry.clone(),
        ocsp,
        verifier,
    };
    Ok(PfService::new(
        store.clone(),
        keys,
        anchors,
        Arc::new(link),
        PfConfig::default(),
    ))
}

/// An in-process operator's identity at J-LIS: the verifier registered under `name` (registered
/// the first time), and the J-LIS roots of every generation as its trust anchors.
pub(crate) async fn registered_verifier(
    data: &Path,
    sealing_key: &SealingKey,
    registry: &Registry,
    name: &str,
    now: OffsetDateTime,
) -> Result<(akashi_jlis::Verifier, TrustAnchors), akashi_jlis::JlisError> {
    let verifier = match registry.verifier_named(name).await? {
        Some(v) => v,
        None => registry.register_verifier(name, now, &OsRandom).await?.0,
    };
    let authority = akashi_jlis::Authority::open(data, sealing_key.clone())?;
    let mut anchors = TrustAnchors::default();
    for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
        for generation in authority.generations(kind)? {
            anchors.push(generation.certificate);
        }
    }
    Ok((verifier, anchors))
}

/// The embedded PF without a running server (CLI commands, the demo, the load generator):
/// J-LIS's OCSP responders from the authority in `data`, opened and released here.
pub async fn open_embedded_pf(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    now: OffsetDateTime,
) -> Result<PfService, PfError> {
    let jlis = |e: akashi_jlis::JlisError| PfError::Jlis(e.to_string());
    let responders = akashi_jlis::Authority::open(data, sealing_key.clone())
        .map_err(jlis)?
        .responders(now, &OsRandom)
        .map_err(jlis)?;
    let ocsp = Arc::new(OcspResponder::new(
        responders,
        store.clone(),
        time::Duration::ZERO,
    ));
    let registry = Registry::new(store.clone());
    open_pf(data, store, sealing_key, &registry, ocsp, now).await
}

/// A PF that reaches J-LIS over HTTP (`akashi serve --role pf`): its own keys and store under
/// `data`, J-LIS at `jlis_url` with the PF's verifier credential, `anchors` the J-LIS roots.
pub fn open_remote_pf(
    data: &Path,
    store: &Store,
    sealing_key: &SealingKey,
    jlis_url: &str,
    credential: &str,
    anchors: TrustAnchors,
) -> Result<PfService, PfError> {
    let keys =
        PfKeys::load_or_create(&data.join("pf").join("keys.sealed"), sealing_key, &OsRandom)?;
    Ok(PfService::new(
        store.clone(),
        keys,
        anchors,
        Arc::new(HttpJlis::new(jlis_url, credential)?),
        PfConfig::default(),
    ))
}

/// Starts the periodic check and the webhook deliverer.
pub(crate) fn spawn_background(state: &Arc<AppState>) {
    let check = state.config.pf_check_interval;
    if !check.is_zero() {
        let pf = state.pf().clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(check);
            loop {
                tick.tick().await;
                let now = OffsetDateTime::now_utc();
                if let Err(e) = pf.check_certificates(now, &OsRandom).await {
                    tracing::error!(code = e.code(), error = %e, "certificate check failed");
                }
                if let Err(e) = pf.housekeeping(now).await {
                    tracing::error!(code = e.code(), error = %e, "PF housekeeping failed");
                }
            }
        });
    }
    let deliver = state.config.pf_deliver_interval;
    if !deliver.is_zero() {
        let pf = state.pf().clone();
        tokio::spawn(async move {
            let sender = match HttpWebhookSender::new() {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "no webhook client");
                    return;
                }
            };
            let mut tick = tokio::time::interval(deliver);
            loop {
                tick.tick().await;
                if let Err(e) = pf.deliver_due(&sender, OffsetDateTime::now_utc()).await {
                    tracing::error!(code = e.code(), error = %e, "webhook delivery failed");
                }
            }
        });
    }
}

/// A problem document with the PF's stable error code.
fn pf_problem(e: &PfError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Storage and key errors may name internals: say only that it failed.
    let detail = match e {
        PfError::Store(_) | PfError::Keys(_) | PfError::Jlis(_) => {
            "the PF is temporarily unable to answer; retry".to_owned()
        }
        other => other.to_string(),
    };
    let body = Problem {
        kind: format!("https://akashi.example/problems/{}", e.code()),
        title: status.canonical_reason().unwrap_or("error").to_owned(),
        status: status.as_u16(),
        detail,
        code: e.code().to_owned(),
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        serde_json::to_string(&body).expect("problems serialise"),
    )
        .into_response()
}

const CREDENTIAL_TTL: Duration = Duration::from_secs(30);

/// The SP presenting `Authorization: Bearer …`.
async fn service_provider(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<ServiceProvider, PfError> {
    let refused = || PfError::UnregisteredServiceProvider;
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(refused)?;
    let key = akashi_crypto::sha256(credential.as_bytes());
    if let Some((checked, sp)) = state.service_providers.lock().await.get(&key) {
        if checked.elapsed() < CREDENTIAL_TTL {
            return Ok(sp.clone());
        }
    }
    match state.pf().authenticate(credential).await {
        Ok(sp) => {
            state
                .service_providers
                .lock()
                .await
                .insert(key, (Instant::now(), sp.clone()));
            Ok(sp)
        }
        Err(e) => {
            tracing::info!(code = e.code(), "refused a caller");
            Err(e)
        }
    }
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(value).expect("answers serialise"),
    )
        .into_response()
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, PfError> {
    // serde's message names the field and position, never the value.
    serde_json::from_slice(body).map_err(|e| PfError::Malformed(format!("JSON body: {e}")))
}

pub(crate) async fn start(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sp = match service_provider(&state, &headers).await {
        Ok(sp) => sp,
        Err(e) => return pf_problem(&e),
    };
    let request: StartRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return pf_problem(&e),
    };
    match state
        .pf()
        .start(&sp, &request, OffsetDateTime::now_utc(), &OsRandom)
    {
        Ok(answer) => {
            tracing::info!(sp = %sp.id, purpose = request.purpose.as_str(), "transaction started");
            json(StatusCode::CREATED, &answer)
        }
        Err(e) => {
            tracing::info!(sp = %sp.id, code = e.code(), "start refused");
            pf_problem(&e)
        }
    }
}

pub(crate) async fn complete(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sp = match service_provider(&state, &headers).await {
        Ok(sp) => sp,
        Err(e) => return pf_problem(&e),
    };
    let request: CompleteRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return pf_problem(&e),
    };
    // PfService::complete logs the outcome (SP id and code only).
    match state
        .pf()
        .complete(&sp, &request, OffsetDateTime::now_utc(), &OsRandom)
        .await
    {
        Ok(outcome) => json(StatusCode::OK, &outcome),
        Err(e) => pf_problem(&e),
    }
}

pub(crate) async fn customers(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let sp = match service_provider(&state, &headers).await {
        Ok(sp) => sp,
        Err(e) => return pf_problem(&e),
    };
    match state.pf().customers(&sp).await {
        Ok(list) => json(StatusCode::OK, &list),
        Err(e) => pf_problem(&e),
    }
}

pub(crate) async fn notifications(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    let sp = match service_provider(&state, &headers).await {
        Ok(sp) => sp,
        Err(e) => return pf_problem(&e),
    };
    match state.pf().notifications(&sp).await {
        Ok(list) => json(StatusCode::OK, &list),
        Err(e) => pf_problem(&e),
    }
}

pub(crate) async fn acknowledge(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let sp = match service_provider(&state, &headers).await {
        Ok(sp) => sp,
        Err(e) => return pf_problem(&e),
    };
    match state
        .pf()
        .acknowledge(&sp, &id, OffsetDateTime::now_utc())
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => pf_problem(&e),
    }
}
