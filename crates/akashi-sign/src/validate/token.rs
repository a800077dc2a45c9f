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
    let view = parse_signed_data(token).map_err(|e| format!("timestamp token: {e}"))?;
    if view.econtent_type != ID_CT_TST_INFO {
        return Err("timestamp token: the content is not a TSTInfo".into());
    }
    let econtent = view
        .econtent
        .as_deref()
        .ok_or("timestamp token: no encapsulated TSTInfo")?;
    if view.signer.digest_algorithm != ID_SHA256 {
        return Err(format!(
            "timestamp token: digest algorithm {} is not SHA-256",
            view.signer.digest_algorithm
        ));
    }
    if view.signer.message_digest != sha256(econtent) {
        return Err("timestamp token: the TSTInfo does not match its message digest".into());
    }
    let tst = TstInfo::from_der(econtent).map_err(|e| format!("timestamp token: TSTInfo: {e}"))?;
    if tst.message_imprint.hash_algorithm.oid != ID_SHA256 {
        return Err("timestamp token: the imprint is not SHA-256".into());
    }
    if tst.message_imprint.hashed_message.as_bytes() != expected_sha256 {
        return Err("timestamp token: the imprint does not match the timestamped data".into());
    }
    let gen_time = OffsetDateTime::from(tst.gen_time.to_system_time());
    let tsa = view
        .signer_certificate(extra_certs)
        .and_then(|der| JpkiCertificate::from_der(der).ok())
        .ok_or("timestamp token: the TSA certificate is neither in the token nor given")?;
    verify_rsa_pkcs1(
        &tsa.public_key_der().map_err(|e| e.to_string())?,
        HashAlgorithm::Sha256,
        &view.signer.signed_attrs,
        &view.signer.signature,
    )
    .map_err(|_| "timestamp token: the TSA signature does not verify".to_string())?;
    let eku = tsa
        .extension::<x509_cert::ext::pkix::ExtendedKeyUsage>()
        .map_err(|e| e.to_string())?;
    if !eku.is_some_and(|(_, eku)| eku.0.contains(&ID_KP_TIME_STAMPING)) {
        return Err("timestamp token: the TSA certificate lacks id-kp-timeStamping".into());
    }
    if gen_time < tsa.not_before() || gen_time > tsa.not_after() {
        return Err(format!(
            "timestamp token: the TSA certificate is not valid at the token's time {gen_time}"
        ));
    }
    anchors
        .tsa_root_of(&tsa, gen_time)
        .map_err(|e| format!("timestamp token: {e}"))?;
    Ok(VerifiedTimestamp { gen_time, tsa })
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}
