//! The RFC 3161 time-stamping authority over HTTP (RFC 3161 §3.4): `POST /tsa` with an
//! `application/timestamp-query` body answers `application/timestamp-reply` — a granted token
//! or a rejection with its failure info (HTTP 200 either way, as the RFC's HTTP binding has
//! it); a body of another type is refused before it is read as DER.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use time::OffsetDateTime;

use akashi_crypto::{OsRandom, SealingKey};
use akashi_tsa::{next_serial, Tsa, TsaAuthority, TsaError, TsaRejection};

use crate::{openapi, problem, AppRouter, AppState};

/// The serial-number counter of the embedded TSA.
const TSA_NAME: &str = "default";

/// The embedded TSA: keys and certificates under `DATA/tsa` (created the first time).
pub fn open_tsa(data: &std::path::Path, sealing_key: &SealingKey) -> Result<Tsa, TsaError> {
    Ok(Tsa::new(TsaAuthority::open_or_create(
        data,
        sealing_key,
        OffsetDateTime::now_utc(),
        &OsRandom,
    )?))
}

fn reply(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/timestamp-reply")],
        body,
    )
        .into_response()
}

async fn timestamp(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let tsa = state
        .tsa
        .as_ref()
        .expect("TSA routes are mounted only with a TSA");
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != "application/timestamp-query" {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a time-stamp request is sent as application/timestamp-query",
        );
    }
    let request = match tsa.check(&body) {
        Ok(r) => r,
        Err(why) => {
            tracing::info!(%why, "time-stamp request rejected");
            return reply(Tsa::reject(&why));
        }
    };
    let granted = match next_serial(&state.config.store, TSA_NAME).await {
        Ok(serial) => tsa.grant(&request, serial, OffsetDateTime::now_utc()),
        Err(e) => Err(e),
    };
    match granted {
        Ok(token) => reply(token),
        Err(e) => {
            tracing::error!(error = %e, "time-stamp not issued");
            reply(Tsa::reject(&TsaRejection::SystemFailure))
        }
    }
}

pub(crate) const ROUTES: &[openapi::ApiRoute<AppRouter>] = &[openapi::ApiRoute {
    method: "post",
    path: "/tsa",
    summary: "RFC 3161 time-stamp request: a TimeStampResp, granted (TSTInfo signed with RSA-2048 / SHA-256, ESSCertIDv2) or rejected with its PKIFailureInfo",
    request: Some("application/timestamp-query"),
    responses: &[
        ("200", "application/timestamp-reply", "a TimeStampResp"),
        ("415", "application/problem+json", "not application/timestamp-query"),
    ],
    mount: |r| r.route("/tsa", post(timestamp)),
}];
