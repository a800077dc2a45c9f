//! The certificate vault: the law requires the PF, not the SP, to keep the certificates it
//! verified. Each is sealed under the PF's vault key (AES-256-GCM, label bound to type and
//! serial); every read and every deletion is written to the access log in the same
//! transaction, and retention ends deletion by policy.

use time::OffsetDateTime;
use zeroize::Zeroizing;

use akashi_jpki::CertificateKind;
use akashi_store::VaultAccessRecord;

use crate::proofing::vault_label;
use crate::service::PfService;
use crate::PfError;

impl PfService {
    /// Reads a stored certificate (an audit, a court order): logged with who and why.
    pub async fn vault_read(
        &self,
        kind: CertificateKind,
        serial: &str,
        actor: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, PfError> {
        let mut tx = self.store.begin().await?;
        let Some(record) = tx.vault_get(kind.as_str(), serial).await? else {
            return Ok(None);
        };
        tx.record_vault_access(&VaultAccessRecord {
            kind: kind.as_str().into(),
            serial: serial.to_owned(),
            actor: actor.to_owned(),
            purpose: purpose.to_owned(),
            at: now.unix_timestamp(),
        })
        .await?;
        let der = self
            .keys
            .vault
            .open(&vault_label(kind, serial), &record.sealed_der)
            .map_err(|e| PfError::Keys(e.to_string()))?;
        tx.commit().await?;
        Ok(Some(der))
    }

    /// Deletes every certificate whose retention has ended; returns how many.
    pub async fn vault_purge(&self, now: OffsetDateTime) -> Result<usize, PfError> {
        let mut tx = self.store.begin().await?;
        let gone = tx.vault_purge(now.unix_timestamp()).await?;
        for (kind, serial) in &gone {
            tx.record_vault_access(&VaultAccessRecord {
                kind: kind.clone(),
                serial: serial.clone(),
                actor: "pf:retention".into(),
                purpose: "deleted: retention period ended".into(),
                at: now.unix_timestamp(),
            })
            .await?;
        }
        tx.commit().await?;
        let mut known = self.recorder.known.lock().expect("known");
        for key in &gone {
            known.vaulted.remove(key);
        }
        Ok(gone.len())
    }

    /// Periodic clean-up: certificates past retention leave the vault, and used transaction
    /// ids past their expiry are forgotten (an expired reference is refused before its id is
    /// looked up). Returns (certificates deleted, ids forgotten).
    pub async fn housekeeping(&self, now: OffsetDateTime) -> Result<(usize, u64), PfError> {
        let deleted = self.vault_purge(now).await?;
        let mut tx = self.store.begin().await?;
        let pruned = tx.prune_used_transactions(now.unix_timestamp()).await?;
        tx.commit().await?;
        if deleted > 0 || pruned > 0 {
            tracing::info!(deleted, pruned, "PF housekeeping");
        }
        Ok((deleted, pruned))
    }
}
