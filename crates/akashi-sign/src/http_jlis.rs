//! J-LIS over HTTP as a registered verifier reaches it (`akashi serve`'s `/crl/{file}`, with the
//! verifier's Bearer credential): the validation data B-LT embeds, for a signer who has no J-LIS
//! in their own process. J-LIS publishes one CRL per CA generation
//! (`signature-gen{N}.crl`); the one that matters is the CRL of the root that issued the
//! certificate, found among the trusted roots and checked against it before it is embedded.

use akashi_jpki::JpkiCertificate;
use akashi_revocation::verify_crl;

use crate::validate::{issued_by, Evidence};
use crate::{SignError, ValidationSource};

/// J-LIS keeps only a handful of CA generations alive; a bound keeps a broken server from
/// sending the client round in circles.
const MAX_GENERATIONS: u32 = 32;

pub struct HttpJlis {
    base: String,
    credential: String,
    roots: Vec<JpkiCertificate>,
    /// Validation data of the TSA used (its CA certificate, CRL), embedded as given.
    tsa: Evidence,
    client: reqwest::Client,
}

impl HttpJlis {
    /// `base` is J-LIS's URL (e.g. `http://host:8080`), `credential` the verifier's API
    /// credential, `roots` the J-LIS signature roots the signer trusts.
    pub fn new(
        base: impl Into<String>,
        credential: impl Into<String>,
        roots: Vec<JpkiCertificate>,
        tsa: Evidence,
    ) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            credential: credential.into(),
            roots,
            tsa,
            client: reqwest::Client::new(),
        }
    }

    /// `Some(DER)` of CRL `file`, `None` when J-LIS has no such generation (404).
    async fn fetch(&self, file: &str) -> Result<Option<Vec<u8>>, SignError> {
        let url = format!("{}/crl/{file}", self.base);
        let response = self
            .client
            .get(&url)
            .bearer_auth(&self.credential)
            .send()
            .await
            .map_err(|e| SignError::Http(format!("{url}: {e}")))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(SignError::ValidationData(format!(
                "{url}: J-LIS refused the credential (CRLs are for registered verifiers)"
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| SignError::Http(format!("{url}: {e}")))?;
        if !status.is_success() {
            return Err(SignError::Http(format!(
                "{url} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            )));
        }
        Ok(Some(body.to_vec()))
    }
}

impl ValidationSource for HttpJlis {
    async fn validation_data(&self, certificate_der: &[u8]) -> Result<Evidence, SignError> {
        let cert = JpkiCertificate::from_der(certificate_der)
            .map_err(|e| SignError::ValidationData(e.to_string()))?;
        let root = self
            .roots
            .iter()
            .find(|r| issued_by(&cert, r))
            .ok_or_else(|| {
                SignError::ValidationData(
                    "none of the trusted J-LIS roots issued this certificate".into(),
                )
            })?;
        for generation in 1..=MAX_GENERATIONS {
            let Some(crl) = self
                .fetch(&format!("signature-gen{generation}.crl"))
                .await?
            else {
                break;
            };
            if verify_crl(&crl, root).is_ok() {
                return Ok(Evidence {
                    certificates: vec![certificate_der.to_vec(), root.der().to_vec()],
                    crls: vec![crl],
                    ocsp_responses: Vec::new(),
                });
            }
        }
        Err(SignError::ValidationData(format!(
            "{}: no CRL signed by the root that issued this certificate (serial {})",
            self.base,
            root.serial_hex()
        )))
    }

    async fn tsa_validation_data(&self) -> Result<Evidence, SignError> {
        Ok(self.tsa.clone())
    }
}
