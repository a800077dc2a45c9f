//! Wallet login: a person presents a BBS credential from the wallet (verified by the caller
//! over OpenID4VP) and the provider knows them only by the pseudonym the presentation gives it
//! — the same at every login to this provider, unlinkable to any other verifier's — and by
//! the predicates proved (`age_over_20`, `municipality`). No name, no certificate, no serial.
//!
//! Each presentation is a proofing of those claims (IAL3: they come from a credential the
//! trusted issuer gave after proofing with the card's signature certificate), so the account
//! is created or its claims replaced, never authenticators bound. One presentation is one
//! possession factor verified here (the holder secret); the wallet's own unlock happens on the
//! device, unseen by the provider: AAL1, so the session's level is 1.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use akashi_crypto::SecureRandom;
use akashi_store::OpAccountRecord;

use crate::account::{AccountClaims, LoggedIn, Session};
use crate::assurance::{Aal, Ial};
use crate::engine::{hash_hex, random_token};
use crate::lifecycle::{Event, Lifecycle};
use crate::{AuthEngine, AuthError};

const WALLET_ANCHOR: &str = "wallet";
/// RFC 8176: proof of possession of a software-held key.
pub const WALLET_AMR: [&str; 2] = ["swk", "pop"];

impl AuthEngine {
    /// Logs in (registering on first use) the holder of `pseudonym` with the verified
    /// `claims`; a new session replaces the browser's previous one.
    pub async fn login_wallet(
        &self,
        pseudonym: &str,
        claims: Map<String, Value>,
        current: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<LoggedIn, AuthError> {
        if pseudonym.len() < 16 {
            return Err(AuthError::Malformed(
                "the presentation carries no pseudonym".into(),
            ));
        }
        let (ial, aal) = (Ial::Ial3, Aal::Aal1);
        let anchor = hash_hex(pseudonym.as_bytes());
        let sealed = self.seal_claims(&AccountClaims::Wallet { claims })?;
        let t = now.unix_timestamp();
        let mut tx = self.store.begin_write().await?;
        let account = match tx.op_account_by_anchor(WALLET_ANCHOR, &anchor).await? {
            Some(record) => {
                let account = self.account_from(record)?;
                let same_session = current.filter(|s| s.account_id == account.id);
                self.lifecycle(&mut tx, &account, same_session)
                    .await?
                    .apply(Event::Proofed { ial, aal })?;
                let mut record = account.record.clone();
                record.state = "registered".into();
                record.claims = sealed;
                record.version += 1;
                record.updated_at = t;
                tx.op_account_update(&record, account.record.version)
                    .await?;
                self.account_from(record)?
            }
            None => {
                Lifecycle::Unregistered.apply(Event::Proofed { ial, aal })?;
                let record = OpAccountRecord {
                    id: format!("acct-{}", &random_token(rng)?[..22]),
                    ial: ial.number().into(),
                    state: "registered".into(),
                    anchor_kind: WALLET_ANCHOR.into(),
                    anchor_ref: anchor,
                    claims: sealed,
                    version: 1,
                    created_at: t,
                    updated_at: t,
                };
                tx.op_account_insert(&record).await?;
                self.account_from(record)?
            }
        };
        let session = self
            .start_session(
                &mut tx,
                &account.id,
                (ial, aal),
                &WALLET_AMR,
                current,
                now,
                rng,
            )
            .await?;
        tx.commit().await?;
        tracing::info!(account = %account.id, "logged in with a wallet presentation");
        Ok(LoggedIn {
            account,
            session,
            authenticator_id: None,
        })
    }
}
