//! Completing a transaction: the card-signed request goes through one state per check, each
//! consumed by the next, so a request cannot be recorded without having passed them all:
//! [`Received`] (reference, expiry, signed bytes) → [`SignatureChecked`] (chain, type,
//! signature) → [`StatusChecked`] (OCSP) → recorded ([`Outcome`]).
//!
//! Nothing is written for a request that fails; a completed transaction id is written in the
//! same database transaction as everything else, so it is accepted exactly once.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use time::OffsetDateTime;

use akashi_crypto::{sha256, HashAlgorithm, SecureRandom};
use akashi_jpki::CertificateKind;
use akashi_pf_protocol::{CertificateType, CompleteRequest, Outcome, Purpose};
use akashi_revocation::RevocationReason;
use akashi_store::{CustomerRecord, VaultRecord};

use crate::certs::CheckedCertificate;
use crate::recorder::Recording;
use crate::revocation::Revocation;
use crate::service::{hex, to_protocol, PfService, ServiceProvider};
use crate::token::TransactionToken;
use crate::PfError;

pub const FORMAT_SIMPLE: &str = "jpki-simple-v1";
pub const FORMAT_CMS: &str = "jpki-cms-v1";

/// The request's reference is this PF's, for this SP, unexpired, and the signed bytes are the
/// transaction's.
pub struct Received {
    token: TransactionToken,
    /// What the signature is over: the to-be-signed bytes (simple), or the CMS signed
    /// attributes that bind their digest (cms).
    signed_message: Vec<u8>,
    /// DER, parsed (once per certificate) by the next step.
    certificate: Vec<u8>,
    signature: Vec<u8>,
}

/// The certificate chains to a J-LIS root, is of the purpose's type and within its validity,
/// and its key made the signature.
pub struct SignatureChecked {
    received: Received,
    checked: Arc<CheckedCertificate>,
}

/// J-LIS says the certificate is good.
pub struct StatusChecked {
    checked: SignatureChecked,
}

fn kind_of(purpose: Purpose) -> CertificateKind {
    match purpose {
        Purpose::IdentityProofing => CertificateKind::Signature,
        Purpose::Login => CertificateKind::Authentication,
    }
}

fn b64(field: &str, value: &str) -> Result<Vec<u8>, PfError> {
    STANDARD
        .decode(value.trim())
        .map_err(|_| PfError::Malformed(format!("{field} is not base64")))
}

impl Received {
    pub fn parse(
        pf: &PfService,
        sp: &ServiceProvider,
        request: &CompleteRequest,
        now: OffsetDateTime,
    ) -> Result<Self, PfError> {
        let token = TransactionToken::open(&request.transaction, &pf.keys.token)?;
        if token.sp != sp.id {
            return Err(PfError::UnknownTransaction);
        }
        if now.unix_timestamp() > token.exp {
            return Err(PfError::TransactionExpired);
        }
        let signed_data = b64("signed_data", &request.signed_data)?;
        if hex(&sha256(&signed_data)) != token.tbs {
            return Err(PfError::SignedDataMismatch);
        }
        let (certificate, signed_message, signature) = match request.format.as_str() {
            FORMAT_SIMPLE => (
                b64("certificate", &request.certificate)?,
                signed_data,
                b64("signature", &request.signature)?,
            ),
            FORMAT_CMS => {
                let cms = b64("signature", &request.signature)?;
                let given = (!request.certificate.trim().is_empty())
                    .then(|| b64("certificate", &request.certificate))
                    .transpose()?;
                let opened = crate::cms::open(&cms, &signed_data, given)?;
                (opened.certificate, opened.signed_message, opened.signature)
            }
            other => return Err(PfError::UnsupportedFormat(other.to_owned())),
        };
        Ok(Self {
            token,
            signed_message,
            certificate,
            signature,
        })
    }

    pub fn check_signature(
        self,
        pf: &PfService,
        now: OffsetDateTime,
    ) -> Result<SignatureChecked, PfError> {
        let checked = pf.certificates.check(
            &self.certificate,
            &pf.anchors,
            now,
            kind_of(self.token.purpose),
            self.token.purpose.as_str(),
        )?;
        checked
            .key
            .verify_pkcs1(HashAlgorithm::Sha256, &self.signed_message, &self.signature)
            .map_err(|_| PfError::BadSignature)?;
        Ok(SignatureChecked {
            received: self,
            checked,
        })
    }
}

impl SignatureChecked {
    pub async fn check_revocation(
        self,
        pf: &PfService,
        now: OffsetDateTime,
    ) -> Result<StatusChecked, PfError> {
        let status = pf
            .revocation
            .status(
                pf.link.as_ref(),
                &self.checked.validated.certificate,
                &self.checked.validated.issuer,
                now,
                false,
            )
            .await?;
        match status {
            Revocation::Good => Ok(StatusChecked { checked: self }),
            Revocation::Held => Err(PfError::CertificateSuspended),
            Revocation::Unknown => Err(PfError::CertificateUnknown),
            Revocation::Revoked { reason } => Err(PfError::CertificateRevoked {
                reason: reason_name(reason),
            }),
        }
    }
}

pub(crate) fn reason_name(reason: Option<RevocationReason>) -> &'static str {
    match reason {
        Some(RevocationReason::AffiliationChanged) => "the holder moved or changed name",
        Some(RevocationReason::Superseded) => "renewed",
        Some(RevocationReason::KeyCompromise) => "key compromised",
        Some(RevocationReason::CessationOfOperation) => {
            "the holder died or left the resident registry"
        }
        _ => "revoked by J-LIS",
    }
}

impl StatusChecked {
    /// Records the verification and answers the SP.
    pub async fn record(
        self,
        pf: &PfService,
        sp: &ServiceProvider,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Outcome, PfError> {
        let SignatureChecked { received, checked } = self.checked;
        let validated = &checked.validated;
        let kind = validated.kind;
        let serial = checked.serial.clone();
        let (person, serials) = pf.resolve_person(kind, &serial, now, rng).await?;
        let sp_user_id = pf.sp_user_id(&sp.id, &person);
        let at = now.unix_timestamp();
        let vault_key = (kind.as_str().to_owned(), serial.clone());
        let (known_in_vault, known_customer, known_good) = {
            let known = pf.recorder.known.lock().expect("known");
            (
                known.vaulted.contains(&vault_key),
                known.customers.contains(&(sp.id.clone(), person.clone())),
                known.good.contains(&vault_key),
            )
        };
        let vault = if known_in_vault {
            None
        } else {
            Some(VaultRecord {
                kind: kind.as_str().into(),
                serial: serial.clone(),
                person_id: person.clone(),
                sealed_der: pf
                    .keys
                    .vault
                    .seal(&vault_label(kind, &serial), validated.certificate.der())
                    .map_err(|e| PfError::Keys(e.to_string()))?,
                stored_at: at,
                retain_until: (now + pf.config.retention).unix_timestamp(),
            })
        };
        let proofing = received.token.purpose == Purpose::IdentityProofing;
        pf.recorder
            .record(Recording {
                transaction_id: received.token.id.clone(),
                sp_id: sp.id.clone(),
                used_at: at,
                expires_at: received.token.exp,
                serials,
                verified: vault_key,
                verified_known_good: known_good,
                vault,
                customer: CustomerRecord {
                    sp_id: sp.id.clone(),
                    person_id: person.clone(),
                    sp_user_id: sp_user_id.clone(),
                    // A login never changes the consent given at proofing.
                    subscribed: proofing && received.token.subscribe,
                    status: "active".into(),
                    since: at,
                    updated_at: at,
                },
                proofing,
                known_customer,
            })
            .await?;
        pf.remember(kind, &serial, &person);
        Ok(Outcome {
            result: "verified".into(),
            certificate_type: match kind {
                CertificateKind::Signature => CertificateType::Signature,
                CertificateKind::Authentication => CertificateType::Authentication,
            },
            sp_user_id,
            assurance: if proofing { "IAL3" } else { "AAL3" }.into(),
            attributes: validated.attributes.as_ref().map(to_protocol),
            verified_at: at,
        })
    }
}

pub(crate) fn vault_label(kind: CertificateKind, serial: &str) -> String {
    format!("akashi/pf/vault/{}/{serial}", kind.as_str())
}

impl PfService {
    /// Verifies a card-signed request from `sp` and answers with what the SP may learn.
    pub async fn complete(
        &self,
        sp: &ServiceProvider,
        request: &CompleteRequest,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Outcome, PfError> {
        let result = self.complete_inner(sp, request, now, rng).await;
        match &result {
            Ok(o) => tracing::info!(sp = %sp.id, assurance = %o.assurance, "verified"),
            Err(e) => tracing::info!(sp = %sp.id, code = e.code(), "refused"),
        }
        result
    }

    async fn complete_inner(
        &self,
        sp: &ServiceProvider,
        request: &CompleteRequest,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Outcome, PfError> {
        // A replay is refused where the transaction id is written, in the recording
        // transaction: only that can make "accepted once" hold under concurrency.
        Received::parse(self, sp, request, now)?
            .check_signature(self, now)?
            .check_revocation(self, now)
            .await?
            .record(self, sp, now, rng)
            .await
    }
}
