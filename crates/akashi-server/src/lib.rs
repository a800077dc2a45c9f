//! `akashi serve`: J-LIS as a verifier meets it, and the PF operator as a service provider
//! meets it, over HTTP (all roles in one process: the embedded default).
//!
//! | method | path | what |
//! |---|---|---|
//! | POST | `/ocsp` | OCSP (RFC 6960), `application/ocsp-request` → `application/ocsp-response` |
//! | GET | `/ocsp/{base64 request}` | the same, GET form (RFC 6960 Appendix A) |
//! | GET | `/crl/{signature,authentication}-gen{N}.crl` | the generation's DER CRL (`application/pkix-crl`) |
//! | POST | `/verifier/status` | a registered verifier asks about a serial it holds (JSON) |
//! | POST | `/verifier/history` | a platform operator asks for the serial history of a person (JSON) |
//! | POST | `/pf/v1/transactions` | an SP starts an identity proofing or a login |
//! | POST | `/pf/v1/transactions/complete` | an SP sends the card-signed request; gets the outcome |
//! | GET | `/pf/v1/customers` | an SP lists its customers' identifiers and status |
//! | GET | `/pf/v1/notifications` | an SP polls its unacknowledged notifications |
//! | POST | `/pf/v1/notifications/{id}/ack` | an SP acknowledges one |
//! | GET | `/healthz` | liveness |
//! | GET | `/openapi.json` | OpenAPI 3.1 document, generated from the route table that mounts the routes |
//!
//! Only registered verifiers (署名検証者) get revocation data: the J-LIS routes need
//! `Authorization: Bearer <verifier credential>` (`akashi jlis verifier register`); the PF
//! routes need an SP credential (`akashi pf sp register`). Without one OCSP answers
//! `unauthorized` and the other routes a 401 problem document.
//!
//! Handlers are thin: the answers come from `akashi_jlis` and `akashi_pf`. Requests are
//! logged (route, caller id, outcome code, time) — never a certificate, a serial number or a
//! person's attributes.
#![forbid(unsafe_code)]

mod credentials;
mod jlis;
mod oidc;
pub mod openapi;
mod pf;
mod tsa;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use time::OffsetDateTime;
use tokio::sync::Mutex;

use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{Authority, JlisError, OcspResponder, Registry, Verifier};
use akashi_jpki::CertificateKind;
use akashi_pf::{PfService, ServiceProvider};
use akashi_store::Store;

pub use credentials::{open_issuer, open_remote_issuer, open_verifier, ISSUER_VERIFIER_NAME};
use jlis::*;
pub use oidc::{open_provider, open_provider_admin, open_remote_provider, OIDC_VERIFIER_NAME};
pub use pf::{open_embedded_pf, open_pf, open_remote_pf, PF_VERIFIER_NAME};
pub use tsa::open_tsa;

/// What `akashi serve` needs.
pub struct ServerConfig {
    pub data: PathBuf,
    pub store: Store,
    pub sealing_key: SealingKey,
    /// CRLs older than this are regenerated when requested.
    pub crl_max_age: Duration,
    /// How long a signed OCSP answer to a nonce-less request is reused while the statuses it
    /// states are unchanged (zero: sign every answer); also how long the verifier reuses a
    /// fetched status list.
    pub ocsp_cache: Duration,
    /// How often the PF checks its customers' certificates at J-LIS (zero: never).
    pub pf_check_interval: Duration,
    /// How often the PF sends due webhooks (zero: never).
    pub pf_deliver_interval: Duration,
    /// Which roles this process plays.
    pub roles: Roles,
    /// Where clients reach this process (`http://host:port`): the private ID issuer and the
    /// verifier (both run with [`Roles::All`], and with [`Roles::Pf`] as the operator's
    /// services over its J-LIS link) name their endpoints under it. `None`: neither runs.
    pub public_url: Option<String>,
}

/// The roles of one `akashi serve`: J-LIS, the PF, or both (the embedded default).
#[derive(Debug, Clone)]
pub enum Roles {
    /// J-LIS and the PF in one process; the PF calls J-LIS directly.
    All,
    /// J-LIS only (OCSP, CRL, verifier API).
    Jlis,
    /// The PF only, a registered verifier of the J-LIS at `jlis_url`.
    Pf {
        jlis_url: String,
        credential: String,
        anchors: akashi_jpki::TrustAnchors,
    },
}

impl Roles {
    fn jlis(&self) -> bool {
        !matches!(self, Roles::Pf { .. })
    }

    fn pf(&self) -> bool {
        !matches!(self, Roles::Jlis)
    }

    /// Whether this process serves `path`.
    fn serves(&self, path: &str) -> bool {
        // The operator's services (PF, private ID issuer, verifier) run wherever the PF does.
        if ["/pf/", "/issuer", "/vp/", "/.well-known/", "/tsa", "/oidc/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
        {
            self.pf()
        } else if path == "/healthz" {
            true
        } else {
            self.jlis()
        }
    }
}

pub(crate) struct AppState {
    /// Present with the J-LIS role (its routes are mounted only then).
    ocsp: Option<Arc<OcspResponder>>,
    registry: Registry,
    config: ServerConfig,
    crls: Mutex<HashMap<String, (Instant, Vec<u8>)>>,
    verifiers: Mutex<HashMap<[u8; 32], (Instant, Verifier)>>,
    /// Present with the PF role (its routes are mounted only then).
    pf: Option<Arc<PfService>>,
    service_providers: Mutex<HashMap<[u8; 32], (Instant, ServiceProvider)>>,
    /// Present with [`Roles::All`] and a public URL.
    issuer: Option<Arc<akashi_issuer::IssuerService>>,
    verifier: Option<Arc<akashi_verifier::VerifierService>>,
    /// The time-stamping authority, with the PF role (an operator's trust service).
    tsa: Option<Arc<akashi_tsa::Tsa>>,
    /// The OpenID Connect provider, with the issuer (the operator's login service).
    oidc: Option<Arc<akashi_oidc::OidcProvider>>,
}

impl AppState {
    pub(crate) fn ocsp(&self) -> &OcspResponder {
        self.ocsp
            .as_deref()
            .expect("J-LIS routes are mounted only with the J-LIS role")
    }

    pub(crate) fn pf(&self) -> &Arc<PfService> {
        self.pf
            .as_ref()
            .expect("PF routes are mounted only with the PF role")
    }
}

const KINDS: [CertificateKind; 2] = [CertificateKind::Signature, CertificateKind::Authentication];

/// The private ID services behind a router (present with [`Roles::All`] and a public URL),
/// for a caller that drives them directly in the same process: e.g. one pass of the issuer's
/// anchor watch instead of the check timer.
#[derive(Clone, Default)]
pub struct Services {
    pub issuer: Option<Arc<akashi_issuer::IssuerService>>,
    pub verifier: Option<Arc<akashi_verifier::VerifierService>>,
    pub oidc: Option<Arc<akashi_oidc::OidcProvider>>,
}

/// Builds the router: issues (or loads) a responder certificate for every CA generation, and
/// opens the PF (registering it as a verifier at J-LIS the first time).
pub async fn router(config: ServerConfig) -> Result<Router, JlisError> {
    Ok(router_with_services(config).await?.0)
}

/// [`router`], and the issuer and verifier instances it serves.
pub async fn router_with_services(config: ServerConfig) -> Result<(Router, Services), JlisError> {
    let now = OffsetDateTime::now_utc();
    let registry = Registry::new(config.store.clone());
    let mut crl_names = Vec::new();
    let ocsp = if config.roles.jlis() {
        let authority = Authority::open(&config.data, config.sealing_key.clone())?;
        let responders = authority.responders(now, &OsRandom)?;
        for kind in KINDS {
            for generation in authority.generations(kind)? {
                crl_names.push(format!("{}-gen{}.crl", kind.as_str(), generation.number));
            }
        }
        // Release the data directory: the CLI may use it while the server runs.
        drop(authority);
        Some(Arc::new(OcspResponder::new(
            responders,
            config.store.clone(),
            time::Duration::try_from(config.ocsp_cache).unwrap_or(time::Duration::ZERO),
        )))
    } else {
        None
    };
    let pf_error = |e: akashi_pf::PfError| JlisError::CorruptState(format!("PF: {e}"));
    let pf = match (&config.roles, &ocsp) {
        (Roles::Jlis, _) => None,
        (Roles::All, Some(ocsp)) => Some(
            open_pf(
                &config.data,
                &config.store,
                &config.sealing_key,
                &registry,
                ocsp.clone(),
                now,
            )
            .await
            .map_err(pf_error)?,
        ),
        (
            Roles::Pf {
                jlis_url,
                credential,
                anchors,
            },
            _,
        ) => Some(
            open_remote_pf(
                &config.data,
                &config.store,
                &config.sealing_key,
                jlis_url,
                credential,
                anchors.clone(),
            )
            .map_err(pf_error)?,
        ),
        (Roles::All, None) => unreachable!("the J-LIS role opens the responder"),
    };
    let issuer_error =
        |e: akashi_issuer::IssuerError| JlisError::CorruptState(format!("issuer: {e}"));
    let issuer = match (&config.roles, &ocsp, &config.public_url) {
        (Roles::All, Some(ocsp), Some(url)) => Some(
            open_issuer(
                &config.data,
                &config.store,
                &config.sealing_key,
                &registry,
                ocsp.clone(),
                url,
                now,
            )
            .await
            .map_err(issuer_error)?,
        ),
        (
            Roles::Pf {
                jlis_url,
                credential,
                anchors,
            },
            _,
            Some(url),
        ) => Some(
            open_remote_issuer(
                &config.data,
                &config.store,
                &config.sealing_key,
                jlis_url,
                credential,
                anchors.clone(),
                url,
            )
            .map_err(issuer_error)?,
        ),
        _ => None,
    };
    let verifier = match (&issuer, &config.public_url) {
        (Some(_), Some(url)) => Some(Arc::new(
            open_verifier(&config.store, url, config.ocsp_cache.as_secs() as i64)
                .map_err(|e| JlisError::CorruptState(format!("verifier: {e}")))?,
        )),
        _ => None,
    };
    let issuer = issuer.map(Arc::new);
    let oidc_error =
        |e: akashi_oidc::OidcError| JlisError::CorruptState(format!("OpenID provider: {e}"));
    let oidc = match (&config.roles, &ocsp, &config.public_url) {
        (Roles::All, Some(ocsp), Some(url)) => Some(
            open_provider(
                &config.data,
                &config.store,
                &config.sealing_key,
                &registry,
                ocsp.clone(),
                url,
                now,
            )
            .await
            .map_err(oidc_error)?,
        ),
        (
            Roles::Pf {
                jlis_url,
                credential,
                anchors,
            },
            _,
            Some(url),
        ) => Some(
            open_remote_provider(
                &config.data,
                &config.store,
                &config.sealing_key,
                jlis_url,
                credential,
                anchors.clone(),
                url,
                now,
            )
            .await
            .map_err(oidc_error)?,
        ),
        _ => None,
    };
    // Wallet login: the provider verifies BBS presentations of this server's own issuer.
    let oidc = match (oidc, &issuer, &verifier) {
        (Some(op), Some(issuer), Some(verifier)) => {
            Some(op.with_wallet_login(akashi_oidc::WalletLogin {
                verifier: verifier.clone(),
                trusted: vec![akashi_verifier::TrustedIssuer {
                    issuer: issuer.config().issuer_url.clone(),
                    sd_jwt_keys: vec![issuer.sd_jwt_jwk()],
                    bbs_public_key: Some(issuer.bbs_public_key()),
                }],
            }))
        }
        (op, _, _) => op,
    };
    let tsa = if config.roles.pf() {
        Some(Arc::new(
            tsa::open_tsa(&config.data, &config.sealing_key)
                .map_err(|e| JlisError::CorruptState(format!("TSA: {e}")))?,
        ))
    } else {
        None
    };
    let state = Arc::new(AppState {
        oidc: oidc.map(Arc::new),
        tsa,
        issuer,
        verifier,
        ocsp,
        registry,
        crls: Mutex::new(HashMap::new()),
        verifiers: Mutex::new(HashMap::new()),
        pf: pf.map(Arc::new),
        service_providers: Mutex::new(HashMap::new()),
        config,
    });
    if state.ocsp.is_some() && !state.config.crl_max_age.is_zero() {
        tokio::spawn(refresh_crls(state.clone(), crl_names));
    }
    if state.pf.is_some() {
        pf::spawn_background(&state);
    }
    if let Some(issuer) = &state.issuer {
        credentials::spawn_watch(issuer.clone(), state.config.pf_check_interval);
    }
    let services = Services {
        issuer: state.issuer.clone(),
        verifier: state.verifier.clone(),
        oidc: state.oidc.clone(),
    };
    let with_credentials = state.issuer.is_some();
    let with_oidc = state.oidc.is_some();
    let routes: Vec<&openapi::ApiRoute<AppRouter>> = ROUTES
        .iter()
        .chain(credentials::ROUTES.iter().filter(|_| with_credentials))
        .chain(tsa::ROUTES.iter())
        .chain(oidc::ROUTES.iter().filter(|_| with_oidc))
        .filter(|r| state.config.roles.serves(r.path))
        .collect();
    let document = openapi::document(&routes).to_string();
    let router = routes
        .iter()
        .fold(Router::new(), |router, route| (route.mount)(router));
    let router = router
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
        )
        .with_state(state);
    Ok((router, services))
}

pub(crate) type AppRouter = Router<Arc<AppState>>;

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
        summary: "Status of a serial the verifier holds; with the resident's consent also the current serial, the latest four attributes and the resident status",
        request: Some("application/json"),
        responses: &[
            ("200", "application/json", "{serial, status, reason, revoked_at, current_serial?, attributes?, resident_status?}"),
            ("400", "application/problem+json", "malformed request"),
            ("401", "application/problem+json", "not a registered verifier"),
        ],
        mount: |r| r.route("/verifier/status", post(verifier_status)),
    },
    openapi::ApiRoute {
        method: "post",
        path: "/verifier/history",
        summary: "Serial history of the person a serial belongs to (both certificate types, all renewals and re-issues), for platform operators",
        request: Some("application/json"),
        responses: &[
            ("200", "application/json", "[{kind, serial, issued_at}]"),
            ("400", "application/problem+json", "malformed request"),
            ("401", "application/problem+json", "not a registered verifier"),
        ],
        mount: |r| r.route("/verifier/history", post(verifier_history)),
    },
    openapi::ApiRoute {
        method: "post",
        path: "/pf/v1/transactions",
        summary: "Start an identity proofing (signature certificate) or a login (authentication certificate): returns the bytes the card signs",
        request: Some("application/json"),
        responses: &[
            ("201", "application/json", "{transaction, to_be_signed, expires_at}"),
            ("400", "application/problem+json", "malformed request"),
            ("401", "application/problem+json", "not a registered service provider"),
        ],
        mount: |r| r.route("/pf/v1/transactions", post(pf::start)),
    },
    openapi::ApiRoute {
        method: "post",
        path: "/pf/v1/transactions/complete",
        summary: "The card-signed request (jpki-simple-v1): verified for signature, chain, type and revocation; answers with the result, certificate type, per-SP identifier and (signature certificate) the basic four",
        request: Some("application/json"),
        responses: &[
            ("200", "application/json", "{result, certificate_type, sp_user_id, assurance, attributes?, verified_at}"),
            ("400", "application/problem+json", "malformed request"),
            ("401", "application/problem+json", "not a registered service provider"),
            ("404", "application/problem+json", "unknown transaction"),
            ("409", "application/problem+json", "transaction already completed (replay)"),
            ("410", "application/problem+json", "transaction expired"),
            ("422", "application/problem+json", "signature, certificate, type or revocation check failed (code names which)"),
            ("503", "application/problem+json", "J-LIS or storage unavailable; retry"),
        ],
        mount: |r| r.route("/pf/v1/transactions/complete", post(pf::complete)),
    },
    openapi::ApiRoute {
        method: "get",
        path: "/pf/v1/customers",
        summary: "The SP's customers: per-SP identifier, status, consent to updates",
        request: None,
        responses: &[
            ("200", "application/json", "[{sp_user_id, status, subscribed, since, updated_at}]"),
            ("401", "application/problem+json", "not a registered service provider"),
        ],
        mount: |r| r.route("/pf/v1/customers", get(pf::customers)),
    },
    openapi::ApiRoute {
        method: "get",
        path: "/pf/v1/notifications",
        summary: "The SP's unacknowledged notifications, oldest first (polling, beside or instead of webhooks)",
        request: None,
        responses: &[
            ("200", "application/json", "[{id, type, sp_user_id, attributes?, occurred_at}]"),
            ("401", "application/problem+json", "not a registered service provider"),
        ],
        mount: |r| r.route("/pf/v1/notifications", get(pf::notifications)),
    },
    openapi::ApiRoute {
        method: "post",
        path: "/pf/v1/notifications/{id}/ack",
        summary: "Acknowledge a notification: it is neither listed nor delivered again",
        request: None,
        responses: &[
            ("204", "text/plain", "acknowledged"),
            ("401", "application/problem+json", "not a registered service provider"),
            ("404", "application/problem+json", "no such notification for this SP"),
        ],
        mount: |r| r.route("/pf/v1/notifications/{id}/ack", post(pf::acknowledge)),
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

/// An RFC 9457 problem document.
pub(crate) fn problem(status: StatusCode, detail: &str) -> Response {
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
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let mut config = config;
    if config.public_url.is_none() {
        config.public_url = Some(format!("http://{addr}"));
    }
    let app = router(config).await.map_err(std::io::Error::other)?;
    on_listen(addr);
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
