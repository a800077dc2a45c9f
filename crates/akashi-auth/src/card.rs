//! The card: identity proofing with the signature certificate (IAL3, registration and
//! recovery) and login with the user-authentication certificate (AAL3: the card's key and its
//! PIN, which the card itself counts). The card signs the DigestInfo of [`to_be_signed`] over
//! APDUs; here the chain to a J-LIS root, the certificate type, the signature and the OCSP
//! status at J-LIS are checked before anything is written.

use std::sync::Arc;

use time::OffsetDateTime;

use akashi_crypto::{HashAlgorithm, SecureRandom};
use akashi_jpki::CertificateKind;
use akashi_pf::certs::CheckedCertificate;
use akashi_pf::Revocation;
use akashi_store::{OpAccountRecord, OpAuthenticatorRecord};

use crate::account::{AccountClaims, LoggedIn, Session};
use crate::assurance::{Aal, Ial};
use crate::engine::{random_token, to_be_signed, Purpose};
use crate::error::from_pf;
use crate::lifecycle::{Event, Lifecycle};
use crate::{AuthEngine, AuthError};

/// What the card sent back: its certificate and the signature over the challenge.
#[derive(Debug, Clone)]
pub struct CardResponse {
    pub certificate: Vec<u8>,
    pub signature: Vec<u8>,
}

/// RFC 8176: a hardware key on a smart card, activated by a PIN.
pub const CARD_AMR: [&str; 4] = ["hwk", "sc", "pin", "mfa"];
pub(crate) const CARD_KIND: &str = "jpki_card";

impl AuthEngine {
    pub(crate) async fn check_card(
        &self,
        kind: CertificateKind,
        purpose: Purpose,
        provider: &str,
        challenge: &str,
        card: &CardResponse,
        now: OffsetDateTime,
    ) -> Result<Arc<CheckedCertificate>, AuthError> {
        let checked = self
            .certificates
            .check(
                &card.certificate,
                &self.anchors,
                now,
                kind,
                purpose.as_str(),
            )
            .map_err(from_pf)?;
        checked
            .key
            .verify_pkcs1(
                HashAlgorithm::Sha256,
                &to_be_signed(provider, purpose, challenge),
                &card.signature,
            )
            .map_err(|_| AuthError::BadSignature)?;
        let v = &checked.validated;
        let fresh = purpose != Purpose::Login;
        match self
            .revocation
            .status(self.link.as_ref(), &v.certificate, &v.issuer, now, fresh)
            .await
        {
            Ok(Revocation::Good) => Ok(checked),
            Ok(Revocation::Revoked { .. }) => Err(AuthError::CertificateNotGood("revoked")),
            Ok(Revocation::Held) => Err(AuthError::CertificateNotGood("suspended")),
            Ok(Revocation::Unknown) => Err(AuthError::CertificateNotGood("unknown")),
            Err(e) => Err(from_pf(e)),
        }
    }

    /// The serials J-LIS knows for the person `serial` belongs to (both kinds).
    async fn person_serials(
        &self,
        kind: CertificateKind,
        serial: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<(String, String)>, AuthError> {
        Ok(self
            .link
            .history(kind, serial, now)
            .await
            .map_err(from_pf)?
            .into_iter()
            .map(|h| (h.kind, h.serial))
            .collect())
    }

    /// Identity proofing with the signature certificate: registers the person at IAL3, or —
    /// for an account already registered with this card or an earlier one of the same person
    /// (J-LIS's serial history) — proofs again, which is also how an account in recovery
    /// comes back. Either way the person is logged in at AAL3 (card and signature PIN).
    pub async fn proof(
        &self,
        provider: &str,
        challenge: &str,
        card: &CardResponse,
        current: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<LoggedIn, AuthError> {
        let checked = self
            .check_card(
                CertificateKind::Signature,
                Purpose::Proofing,
                provider,
                challenge,
                card,
                now,
            )
            .await?;
        let attributes = checked.validated.attributes.clone().ok_or_else(|| {
            AuthError::Certificate(
                "the signature certificate carries no basic four attributes".into(),
            )
        })?;
        let mut existing = {
            let mut tx = self.store.begin().await?;
            let found = tx.op_account_by_anchor("jpki", &checked.serial).await?;
            tx.commit().await?;
            found
        };
        if existing.is_none() {
            // A re-issued card: find the account by one of the person's earlier serials.
            for (kind, serial) in self
                .person_serials(CertificateKind::Signature, &checked.serial, now)
                .await?
            {
                if kind != "signature" || serial == checked.serial {
                    continue;
                }
                let mut tx = self.store.begin().await?;
                let found = tx.op_account_by_anchor("jpki", &serial).await?;
                tx.commit().await?;
                if found.is_some() {
                    existing = found;
                    break;
                }
            }
        }
        let claims = AccountClaims::Jpki { attributes };
        let sealed = self.seal_claims(&claims)?;
        let t = now.unix_timestamp();
        let mut tx = self.store.begin_write().await?;
        let account = match existing {
            Some(record) => {
                let account = self.account_from(record)?;
                let same_session = current.filter(|s| s.account_id == account.id);
                self.lifecycle(&mut tx, &account, same_session)
                    .await?
                    .apply(Event::Proofed {
                        ial: Ial::Ial3,
                        aal: Aal::Aal3,
                    })?;
                let mut record = account.record.clone();
                record.ial = 3;
                record.state = "registered".into();
                record.anchor_ref = checked.serial.clone();
                record.claims = sealed;
                record.version += 1;
                record.updated_at = t;
                tx.op_account_update(&record, account.record.version)
                    .await?;
                self.account_from(record)?
            }
            None => {
                Lifecycle::Unregistered.apply(Event::Proofed {
                    ial: Ial::Ial3,
                    aal: Aal::Aal3,
                })?;
                let record = OpAccountRecord {
                    id: format!("acct-{}", &random_token(rng)?[..22]),
                    ial: 3,
                    state: "registered".into(),
                    anchor_kind: "jpki".into(),
                    anchor_ref: checked.serial.clone(),
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
                (Ial::Ial3, Aal::Aal3),
                &CARD_AMR,
                current,
                now,
                rng,
            )
            .await?;
        tx.commit().await?;
        tracing::info!(account = %account.id, "proofed with the card at IAL3");
        Ok(LoggedIn {
            account,
            session,
            authenticator_id: None,
        })
    }

    /// Login with the card's authentication certificate, bound to an account before.
    pub async fn login_card(
        &self,
        provider: &str,
        challenge: &str,
        card: &CardResponse,
        current: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<LoggedIn, AuthError> {
        let checked = self
            .check_card(
                CertificateKind::Authentication,
                Purpose::Login,
                provider,
                challenge,
                card,
                now,
            )
            .await?;
        let lookup = format!("{CARD_KIND}:{}", checked.serial);
        self.complete_login(&lookup, Aal::Aal3, &CARD_AMR, None, current, now, rng)
            .await
    }

    /// Binds the card's authentication certificate to the logged-in account. The card must be
    /// the account owner's: J-LIS's serial history links it to the account's signature
    /// certificate.
    #[allow(clippy::too_many_arguments)]
    pub async fn bind_card(
        &self,
        session: &Session,
        provider: &str,
        challenge: &str,
        card: &CardResponse,
        label: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, AuthError> {
        self.require_fresh(session, now)?;
        let account = self.account(&session.account_id).await?;
        let checked = self
            .check_card(
                CertificateKind::Authentication,
                Purpose::Bind,
                provider,
                challenge,
                card,
                now,
            )
            .await?;
        let serials = self
            .person_serials(CertificateKind::Authentication, &checked.serial, now)
            .await?;
        let owner = account.record.anchor_kind == "jpki"
            && serials
                .iter()
                .any(|(k, s)| k == "signature" && *s == account.record.anchor_ref);
        if !owner {
            return Err(AuthError::DifferentPerson);
        }
        let record = OpAuthenticatorRecord {
            id: format!("authn-{}", &random_token(rng)?[..16]),
            account_id: account.id.clone(),
            kind: CARD_KIND.into(),
            aal: 3,
            lookup: format!("{CARD_KIND}:{}", checked.serial),
            label: label.to_owned(),
            public_data: card.certificate.clone(),
            secret: None,
            status: "active".into(),
            failed_attempts: 0,
            created_at: now.unix_timestamp(),
            last_used_at: None,
        };
        self.bind(session, &account, record, now).await
    }
}
