//! B-T → B-LT (ETSI EN 319 122-1 §5.5.1 in its baseline form): the certificates of the path
//! and revocation data issued after the signature timestamp are embedded in the SignedData's
//! `certificates` and `crls`, outside the signed attributes, so the signature can be validated
//! offline after the certificate has expired and J-LIS's services are out of reach.

use der::Decode;
use time::OffsetDateTime;
use x509_cert::crl::CertificateList;
use x509_cert::Certificate;

use akashi_jlis::{Authority, Generation};
use akashi_jpki::{CertificateKind, JpkiCertificate};
use akashi_store::Store;

use crate::raw_cms::RawSignedData;
use crate::validate::{issued_by, Evidence};
use crate::{signature_timestamp, SignError};

/// Gives the validation data for a J-LIS signature certificate: its issuing root and a CRL.
#[allow(async_fn_in_trait)]
pub trait ValidationSource {
    async fn validation_data(&self, certificate_der: &[u8]) -> Result<Evidence, SignError>;

    /// Revocation data for the TSA certificates of the timestamps (their CA's CRL).
    async fn tsa_validation_data(&self) -> Result<Evidence, SignError> {
        Ok(Evidence::default())
    }
}

/// J-LIS in this process (all roles in one process): the CRL is built from its registry.
/// `tsa` is the validation data of this installation's TSA (its CA certificate and CRL).
pub struct LocalJlis<'a> {
    pub authority: &'a Authority,
    pub store: &'a Store,
    pub now: OffsetDateTime,
    pub tsa: Evidence,
}

fn generation_of(authority: &Authority, cert: &JpkiCertificate) -> Result<Generation, SignError> {
    authority
        .generations(CertificateKind::Signature)
        .map_err(|e| SignError::ValidationData(e.to_string()))?
        .into_iter()
        .find(|g| issued_by(cert, &g.certificate))
        .ok_or_else(|| {
            SignError::ValidationData(
                "no J-LIS signature CA generation issued this certificate".into(),
            )
        })
}

impl ValidationSource for LocalJlis<'_> {
    async fn validation_data(&self, certificate_der: &[u8]) -> Result<Evidence, SignError> {
        let cert = JpkiCertificate::from_der(certificate_der)
            .map_err(|e| SignError::ValidationData(e.to_string()))?;
        let generation = generation_of(self.authority, &cert)?;
        let crl = self
            .authority
            .crl(&generation, self.store, self.now)
            .await
            .map_err(|e| SignError::ValidationData(e.to_string()))?;
        Ok(Evidence {
            certificates: vec![
                certificate_der.to_vec(),
                generation.certificate.der().to_vec(),
            ],
            crls: vec![crl],
            ocsp_responses: Vec::new(),
        })
    }

    async fn tsa_validation_data(&self) -> Result<Evidence, SignError> {
        Ok(self.tsa.clone())
    }
}

/// B-T → B-LT: embeds the signer's path and J-LIS revocation data from `source`. The
/// signature must have its signature timestamp first (the data must postdate it).
pub async fn add_validation_data(
    cms_der: &[u8],
    source: &impl ValidationSource,
) -> Result<Vec<u8>, SignError> {
    if signature_timestamp(cms_der)?.is_none() {
        return Err(SignError::Invalid(
            "B-LT needs a signature timestamp first (augment to B-T)",
        ));
    }
    let view = akashi_cms::parse_signed_data(cms_der)?;
    let evidence = source.validation_data(&signer_certificate(&view)?).await?;
    embed(cms_der, &evidence)
}

/// The signer's certificate (DER) as the SignedData carries it.
pub(crate) fn signer_certificate(view: &akashi_cms::SignedDataView) -> Result<Vec<u8>, SignError> {
    view.signer_certificate(&[])
        .map(<[u8]>::to_vec)
        .ok_or(SignError::Invalid(
            "the signer's certificate is not in the signature",
        ))
}

/// Adds `evidence` to the SignedData's certificates and crls (what is there already stays, byte
/// for byte: archive timestamps cover those elements as encoded).
pub fn embed(cms_der: &[u8], evidence: &Evidence) -> Result<Vec<u8>, SignError> {
    for der in &evidence.certificates {
        Certificate::from_der(der)?;
    }
    for der in &evidence.crls {
        CertificateList::from_der(der)?;
    }
    Ok(RawSignedData::parse(cms_der)?.with(&evidence.certificates, &evidence.crls, &[])?)
}
