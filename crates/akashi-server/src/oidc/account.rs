//! The person's account page: summary, binding challenges, binding and removing
//! authenticators.

use super::*;

pub(super) async fn account(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let session = cookie(&headers);
    respond(
        StatusCode::OK,
        op!(state)
            .account_summary(session.as_deref(), OffsetDateTime::now_utc())
            .await,
    )
}

pub(super) async fn bind_challenge(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    let session = cookie(&headers);
    respond(
        StatusCode::CREATED,
        op!(state)
            .bind_challenge(session.as_deref(), OffsetDateTime::now_utc(), &OsRandom)
            .await,
    )
}

#[derive(Deserialize)]
struct Bind<T> {
    challenge: String,
    label: String,
    #[serde(flatten)]
    response: T,
}

pub(super) async fn bind_device(
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
    respond(StatusCode::CREATED, outcome.map(|id| json!({ "id": id })))
}

pub(super) async fn bind_card(
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
    respond(StatusCode::CREATED, outcome.map(|id| json!({ "id": id })))
}

#[derive(Deserialize)]
struct PasskeyStart {
    #[serde(default)]
    hardware_bound: bool,
}

pub(super) async fn bind_passkey_options(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let provider = op!(state);
    let session = cookie(&headers);
    let outcome = async {
        let start: PasskeyStart = if body.is_empty() {
            PasskeyStart {
                hardware_bound: false,
            }
        } else {
            body_json(&body)?
        };
        provider
            .start_passkey_bind(
                session.as_deref(),
                start.hardware_bound,
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    respond(StatusCode::CREATED, outcome)
}

#[derive(Deserialize)]
struct PasskeyBind {
    ceremony: String,
    label: String,
    credential: serde_json::Value,
}

pub(super) async fn bind_passkey(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let provider = op!(state);
    let session = cookie(&headers);
    let outcome = async {
        let b: PasskeyBind = body_json(&body)?;
        provider
            .finish_passkey_bind(
                session.as_deref(),
                &b.ceremony,
                &b.credential,
                &b.label,
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await
    }
    .await;
    respond(StatusCode::CREATED, outcome.map(|id| json!({ "id": id })))
}

pub(super) async fn remove_authenticator(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let session = cookie(&headers);
    respond(
        StatusCode::OK,
        op!(state)
            .remove_authenticator(session.as_deref(), &id, OffsetDateTime::now_utc())
            .await,
    )
}
