//! Where signature timestamps come from: a TSA in this process, or one over HTTP.

use der::Encode;
use time::OffsetDateTime;
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use akashi_store::Store;
use akashi_tsa::{next_serial, Tsa};

use crate::SignError;

/// Gives an RFC 3161 timestamp token (the DER `ContentInfo`) over a SHA-256 digest.
#[allow(async_fn_in_trait)]
pub trait TimestampSource {
    async fn timestamp(&self, sha256: [u8; 32]) -> Result<Vec<u8>, SignError>;
}

/// The TSA of this process, its serial numbers from `store`, its clock reading `now`.
pub struct LocalTsa<'a> {
    pub tsa: &'a Tsa,
    pub store: &'a Store,
    pub now: OffsetDateTime,
}

/// A DER `TimeStampReq` over a SHA-256 digest, asking for the TSA certificate.
pub fn request(sha256: [u8; 32]) -> Result<Vec<u8>, SignError> {
    Ok(TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifier {
                oid: const_oid::db::rfc5912::ID_SHA_256,
                parameters: None,
            },
            hashed_message: der::asn1::OctetString::new(sha256)?,
        },
        req_policy: None,
        nonce: None,
        cert_req: true,
        extensions: None,
    }
    .to_der()?)
}

/// The token of a granted `TimeStampResp`.
pub fn token_of(response: &[u8]) -> Result<Vec<u8>, SignError> {
    let (status, token) = akashi_tsa::decode_response(response)?;
    if status > 1 {
        return Err(SignError::TsaRefused(format!("PKIStatus {status}")));
    }
    token.ok_or(SignError::Invalid(
        "a granted time-stamp response without a token",
    ))
}

impl TimestampSource for LocalTsa<'_> {
    async fn timestamp(&self, sha256: [u8; 32]) -> Result<Vec<u8>, SignError> {
        let req = request(sha256)?;
        let checked = self
            .tsa
            .check(&req)
            .map_err(|e| SignError::TsaRefused(e.to_string()))?;
        let serial = next_serial(self.store, "default").await?;
        token_of(&self.tsa.grant(&checked, serial, self.now)?)
    }
}

/// A TSA over HTTP (RFC 3161 §3.4: POST `application/timestamp-query`), e.g. `akashi serve`'s
/// `/tsa`. The answer must be a granted token over the digest sent.
pub struct HttpTsa {
    url: String,
    client: reqwest::Client,
}

impl HttpTsa {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            client: reqwest::Client::new(),
        }
    }
}

impl TimestampSource for HttpTsa {
    async fn timestamp(&self, sha256: [u8; 32]) -> Result<Vec<u8>, SignError> {
        let response = self
            .client
            .post(&self.url)
            .header("content-type", "application/timestamp-query")
            .body(request(sha256)?)
            .send()
            .await
            .map_err(|e| SignError::Http(format!("{}: {e}", self.url)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| SignError::Http(format!("{}: {e}", self.url)))?;
        if !status.is_success() {
            return Err(SignError::Http(format!(
                "{} answered {status}: {}",
                self.url,
                String::from_utf8_lossy(&body[..body.len().min(200)])
            )));
        }
        let token = token_of(&body)?;
        check_imprint(&token, &sha256)?;
        Ok(token)
    }
}

/// Whether `token`'s TSTInfo is over `sha256` (a TSA client must not trust a token for
/// other data).
fn check_imprint(token: &[u8], sha256: &[u8; 32]) -> Result<(), SignError> {
    use der::Decode;
    let view = akashi_cms::parse_signed_data(token)?;
    let econtent = view
        .econtent
        .ok_or(SignError::Invalid("a timestamp token without a TSTInfo"))?;
    let tst = x509_tsp::TstInfo::from_der(&econtent)?;
    if tst.message_imprint.hashed_message.as_bytes() != sha256 {
        return Err(SignError::Invalid("the TSA timestamped other data"));
    }
    Ok(())
}
