//! Token Status List checks: the issuer's signed list, fetched through a [`StatusFetcher`] and
//! reused for `status_ttl` seconds so that a busy verifier does not ask the issuer for every
//! presentation (and the issuer does not learn which credential is being shown: the whole
//! list is fetched, never one entry).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use akashi_sdjwt::status_list::verify_status_list_token;
use akashi_sdjwt::{CredentialStatus, EcPublicKey, StatusReference};

use crate::VerifierError;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Fetches a Status List Token (`application/statuslist+jwt`) from its URI.
pub trait StatusFetcher: Send + Sync {
    fn fetch<'a>(&'a self, uri: &'a str) -> BoxFuture<'a, Result<String, VerifierError>>;
}

/// The largest Status List Token accepted (a million 2-bit entries compress far below this).
const MAX_TOKEN_BYTES: usize = 1024 * 1024;

/// Fetches over HTTP(S) with a timeout and a size limit.
pub struct HttpStatusFetcher {
    client: reqwest::Client,
}

impl HttpStatusFetcher {
    pub fn new() -> Result<Self, VerifierError> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| VerifierError::StatusUnavailable(format!("HTTP client: {e}")))?;
        Ok(Self { client })
    }
}

fn unavailable(e: reqwest::Error) -> VerifierError {
    VerifierError::StatusUnavailable(format!("fetching the status list: {e}"))
}

impl StatusFetcher for HttpStatusFetcher {
    fn fetch<'a>(&'a self, uri: &'a str) -> BoxFuture<'a, Result<String, VerifierError>> {
        Box::pin(async move {
            if !(uri.starts_with("https://") || uri.starts_with("http://")) {
                return Err(VerifierError::StatusUnavailable(
                    "the status list URI is not http(s)".into(),
                ));
            }
            let response = self
                .client
                .get(uri)
                .header(reqwest::header::ACCEPT, "application/statuslist+jwt")
                .send()
                .await
                .map_err(unavailable)?;
            let status = response.status();
            if !status.is_success() {
                return Err(VerifierError::StatusUnavailable(format!(
                    "the status list URI answered {status}"
                )));
            }
            if response
                .content_length()
                .is_some_and(|n| n > MAX_TOKEN_BYTES as u64)
            {
                return Err(VerifierError::StatusUnavailable(
                    "the status list token is too large".into(),
                ));
            }
            let bytes = response.bytes().await.map_err(unavailable)?;
            if bytes.len() > MAX_TOKEN_BYTES {
                return Err(VerifierError::StatusUnavailable(
                    "the status list token is too large".into(),
                ));
            }
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                VerifierError::StatusUnavailable("the status list token is not text".into())
            })
        })
    }
}

/// Tokens by URI with the time they were fetched. Only tokens that verified are kept, so a
/// bad answer is not served again for `ttl` seconds.
pub(crate) struct StatusCache {
    ttl: i64,
    tokens: Mutex<HashMap<String, (i64, String)>>,
}

impl StatusCache {
    pub(crate) fn new(ttl: i64) -> Self {
        Self {
            ttl,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    fn cached(&self, uri: &str, now: i64) -> Option<String> {
        let tokens = self.tokens.lock().expect("status cache lock");
        tokens
            .get(uri)
            .filter(|(at, _)| now - at < self.ttl && now >= *at)
            .map(|(_, token)| token.clone())
    }

    /// The status of the credential at `reference`, its list signed by one of `keys` (the
    /// credential issuer's).
    pub(crate) async fn check(
        &self,
        fetcher: &dyn StatusFetcher,
        reference: &StatusReference,
        keys: &[EcPublicKey],
        now: i64,
    ) -> Result<(), VerifierError> {
        let (token, fresh) = match self.cached(&reference.uri, now) {
            Some(token) => (token, false),
            None => (fetcher.fetch(&reference.uri).await?, true),
        };
        let list = keys
            .iter()
            .find_map(|k| verify_status_list_token(&token, k, &reference.uri, now).ok())
            .ok_or_else(|| {
                VerifierError::StatusUnavailable(
                    "the status list token does not verify with the issuer's keys".into(),
                )
            })?;
        if fresh {
            let mut tokens = self.tokens.lock().expect("status cache lock");
            tokens.retain(|_, (at, _)| now - *at < self.ttl);
            tokens.insert(reference.uri.clone(), (now, token));
        }
        match reference.lookup(&list) {
            Ok(CredentialStatus::Valid) => Ok(()),
            Ok(CredentialStatus::Suspended) => Err(VerifierError::CredentialSuspended),
            Ok(_) => Err(VerifierError::CredentialRevoked),
            Err(_) => Err(VerifierError::InvalidPresentation(
                "the status index is beyond the issuer's list".into(),
            )),
        }
    }
}
