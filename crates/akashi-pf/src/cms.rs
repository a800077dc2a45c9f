//! The `jpki-cms-v1` format: a CMS `SignedData` over the transaction's to-be-signed bytes, as
//! JPKI client libraries produce it. Everything but the RSA signature is checked here; the
//! signature (over the exact signed-attribute bytes) is checked with the certificate's key in
//! the next state, like the simple format's.

use akashi_cms::{parse_signed_data, ID_DATA, ID_SHA256, RSA_ENCRYPTION, SHA256_WITH_RSA};
use akashi_crypto::{constant_time_eq, sha256};
use akashi_jpki::JpkiCertificate;
use der::Encode;

use crate::PfError;

fn malformed(what: impl std::fmt::Display) -> PfError {
    PfError::Malformed(format!("CMS: {what}"))
}

/// Whether the CMS signer identifier names `cert`.
fn names(
    issuer_and_serial: &Option<(Vec<u8>, Vec<u8>)>,
    ski: &Option<Vec<u8>>,
    cert: &[u8],
) -> Result<bool, PfError> {
    let cert =
        JpkiCertificate::from_der(cert).map_err(|e| PfError::InvalidCertificate(e.to_string()))?;
    let tbs = &cert.certificate().tbs_certificate;
    if let Some((issuer, serial)) = issuer_and_serial {
        let cert_issuer = tbs.issuer.to_der().map_err(malformed)?;
        return Ok(issuer == &cert_issuer && serial.as_slice() == tbs.serial_number.as_bytes());
    }
    if let Some(ski) = ski {
        return Ok(cert
            .subject_key_id()
            .map_err(|e| PfError::InvalidCertificate(e.to_string()))?
            .is_some_and(|k| &k == ski));
    }
    Ok(false)
}

/// What the signature check needs of a CMS request.
pub(crate) struct Opened {
    pub certificate: Vec<u8>,
    /// The exact signed-attribute bytes the signature is over.
    pub signed_message: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Checks `cms_der` against the transaction's `signed_data`.
pub(crate) fn open(
    cms_der: &[u8],
    signed_data: &[u8],
    given: Option<Vec<u8>>,
) -> Result<Opened, PfError> {
    let view = parse_signed_data(cms_der).map_err(malformed)?;
    let s = &view.signer;
    if view.econtent_type != ID_DATA || s.content_type != ID_DATA {
        return Err(malformed("the content type must be id-data"));
    }
    if let Some(content) = &view.econtent {
        if content != signed_data {
            return Err(PfError::SignedDataMismatch);
        }
    }
    if s.digest_algorithm != ID_SHA256 {
        return Err(malformed(format!(
            "digest algorithm {} is not SHA-256",
            s.digest_algorithm
        )));
    }
    if s.signature_algorithm != RSA_ENCRYPTION && s.signature_algorithm != SHA256_WITH_RSA {
        return Err(malformed(format!(
            "signature algorithm {} is not RSASSA-PKCS1-v1_5",
            s.signature_algorithm
        )));
    }
    if !constant_time_eq(&s.message_digest, &sha256(signed_data)) {
        return Err(PfError::SignedDataMismatch);
    }
    let certificate = match given {
        Some(cert) => {
            if !names(&s.issuer_and_serial, &s.subject_key_id, &cert)? {
                return Err(malformed("the signer is not the given certificate"));
            }
            cert
        }
        None => {
            let mut found = None;
            for cert in &view.certificates {
                if names(&s.issuer_and_serial, &s.subject_key_id, cert)? {
                    found = Some(cert.clone());
                    break;
                }
            }
            found.ok_or_else(|| {
                malformed("the signer's certificate is neither given nor included")
            })?
        }
    };
    Ok(Opened {
        certificate,
        signed_message: s.signed_attrs.clone(),
        signature: s.signature.clone(),
    })
}
