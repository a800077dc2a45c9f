//! The registered passkey as the provider keeps it.

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{AttestedPasskey, Credential, Passkey};

use crate::{AAL2, AAL3};

/// A registered passkey: its credential id, public key, signature counter, backup flags and,
/// for a hardware-bound one, the attestation it was registered with. Serialise it (JSON) into
/// the account's row; give it back to [`crate::Passkeys::start_authentication`] and
/// [`crate::Passkeys::finish_authentication`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredPasskey(pub(crate) Kind);

/// Which webauthn-rs ceremony registered the key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Kind {
    /// Any user-verifying authenticator ([`crate::Binding::Any`]).
    Passkey(Passkey),
    /// Attested to chain to a hardware root ([`crate::Binding::HardwareBound`]).
    Attested(AttestedPasskey),
}

impl StoredPasskey {
    /// The credential id (raw bytes), as the browser reports it and as an exclusion list or an
    /// account lookup needs it.
    pub fn credential_id(&self) -> &[u8] {
        match &self.0 {
            Kind::Passkey(p) => p.cred_id().as_slice(),
            Kind::Attested(p) => p.cred_id().as_slice(),
        }
    }

    /// Whether the key's attestation chained to a hardware root when it was registered.
    pub fn hardware_bound(&self) -> bool {
        matches!(self.0, Kind::Attested(_))
    }

    /// The assurance level an authentication with this passkey supports: 3 for a hardware-bound
    /// key, 2 otherwise (NIST SP 800-63B; user verification is always required).
    pub fn assurance(&self) -> u8 {
        if self.hardware_bound() {
            AAL3
        } else {
            AAL2
        }
    }

    /// The highest signature counter seen (0 for authenticators without a counter).
    pub fn signature_counter(&self) -> u32 {
        self.credential().counter
    }

    /// Whether the authenticator said at registration that the key may be backed up or synced.
    pub(crate) fn backup_eligible(&self) -> bool {
        self.credential().backup_eligible
    }

    /// The credential's internals, read-only (`danger-credential-internals`).
    fn credential(&self) -> Credential {
        match &self.0 {
            Kind::Passkey(p) => p.clone().into(),
            Kind::Attested(p) => p.clone().into(),
        }
    }

    /// The key as the plain-passkey ceremony takes it.
    pub(crate) fn as_passkey(&self) -> Passkey {
        match &self.0 {
            Kind::Passkey(p) => p.clone(),
            Kind::Attested(p) => p.into(),
        }
    }
}
