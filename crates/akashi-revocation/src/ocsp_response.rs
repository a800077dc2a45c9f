//! OCSP responses (RFC 6960 §4.2): the status envelope, and the BasicOCSPResponse a J-LIS
//! responder signs. Parsing and verification for relying parties are in [`crate::ocsp_parse`]
//! and re-exported here.
//!
//! ```text
//! OCSPResponse ::= SEQUENCE {
//!    responseStatus         OCSPResponseStatus,
//!    responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
//!
//! ResponseBytes ::= SEQUENCE {
//!    responseType   OBJECT IDENTIFIER,     -- id-pkix-ocsp-basic
//!    response       OCTET STRING }         -- DER of BasicOCSPResponse
//!
//! BasicOCSPResponse ::= SEQUENCE {
//!    tbsResponseData      ResponseData,
//!    signatureAlgorithm   AlgorithmIdentifier,
//!    signature            BIT STRING,
//!    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//!
//! ResponseData ::= SEQUENCE {
//!    version              [0] EXPLICIT Version DEFAULT v1,
//!    responderID              ResponderID,
//!    producedAt               GeneralizedTime,
//!    responses                SEQUENCE OF SingleResponse,
//!    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//!
//! ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }
//! KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key (excluding tag and length)
//!
//! SingleResponse ::= SEQUENCE {
//!    certID                       CertID,
//!    certStatus                   CertStatus,
//!    thisUpdate                   GeneralizedTime,
//!    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//!    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//!
//! CertStatus ::= CHOICE {
//!    good        [0]     IMPLICIT NULL,
//!    revoked     [1]     IMPLICIT RevokedInfo,
//!    unknown     [2]     IMPLICIT UnknownInfo }
//!
//! RevokedInfo ::= SEQUENCE {
//!    revocationTime              GeneralizedTime,
//!    revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
//! ```
//!
//! Built responses use byKey, sha256WithRSAEncryption, and echo each request's CertID and
//! nonce byte for byte. Signing is two-phase like certificates and CRLs.

use const_oid::db::rfc6960::{ID_PKIX_OCSP_BASIC, ID_PKIX_OCSP_NONCE};
use der::asn1::OctetString;
use der::{Decode, Encode, Header, Tag, TagNumber};
use time::OffsetDateTime;
use x509_cert::ext::Extension;
use x509_ocsp::{
    OcspGeneralizedTime, OcspResponse, ResponderId, ResponseBytes, ResponseData, RevokedInfo,
    SingleResponse, Version,
};

use crate::{asn1_time, signed, CertId, RevocationError, RevocationReason};

pub use crate::ocsp_parse::{
    parse_response, verify_basic_response, ParsedBasicResponse, ParsedResponse,
    ParsedSingleResponse, ResponderIdentity,
};

/// RFC 6960 §4.2.1 OCSPResponseStatus (4 is not used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OcspResponseStatus {
    Successful,
    MalformedRequest,
    InternalError,
    TryLater,
    SigRequired,
    Unauthorized,
}

impl OcspResponseStatus {
    pub fn code(self) -> u8 {
        match self {
            OcspResponseStatus::Successful => 0,
            OcspResponseStatus::MalformedRequest => 1,
            OcspResponseStatus::InternalError => 2,
            OcspResponseStatus::TryLater => 3,
            OcspResponseStatus::SigRequired => 5,
            OcspResponseStatus::Unauthorized => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        use OcspResponseStatus::*;
        [
            Successful,
            MalformedRequest,
            InternalError,
            TryLater,
            SigRequired,
            Unauthorized,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub(crate) fn to_x509(self) -> x509_ocsp::OcspResponseStatus {
        use x509_ocsp::OcspResponseStatus as X;
        match self {
            OcspResponseStatus::Successful => X::Successful,
            OcspResponseStatus::MalformedRequest => X::MalformedRequest,
            OcspResponseStatus::InternalError => X::InternalError,
            OcspResponseStatus::TryLater => X::TryLater,
            OcspResponseStatus::SigRequired => X::SigRequired,
            OcspResponseStatus::Unauthorized => X::Unauthorized,
        }
    }
}

/// The status of one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    Good,
    /// `reason: None` omits revocationReason.
    Revoked {
        at: OffsetDateTime,
        reason: Option<RevocationReason>,
    },
    Unknown,
}

/// One answer: the CertID as the request sent it, and the status.
#[derive(Debug, Clone)]
pub struct SingleResponseParams<'a> {
    pub cert_id: &'a CertId,
    pub status: CertStatus,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
}

/// The content of a BasicOCSPResponse.
#[derive(Debug, Clone)]
pub struct BasicResponseParams<'a> {
    /// byKey: SHA-1 of the responder's subjectPublicKey bits
    /// (`akashi_jpki::profile::key_identifier` of the responder certificate's key).
    pub responder_key_id: Vec<u8>,
    pub produced_at: OffsetDateTime,
    pub responses: &'a [SingleResponseParams<'a>],
    /// The request's nonce extnValue, echoed exactly ([`crate::ParsedRequest::nonce`]).
    pub nonce: Option<&'a [u8]>,
    /// Certificates to include (the delegated responder certificate), DER.
    pub certs: &'a [&'a [u8]],
}

/// A BasicOCSPResponse awaiting the responder's signature.
#[derive(Debug, Clone)]
pub struct UnsignedOcspResponse {
    tbs_der: Vec<u8>,
    certs_tail: Vec<u8>,
}

impl UnsignedOcspResponse {
    /// The exact DER of tbsResponseData, signed with sha256WithRSAEncryption.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.tbs_der
    }

    /// The full OCSPResponse DER (status successful, responseType id-pkix-ocsp-basic).
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, RevocationError> {
        let basic = signed::assemble(&self.tbs_der, signature, &self.certs_tail)?;
        Ok(OcspResponse {
            response_status: x509_ocsp::OcspResponseStatus::Successful,
            response_bytes: Some(ResponseBytes {
                response_type: ID_PKIX_OCSP_BASIC,
                response: OctetString::new(basic)?,
            }),
        }
        .to_der()?)
    }
}

/// An OCSPResponse without responseBytes: the answer to a request that gets no statuses.
/// `Successful` is refused, since a successful response must carry a BasicOCSPResponse.
pub fn error_response(status: OcspResponseStatus) -> Result<Vec<u8>, RevocationError> {
    if status == OcspResponseStatus::Successful {
        return Err(RevocationError::invalid(
            "OCSP response",
            "a successful response needs responseBytes",
        ));
    }
    Ok(OcspResponse {
        response_status: status.to_x509(),
        response_bytes: None,
    }
    .to_der()?)
}

/// Builds the tbsResponseData (and the certs to append) of a BasicOCSPResponse.
pub fn build_basic_response(
    params: &BasicResponseParams<'_>,
) -> Result<UnsignedOcspResponse, RevocationError> {
    if params.responses.is_empty() {
        return Err(RevocationError::invalid(
            "OCSP response",
            "no SingleResponse",
        ));
    }
    let responses = params
        .responses
        .iter()
        .map(single)
        .collect::<Result<Vec<_>, _>>()?;
    let response_extensions = match params.nonce {
        Some(value) => Some(vec![Extension {
            extn_id: ID_PKIX_OCSP_NONCE,
            critical: false,
            extn_value: OctetString::new(value)?,
        }]),
        None => None,
    };
    let data = ResponseData {
        version: Version::V1,
        responder_id: ResponderId::ByKey(OctetString::new(params.responder_key_id.clone())?),
        produced_at: generalized(params.produced_at)?,
        responses,
        response_extensions,
    };
    Ok(UnsignedOcspResponse {
        tbs_der: data.to_der()?,
        certs_tail: certs_tail(params.certs)?,
    })
}

fn generalized(t: OffsetDateTime) -> Result<OcspGeneralizedTime, RevocationError> {
    Ok(OcspGeneralizedTime(asn1_time::generalized(t)?))
}

fn single(params: &SingleResponseParams<'_>) -> Result<SingleResponse, RevocationError> {
    let cert_status = match params.status {
        CertStatus::Good => x509_ocsp::CertStatus::good(),
        CertStatus::Unknown => x509_ocsp::CertStatus::unknown(),
        CertStatus::Revoked { at, reason } => x509_ocsp::CertStatus::Revoked(RevokedInfo {
            revocation_time: generalized(at)?,
            revocation_reason: reason.map(RevocationReason::to_x509),
        }),
    };
    Ok(SingleResponse {
        cert_id: params.cert_id.to_x509()?,
        cert_status,
        this_update: generalized(params.this_update)?,
        next_update: params.next_update.map(generalized).transpose()?,
        single_extensions: None,
    })
}

/// `[0] EXPLICIT SEQUENCE OF Certificate`, the certificates copied byte for byte; empty for none.
fn certs_tail(certs: &[&[u8]]) -> Result<Vec<u8>, RevocationError> {
    if certs.is_empty() {
        return Ok(Vec::new());
    }
    for cert in certs {
        x509_cert::Certificate::from_der(cert)?;
    }
    let inner_len: usize = certs.iter().map(|c| c.len()).sum();
    let sequence = Header::new(Tag::Sequence, inner_len)?.to_der()?;
    let explicit = Header::new(
        Tag::ContextSpecific {
            constructed: true,
            number: TagNumber::N0,
        },
        sequence.len() + inner_len,
    )?
    .to_der()?;
    let mut out = Vec::with_capacity(explicit.len() + sequence.len() + inner_len);
    out.extend_from_slice(&explicit);
    out.extend_from_slice(&sequence);
    for cert in certs {
        out.extend_from_slice(cert);
    }
    Ok(out)
}
