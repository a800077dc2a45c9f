//! A signed, machine-readable list of the trust anchors a validator accepts, after ETSI TS
//! 119 612: the scheme operator lists each service (J-LIS CA generations, TSAs, later issuers
//! and PF operators) with its type, certificate and status history, and signs the list.
//!
//! The list is JSON encapsulated in a CMS SignedData (id-data), signed in two phases so an HSM
//! or card can hold the operator's key. A validator pins the operator's certificate; a
//! service counts only while granted, so a root withdrawn in 2030 still anchors a signature
//! proven to exist in 2026.

use base64::Engine;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use akashi_cms::{parse_signed_data, prepare, Prepared, SignedAttributes, ID_DATA, ID_SHA256};
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use akashi_jpki::JpkiCertificate;

use crate::validate::Anchors;
use crate::SignError;

/// What a listed service does (TS 119 612 §5.5.1 service type, in our own names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceType {
    JlisSignatureCa,
    JlisAuthenticationCa,
    TimeStamping,
    CredentialIssuer,
    PfOperator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceStatus {
    Granted,
    Withdrawn,
}

/// One entry of a service's status history (TS 119 612 §5.5.4 / §5.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: ServiceStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub from: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustService {
    pub service_type: ServiceType,
    pub name: String,
    /// The service's certificate (DER, base64).
    pub certificate: String,
    /// Oldest first.
    pub history: Vec<StatusChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedList {
    pub scheme_operator: String,
    pub sequence_number: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub issued: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub next_update: OffsetDateTime,
    pub services: Vec<TrustService>,
}

impl TrustService {
    /// When the service stopped being granted, if it did (the first withdrawal after the
    /// last grant).
    pub fn withdrawn_at(&self) -> Option<OffsetDateTime> {
        match self.history.last() {
            Some(c) if c.status == ServiceStatus::Withdrawn => Some(c.from),
            _ => None,
        }
    }

    fn was_granted(&self) -> bool {
        self.history
            .iter()
            .any(|c| c.status == ServiceStatus::Granted)
    }
}

/// Phase one of signing `list` as the operator holding `operator_certificate_der`.
pub fn prepare_trusted_list(
    list: &TrustedList,
    operator_certificate_der: &[u8],
) -> Result<Prepared, SignError> {
    let json = serde_json::to_vec(list).map_err(|e| SignError::TrustedList(e.to_string()))?;
    Ok(prepare(
        ID_DATA,
        &json,
        true,
        operator_certificate_der,
        &SignedAttributes {
            signing_time: Some(list.issued),
            signing_certificate_v2: true,
        },
    )?)
}

/// Checks a signed list against the pinned operator certificate and turns its services into
/// anchors. Fails when the signature, the operator or the JSON is wrong; a list past its
/// next update is still read (validation is offline) and the caller is told by `stale`.
pub fn read_trusted_list(
    signed: &[u8],
    operator_certificate_der: &[u8],
    at: OffsetDateTime,
) -> Result<(TrustedList, Anchors, bool), SignError> {
    let bad = |why: &str| SignError::TrustedList(why.to_string());
    let view = parse_signed_data(signed)?;
    let operator = JpkiCertificate::from_der(operator_certificate_der)
        .map_err(|e| SignError::TrustedList(format!("operator certificate: {e}")))?;
    if view.signer.digest_algorithm != ID_SHA256 {
        return Err(bad("the list's digest algorithm is not SHA-256"));
    }
    let content = view
        .econtent
        .as_deref()
        .ok_or_else(|| bad("the list is not encapsulated"))?;
    if view.signer.message_digest != crate::validate::sha256(content) {
        return Err(bad("the list does not match its signed digest"));
    }
    let key = operator
        .public_key_der()
        .map_err(|e| SignError::TrustedList(e.to_string()))?;
    verify_rsa_pkcs1(
        &key,
        HashAlgorithm::Sha256,
        &view.signer.signed_attrs,
        &view.signer.signature,
    )
    .map_err(|_| bad("the list's signature does not verify with the operator's certificate"))?;
    let list: TrustedList = serde_json::from_slice(content)
        .map_err(|e| SignError::TrustedList(format!("the list's JSON: {e}")))?;
    let mut anchors = Anchors::default();
    for service in list.services.iter().filter(|s| s.was_granted()) {
        let der = base64::engine::general_purpose::STANDARD
            .decode(&service.certificate)
            .map_err(|e| SignError::TrustedList(format!("{}: certificate: {e}", service.name)))?;
        let cert = JpkiCertificate::from_der(&der)
            .map_err(|e| SignError::TrustedList(format!("{}: certificate: {e}", service.name)))?;
        if let Some(at) = service.withdrawn_at() {
            anchors.withdrawn.push((der.clone(), at));
        }
        match service.service_type {
            ServiceType::JlisSignatureCa | ServiceType::JlisAuthenticationCa => {
                anchors.jpki.push(cert)
            }
            ServiceType::TimeStamping => anchors.tsa.push(cert),
            ServiceType::CredentialIssuer | ServiceType::PfOperator => {}
        }
    }
    let stale = at > list.next_update;
    Ok((list, anchors, stale))
}
