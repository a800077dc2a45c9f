//! Authentication: proving possession of one of the account's passkeys.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use webauthn_rs::prelude::{
    AttestedPasskey, AttestedPasskeyAuthentication, AuthenticationResult, PasskeyAuthentication,
    PublicKeyCredential,
};

use crate::error::{malformed, refused, Ceremony};
use crate::register::json;
use crate::stored::{Kind, StoredPasskey};
use crate::{PasskeyError, Passkeys};

/// An authentication in progress: keep it server-side, for this login interaction only, use
/// it once, expire it with the ceremony (see the crate documentation). Serialise it as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingAuthentication(AuthenticationCeremony);

/// webauthn-rs's attested-passkey ceremony when every passkey offered is hardware-bound (it
/// refuses any change of backup eligibility); its passkey ceremony otherwise, with the
/// hardware-bound ones' backup eligibility checked here.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AuthenticationCeremony {
    Passkey(PasskeyAuthentication),
    Attested(AttestedPasskeyAuthentication),
}

/// A successful authentication.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The credential id of the passkey used.
    pub credential_id: Vec<u8>,
    /// Whether the authenticator verified its user (always true: it is required).
    pub user_verified: bool,
    /// The assurance level of the passkey used: 3 hardware-bound, 2 otherwise.
    pub assurance: u8,
    /// The passkey with its new signature counter or backup state, to save in place of the
    /// stored one; `None` when nothing changed.
    pub updated: Option<StoredPasskey>,
}

impl Passkeys {
    /// Starts authenticating with one of `credentials`, the account's passkeys.
    ///
    /// Returns the `CredentialRequestOptions` for the browser (`{"publicKey": {...}}`, binary
    /// fields base64url: `PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey)`)
    /// and the state to keep until [`Passkeys::finish_authentication`].
    pub fn start_authentication(
        &self,
        credentials: &[StoredPasskey],
    ) -> Result<(Value, PendingAuthentication), PasskeyError> {
        if credentials.is_empty() {
            return Err(PasskeyError::NoPasskeys);
        }
        let attested: Option<Vec<AttestedPasskey>> = credentials
            .iter()
            .map(|c| match &c.0 {
                Kind::Attested(p) => Some(p.clone()),
                Kind::Passkey(_) => None,
            })
            .collect();
        let map = |e| refused(e, Ceremony::Authenticate, &[]);
        let (options, state) = match attested {
            Some(keys) => {
                let (options, state) = self
                    .webauthn
                    .start_attested_passkey_authentication(&keys)
                    .map_err(map)?;
                (json(&options)?, AuthenticationCeremony::Attested(state))
            }
            None => {
                let keys: Vec<_> = credentials.iter().map(StoredPasskey::as_passkey).collect();
                let (options, state) = self
                    .webauthn
                    .start_passkey_authentication(&keys)
                    .map_err(map)?;
                (json(&options)?, AuthenticationCeremony::Passkey(state))
            }
        };
        Ok((options, PendingAuthentication(state)))
    }

    /// Checks the browser's answer (the `PublicKeyCredential` from
    /// `navigator.credentials.get()`, as its `toJSON()`) against the pending authentication:
    /// a passkey the ceremony allowed, origin, challenge, user verification, signature, backup
    /// eligibility unchanged, and a signature counter past the one in `credentials`.
    ///
    /// `credentials` are the account's passkeys as the database has them *now*: a passkey
    /// removed since the ceremony started is refused, and the counter is compared with the
    /// latest saved value (another ceremony may have advanced it meanwhile).
    pub fn finish_authentication(
        &self,
        response: &Value,
        pending: PendingAuthentication,
        credentials: &[StoredPasskey],
    ) -> Result<Authenticated, PasskeyError> {
        let response = PublicKeyCredential::deserialize(response).map_err(malformed)?;
        let presented = response.raw_id.as_slice();
        let result: AuthenticationResult = match &pending.0 {
            AuthenticationCeremony::Passkey(state) => self
                .webauthn
                .finish_passkey_authentication(&response, state),
            AuthenticationCeremony::Attested(state) => self
                .webauthn
                .finish_attested_passkey_authentication(&response, state),
        }
        .map_err(|e| refused(e, Ceremony::Authenticate, presented))?;

        let credential_id = result.cred_id().as_slice().to_vec();
        let stored = credentials
            .iter()
            .find(|c| c.credential_id() == credential_id.as_slice())
            .ok_or_else(|| PasskeyError::UnknownCredential {
                credential_id: credential_id.clone(),
            })?;

        // A hardware-bound key never becomes backup-eligible (the passkey ceremony would
        // accept that as an upgrade).
        if result.backup_eligible() != stored.backup_eligible()
            && (stored.hardware_bound() || !result.backup_eligible())
        {
            return Err(PasskeyError::BackupEligibilityChanged { credential_id });
        }

        // WebAuthn §7.2 step 22 against the latest saved counter, not the pending copy.
        let saved = stored.signature_counter();
        if (result.counter() > 0 || saved > 0) && result.counter() <= saved {
            return Err(PasskeyError::CounterRegressed { credential_id });
        }

        let mut updated = stored.clone();
        let changed = match &mut updated.0 {
            Kind::Passkey(p) => p.update_credential(&result),
            Kind::Attested(p) => p.update_credential(&result),
        };
        Ok(Authenticated {
            credential_id,
            user_verified: result.user_verified(),
            assurance: stored.assurance(),
            updated: (changed == Some(true)).then_some(updated),
        })
    }
}
