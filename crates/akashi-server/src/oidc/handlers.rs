//! The protocol's handlers: discovery, JWKS, PAR, authorize, the interaction, token,
//! userinfo, logout.

use super::*;

pub(super) async fn discovery(State(state): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &op!(state).metadata())
}

pub(super) async fn jwks(State(state): State<Arc<AppState>>) -> Response {
    let provider = op!(state);
    let outcome = match provider
        .refresh_signing_keys(OffsetDateTime::now_utc())
        .await
    {
        Ok(()) => provider.jwks(),
        Err(e) => Err(e),
    };
    respond(StatusCode::OK, outcome)
}

pub(super) async fn authenticate(
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

pub(super) async fn par(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    respond(StatusCode::CREATED, outcome)
}

pub(super) async fn authorize(
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

pub(super) async fn interaction(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(handle): UrlPath<String>,
) -> Response {
    let session = cookie(&headers);
    respond(
        StatusCode::OK,
        op!(state)
            .interaction_view(&handle, session.as_deref(), OffsetDateTime::now_utc())
            .await,
    )
}

pub(super) async fn login(
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
        Ok(done) => {
            let mut r = json_response(StatusCode::OK, &done.next);
            set_cookie(&mut r, provider, Some(&done.session_handle));
            append_cookie(
                &mut r,
                provider,
                KNOWN_COOKIE,
                &done.known_browser,
                Some(KNOWN_MAX_AGE),
            );
            r
        }
        Err(e) => error(&e),
    }
}

pub(super) async fn passkey_options(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(h): UrlPath<String>,
) -> Response {
    let session = cookie(&headers);
    let known = cookie_named(&headers, KNOWN_COOKIE);
    respond(
        StatusCode::OK,
        op!(state)
            .interaction_passkey_options(
                &h,
                session.as_deref(),
                known.as_deref(),
                OffsetDateTime::now_utc(),
                &OsRandom,
            )
            .await,
    )
}

pub(super) async fn wallet_request(
    State(state): State<Arc<AppState>>,
    UrlPath(h): UrlPath<String>,
) -> Response {
    respond(
        StatusCode::CREATED,
        op!(state)
            .interaction_wallet_request(&h, OffsetDateTime::now_utc(), &OsRandom)
            .await,
    )
}

pub(super) async fn login_wallet(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(h): UrlPath<String>,
) -> Response {
    login(&state, &headers, &h, Ok(LoginMethod::Wallet)).await
}

/// The wallet's `direct_post` answer (OpenID4VP §8.2).
pub(super) async fn wallet_response(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    respond(
        StatusCode::OK,
        op!(state)
            .wallet_response(&body, OffsetDateTime::now_utc())
            .await,
    )
}

pub(super) async fn login_passkey(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    UrlPath(h): UrlPath<String>,
    body: Bytes,
) -> Response {
    login(
        &state,
        &headers,
        &h,
        body_json::<serde_json::Value>(&body).map(LoginMethod::Passkey),
    )
    .await
}

pub(super) async fn login_card(
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

pub(super) async fn login_proofing(
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

pub(super) async fn login_device(
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

pub(super) async fn consent(
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
    respond(StatusCode::OK, outcome)
}

pub(super) async fn abort(
    State(state): State<Arc<AppState>>,
    UrlPath(h): UrlPath<String>,
) -> Response {
    respond(
        StatusCode::OK,
        op!(state)
            .interaction_abort(&h, OffsetDateTime::now_utc())
            .await,
    )
}

pub(super) async fn token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    respond(StatusCode::OK, outcome)
}

pub(super) async fn userinfo_with(state: &AppState, headers: &HeaderMap, method: &str) -> Response {
    let outcome = op!(state)
        .userinfo(
            header_str(headers, "authorization"),
            header_str(headers, "dpop"),
            method,
            OffsetDateTime::now_utc(),
        )
        .await;
    respond(StatusCode::OK, outcome)
}

pub(super) async fn userinfo_get(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    userinfo_with(&state, &headers, "GET").await
}

pub(super) async fn userinfo_post(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    userinfo_with(&state, &headers, "POST").await
}

pub(super) async fn logout(
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
