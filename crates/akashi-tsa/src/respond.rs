//! Answering a `TimeStampReq` (RFC 3161 §2.4): checks first, so a bad request costs no serial
//! number; then the TSTInfo, signed in CMS SignedData with the signing-certificate-v2
//! attribute (RFC 5816) by the TSA key.
//!
//! ```text
//! TimeStampResp ::= SEQUENCE {
//!     status          PKIStatusInfo,
//!     timeStampToken  TimeStampToken OPTIONAL }
//! PKIStatusInfo ::= SEQUENCE {
//!     status        PKIStatus,              -- INTEGER: granted (0), rejection (2)
//!     statusString  PKIFreeText OPTIONAL,   -- SEQUENCE OF UTF8String
//!     failInfo      PKIFailureInfo OPTIONAL } -- BIT STRING
//! ```

use const_oid::db::rfc5912::{ID_SHA_256, ID_SHA_384, ID_SHA_512};
use der::asn1::{BitString, GeneralizedTime, Int, Utf8StringRef};
use der::{Decode, Encode, Sequence};
use time::OffsetDateTime;
use x509_tsp::{Accuracy, TimeStampReq, TspVersion, TstInfo};

use akashi_cms::{prepare, SignedAttributes};
use akashi_store::Store;

use crate::authority::TsaAuthority;
use crate::TsaError;

/// id-ct-TSTInfo (RFC 3161 §2.4.2): the eContentType of a timestamp token.
pub const ID_CT_TST_INFO: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// Why a request is refused; each maps to its PKIFailureInfo bit (RFC 3161 §2.4.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TsaRejection {
    #[error("the hash algorithm is not SHA-256, SHA-384 or SHA-512")]
    BadAlg,
    #[error("the request is not a DER TimeStampReq: {0}")]
    BadDataFormat(String),
    #[error("the hashed message does not have the length of its algorithm")]
    BadRequest,
    #[error("the requested policy is not this TSA's")]
    UnacceptedPolicy,
    #[error("the request carries extensions this TSA does not support")]
    UnacceptedExtension,
    #[error("the TSA could not answer")]
    SystemFailure,
}

impl TsaRejection {
    fn fail_bit(&self) -> usize {
        match self {
            Self::BadAlg => 0,
            Self::BadRequest => 2,
            Self::BadDataFormat(_) => 5,
            Self::UnacceptedPolicy => 15,
            Self::UnacceptedExtension => 16,
            Self::SystemFailure => 25,
        }
    }
}

#[derive(Sequence)]
struct StatusInfo<'a> {
    status: u8,
    #[asn1(optional = "true")]
    status_string: Option<Vec<Utf8StringRef<'a>>>,
    #[asn1(optional = "true")]
    fail_info: Option<BitString>,
}

#[derive(Sequence)]
struct Response<'a> {
    status: StatusInfo<'a>,
    #[asn1(optional = "true")]
    token: Option<der::Any>,
}

/// A TSA answering with one key and policy.
pub struct Tsa {
    authority: TsaAuthority,
    /// Stated in every token (seconds): genTime is whole seconds.
    accuracy_seconds: u64,
}

impl Tsa {
    pub fn new(authority: TsaAuthority) -> Self {
        Self {
            authority,
            accuracy_seconds: 1,
        }
    }

    pub fn authority(&self) -> &TsaAuthority {
        &self.authority
    }

    /// Decodes and checks a request; nothing is spent on a bad one.
    pub fn check(&self, request: &[u8]) -> Result<TimeStampReq, TsaRejection> {
        let req = TimeStampReq::from_der(request)
            .map_err(|e| TsaRejection::BadDataFormat(e.to_string()))?;
        let imprint = &req.message_imprint;
        let length = match imprint.hash_algorithm.oid {
            ID_SHA_256 => 32,
            ID_SHA_384 => 48,
            ID_SHA_512 => 64,
            _ => return Err(TsaRejection::BadAlg),
        };
        if imprint.hashed_message.as_bytes().len() != length {
            return Err(TsaRejection::BadRequest);
        }
        if req.req_policy.is_some_and(|p| p != self.authority.policy) {
            return Err(TsaRejection::UnacceptedPolicy);
        }
        if req.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
            return Err(TsaRejection::UnacceptedExtension);
        }
        Ok(req)
    }

    /// The granted `TimeStampResp` for a checked request, with serial number `serial` and
    /// the time `now`.
    pub fn grant(
        &self,
        request: &TimeStampReq,
        serial: u64,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, TsaError> {
        let seconds = u64::try_from(now.unix_timestamp()).map_err(|_| TsaError::Io {
            path: "clock".into(),
            why: "before 1970".into(),
        })?;
        let info = TstInfo {
            version: TspVersion::V1,
            policy: self.authority.policy,
            message_imprint: request.message_imprint.clone(),
            serial_number: Int::new(&minimal_positive(serial))?,
            gen_time: GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(seconds))?,
            accuracy: Some(Accuracy {
                seconds: Some(self.accuracy_seconds),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: request.nonce.clone(),
            tsa: None,
            extensions: None,
        };
        let prepared = prepare(
            ID_CT_TST_INFO,
            &info.to_der()?,
            true,
            &self.authority.certificate,
            &SignedAttributes {
                signing_time: None,
                signing_certificate_v2: true,
            },
        )?;
        let signature = self
            .authority
            .key
            .sign_pkcs1_sha256(prepared.to_be_signed())?;
        // RFC 3161 §2.4.1: the certificate goes in only when the requester asked.
        let token = prepared.complete_with(&signature, request.cert_req)?;
        Ok(Response {
            status: StatusInfo {
                status: 0,
                status_string: None,
                fail_info: None,
            },
            token: Some(der::Any::from_der(&token)?),
        }
        .to_der()?)
    }

    /// The rejection `TimeStampResp` naming `why`.
    pub fn reject(why: &TsaRejection) -> Vec<u8> {
        let bit = why.fail_bit();
        let mut bytes = vec![0u8; bit / 8 + 1];
        bytes[bit / 8] = 0x80 >> (bit % 8);
        let text = why.to_string();
        Response {
            status: StatusInfo {
                status: 2,
                status_string: Utf8StringRef::new(&text).ok().map(|t| vec![t]),
                fail_info: BitString::new((7 - bit % 8) as u8, bytes).ok(),
            },
            token: None,
        }
        .to_der()
        .expect("a rejection encodes")
    }
}

/// A decoded `TimeStampResp`: the PKIStatus and, when granted, the token (a DER
/// `ContentInfo`), for clients of a TSA.
pub fn decode_response(response: &[u8]) -> Result<(u8, Option<Vec<u8>>), TsaError> {
    let r = Response::from_der(response)?;
    Ok((r.status.status, r.token.map(|t| t.to_der()).transpose()?))
}

/// `value` as the contents of a DER INTEGER: no leading zero octet unless the next has its
/// high bit set (X.690 §8.3.2).
fn minimal_positive(value: u64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(7);
    let mut out = Vec::with_capacity(9);
    if bytes[first] & 0x80 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&bytes[first..]);
    out
}

/// The next serial number of the TSA named `tsa` (1, 2, 3, … — never reused, even across
/// restarts), in its own committed transaction.
pub async fn next_serial(store: &Store, tsa: &str) -> Result<u64, TsaError> {
    let mut tx = store.begin_write().await?;
    let serial = tx.tsa_next_serial(tsa).await?;
    tx.commit().await?;
    Ok(serial)
}

#[cfg(test)]
mod tests {
    #[test]
    fn integers_are_minimal() {
        assert_eq!(super::minimal_positive(1), [1]);
        assert_eq!(super::minimal_positive(0), [0]);
        assert_eq!(super::minimal_positive(0x80), [0, 0x80]);
        assert_eq!(super::minimal_positive(0x1234), [0x12, 0x34]);
    }
}
