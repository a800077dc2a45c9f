//! How the PF reaches J-LIS, as one registered verifier: OCSP, the consent-gated status
//! query (latest four attributes) and the serial history. Two links: in-process (all roles in
//! one process, the embedded default) and HTTP (`akashi serve` elsewhere). Either way J-LIS
//! sees the PF's credential and the serial, never which SP the PF is working for.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Deserialize;
use time::OffsetDateTime;

use akashi_jlis::{OcspResponder, Registry, Verifier};
use akashi_jpki::{BasicFourAttributes, CertificateKind};

use crate::PfError;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// J-LIS's answer to the status query, as the PF uses it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JlisStatus {
    /// `good`, `revoked`, `held` or `unknown`.
    pub status: String,
    pub reason: Option<i64>,
    pub revoked_at: Option<i64>,
    /// With the person's consent to the PF only.
    pub current_serial: Option<String>,
    pub attributes: Option<BasicFourAttributes>,
    pub resident_status: Option<String>,
}

/// One serial of the person, from J-LIS's serial history.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HistorySerial {
    pub kind: String,
    pub serial: String,
}

/// The J-LIS services a platform operator uses.
pub trait JlisLink: Send + Sync {
    /// Sends a DER OCSPRequest; returns the DER OCSPResponse.
    fn ocsp<'a>(
        &'a self,
        request: Vec<u8>,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<u8>, PfError>>;
    fn status<'a>(
        &'a self,
        kind: CertificateKind,
        serial: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<JlisStatus, PfError>>;
    fn history<'a>(
        &'a self,
        kind: CertificateKind,
        serial: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<HistorySerial>, PfError>>;
}

fn jlis(e: impl std::fmt::Display) -> PfError {
    PfError::Jlis(e.to_string())
}

/// J-LIS in the same process: the same registry and OCSP responder `akashi serve` uses,
/// called as the PF's verifier identity.
pub struct InProcessJlis {
    pub registry: Registry,
    pub ocsp: Arc<OcspResponder>,
    pub verifier: Verifier,
}

impl JlisLink for InProcessJlis {
    fn ocsp<'a>(
        &'a self,
        request: Vec<u8>,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<u8>, PfError>> {
        Box::pin(async move { Ok(self.ocsp.respond(&self.verifier, &request, now).await) })
    }

    fn status<'a>(
        &'a self,
        kind: CertificateKind,
        serial: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<JlisStatus, PfError>> {
        Box::pin(async move {
            let a = self
                .registry
                .query_status(&self.verifier, kind, serial, now)
                .await
                .map_err(jlis)?;
            Ok(JlisStatus {
                status: a.status.to_owned(),
                reason: a.reason,
                revoked_at: a.revoked_at,
                current_serial: a.current_serial,
                attributes: a.attributes,
                resident_status: a.resident_status.map(str::to_owned),
            })
        })
    }

    fn history<'a>(
        &'a self,
        kind: CertificateKind,
        serial: &'a str,
        now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<HistorySerial>, PfError>> {
        Box::pin(async move {
            Ok(self
                .registry
                .serial_history(&self.verifier, kind, serial, now)
                .await
                .map_err(jlis)?
                .into_iter()
                .map(|h| HistorySerial {
                    kind: h.kind.to_owned(),
                    serial: h.serial,
                })
                .collect())
        })
    }
}

/// J-LIS over HTTP (`akashi serve`): `/ocsp`, `/verifier/status`, `/verifier/history`, with
/// the PF's verifier credential as the bearer token.
pub struct HttpJlis {
    client: reqwest::Client,
    base: String,
    credential: String,
}

impl HttpJlis {
    pub fn new(base: &str, credential: &str) -> Result<Self, PfError> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(jlis)?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            credential: credential.to_owned(),
        })
    }

    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, PfError> {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.credential)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(jlis)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(jlis)?;
        if !status.is_success() {
            return Err(PfError::Jlis(format!("{path} answered {status}")));
        }
        Ok(bytes.to_vec())
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        kind: CertificateKind,
        serial: &str,
    ) -> Result<T, PfError> {
        let body = serde_json::json!({ "kind": kind.as_str(), "serial": serial }).to_string();
        let bytes = self
            .post(path, "application/json", body.into_bytes())
            .await?;
        serde_json::from_slice(&bytes).map_err(jlis)
    }
}

impl JlisLink for HttpJlis {
    fn ocsp<'a>(
        &'a self,
        request: Vec<u8>,
        _now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<u8>, PfError>> {
        Box::pin(self.post("/ocsp", "application/ocsp-request", request))
    }

    fn status<'a>(
        &'a self,
        kind: CertificateKind,
        serial: &'a str,
        _now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<JlisStatus, PfError>> {
        Box::pin(self.json("/verifier/status", kind, serial))
    }

    fn history<'a>(
        &'a self,
        kind: CertificateKind,
        serial: &'a str,
        _now: OffsetDateTime,
    ) -> BoxFuture<'a, Result<Vec<HistorySerial>, PfError>> {
        Box::pin(self.json("/verifier/history", kind, serial))
    }
}
