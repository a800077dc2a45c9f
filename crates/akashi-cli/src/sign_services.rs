//! Where signing gets its services: the installation's TSA (or `--tsa URL`) for timestamps
//! and its J-LIS registry for validation data; raising signatures from one level to the next.

use std::path::Path;

use time::OffsetDateTime;

use akashi_crypto::OsRandom;
use akashi_jlis::Authority;
use akashi_jpki::{CertificateKind, JpkiCertificate};
use akashi_sign::validate::Level;
use akashi_sign::{
    add_archive_timestamp, add_document_timestamp, add_pades_validation_data,
    add_signature_timestamp, add_timestamp_validation_data, add_validation_data, cades_level,
    signed_content_digest, Anchors, Evidence, HttpTsa, LocalJlis, LocalTsa, SignError,
    TimestampSource,
};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

use crate::cmd_sign::{sign_error, Services, SignLevel};
use crate::error::CliError;
use crate::keyring;
use crate::sign_validation::{Validation, ValidationSources};

/// The installation's TSA (local, or `--tsa URL`).
pub enum Tsas {
    Local(Tsa, Store, OffsetDateTime),
    Http(HttpTsa),
}

impl Tsas {
    pub async fn open(
        services: &Services,
        key_file: Option<&Path>,
        now: OffsetDateTime,
    ) -> Result<Self, CliError> {
        if let Some(url) = &services.tsa {
            return Ok(Tsas::Http(HttpTsa::new(url.clone())));
        }
        let key = keyring::sealing_key(key_file)?;
        let tsa = Tsa::new(
            TsaAuthority::open_or_create(&services.data, &key, now, &OsRandom)
                .map_err(|e| CliError::usage(e.to_string()))?,
        );
        let store = Store::open_in_dir(&services.data).await?;
        Ok(Tsas::Local(tsa, store, now))
    }
}

impl TimestampSource for Tsas {
    async fn timestamp(&self, sha256: [u8; 32]) -> Result<Vec<u8>, SignError> {
        match self {
            Tsas::Local(tsa, store, now) => {
                let local = LocalTsa {
                    tsa,
                    store,
                    now: *now,
                };
                local.timestamp(sha256).await
            }
            Tsas::Http(http) => http.timestamp(sha256).await,
        }
    }
}

/// This installation's J-LIS (CRLs from its registry) and, with the local TSA, its CA's CRL
/// and root: what a [`LocalJlis`] borrows.
pub struct LocalValidation {
    pub authority: Authority,
    pub store: Store,
    pub tsa: Evidence,
    pub now: OffsetDateTime,
}

impl LocalValidation {
    pub async fn open(
        services: &Services,
        key_file: Option<&Path>,
        now: OffsetDateTime,
    ) -> Result<Self, CliError> {
        let key = keyring::sealing_key(key_file)?;
        let authority = Authority::open(&services.data, key.clone())?;
        let store = Store::open_in_dir(&services.data).await?;
        let mut tsa = Evidence::default();
        if services.tsa.is_none() {
            let local = TsaAuthority::open_or_create(&services.data, &key, now, &OsRandom)
                .map_err(|e| CliError::usage(e.to_string()))?;
            tsa.certificates.push(local.ca_certificate().to_vec());
            // An external CA (akashi tsa install) publishes the CRLs of its TSA certificate.
            if !local.is_external() {
                tsa.crls.push(
                    local
                        .crl(&services.data, &key, now)
                        .map_err(|e| CliError::usage(e.to_string()))?,
                );
            }
        }
        Ok(Self {
            authority,
            store,
            tsa,
            now,
        })
    }

    pub fn source(&self) -> LocalJlis<'_> {
        LocalJlis {
            authority: &self.authority,
            store: &self.store,
            now: self.now,
            tsa: self.tsa.clone(),
        }
    }

    /// The anchors this installation trusts: its J-LIS signature roots (every generation)
    /// and, with the local TSA, the TSA's root.
    pub fn anchors(&self) -> Result<Anchors, CliError> {
        let mut anchors = Anchors::default();
        for generation in self.authority.generations(CertificateKind::Signature)? {
            anchors.add(generation.certificate);
        }
        for der in &self.tsa.certificates {
            anchors.add(JpkiCertificate::from_der(der)?);
        }
        Ok(anchors)
    }
}

/// Runs `with` on the validation source `services` names (local J-LIS, or `--jlis URL`).
pub async fn local_services<T>(
    services: &Services,
    key_file: Option<&Path>,
    now: OffsetDateTime,
    with: impl for<'a> FnOnce(Validation<'a>) -> BoxFuture<'a, T>,
) -> Result<T, CliError> {
    let sources = ValidationSources::open(services, key_file, now).await?;
    with(sources.source()).await.map_err(sign_error)
}

pub type BoxFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, SignError>> + 'a>>;

/// Raises a signed PDF to `to`: LT adds the DSS; LTA adds a document timestamp (a renewal
/// when the PDF has one already: the DSS first, then the new timestamp).
pub async fn raise_pdf(
    pdf: Vec<u8>,
    to: SignLevel,
    services: &Services,
    key_file: Option<&Path>,
    now: OffsetDateTime,
) -> Result<Vec<u8>, CliError> {
    if to < SignLevel::Lt {
        return Ok(pdf);
    }
    let pdf = local_services(services, key_file, now, |source| {
        Box::pin(async move { add_pades_validation_data(&pdf, &source).await })
    })
    .await?;
    if to < SignLevel::Lta {
        return Ok(pdf);
    }
    let tsas = Tsas::open(services, key_file, now).await?;
    add_document_timestamp(&pdf, &tsas)
        .await
        .map_err(sign_error)
}

/// Raises a CAdES signature from level `from` (or the level its structure shows, if higher) to
/// `to`. LTA embeds the timestamps' validation data (TSA certificates, their CA's CRL) and
/// adds an archive timestamp; on a B-LTA signature that is the renewal.
pub async fn raise(
    mut cms: Vec<u8>,
    from: SignLevel,
    to: SignLevel,
    services: &Services,
    key_file: Option<&Path>,
    now: OffsetDateTime,
) -> Result<Vec<u8>, CliError> {
    let from = from.max(structural_level(&cms)?);
    if from < SignLevel::T && to >= SignLevel::T {
        let tsas = Tsas::open(services, key_file, now).await?;
        cms = add_signature_timestamp(&cms, &tsas)
            .await
            .map_err(sign_error)?;
    }
    if from < SignLevel::Lt && to >= SignLevel::Lt {
        cms = local_services(services, key_file, now, |source| {
            Box::pin(async move { add_validation_data(&cms, &source).await })
        })
        .await?;
    }
    if to == SignLevel::Lta {
        // The signed message digest is the content's SHA-256, the hash the archive timestamp
        // covers: a detached signature can be archived without its content.
        let content_sha256 = signed_content_digest(&cms).map_err(sign_error)?;
        cms = local_services(services, key_file, now, |source| {
            Box::pin(async move { add_timestamp_validation_data(&cms, &source).await })
        })
        .await?;
        let tsas = Tsas::open(services, key_file, now).await?;
        cms = add_archive_timestamp(&cms, &content_sha256, &tsas)
            .await
            .map_err(sign_error)?;
    }
    Ok(cms)
}

/// What the signature already has (so augmenting a B-LT file to LTA does not embed its
/// validation data twice).
fn structural_level(cms: &[u8]) -> Result<SignLevel, CliError> {
    Ok(match cades_level(cms).map_err(sign_error)? {
        Level::BB => SignLevel::B,
        Level::BT => SignLevel::T,
        Level::BLt => SignLevel::Lt,
        Level::BLta => SignLevel::Lta,
    })
}
