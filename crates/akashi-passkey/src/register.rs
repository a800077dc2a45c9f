//! Registration: a new passkey for an account.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use webauthn_rs::prelude::{
    AttestedPasskeyRegistration, CredentialID, PasskeyRegistration, RegisterPublicKeyCredential,
    Uuid, WebauthnError,
};

use crate::error::{malformed, refused, Ceremony};
use crate::stored::{Kind, StoredPasskey};
use crate::{PasskeyError, Passkeys, AAL2, AAL3};

/// What the new passkey must prove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// Any authenticator that verifies its user, synced passkeys included (AAL2).
    Any,
    /// An authenticator whose attestation chains to a configured hardware root and whose key
    /// cannot be synced (AAL3).
    HardwareBound,
}

/// A registration in progress: keep it server-side, for this enrolment only, use it once,
/// expire it with the ceremony (see the crate documentation). Serialise it as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRegistration {
    ceremony: RegistrationCeremony,
    /// The credential ids the account already has: webauthn-rs 0.5 reports one of them
    /// registering again as an algorithm mismatch, so this crate names it itself.
    excluded: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RegistrationCeremony {
    Passkey(PasskeyRegistration),
    Attested(AttestedPasskeyRegistration),
}

/// A passkey that registered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisteredPasskey {
    /// The credential id (raw bytes). The provider must check that no other account has it.
    pub credential_id: Vec<u8>,
    /// What to keep with the account.
    pub stored: StoredPasskey,
    /// Whether the attestation chained to a configured hardware root.
    pub hardware_bound: bool,
    /// 3 when hardware-bound (AAL3), else 2 (AAL2).
    pub assurance: u8,
}

impl Passkeys {
    /// Starts registering a passkey for the account whose WebAuthn user handle is
    /// `user_handle` (16 random bytes, fixed per account; never personal data). `user_name` and
    /// `display_name` are shown by the authenticator only. `exclude` lists the credential ids
    /// the account already has, so that an authenticator is not registered twice.
    ///
    /// Returns the `CredentialCreationOptions` for the browser (`{"publicKey": {...}}`, binary
    /// fields base64url: `PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey)`)
    /// and the state to keep until [`Passkeys::finish_registration`].
    pub fn start_registration(
        &self,
        user_handle: [u8; 16],
        user_name: &str,
        display_name: &str,
        exclude: &[Vec<u8>],
        want: Binding,
    ) -> Result<(Value, PendingRegistration), PasskeyError> {
        let user = Uuid::from_bytes(user_handle);
        let exclude_ids: Option<Vec<CredentialID>> = if exclude.is_empty() {
            None
        } else {
            Some(exclude.iter().map(|id| id.clone().into()).collect())
        };
        let ceremony = Ceremony::Register {
            hardware: want == Binding::HardwareBound,
        };
        let (options, ceremony_state) = match want {
            Binding::Any => {
                let (options, state) = self
                    .webauthn
                    .start_passkey_registration(user, user_name, display_name, exclude_ids)
                    .map_err(|e| refused(e, ceremony, &[]))?;
                (json(&options)?, RegistrationCeremony::Passkey(state))
            }
            Binding::HardwareBound => {
                if self.hardware_roots.is_empty() {
                    return Err(PasskeyError::NoHardwareRoots);
                }
                let (options, state) = self
                    .webauthn
                    .start_attested_passkey_registration(
                        user,
                        user_name,
                        display_name,
                        exclude_ids,
                        self.hardware_roots.clone(),
                        None,
                    )
                    .map_err(|e| refused(e, ceremony, &[]))?;
                (json(&options)?, RegistrationCeremony::Attested(state))
            }
        };
        Ok((
            options,
            PendingRegistration {
                ceremony: ceremony_state,
                excluded: exclude.to_vec(),
            },
        ))
    }

    /// Checks the browser's answer (the `PublicKeyCredential` from
    /// `navigator.credentials.create()`, as its `toJSON()`) against the pending registration:
    /// origin, challenge, user verification, the signature over the new key and, for
    /// [`Binding::HardwareBound`], the attestation chain to a hardware root.
    pub fn finish_registration(
        &self,
        response: &Value,
        pending: PendingRegistration,
    ) -> Result<RegisteredPasskey, PasskeyError> {
        let response = RegisterPublicKeyCredential::deserialize(response).map_err(malformed)?;
        let presented = response.raw_id.as_slice();
        let already = |e: WebauthnError, ceremony: Ceremony| {
            if matches!(e, WebauthnError::CredentialAlteredAlgFromRequest)
                && pending.excluded.iter().any(|id| id.as_slice() == presented)
            {
                PasskeyError::AlreadyRegistered
            } else {
                refused(e, ceremony, presented)
            }
        };
        let stored = match &pending.ceremony {
            RegistrationCeremony::Passkey(state) => self
                .webauthn
                .finish_passkey_registration(&response, state)
                .map(Kind::Passkey)
                .map_err(|e| already(e, Ceremony::Register { hardware: false }))?,
            RegistrationCeremony::Attested(state) => self
                .webauthn
                .finish_attested_passkey_registration(&response, state)
                .map(Kind::Attested)
                .map_err(|e| already(e, Ceremony::Register { hardware: true }))?,
        };
        let stored = StoredPasskey(stored);
        let hardware_bound = stored.hardware_bound();
        Ok(RegisteredPasskey {
            credential_id: stored.credential_id().to_vec(),
            assurance: if hardware_bound { AAL3 } else { AAL2 },
            hardware_bound,
            stored,
        })
    }
}

pub(crate) fn json<T: Serialize>(options: &T) -> Result<Value, PasskeyError> {
    serde_json::to_value(options)
        .map_err(|e| PasskeyError::Refused(format!("options could not be encoded: {e}")))
}
