//! OCSP requests (RFC 6960 §4.1), as a responder receives them: by POST as DER, or by GET as
//! the URL-encoded base64 of that DER (Appendix A.1).
//!
//! ```text
//! OCSPRequest ::= SEQUENCE {
//!     tbsRequest                  TBSRequest,
//!     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
//!
//! TBSRequest ::= SEQUENCE {
//!     version             [0]     EXPLICIT Version DEFAULT v1,
//!     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
//!     requestList                 SEQUENCE OF Request,
//!     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
//!
//! Request ::= SEQUENCE {
//!     reqCert                     CertID,
//!     singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
//!
//! Nonce ::= OCTET STRING    -- extension id-pkix-ocsp-nonce (1.3.6.1.5.5.7.48.1.2)
//! ```
//!
//! Every failure is [`RevocationError::MalformedRequest`], which a responder answers with
//! `malformedRequest`. Signed requests are accepted, but their signature is **ignored**: J-LIS
//! restricts who may query by other means, and nothing in the answer depends on the requestor.
//! Single-request extensions are ignored; an unknown *critical* request extension, an empty
//! request list, a repeated nonce or trailing bytes make the request malformed.
//!
//! The nonce is kept as the exact extnValue contents (normally the DER of the inner OCTET
//! STRING), so the response can echo it byte for byte as RFC 6960 §4.4.1 and OpenSSL expect.

use base64::Engine;
use const_oid::db::rfc6960::ID_PKIX_OCSP_NONCE;
use der::Decode;
use x509_ocsp::OcspRequest;

use crate::{CertId, RevocationError};

/// One certificate asked about: its CertID, decoded, with the exact DER to echo back.
pub type RequestedCert = CertId;

/// A decoded OCSP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    pub requests: Vec<RequestedCert>,
    /// The nonce extension's extnValue contents, exactly as received.
    pub nonce: Option<Vec<u8>>,
    /// Whether the request carried an (unchecked) signature.
    pub signed: bool,
}

fn malformed(reason: impl std::fmt::Display) -> RevocationError {
    RevocationError::MalformedRequest(reason.to_string())
}

/// Decodes a DER OCSPRequest (the body of a POST).
pub fn parse_request(der: &[u8]) -> Result<ParsedRequest, RevocationError> {
    let request = OcspRequest::from_der(der).map_err(malformed)?;
    let tbs = request.tbs_request;
    if tbs.request_list.is_empty() {
        return Err(malformed("empty requestList"));
    }
    let mut nonce = None;
    for extension in tbs.request_extensions.iter().flatten() {
        if extension.extn_id == ID_PKIX_OCSP_NONCE {
            if nonce.is_some() {
                return Err(malformed("nonce extension appears twice"));
            }
            nonce = Some(extension.extn_value.as_bytes().to_vec());
        } else if extension.critical {
            return Err(malformed(format_args!(
                "unknown critical extension {}",
                extension.extn_id
            )));
        }
    }
    let requests = tbs
        .request_list
        .iter()
        .map(|r| CertId::from_x509(&r.req_cert))
        .collect::<Result<Vec<_>, _>>()
        .map_err(malformed)?;
    Ok(ParsedRequest {
        requests,
        nonce,
        signed: request.optional_signature.is_some(),
    })
}

/// Decodes the GET form `{url}/{url-encoding of base64 of DER OCSPRequest}`: `path` is what
/// follows the responder's base URL (leading slashes are skipped: the DER starts with 0x30,
/// so its base64 starts with `M`, never `/`).
///
/// Percent escapes (`%2B`, `%2F`, `%3D`, any case) are decoded; a literal `+` is base64's `+`,
/// not a space (the `+`-is-space rule belongs to form-encoded query strings, not paths); an
/// unescaped `/` is base64's `/`. Padding may be present or absent.
pub fn request_from_get_path(path: &str) -> Result<ParsedRequest, RevocationError> {
    parse_request(&get_path_der(path)?)
}

/// The DER request inside a GET path: percent-decoding, then base64.
pub fn get_path_der(path: &str) -> Result<Vec<u8>, RevocationError> {
    let encoded = percent_decode(path.trim_start_matches('/'))?;
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    )
    .decode(&encoded)
    .map_err(|e| malformed(format_args!("GET path is not base64: {e}")))
}

fn percent_decode(input: &str) -> Result<Vec<u8>, RevocationError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| malformed("bad percent escape in GET path"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_plus_and_decodes_escapes() {
        assert_eq!(percent_decode("a+b%2Bc%2fd%3D").unwrap(), b"a+b+c/d=");
        assert!(percent_decode("abc%2").is_err());
        assert!(percent_decode("abc%zz").is_err());
        assert!(percent_decode("%+1").is_err());
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [&b""[..], b"\x30\x00", b"\x30\x03\x30\x01\x00", b"hello"] {
            let err = parse_request(bad).unwrap_err();
            assert_eq!(
                err.ocsp_status(),
                crate::OcspResponseStatus::MalformedRequest
            );
        }
        assert!(matches!(
            request_from_get_path("/!!!"),
            Err(RevocationError::MalformedRequest(_))
        ));
    }
}

/// Builds an unsigned OCSPRequest for `cert_ids`, with the nonce extension when `nonce` is
/// given (what a relying party sends; used by the demo, tests and benchmarks).
pub fn build_request(
    cert_ids: &[&CertId],
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, RevocationError> {
    use der::asn1::OctetString;
    use der::Encode;
    use x509_cert::ext::Extension;
    use x509_ocsp::{Request, TbsRequest, Version};
    let request_list = cert_ids
        .iter()
        .map(|id| {
            Ok(Request {
                req_cert: x509_ocsp::CertId::from_der(id.der())?,
                single_request_extensions: None,
            })
        })
        .collect::<Result<Vec<_>, RevocationError>>()?;
    let request_extensions = nonce
        .map(|n| -> Result<_, RevocationError> {
            Ok(vec![Extension {
                extn_id: ID_PKIX_OCSP_NONCE,
                critical: false,
                extn_value: OctetString::new(OctetString::new(n)?.to_der()?)?,
            }])
        })
        .transpose()?;
    let request = OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list,
            request_extensions,
        },
        optional_signature: None,
    };
    Ok(request.to_der()?)
}

#[cfg(test)]
mod build_tests {
    use super::*;

    #[test]
    fn built_requests_parse_back_with_their_nonce() {
        let id = CertId::from_der(&[
            0x30, 0x3B, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04,
            0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0x04,
            0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0x02,
            0x02, 0x01, 0x00,
        ])
        .unwrap();
        let parsed =
            parse_request(&build_request(&[&id], Some(b"nonce-0123456789")).unwrap()).unwrap();
        assert_eq!(parsed.requests, vec![id.clone()]);
        assert!(parsed.nonce.unwrap().ends_with(b"nonce-0123456789"));
        assert!(parse_request(&build_request(&[&id], None).unwrap())
            .unwrap()
            .nonce
            .is_none());
    }
}
