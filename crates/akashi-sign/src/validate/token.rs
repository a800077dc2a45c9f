//! Checking an RFC 3161 timestamp token (RFC 3161 §2.4.2, RFC 5816):
//!
//! ```text
//! TimeStampToken ::= ContentInfo   -- SignedData, eContentType id-ct-TSTInfo
//! TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, … }
//! ```
//!
//! The token's signature is verified over its exact signed attributes with the TSA
//! certificate (carried in the token or given), which must carry id-kp-timeStamping and chain
//! to a trusted TSA root; the imprint must equal the expected SHA-256 digest.

use der::Decode;
use time::OffsetDateTime;
use x509_tsp::TstInfo;

use akashi_cms::{parse_signed_data, ID_SHA256};
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use akashi_jpki::JpkiCertificate;
use akashi_tsa::ID_CT_TST_INFO;

use super::report::SubIndication;
use super::Anchors;

/// id-kp-timeStamping
const ID_KP_TIME_STAMPING: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// A timestamp whose signature, TSA and imprint checked out.
#[derive(Debug, Clone)]
pub struct VerifiedTimestamp {
    pub gen_time: OffsetDateTime,
    pub tsa: JpkiCertificate,
}

/// Checks `token` over `expected_sha256`; `extra_certs` may hold the TSA certificate when the
/// token does not. The TSA certificate must be within its validity at the token's time.
pub fn verify_timestamp(
    token: &[u8],
    expected_sha256: &[u8; 32],
    anchors: &Anchors,
    extra_certs: &[Vec<u8>],
) -> Result<VerifiedTimestamp, String> {
    check_timestamp(token, expected_sha256, anchors, extra_certs).map_err(|f| f.reason)
}

/// Why a timestamp did not check out, with the ETSI sub-indication of the failed check: an
/// archive timestamp whose integrity fails (format, hash, signature) breaks the signature,
/// one that is only untrusted or expired merely gives no proof of existence.
#[derive(Debug, Clone)]
pub(crate) struct TimestampFailure {
    pub sub: SubIndication,
    pub reason: String,
}

fn fail(sub: SubIndication, reason: impl Into<String>) -> TimestampFailure {
    TimestampFailure {
        sub,
        reason: reason.into(),
    }
}

/// [`verify_timestamp`], naming the failed check.
pub(crate) fn check_timestamp(
    token: &[u8],
    expected_sha256: &[u8; 32],
    anchors: &Anchors,
    extra_certs: &[Vec<u8>],
) -> Result<VerifiedTimestamp, TimestampFailure> {
    use SubIndication::{FormatFailure, HashFailure};
    let view = parse_signed_data(token)
        .map_err(|e| fail(FormatFailure, format!("timestamp token: {e}")))?;
    if view.econtent_type != ID_CT_TST_INFO {
        return Err(fail(
            FormatFailure,
            "timestamp token: the content is not a TSTInfo",
        ));
    }
    let econtent = view
        .econtent
        .as_deref()
        .ok_or_else(|| fail(FormatFailure, "timestamp token: no encapsulated TSTInfo"))?;
    if view.signer.digest_algorithm != ID_SHA256 {
        return Err(fail(
            FormatFailure,
            format!(
                "timestamp token: digest algorithm {} is not SHA-256",
                view.signer.digest_algorithm
            ),
        ));
    }
    if view.signer.message_digest != sha256(econtent) {
        return Err(fail(
            HashFailure,
            "timestamp token: the TSTInfo does not match its message digest",
        ));
    }
    let tst = TstInfo::from_der(econtent)
        .map_err(|e| fail(FormatFailure, format!("timestamp token: TSTInfo: {e}")))?;
    if tst.message_imprint.hash_algorithm.oid != ID_SHA256 {
        return Err(fail(
            FormatFailure,
            "timestamp token: the imprint is not SHA-256",
        ));
    }
    if tst.message_imprint.hashed_message.as_bytes() != expected_sha256 {
        return Err(fail(
            HashFailure,
            "timestamp token: the imprint does not match the timestamped data",
        ));
    }
    let gen_time = OffsetDateTime::from(tst.gen_time.to_system_time());
    let tsa = view
        .signer_certificate(extra_certs)
        .and_then(|der| JpkiCertificate::from_der(der).ok())
        .ok_or_else(|| {
            fail(
                SubIndication::NoSigningCertificateFound,
                "timestamp token: the TSA certificate is neither in the token nor given",
            )
        })?;
    let key = tsa
        .public_key_der()
        .map_err(|e| fail(FormatFailure, e.to_string()))?;
    verify_rsa_pkcs1(
        &key,
        HashAlgorithm::Sha256,
        &view.signer.signed_attrs,
        &view.signer.signature,
    )
    .map_err(|_| {
        fail(
            SubIndication::SigCryptoFailure,
            "timestamp token: the TSA signature does not verify",
        )
    })?;
    let eku = tsa
        .extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
        .map_err(|e| fail(FormatFailure, e.to_string()))?;
    if !eku.is_some_and(|(_, eku)| eku.0.contains(&ID_KP_TIME_STAMPING)) {
        return Err(fail(
            SubIndication::ChainConstraintsFailure,
            "timestamp token: the TSA certificate lacks id-kp-timeStamping",
        ));
    }
    if gen_time < tsa.not_before() || gen_time > tsa.not_after() {
        return Err(fail(
            SubIndication::ChainConstraintsFailure,
            format!(
                "timestamp token: the TSA certificate is not valid at the token's time {gen_time}"
            ),
        ));
    }
    anchors.tsa_root_of(&tsa, gen_time).map_err(|e| {
        fail(
            SubIndication::NoCertificateChainFound,
            format!("timestamp token: {e}"),
        )
    })?;
    Ok(VerifiedTimestamp { gen_time, tsa })
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}
