//! Reading OCSP responses as a relying party: decoding ([`parse_response`]) and checking who
//! signed them ([`verify_basic_response`]). The ASN.1 is quoted in [`crate::ocsp_response`].
//!
//! Authorised signers (RFC 6960 §4.2.2.2): the CA generation itself, or a delegated responder
//! whose certificate that CA issued with id-kp-OCSPSigning and which the response carries.

use std::ops::Range;

use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use akashi_jpki::profile::key_identifier;
use akashi_jpki::JpkiCertificate;
use const_oid::db::rfc5280::ID_KP_OCSP_SIGNING;
use const_oid::db::rfc6960::{ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE};
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::name::Name;
use x509_ocsp::{BasicOcspResponse, OcspResponse, ResponderId};

use crate::ocsp_response::{CertStatus, OcspResponseStatus};
use crate::{asn1_time, matches_issuer, signed, CertId, RevocationError, RevocationReason};

/// A decoded OCSPResponse.
#[derive(Debug, Clone)]
pub struct ParsedResponse {
    pub status: OcspResponseStatus,
    /// Present exactly when `status` is successful.
    pub basic: Option<ParsedBasicResponse>,
}

/// How the response names its signer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderIdentity {
    ByName(Name),
    /// SHA-1 of the signer's subjectPublicKey bits.
    ByKey(Vec<u8>),
}

impl ResponderIdentity {
    /// Whether `cert` is the certificate this identity names.
    pub fn names(&self, cert: &JpkiCertificate) -> bool {
        match self {
            ResponderIdentity::ByName(name) => name == cert.subject(),
            ResponderIdentity::ByKey(hash) => {
                hash == &key_identifier(&cert.certificate().tbs_certificate.subject_public_key_info)
            }
        }
    }
}

/// One decoded SingleResponse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSingleResponse {
    pub cert_id: CertId,
    pub status: CertStatus,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
}

/// A decoded BasicOCSPResponse that keeps its exact DER.
#[derive(Debug, Clone)]
pub struct ParsedBasicResponse {
    der: Vec<u8>,
    tbs: Range<usize>,
    pub responder: ResponderIdentity,
    pub produced_at: OffsetDateTime,
    pub responses: Vec<ParsedSingleResponse>,
    /// The nonce extnValue contents, exactly as sent.
    pub nonce: Option<Vec<u8>>,
    pub certs: Vec<JpkiCertificate>,
    pub signature_algorithm: const_oid::ObjectIdentifier,
    pub signature: Vec<u8>,
}

impl ParsedBasicResponse {
    /// The exact signed bytes of tbsResponseData.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// The answer about `cert_id` (compared field by field, so the hash algorithm must match).
    pub fn status_of(&self, cert_id: &CertId) -> Option<&ParsedSingleResponse> {
        self.responses.iter().find(|r| &r.cert_id == cert_id)
    }
}

/// Decodes a DER OCSPResponse (trailing bytes are an error). Only id-pkix-ocsp-basic is
/// understood; signatures are not checked here.
pub fn parse_response(der: &[u8]) -> Result<ParsedResponse, RevocationError> {
    let response = OcspResponse::from_der(der)?;
    let status = OcspResponseStatus::from_code(response.response_status as u8)
        .ok_or_else(|| RevocationError::invalid("OCSP response", "unknown status"))?;
    let basic = match (status, response.response_bytes) {
        (OcspResponseStatus::Successful, Some(bytes)) => {
            if bytes.response_type != ID_PKIX_OCSP_BASIC {
                return Err(RevocationError::invalid(
                    "OCSP response",
                    format!("unsupported responseType {}", bytes.response_type),
                ));
            }
            Some(parse_basic(bytes.response.as_bytes())?)
        }
        (OcspResponseStatus::Successful, None) => {
            return Err(RevocationError::invalid(
                "OCSP response",
                "successful without responseBytes",
            ))
        }
        (_, Some(_)) => {
            return Err(RevocationError::invalid(
                "OCSP response",
                "error status with responseBytes",
            ))
        }
        (_, None) => None,
    };
    Ok(ParsedResponse { status, basic })
}

fn parse_basic(der: &[u8]) -> Result<ParsedBasicResponse, RevocationError> {
    let basic = BasicOcspResponse::from_der(der)?;
    let tbs = signed::tbs_range(der)?;
    let data = basic.tbs_response_data;
    let responder = match data.responder_id {
        ResponderId::ByName(name) => ResponderIdentity::ByName(name),
        ResponderId::ByKey(hash) => ResponderIdentity::ByKey(hash.as_bytes().to_vec()),
    };
    let mut nonce = None;
    for extension in data.response_extensions.iter().flatten() {
        if extension.extn_id == ID_PKIX_OCSP_NONCE {
            if nonce.is_some() {
                return Err(RevocationError::invalid("OCSP response", "two nonces"));
            }
            nonce = Some(extension.extn_value.as_bytes().to_vec());
        } else if extension.critical {
            return Err(RevocationError::invalid(
                "OCSP response",
                format!("unknown critical extension {}", extension.extn_id),
            ));
        }
    }
    let responses = data
        .responses
        .iter()
        .map(|single| {
            let status = match single.cert_status {
                x509_ocsp::CertStatus::Good(_) => CertStatus::Good,
                x509_ocsp::CertStatus::Unknown(_) => CertStatus::Unknown,
                x509_ocsp::CertStatus::Revoked(info) => CertStatus::Revoked {
                    at: asn1_time::from_generalized(info.revocation_time.0)?,
                    reason: info.revocation_reason.map(RevocationReason::from_x509),
                },
            };
            Ok(ParsedSingleResponse {
                cert_id: CertId::from_x509(&single.cert_id)?,
                status,
                this_update: asn1_time::from_generalized(single.this_update.0)?,
                next_update: single
                    .next_update
                    .map(|t| asn1_time::from_generalized(t.0))
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, RevocationError>>()?;
    let certs = basic
        .certs
        .iter()
        .flatten()
        .map(|c| Ok(JpkiCertificate::from_der(&c.to_der()?)?))
        .collect::<Result<Vec<_>, RevocationError>>()?;
    Ok(ParsedBasicResponse {
        der: der.to_vec(),
        tbs,
        responder,
        produced_at: asn1_time::from_generalized(data.produced_at.0)?,
        responses,
        nonce,
        certs,
        signature_algorithm: basic.signature_algorithm.oid,
        signature: signed::signature_bytes(&basic.signature)?,
    })
}

/// Parses `der` and checks that it is a successful basic response signed by an authorised
/// signer for `trusted`:
///
/// - if `trusted` itself is the named signer (the CA generation, or a responder the caller
///   trusts directly), its key must verify the signature;
/// - otherwise an included certificate named by the responder ID must be issued by `trusted`
///   (name, key identifier, sha256WithRSAEncryption signature), carry id-kp-OCSPSigning, and be
///   within its validity at producedAt; then every CertID must name `trusted` as issuer.
///
/// Freshness (thisUpdate/nextUpdate against now) and the nonce are the caller's to check.
pub fn verify_basic_response(
    der: &[u8],
    trusted: &JpkiCertificate,
) -> Result<ParsedBasicResponse, RevocationError> {
    let parsed = parse_response(der)?;
    let Some(basic) = parsed.basic else {
        return Err(RevocationError::Verification(format!(
            "response status is {:?}",
            parsed.status
        )));
    };
    if basic.signature_algorithm != akashi_jpki::oid::SHA_256_WITH_RSA_ENCRYPTION {
        return Err(RevocationError::Verification(format!(
            "signature algorithm {} is not sha256WithRSAEncryption",
            basic.signature_algorithm
        )));
    }
    let signer = if basic.responder.names(trusted) {
        trusted
    } else {
        let delegate = basic
            .certs
            .iter()
            .find(|c| basic.responder.names(c))
            .ok_or_else(|| {
                RevocationError::Verification(
                    "the responder is neither trusted nor included".into(),
                )
            })?;
        check_delegate(delegate, trusted, basic.produced_at)?;
        if let Some(other) = basic
            .responses
            .iter()
            .find(|r| !matches_issuer(&r.cert_id, trusted))
        {
            return Err(RevocationError::Verification(format!(
                "delegated responder answered for serial {} of another issuer",
                other.cert_id.serial
            )));
        }
        delegate
    };
    verify_rsa_pkcs1(
        &signer.public_key_der()?,
        HashAlgorithm::Sha256,
        basic.tbs_der(),
        &basic.signature,
    )
    .map_err(|e| RevocationError::Verification(format!("response signature: {e}")))?;
    Ok(basic)
}

fn check_delegate(
    delegate: &JpkiCertificate,
    issuer: &JpkiCertificate,
    at: OffsetDateTime,
) -> Result<(), RevocationError> {
    let fail = |why: &str| {
        Err(RevocationError::Verification(format!(
            "responder certificate {why}"
        )))
    };
    if delegate.issuer() != issuer.subject() {
        return fail("is not issued by the trusted CA");
    }
    if let (Some(aki), Some(ski)) = (delegate.authority_key_id()?, issuer.subject_key_id()?) {
        if aki != ski {
            return fail("is issued by another CA generation");
        }
    }
    if delegate.certificate().signature_algorithm.oid
        != akashi_jpki::oid::SHA_256_WITH_RSA_ENCRYPTION
    {
        return fail("is not signed with sha256WithRSAEncryption");
    }
    let signature = signed::signature_bytes(&delegate.certificate().signature)?;
    if verify_rsa_pkcs1(
        &issuer.public_key_der()?,
        HashAlgorithm::Sha256,
        delegate.tbs_der(),
        &signature,
    )
    .is_err()
    {
        return fail("signature does not verify with the CA key");
    }
    let ocsp_signing = delegate
        .extension::<ExtendedKeyUsage>()?
        .is_some_and(|(_, eku)| eku.0.contains(&ID_KP_OCSP_SIGNING));
    if !ocsp_signing {
        return fail("lacks id-kp-OCSPSigning");
    }
    if at < delegate.not_before() || at > delegate.not_after() {
        return fail("is not valid at producedAt");
    }
    Ok(())
}
