//! The provider's route table: mounted and documented from this one table.

use axum::routing::{delete, get, post};

use super::account::*;
use super::handlers::*;
use crate::openapi::ApiRoute;
use crate::AppRouter;

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
