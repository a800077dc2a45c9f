//! A wallet device key with a PIN (AAL2: something you have, activated by something you
//! know). The device signs the challenge with its P-256 key; the PIN goes to the provider,
//! which keeps only a peppered verifier and counts wrong PINs in the store: after
//! [`AuthConfig::pin_attempts`](crate::AuthConfig) the key locks, and a locked last
//! authenticator puts the account into recovery.

use time::OffsetDateTime;

use akashi_crypto::{constant_time_eq, hmac_sha256, P256PublicKey, SecureRandom};
use akashi_store::OpAuthenticatorRecord;

use crate::account::{LoggedIn, Session};
use crate::assurance::Aal;
use crate::engine::{hash_hex, random_token, to_be_signed, Purpose};
use crate::error::internal;
use crate::manage::usable;
use crate::{AuthEngine, AuthError};

pub(crate) const DEVICE_KIND: &str = "device_key";
/// RFC 8176: a software key activated by a PIN.
pub const DEVICE_AMR: [&str; 3] = ["swk", "pin", "mfa"];

/// What the device sends to log in.
#[derive(Debug, Clone)]
pub struct DeviceResponse {
    /// The P-256 public key's affine coordinates (x, y).
    pub public_key: ([u8; 32], [u8; 32]),
    /// ES256 `r ‖ s` over the challenge's to-be-signed bytes.
    pub signature: Vec<u8>,
    pub pin: zeroize::Zeroizing<String>,
}

/// The authenticator's lookup key: the SHA-256 of the public point.
pub fn device_key_id(public_key: &([u8; 32], [u8; 32])) -> String {
    let mut point = Vec::with_capacity(64);
    point.extend_from_slice(&public_key.0);
    point.extend_from_slice(&public_key.1);
    format!("{DEVICE_KIND}:{}", hash_hex(&point))
}

fn check_pin_format(pin: &str) -> Result<(), AuthError> {
    if !(4..=16).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AuthError::Malformed("a PIN is 4 to 16 digits".into()));
    }
    Ok(())
}

impl AuthEngine {
    fn pin_verifier(&self, salt: &[u8], pin: &str) -> [u8; 32] {
        let mut input = zeroize::Zeroizing::new(salt.to_vec());
        input.extend_from_slice(pin.as_bytes());
        hmac_sha256(self.keys.pepper.as_ref(), &input)
    }

    fn verify_device_signature(
        provider: &str,
        purpose: Purpose,
        challenge: &str,
        device: &DeviceResponse,
    ) -> Result<(), AuthError> {
        let key = P256PublicKey::from_affine(&device.public_key.0, &device.public_key.1)
            .map_err(|e| AuthError::Malformed(format!("device key: {e}")))?;
        key.verify_es256(
            &to_be_signed(provider, purpose, challenge),
            &device.signature,
        )
        .map_err(|_| AuthError::BadSignature)
    }

    /// Binds a device key and its PIN to the logged-in account (needs an AAL2 session).
    #[allow(clippy::too_many_arguments)]
    pub async fn bind_device(
        &self,
        session: &Session,
        provider: &str,
        challenge: &str,
        device: &DeviceResponse,
        label: &str,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, AuthError> {
        self.require_fresh(session, now)?;
        check_pin_format(&device.pin)?;
        Self::verify_device_signature(provider, Purpose::Bind, challenge, device)?;
        let account = self.account(&session.account_id).await?;
        let mut salt = [0u8; 16];
        rng.fill(&mut salt).map_err(internal)?;
        let mut secret = salt.to_vec();
        secret.extend_from_slice(&self.pin_verifier(&salt, &device.pin));
        let mut point = device.public_key.0.to_vec();
        point.extend_from_slice(&device.public_key.1);
        let record = OpAuthenticatorRecord {
            id: format!("authn-{}", &random_token(rng)?[..16]),
            account_id: account.id.clone(),
            kind: DEVICE_KIND.into(),
            aal: Aal::Aal2.number().into(),
            lookup: device_key_id(&device.public_key),
            label: label.to_owned(),
            public_data: point,
            secret: Some(secret),
            status: "active".into(),
            failed_attempts: 0,
            created_at: now.unix_timestamp(),
            last_used_at: None,
        };
        self.bind(session, &account, record, now).await
    }

    /// Login with a bound device key and its PIN. A wrong PIN is counted (and the count
    /// kept) before the refusal; a bad signature is not a PIN guess and counts nothing.
    pub async fn login_device(
        &self,
        provider: &str,
        challenge: &str,
        device: &DeviceResponse,
        current: Option<&Session>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<LoggedIn, AuthError> {
        Self::verify_device_signature(provider, Purpose::Login, challenge, device)?;
        let lookup = device_key_id(&device.public_key);
        let mut tx = self.store.begin_write().await?;
        let mut record = tx
            .op_authenticator_by_lookup(&lookup)
            .await?
            .ok_or(AuthError::UnknownAuthenticator)?;
        usable(&record)?;
        let secret = record
            .secret
            .clone()
            .ok_or_else(|| internal("device key without PIN"))?;
        let (salt, expected) = secret.split_at(16);
        let given = self.pin_verifier(salt, &device.pin);
        if !constant_time_eq(&given, expected) {
            let tries_left = self
                .record_failure(&mut tx, &mut record, false, now)
                .await?;
            tx.commit().await?;
            tracing::warn!(authenticator = %record.id, failures = record.failed_attempts, "wrong PIN");
            return Err(if tries_left <= 0 {
                AuthError::AuthenticatorLocked
            } else {
                AuthError::WrongPin { tries_left }
            });
        }
        tx.rollback().await?;
        self.complete_login(&lookup, Aal::Aal2, &DEVICE_AMR, None, current, now, rng)
            .await
    }
}
