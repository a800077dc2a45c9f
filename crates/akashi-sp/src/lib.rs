//! What a service provider (SP事業者) links to use a PF operator: [`SpClient`] starts an
//! identity proofing or a login and sends the card-signed request; [`card_signs`] has the
//! person's card (any [`Card`]: virtual, or a reader over PC/SC) sign the PF's bytes through
//! its APDU interface; [`WebhookInbox`] checks and de-duplicates the PF's notifications.
//!
//! The SP passes the card's certificate through to the PF and keeps nothing of it: the
//! [`Outcome`] it gets back has no serial, certificate or key.
#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use akashi_card::{Card, CertificateSlot, HostError};
use akashi_pf_protocol::webhook::{self, WebhookError};
pub use akashi_pf_protocol::{
    Attributes, CertificateType, CompleteRequest, Customer, Notification, NotificationType,
    Outcome, Problem, Purpose, StartRequest, StartResponse,
};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpError {
    /// The PF refused, with its problem document (`code` says why).
    #[error("the PF refused: {} ({})", .0.detail, .0.code)]
    Refused(Problem),
    #[error("the PF could not be reached: {0}")]
    Transport(String),
    #[error("unexpected answer from the PF: HTTP {status}")]
    Unexpected { status: u16 },
    #[error("card: {0}")]
    Card(#[from] HostError),
    #[error("the PF's to_be_signed is not base64")]
    BadToBeSigned,
    #[error("CMS: {0}")]
    Cms(String),
}

/// An SP's connection to its PF.
pub struct SpClient {
    http: reqwest::Client,
    base: String,
    credential: String,
}

impl SpClient {
    /// `base` is the PF's URL (e.g. `https://pf.example`), `credential` the SP's API key.
    pub fn new(base: &str, credential: &str) -> Result<Self, SpError> {
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .map_err(|e| SpError::Transport(e.to_string()))?,
            base: base.trim_end_matches('/').to_owned(),
            credential: credential.to_owned(),
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SpError> {
        let response = request
            .bearer_auth(&self.credential)
            .send()
            .await
            .map_err(|e| SpError::Transport(e.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| SpError::Transport(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|_| SpError::Unexpected {
                status: status.as_u16(),
            });
        }
        match serde_json::from_slice::<Problem>(&body) {
            Ok(problem) => Err(SpError::Refused(problem)),
            Err(_) => Err(SpError::Unexpected {
                status: status.as_u16(),
            }),
        }
    }

    /// Starts a proofing or login; show `to_be_signed` to the person, then have the card sign.
    pub async fn start(&self, request: &StartRequest) -> Result<StartResponse, SpError> {
        let body = serde_json::to_vec(request).expect("requests serialise");
        self.call(
            self.http
                .post(format!("{}/pf/v1/transactions", self.base))
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    /// Sends the card-signed request; the PF's verdict.
    pub async fn complete(&self, request: &CompleteRequest) -> Result<Outcome, SpError> {
        let body = serde_json::to_vec(request).expect("requests serialise");
        self.call(
            self.http
                .post(format!("{}/pf/v1/transactions/complete", self.base))
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    /// Notifications not yet acknowledged (for an SP that polls instead of receiving webhooks).
    pub async fn notifications(&self) -> Result<Vec<Notification>, SpError> {
        self.call(self.http.get(format!("{}/pf/v1/notifications", self.base)))
            .await
    }

    /// Acknowledges a notification so it is neither listed nor delivered again.
    pub async fn acknowledge(&self, id: &str) -> Result<(), SpError> {
        let response = self
            .http
            .post(format!("{}/pf/v1/notifications/{id}/ack", self.base))
            .bearer_auth(&self.credential)
            .send()
            .await
            .map_err(|e| SpError::Transport(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| SpError::Transport(e.to_string()))?;
        Err(match serde_json::from_slice::<Problem>(&body) {
            Ok(problem) => SpError::Refused(problem),
            Err(_) => SpError::Unexpected {
                status: status.as_u16(),
            },
        })
    }

    /// This SP's customers.
    pub async fn customers(&self) -> Result<Vec<Customer>, SpError> {
        self.call(self.http.get(format!("{}/pf/v1/customers", self.base)))
            .await
    }
}

/// The person's PIN for the purpose: the signature PIN (6–16 characters) for identity
/// proofing, the 4-digit authentication PIN for login.
pub struct Pin<'a>(pub &'a str);

/// Has `card` sign the PF's bytes through its APDU interface and builds the request to send:
/// the signature certificate and key for identity proofing, the authentication ones for login.
pub fn card_signs(
    card: &mut dyn Card,
    purpose: Purpose,
    start: &StartResponse,
    pin: Pin<'_>,
) -> Result<CompleteRequest, SpError> {
    let tbs = STANDARD
        .decode(&start.to_be_signed)
        .map_err(|_| SpError::BadToBeSigned)?;
    let (certificate, signature) = match purpose {
        Purpose::IdentityProofing => (
            card.read_certificate(CertificateSlot::Signature, Some(pin.0))?,
            card.sign(&tbs, pin.0)?,
        ),
        Purpose::Login => (
            card.read_certificate(CertificateSlot::Authentication, None)?,
            card.authenticate(&tbs, pin.0)?,
        ),
    };
    Ok(CompleteRequest {
        transaction: start.transaction.clone(),
        format: "jpki-simple-v1".into(),
        signed_data: start.to_be_signed.clone(),
        certificate: STANDARD.encode(certificate),
        signature: STANDARD.encode(signature),
    })
}

/// As [`card_signs`], in the `jpki-cms-v1` format: the SP's app builds the CMS signed
/// attributes over the PF's bytes, the card signs them (two-phase: the key stays on the card),
/// and the detached `SignedData` carries the certificate.
pub fn card_signs_cms(
    card: &mut dyn Card,
    purpose: Purpose,
    start: &StartResponse,
    pin: Pin<'_>,
    signing_time: time::OffsetDateTime,
) -> Result<CompleteRequest, SpError> {
    let tbs = STANDARD
        .decode(&start.to_be_signed)
        .map_err(|_| SpError::BadToBeSigned)?;
    let certificate = match purpose {
        Purpose::IdentityProofing => {
            card.read_certificate(CertificateSlot::Signature, Some(pin.0))?
        }
        Purpose::Login => card.read_certificate(CertificateSlot::Authentication, None)?,
    };
    let prepared = akashi_cms::prepare_detached(&tbs, &certificate, signing_time)
        .map_err(|e| SpError::Cms(e.to_string()))?;
    let signature = match purpose {
        Purpose::IdentityProofing => card.sign(prepared.to_be_signed(), pin.0)?,
        Purpose::Login => card.authenticate(prepared.to_be_signed(), pin.0)?,
    };
    let cms = prepared
        .complete(&signature)
        .map_err(|e| SpError::Cms(e.to_string()))?;
    Ok(CompleteRequest {
        transaction: start.transaction.clone(),
        format: "jpki-cms-v1".into(),
        signed_data: start.to_be_signed.clone(),
        certificate: String::new(),
        signature: STANDARD.encode(cms),
    })
}

/// An SP's webhook endpoint logic: signature and timestamp checked (Standard Webhooks), and
/// each notification id accepted once (deliveries are at-least-once).
pub struct WebhookInbox {
    secret: String,
    seen: HashSet<String>,
}

impl WebhookInbox {
    pub fn new(secret: &str) -> Self {
        Self {
            secret: secret.to_owned(),
            seen: HashSet::new(),
        }
    }

    /// `Ok(Some(n))` for a new notification, `Ok(None)` for a repeat (acknowledge it again),
    /// `Err` for a forged or stale one (answer 400; the PF will retry a genuine one).
    pub fn receive(
        &mut self,
        id: &str,
        timestamp: &str,
        signature: &str,
        body: &[u8],
        now: i64,
    ) -> Result<Option<Notification>, WebhookError> {
        webhook::verify(&self.secret, id, timestamp, signature, body, now)?;
        let notification: Notification =
            serde_json::from_slice(body).map_err(|_| WebhookError::Signature)?;
        if notification.id != id || !self.seen.insert(id.to_owned()) {
            return Ok(None);
        }
        Ok(Some(notification))
    }
}
