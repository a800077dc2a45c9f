//! Renewal in the background: BBS credentials live a few days (their validity is proven with a
//! range predicate, not checked in a status list), so the wallet renews every credential that
//! expires within a window, or has no unused SD-JWT copy left, with the refresh token and
//! without the card. A credential whose anchor was revoked is left to the holder ("renew your
//! ID"); a refusal is reported, never fatal to the others.

use akashi_crypto::SecureRandom;

use crate::issuance::{renew, Received};
use crate::{Wallet, WalletError, FORMAT_SD_JWT};

/// What one pass did.
#[derive(Debug, Default)]
pub struct RenewalReport {
    /// `(old id, new id)` of each credential replaced.
    pub renewed: Vec<(String, String)>,
    /// Credentials the issuer will deliver later (transaction ids).
    pub deferred: Vec<String>,
    /// `(id, why)` of each renewal that failed; the credential is kept as it was.
    pub failed: Vec<(String, String)>,
}

/// Whether `c` should be renewed now: expiring before `now + window`, or out of fresh copies.
fn due(c: &crate::StoredCredential, now: i64, window: i64) -> bool {
    !c.anchor_revoked
        && c.refresh_token.is_some()
        && (c.expires_at.is_some_and(|e| e <= now + window)
            || (c.format == FORMAT_SD_JWT && c.fresh_copies() == 0))
}

/// Renews every credential that is due (see [`due`]).
pub async fn renew_due(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    now: i64,
    window: i64,
    rng: &dyn SecureRandom,
) -> Result<RenewalReport, WalletError> {
    let ids: Vec<String> = wallet
        .credentials()
        .iter()
        .filter(|c| due(c, now, window))
        .map(|c| c.id.clone())
        .collect();
    let mut report = RenewalReport::default();
    for id in ids {
        match renew(wallet, client, &id, now, rng).await {
            Ok(Received::Stored(new)) => report.renewed.push((id, new)),
            Ok(Received::Deferred(d)) => report.deferred.push(d.transaction_id),
            // The wallet file itself failing is not the issuer's refusal: stop.
            Err(e @ (WalletError::Io(_) | WalletError::Busy(_) | WalletError::Sealed)) => {
                return Err(e)
            }
            Err(e) => report.failed.push((id, e.to_string())),
        }
    }
    Ok(report)
}
