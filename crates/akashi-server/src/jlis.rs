//! The J-LIS endpoints: OCSP, CRL download, and the verifier API (status, serial history).
//! Only registered verifiers get revocation data; every query is audit-logged by the registry.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use akashi_jlis::{Authority, JlisError, OcspResponder, Verifier};
use akashi_jpki::CertificateKind;

use crate::{problem, AppState, ServerConfig};

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

pub(crate) async fn ocsp_post(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(verifier) = verifier(&state, &headers).await else {
        return ocsp_response(OcspResponder::unauthorized());
    };
    let started = Instant::now();
    let der = state
        .ocsp()
        .respond(&verifier, &body, OffsetDateTime::now_utc())
        .await;
    tracing::info!(verifier = %verifier.id, bytes = body.len(), micros = started.elapsed().as_micros() as u64, "OCSP POST");
    ocsp_response(der)
}

pub(crate) async fn ocsp_get(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(request): Path<String>,
) -> Response {
    let Some(verifier) = verifier(&state, &headers).await else {
        return ocsp_response(OcspResponder::unauthorized());
    };
    let der = state
        .ocsp()
        .respond_to_get(&verifier, &request, OffsetDateTime::now_utc())
        .await;
    tracing::info!(verifier = %verifier.id, "OCSP GET");
    ocsp_response(der)
}

pub(crate) async fn crl(
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
pub(crate) async fn refresh_crls(state: Arc<AppState>, names: Vec<String>) {
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

pub(crate) fn parse_crl_name(file: &str) -> Option<(CertificateKind, u32)> {
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

/// The verifier and the (kind, serial) of a verifier API request, or the problem to answer.
async fn verifier_query(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Verifier, CertificateKind, String), Response> {
    let Some(verifier) = verifier(state, headers).await else {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "this API is for registered verifiers",
        ));
    };
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Err(problem(StatusCode::BAD_REQUEST, "the body must be JSON: {\"kind\": \"signature\"|\"authentication\", \"serial\": \"HEX\"}"));
    };
    let kind = match request["kind"].as_str() {
        Some("signature") => CertificateKind::Signature,
        Some("authentication") => CertificateKind::Authentication,
        _ => {
            return Err(problem(
                StatusCode::BAD_REQUEST,
                "kind must be \"signature\" or \"authentication\"",
            ))
        }
    };
    let Some(serial) = request["serial"]
        .as_str()
        .filter(|s| !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return Err(problem(
            StatusCode::BAD_REQUEST,
            "serial must be the certificate serial in hex",
        ));
    };
    Ok((verifier, kind, serial.to_owned()))
}

fn json_answer<T: serde::Serialize>(
    verifier: &Verifier,
    what: &str,
    answer: Result<T, JlisError>,
) -> Response {
    match answer {
        Ok(answer) => {
            tracing::info!(verifier = %verifier.id, what, "verifier query");
            (
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_string(&answer).expect("answers serialise"),
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, what, "verifier query failed");
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the registry is unavailable; retry",
            )
        }
    }
}

pub(crate) async fn verifier_status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (verifier, kind, serial) = match verifier_query(&state, &headers, &body).await {
        Ok(q) => q,
        Err(problem) => return problem,
    };
    let answer = state
        .registry
        .query_status(&verifier, kind, &serial, OffsetDateTime::now_utc())
        .await;
    json_answer(&verifier, "status", answer)
}

pub(crate) async fn verifier_history(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (verifier, kind, serial) = match verifier_query(&state, &headers, &body).await {
        Ok(q) => q,
        Err(problem) => return problem,
    };
    let answer = state
        .registry
        .serial_history(&verifier, kind, &serial, OffsetDateTime::now_utc())
        .await;
    json_answer(&verifier, "history", answer)
}
