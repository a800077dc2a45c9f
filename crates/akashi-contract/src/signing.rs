//! Signing a contract in two phases, so the card signs and no key reaches this crate:
//! [`Contracts::begin_signing`] checks the invitation and the certificate and prepares the
//! signature; the card signs [`SigningSession::to_be_signed`]; [`Contracts::complete_signing`]
//! timestamps the signature, checks that it validates, and stores it. The last signature also
//! makes the document long-term.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use akashi_jpki::{CertificateKind, JpkiCertificate};
use akashi_sign::validate::Indication;
use akashi_sign::{
    add_document_timestamp, add_pades_validation_data, add_signature_timestamp,
    add_validation_data, prepare_cades, prepare_pades, renew_cades_archive_timestamp,
    validate_cades, validate_pades, Anchors, PreparedPades, Report, TimestampSource,
    ValidationSource,
};

use crate::service::{
    append_event, check_not_expired, field_name, invitation_hash, load, sha256_hex, Contracts,
};
use crate::view::view_of;
use crate::{
    ContractError, ContractStatus, ContractView, DocumentKind, SignerStatus, SigningOrder,
};

enum Pending {
    Pdf(PreparedPades),
    File(akashi_cms::Prepared),
}

/// A prepared signature waiting for the card. Consumed by [`Contracts::complete_signing`].
pub struct SigningSession {
    contract_id: String,
    title: String,
    file_name: String,
    position: usize,
    invitation_hash: Vec<u8>,
    base_version: i64,
    last: bool,
    kind: DocumentKind,
    certificate_digest: Vec<u8>,
    original: Vec<u8>,
    document_sha256: String,
    pending: Pending,
}

impl SigningSession {
    /// What the card signs (the DER signed attributes).
    pub fn to_be_signed(&self) -> &[u8] {
        match &self.pending {
            Pending::Pdf(p) => p.to_be_signed(),
            Pending::File(p) => p.to_be_signed(),
        }
    }

    pub fn contract_id(&self) -> &str {
        &self.contract_id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    pub fn position(&self) -> usize {
        self.position
    }

    /// SHA-256 (hex) of the document as created: what the signer agrees to.
    pub fn document_sha256(&self) -> &str {
        &self.document_sha256
    }

    /// Whether this is the last signature (it will make the document long-term).
    pub fn is_last(&self) -> bool {
        self.last
    }
}

impl Contracts {
    /// Phase one: checks the invitation (known, not expired, the signer's turn) and the
    /// certificate (a JPKI signature certificate that has not signed this contract yet), then
    /// prepares the signature over the current document.
    pub async fn begin_signing(
        &self,
        invitation: &str,
        certificate_der: &[u8],
        now: OffsetDateTime,
    ) -> Result<SigningSession, ContractError> {
        let hash = invitation_hash(invitation);
        let mut txn = self.store.begin().await?;
        let signer = txn
            .contract_signer_by_invitation(&hash)
            .await?
            .ok_or(ContractError::UnknownInvitation)?;
        let loaded = load(&mut txn, &signer.contract_id).await?;
        txn.rollback().await?;

        loaded.require_open()?;
        let position = signer.position as usize;
        if signer.status == SignerStatus::Signed.as_str() {
            return Err(ContractError::AlreadySigned(position));
        }
        check_not_expired(&signer, now)?;
        let signed =
            |s: &&akashi_store::ContractSignerRecord| s.status == SignerStatus::Signed.as_str();
        if loaded.contract.signing_order == SigningOrder::Sequential.as_str() {
            if let Some(first) = loaded.signers.iter().find(|s| !signed(s)) {
                if first.position != signer.position {
                    return Err(ContractError::NotYourTurn {
                        position,
                        waiting_for: first.position as usize,
                    });
                }
            }
        }
        let certificate = JpkiCertificate::from_der(certificate_der)
            .map_err(|e| ContractError::NotASignatureCertificate(e.to_string()))?;
        match certificate.kind() {
            Ok(Some(CertificateKind::Signature)) => {}
            Ok(_) => {
                return Err(ContractError::NotASignatureCertificate(
                    "it is not a signature certificate (the authentication certificate cannot sign documents)".into(),
                ))
            }
            Err(e) => return Err(ContractError::NotASignatureCertificate(e.to_string())),
        }
        let certificate_digest = Sha256::digest(certificate_der).to_vec();
        if let Some(other) = loaded
            .signers
            .iter()
            .find(|s| s.certificate_digest.as_deref() == Some(&certificate_digest[..]))
        {
            return Err(ContractError::CertificateAlreadySigned(
                other.position as usize,
            ));
        }
        let kind = loaded.kind()?;
        let pending = match kind {
            DocumentKind::Pdf => Pending::Pdf(prepare_pades(
                &loaded.contract.current,
                &field_name(position),
                certificate_der,
                now,
            )?),
            DocumentKind::File => Pending::File(prepare_cades(
                &loaded.contract.original,
                certificate_der,
                now,
            )?),
        };
        Ok(SigningSession {
            title: loaded.contract.title.clone(),
            file_name: loaded.contract.file_name.clone(),
            position,
            invitation_hash: hash,
            base_version: loaded.contract.version,
            last: loaded.signers.iter().filter(signed).count() + 1 == loaded.signers.len(),
            kind,
            certificate_digest,
            document_sha256: sha256_hex(&loaded.contract.original),
            original: loaded.contract.original,
            pending,
            contract_id: signer.contract_id,
        })
    }

    /// Phase two: the card's `signature` over [`SigningSession::to_be_signed`]. Adds the
    /// signature timestamp, validates the new signature at `now` with the J-LIS data of
    /// `source` (refused unless TOTAL-PASSED), and stores it; after the last signer, the
    /// document is made long-term. Nothing is stored when any step fails.
    pub async fn complete_signing<T: TimestampSource, V: ValidationSource>(
        &self,
        session: SigningSession,
        signature: &[u8],
        tsa: &T,
        source: &V,
        anchors: &Anchors,
        now: OffsetDateTime,
    ) -> Result<ContractView, ContractError> {
        let field = field_name(session.position);
        // The document (PDF) or the signer's CMS (file), at B-T, and the same at B-LT.
        let (b_t, b_lt, report) = match session.pending {
            Pending::Pdf(prepared) => {
                let b_t = prepared.complete_with_timestamp(signature, tsa).await?;
                let b_lt = add_pades_validation_data(&b_t, source).await?;
                let report = validate_pades(&b_lt, anchors, now);
                (b_t, b_lt, report)
            }
            Pending::File(prepared) => {
                let cms = prepared
                    .complete(signature)
                    .map_err(akashi_sign::SignError::from)?;
                let b_t = add_signature_timestamp(&cms, tsa).await?;
                let b_lt = add_validation_data(&b_t, source).await?;
                let report = validate_cades(&session.original, &b_lt, anchors, now);
                (b_t, b_lt, report)
            }
        };
        accept(&report, &field)?;

        // Long-term material is built before the write transaction: the TSA may use the same
        // store, and a transaction must not wait on it.
        let mut final_signatures = Vec::new();
        let mut document = None;
        if session.last {
            match session.kind {
                DocumentKind::Pdf => document = Some(add_document_timestamp(&b_lt, tsa).await?),
                DocumentKind::File => {
                    // Every party's signature to B-LT, then CAdES-B-LTA: the timestamps'
                    // validation data and an archive timestamp over it all.
                    let content_sha256: [u8; 32] = Sha256::digest(&session.original).into();
                    let mut txn = self.store.begin().await?;
                    let signers = txn.contract_signers(&session.contract_id).await?;
                    txn.rollback().await?;
                    let mut long_term = vec![(session.position, b_lt.clone())];
                    for s in signers {
                        if let Some(b_t) = s.signature {
                            let lt = add_validation_data(&b_t, source).await?;
                            long_term.push((s.position as usize, lt));
                        }
                    }
                    for (position, lt) in long_term {
                        let lta = renew_cades_archive_timestamp(&lt, &content_sha256, source, tsa)
                            .await?;
                        final_signatures.push((position, lta));
                    }
                }
            }
        }

        let mut txn = self.store.begin_write().await?;
        let mut loaded = load(&mut txn, &session.contract_id).await?;
        loaded.require_open()?;
        if loaded.contract.version != session.base_version {
            return Err(ContractError::Concurrent);
        }
        let kind = session.kind;
        let index = session.position - 1;
        let signer = &mut loaded.signers[index];
        if signer.invitation_hash.as_deref() != Some(&session.invitation_hash[..]) {
            return Err(ContractError::UnknownInvitation);
        }
        signer.status = SignerStatus::Signed.as_str().into();
        signer.invitation_hash = None;
        signer.signed_at = Some(now.unix_timestamp());
        signer.certificate_digest = Some(session.certificate_digest);
        let signature_sha256 = sha256_hex(signature);
        match kind {
            DocumentKind::Pdf => loaded.contract.current = document.clone().unwrap_or(b_t),
            DocumentKind::File => signer.signature = Some(b_t),
        }
        txn.contract_signer_update(&loaded.signers[index]).await?;
        for (position, cms) in final_signatures {
            let signer = &mut loaded.signers[position - 1];
            signer.signature = Some(cms);
            txn.contract_signer_update(signer).await?;
        }
        let expected = loaded.contract.version;
        loaded.contract.version += 1;
        if session.last {
            loaded.contract.status = ContractStatus::Completed.as_str().into();
            loaded.contract.completed_at = Some(now.unix_timestamp());
        }
        txn.contract_update(&loaded.contract, expected).await?;
        let current_sha256 = sha256_hex(&loaded.contract.current);
        let detail = serde_json::json!({
            "position": session.position,
            "signature_sha256": signature_sha256,
            "document_sha256": current_sha256,
        });
        append_event(&mut txn, &mut loaded, now, "signed", detail).await?;
        if session.last {
            let level = match kind {
                DocumentKind::Pdf => "B-LTA",
                DocumentKind::File => "B-LTA",
            };
            let detail = serde_json::json!({ "level": level, "document_sha256": current_sha256 });
            append_event(&mut txn, &mut loaded, now, "completed", detail).await?;
        }
        txn.commit().await?;
        view_of(&loaded)
    }
}

/// The new signature must be TOTAL-PASSED (for a PDF: the one in `field`; a CAdES report has
/// one signature).
fn accept(report: &Report, field: &str) -> Result<(), ContractError> {
    let ours = report
        .signatures
        .iter()
        .find(|s| s.field.as_deref().is_none_or(|f| f == field))
        .ok_or_else(|| ContractError::SignatureRejected {
            indication: "TOTAL-FAILED".into(),
            reason: "the new signature is missing from the signed document".into(),
        })?;
    if ours.indication == Indication::TotalPassed {
        return Ok(());
    }
    Err(ContractError::SignatureRejected {
        indication: format!(
            "{}{}",
            serde_json::to_value(ours.indication)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            ours.sub_indication
                .and_then(|s| serde_json::to_value(s).ok())
                .and_then(|v| v.as_str().map(|s| format!("/{s}")))
                .unwrap_or_default()
        ),
        reason: ours.reason.clone().unwrap_or_default(),
    })
}
