//! Status and lifecycle: the signed Token Status List the issuer publishes, and the watch on
//! every anchor certificate at J-LIS.
//!
//! Revocation follows the anchor: when J-LIS reports the signature certificate revoked or on
//! hold, the holder's SD-JWT VCs become invalid in the status list and the holder's refresh
//! (BBS renewal, new copies) is refused until the holder renews (see [`crate::token`]). A
//! holder waiting for J-LIS at proofing (`pending`) becomes `good` here, and its deferred
//! issuance can complete.

use time::OffsetDateTime;

use akashi_jpki::CertificateKind;
use akashi_sdjwt::status_list::{status_list_token, StatusList};

use crate::error::internal;
use crate::{IssuerError, IssuerService};

/// What one watch pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WatchReport {
    pub checked: usize,
    /// Pending anchors J-LIS now confirmed good.
    pub confirmed: usize,
    /// Anchors found revoked (or on hold) in this pass.
    pub revoked: usize,
    /// Credentials set invalid: SD-JWT VCs (in the status list) and BBS credentials.
    pub credentials_revoked: u64,
    /// Holders J-LIS could not answer for (tried again next pass).
    pub unavailable: usize,
}

/// The words for a CRL reason code (RFC 5280 §5.3.1) as J-LIS uses them.
fn reason_text(reason: Option<i64>, held: bool) -> String {
    if held {
        return "the card was reported lost".into();
    }
    match reason {
        Some(3) => "the holder moved or changed name".into(),
        Some(4) => "the certificate was renewed".into(),
        Some(5) => "the holder died or left the resident registry".into(),
        Some(1) => "the key was compromised".into(),
        _ => "revoked by J-LIS".into(),
    }
}

impl IssuerService {
    /// The status list token (`application/statuslist+jwt`), signed again when the list
    /// changed or half its `ttl` passed.
    pub async fn status_list(&self, now: OffsetDateTime) -> Result<String, IssuerError> {
        let at = now.unix_timestamp();
        let ttl = self.config.status_list_ttl;
        {
            let cached = self.status_token.lock().expect("status token");
            if let Some((made, token)) = cached.as_ref() {
                if at - made < ttl / 2 {
                    return Ok(token.clone());
                }
            }
        }
        let mut tx = self.store.begin().await?;
        let entries = tx.issuer_status_entries().await?;
        drop(tx);
        let mut list = StatusList::new(1, self.config.status_list_size).map_err(internal)?;
        for (index, status) in entries {
            list.set(index as usize, u8::try_from(status.min(1)).unwrap_or(1))
                .map_err(internal)?;
        }
        let token = status_list_token(
            &list,
            &self.config.status_list_uri(),
            at,
            at + 24 * 3600,
            ttl,
            &self.keys.sd_jwt,
        )
        .map_err(internal)?;
        *self.status_token.lock().expect("status token") = Some((at, token.clone()));
        Ok(token)
    }

    /// Asks J-LIS about every watched anchor and applies what it says.
    pub async fn watch_anchors(&self, now: OffsetDateTime) -> Result<WatchReport, IssuerError> {
        let mut tx = self.store.begin().await?;
        let holders = tx.issuer_holders_watched().await?;
        drop(tx);
        let mut report = WatchReport::default();
        for mut holder in holders {
            report.checked += 1;
            let status = match self
                .link
                .status(CertificateKind::Signature, &holder.anchor_serial, now)
                .await
            {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(holder = %holder.id, error = %e, "J-LIS status unavailable");
                    report.unavailable += 1;
                    continue;
                }
            };
            let at = now.unix_timestamp();
            match status.status.as_str() {
                "good" if holder.anchor_status == "pending" => {
                    holder.anchor_status = "good".into();
                    holder.updated_at = at;
                    let mut tx = self.store.begin_write().await?;
                    tx.issuer_holder_update(&holder).await?;
                    tx.commit().await?;
                    report.confirmed += 1;
                }
                "revoked" | "held" => {
                    holder.anchor_status = "revoked".into();
                    holder.anchor_reason =
                        Some(reason_text(status.reason, status.status == "held"));
                    holder.updated_at = at;
                    let mut tx = self.store.begin_write().await?;
                    tx.issuer_holder_update(&holder).await?;
                    report.credentials_revoked +=
                        tx.issuer_credentials_set_status(&holder.id, 1).await?;
                    if status.resident_status.as_deref() == Some("dead") || status.reason == Some(1)
                    {
                        // No renewal for a death or a compromised key: refresh ends here.
                        tx.issuer_grants_end_for_holder(&holder.id, at).await?;
                    }
                    tx.commit().await?;
                    *self.status_token.lock().expect("status token") = None;
                    tracing::info!(holder = %holder.id, "anchor revoked; credentials revoked");
                    report.revoked += 1;
                }
                _ => {}
            }
        }
        Ok(report)
    }
}
