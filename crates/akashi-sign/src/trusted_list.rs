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
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm, RsaPrivateKey, SecureRandom};
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

    /// A service for `certificate`, granted from the start of its validity.
    pub fn granted(service_type: ServiceType, name: &str, certificate: &JpkiCertificate) -> Self {
        Self {
            service_type,
            name: name.to_owned(),
            certificate: base64::engine::general_purpose::STANDARD.encode(certificate.der()),
            history: vec![StatusChange {
                status: ServiceStatus::Granted,
                from: certificate.not_before(),
            }],
        }
    }

    /// The status at `at` (`None` before the first entry of the history).
    pub fn status_at(&self, at: OffsetDateTime) -> Option<ServiceStatus> {
        self.history
            .iter()
            .rev()
            .find(|c| c.from <= at)
            .map(|c| c.status)
    }

    /// The service's certificate (DER).
    pub fn certificate_der(&self) -> Result<Vec<u8>, SignError> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.certificate)
            .map_err(|e| SignError::TrustedList(format!("{}: certificate: {e}", self.name)))
    }
}

impl TrustedList {
    /// The service named `name`.
    pub fn service(&self, name: &str) -> Option<&TrustService> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Records that the service named `name` stopped being trusted at `at` (which may be in
    /// the past: a compromise found later). Refused for an unknown or already withdrawn
    /// service, and for a time before its last status change.
    pub fn withdraw(&mut self, name: &str, at: OffsetDateTime) -> Result<(), SignError> {
        let service = self
            .services
            .iter_mut()
            .find(|s| s.name == name)
            .ok_or_else(|| SignError::TrustedList(format!("no service named {name:?}")))?;
        match service.history.last() {
            Some(c) if c.status == ServiceStatus::Withdrawn => {
                return Err(SignError::TrustedList(format!(
                    "{name}: already withdrawn at {}",
                    c.from
                )))
            }
            Some(c) if at < c.from => {
                return Err(SignError::TrustedList(format!(
                    "{name}: the withdrawal ({at}) would precede the last status change ({})",
                    c.from
                )))
            }
            _ => {}
        }
        service.history.push(StatusChange {
            status: ServiceStatus::Withdrawn,
            from: at,
        });
        Ok(())
    }

    /// Makes this the next version of the list: sequence number + 1, issued `now`.
    pub fn reissue(&mut self, now: OffsetDateTime, next_update: OffsetDateTime) {
        self.sequence_number += 1;
        self.issued = now;
        self.next_update = next_update;
    }

    /// What a well-formed list holds: unique service names, histories that are not empty and
    /// in time order, a next update after the issue.
    fn check(&self) -> Result<(), SignError> {
        let bad = |why: String| Err(SignError::TrustedList(why));
        if self.next_update <= self.issued {
            return bad("the next update is not after the issue".into());
        }
        for (i, service) in self.services.iter().enumerate() {
            if self.services[..i].iter().any(|s| s.name == service.name) {
                return bad(format!("two services are named {:?}", service.name));
            }
            if service.history.is_empty() {
                return bad(format!("{}: no status history", service.name));
            }
            if service.history.windows(2).any(|w| w[1].from < w[0].from) {
                return bad(format!(
                    "{}: the status history is not in time order",
                    service.name
                ));
            }
        }
        Ok(())
    }
}

/// The service type of a root: J-LIS roots by their name (`O=JPKI`, `OU=JPKI for digital
/// signature` or `OU=JPKI for user authentication`), anything else as a TSA root (as
/// [`Anchors::add`] sorts them).
pub fn service_type_of(certificate: &JpkiCertificate) -> ServiceType {
    use akashi_jpki::{names, oid};
    let subject = certificate.subject().to_string();
    let jpki = names::attribute(certificate.subject(), oid::ORGANIZATION_NAME)
        .is_some_and(|o| o == "JPKI");
    if jpki && subject.contains("JPKI for digital signature") {
        ServiceType::JlisSignatureCa
    } else if jpki && subject.contains("JPKI for user authentication") {
        ServiceType::JlisAuthenticationCa
    } else {
        ServiceType::TimeStamping
    }
}

/// Phase one of signing `list` as the operator holding `operator_certificate_der`.
pub fn prepare_trusted_list(
    list: &TrustedList,
    operator_certificate_der: &[u8],
) -> Result<Prepared, SignError> {
    list.check()?;
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

/// Signs `list` with the operator's key held in software (both phases at once). The key must
/// be the one `operator_certificate_der` certifies.
pub fn sign_trusted_list(
    list: &TrustedList,
    key: &RsaPrivateKey,
    operator_certificate_der: &[u8],
) -> Result<Vec<u8>, SignError> {
    let operator = JpkiCertificate::from_der(operator_certificate_der)
        .map_err(|e| SignError::TrustedList(format!("operator certificate: {e}")))?;
    let certified = operator
        .public_key_der()
        .map_err(|e| SignError::TrustedList(format!("operator certificate: {e}")))?;
    if key.public_key_der().map_err(crypto)? != certified {
        return Err(SignError::TrustedList(
            "the operator key is not the key of the operator certificate".into(),
        ));
    }
    let prepared = prepare_trusted_list(list, operator_certificate_der)?;
    let signature = key
        .sign_pkcs1_sha256(prepared.to_be_signed())
        .map_err(crypto)?;
    Ok(prepared.complete(&signature)?)
}

/// id-tsl-kp-tslSigning (ETSI TS 119 612 §5.7.1): the extended key usage of a list signer.
pub const ID_TSL_KP_TSL_SIGNING: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("0.4.0.2231.3.0");

/// A self-signed certificate for the scheme operator's `key`: `subject` (RFC 4514, e.g.
/// `CN=Akashi Trusted List Operator,O=Akashi,C=JP`), valid from `now` for `validity`, key
/// usage digitalSignature and the TSL-signing extended key usage.
pub fn operator_certificate(
    key: &RsaPrivateKey,
    subject: &str,
    now: OffsetDateTime,
    validity: time::Duration,
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, SignError> {
    use akashi_jpki::profile::{ext, tbs};
    use der::Decode;
    use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages};

    let name = <x509_cert::name::Name as std::str::FromStr>::from_str(subject)
        .map_err(|e| SignError::TrustedList(format!("operator name {subject:?}: {e}")))?;
    let mut serial = [0u8; 16];
    rng.fill(&mut serial).map_err(crypto)?;
    serial[0] = (serial[0] & 0x7f) | 0x01;
    let spki = spki::SubjectPublicKeyInfoOwned::from_der(&key.public_key_der().map_err(crypto)?)?;
    let jpki = |e: akashi_jpki::JpkiError| SignError::TrustedList(e.to_string());
    let unsigned = tbs(
        &akashi_jpki::SerialNumber::new(&serial)?,
        name.clone(),
        name,
        (now, now + validity),
        spki,
        vec![
            ext(&KeyUsage(KeyUsages::DigitalSignature.into()), true).map_err(jpki)?,
            ext(&ExtendedKeyUsage(vec![ID_TSL_KP_TSL_SIGNING]), false).map_err(jpki)?,
        ],
    )
    .map_err(jpki)?;
    let signature = key
        .sign_pkcs1_sha256(unsigned.to_be_signed())
        .map_err(crypto)?;
    unsigned.complete(&signature).map_err(jpki)
}

fn crypto(e: akashi_crypto::CryptoError) -> SignError {
    SignError::TrustedList(e.to_string())
}
