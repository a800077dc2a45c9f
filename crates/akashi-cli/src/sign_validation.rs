//! Where B-LT's validation data comes from: this installation's J-LIS (`--data`), or J-LIS over
//! HTTP as a registered verifier (`--jlis URL --jlis-credential C --jlis-roots DIR`), for a
//! signer whose machine runs no J-LIS.

use std::path::Path;

use time::OffsetDateTime;

use akashi_jpki::JpkiCertificate;
use akashi_sign::{Anchors, Evidence, HttpJlis, LocalJlis, SignError, ValidationSource};

use crate::cmd_sign::{sign_error, Services};
use crate::error::CliError;
use crate::sign_services::LocalValidation;

pub enum ValidationSources {
    Local(LocalValidation),
    Http { jlis: HttpJlis, anchors: Anchors },
}

/// A borrowed [`ValidationSources`], as the signing functions take it.
pub enum Validation<'a> {
    Local(LocalJlis<'a>),
    Http(&'a HttpJlis),
}

impl ValidationSources {
    pub async fn open(
        services: &Services,
        key_file: Option<&Path>,
        now: OffsetDateTime,
    ) -> Result<Self, CliError> {
        let Some(url) = &services.jlis else {
            return Ok(Self::Local(
                LocalValidation::open(services, key_file, now).await?,
            ));
        };
        let (Some(credential), Some(roots)) = (&services.jlis_credential, &services.jlis_roots)
        else {
            return Err(CliError::usage(
                "--jlis needs --jlis-credential (a registered verifier's credential) and \
                 --jlis-roots (the J-LIS roots you trust)",
            ));
        };
        let anchors = Anchors::from_dir(roots).map_err(sign_error)?;
        if anchors.jpki.is_empty() {
            return Err(CliError::usage(format!(
                "{}: no J-LIS root certificate",
                roots.display()
            )));
        }
        let jlis = HttpJlis::new(
            url.clone(),
            credential.clone(),
            anchors.jpki.roots().to_vec(),
            Evidence::default(),
        );
        Ok(Self::Http { jlis, anchors })
    }

    pub fn source(&self) -> Validation<'_> {
        match self {
            Self::Local(local) => Validation::Local(local.source()),
            Self::Http { jlis, .. } => Validation::Http(jlis),
        }
    }

    /// The roots a new signature is checked against: the local J-LIS's and TSA's, or the
    /// J-LIS roots given with `--jlis-roots` (with any TSA root in the same directory).
    pub fn anchors(&self) -> Result<Anchors, CliError> {
        match self {
            Self::Local(local) => local.anchors(),
            Self::Http { anchors, .. } => Ok(anchors.clone()),
        }
    }
}

impl ValidationSource for Validation<'_> {
    async fn validation_data(&self, certificate_der: &[u8]) -> Result<Evidence, SignError> {
        match self {
            Self::Local(local) => local.validation_data(certificate_der).await,
            Self::Http(http) => http.validation_data(certificate_der).await,
        }
    }

    async fn tsa_validation_data(&self) -> Result<Evidence, SignError> {
        match self {
            Self::Local(local) => local.tsa_validation_data().await,
            Self::Http(http) => http.tsa_validation_data().await,
        }
    }
}

/// Adds every root in `dir` to `anchors`.
pub fn add_anchors(anchors: &mut Anchors, dir: &Path) -> Result<(), CliError> {
    let extra = Anchors::from_dir(dir).map_err(sign_error)?;
    for cert in extra.jpki.roots().iter().chain(&extra.tsa) {
        anchors.add(JpkiCertificate::clone(cert));
    }
    Ok(())
}
