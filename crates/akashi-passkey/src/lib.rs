//! Passkeys over WebAuthn for the identity provider's authenticators, on `webauthn-rs`.
//!
//! Pure logic, no I/O: the provider keeps every state in its database.
//!
//! - [`Passkeys::new`] from a [`PasskeyConfig`] (relying-party id, origin, name, and the DER
//!   CA certificates whose attestations prove a hardware-bound key).
//! - Registration: [`Passkeys::start_registration`] gives the options for
//!   `navigator.credentials.create()` and a [`PendingRegistration`];
//!   [`Passkeys::finish_registration`] checks the browser's answer and gives a
//!   [`RegisteredPasskey`]: the [`StoredPasskey`] to keep with the account, whether the key is
//!   hardware-bound, and the assurance level it supports.
//!   - [`Binding::Any`]: any authenticator that verifies its user (PIN, biometric), synced
//!     passkeys included. Assurance **2** (AAL2, NIST SP 800-63B: a multi-factor cryptographic
//!     authenticator whose key may be exportable).
//!   - [`Binding::HardwareBound`]: webauthn-rs's *attested passkey* ceremony. The authenticator
//!     must send a `packed` or `tpm` attestation that chains to one of
//!     [`PasskeyConfig::hardware_roots`], and must not be backup-eligible (synced). Assurance
//!     **3** (AAL3: a hardware-bound, non-exportable key with user verification). An
//!     authenticator whose attestation does not chain is refused with
//!     [`PasskeyError::NotHardwareBound`]; it is never silently downgraded to AAL2.
//! - Authentication: [`Passkeys::start_authentication`] gives the options for
//!   `navigator.credentials.get()` and a [`PendingAuthentication`];
//!   [`Passkeys::finish_authentication`] checks the answer against the account's passkeys and
//!   gives an [`Authenticated`], with the passkey to save back when its signature counter or
//!   backup state changed. A counter that does not advance is refused
//!   ([`PasskeyError::CounterRegressed`]): the key may have been cloned.
//!
//! # Why the ceremony states are serialisable
//!
//! A ceremony's state holds its random challenge (and, for authentication, the credentials
//! allowed). webauthn-rs refuses to serialise it unless its `danger-allow-state-serialisation`
//! feature is on, because a state kept by the *client* (a cookie) lets the client replay an
//! old challenge and its signed answer without the authenticator. This crate turns the feature
//! on because the provider has no memory but its database. What makes that safe is how the
//! provider keeps [`PendingRegistration`] and [`PendingAuthentication`]:
//!
//! - **server-side only**: a database row, never sent to the browser (not even encrypted);
//! - **bound to one interaction**: keyed by the login or enrolment interaction that started
//!   it, and only looked up for that interaction;
//! - **single-use**: taken out of the database (deleted in the same transaction) before
//!   `finish_*` is called, whether the ceremony then succeeds or fails; the `finish_*`
//!   functions take the state by value to mirror that;
//! - **short-lived**: expired by the provider after the ceremony timeout (webauthn-rs asks
//!   browsers for 5 minutes).
//!
//! Single use is the provider's to enforce: this crate has no state, and a pending state
//! finished twice is checked twice. Counter-bearing authenticators give a second line of
//! defence (a replayed assertion does not advance the counter saved after its first use);
//! synced passkeys usually have no counter, so for them deleting the row is the only one.
//!
//! # Other webauthn-rs features
//!
//! `attestation` for the attested-passkey ceremony and its CA list;
//! `danger-credential-internals` only to *read* a stored credential's signature counter and
//! backup eligibility, so that [`Passkeys::finish_authentication`] compares the presented
//! counter with the one in the database now, not the copy taken into the pending state when
//! the ceremony started (two ceremonies can run at once). Nothing here builds or alters a
//! credential from its internals.
//!
//! # What the provider still owns
//!
//! Checking that a new credential id is not registered to another account (WebAuthn §7.1
//! step 26), the user handle (16 random bytes per account, never personal data), rate limits,
//! and what to do with a passkey refused for a counter regression (disable it, tell the user).
#![forbid(unsafe_code)]

mod authenticate;
mod error;
mod register;
mod stored;

pub use authenticate::{Authenticated, PendingAuthentication};
pub use error::PasskeyError;
pub use register::{Binding, PendingRegistration, RegisteredPasskey};
pub use stored::StoredPasskey;

use webauthn_rs::prelude::{AttestationCaList, Url};
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// Assurance level of a passkey that verifies its user but whose key may be exportable
/// (NIST SP 800-63B AAL2).
pub const AAL2: u8 = 2;
/// Assurance level of a passkey whose attestation proves a hardware-bound key
/// (NIST SP 800-63B AAL3).
pub const AAL3: u8 = 3;

/// The relying party: who the passkeys are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyConfig {
    /// The relying-party id: the provider's domain (`"localhost"` in development), which the
    /// origin's host must equal or end with.
    pub rp_id: String,
    /// The exact origin the browser talks to, scheme and port included:
    /// `https://id.example.jp`, or `http://localhost:8080` in development.
    pub rp_origin: String,
    /// The name browsers show when creating a passkey.
    pub rp_name: String,
    /// DER CA certificates: an attestation chaining to one of them proves a hardware-bound key
    /// (an authenticator vendor's attestation root, for example). Empty: no hardware-bound
    /// registration.
    pub hardware_roots: Vec<Vec<u8>>,
}

impl PasskeyConfig {
    /// The configuration of a provider reached at `public_url`: its host is the relying-party
    /// id and its origin the only one accepted. WebAuthn has no relying-party id for an IP
    /// address, so a URL without a domain name is refused. `hardware_roots` may be DER or PEM.
    pub fn for_public_url(
        public_url: &str,
        rp_name: &str,
        hardware_roots: &[Vec<u8>],
    ) -> Result<Self, PasskeyError> {
        let url = Url::parse(public_url)
            .map_err(|e| PasskeyError::Config(format!("{public_url:?} is not a URL: {e}")))?;
        let rp_id = url.domain().ok_or_else(|| {
            PasskeyError::Config(format!(
                "{public_url} has no domain name (WebAuthn needs one; an IP address has none)"
            ))
        })?;
        let roots = hardware_roots
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                openssl::x509::X509::from_der(bytes)
                    .or_else(|_| openssl::x509::X509::from_pem(bytes))
                    .and_then(|c| c.to_der())
                    .map_err(|_| {
                        PasskeyError::Config(format!("hardware root #{i} is not a certificate"))
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(PasskeyConfig {
            rp_id: rp_id.to_owned(),
            rp_origin: url.origin().ascii_serialization(),
            rp_name: rp_name.to_owned(),
            hardware_roots: roots,
        })
    }
}

/// The passkey logic for one relying party. Cheap to clone; holds no ceremony state.
#[derive(Debug, Clone)]
pub struct Passkeys {
    webauthn: Webauthn,
    hardware_roots: AttestationCaList,
}

impl Passkeys {
    /// Checks the configuration: the origin must be a URL whose host is `rp_id` or one of its
    /// subdomains, and every hardware root a DER certificate.
    pub fn new(config: PasskeyConfig) -> Result<Self, PasskeyError> {
        let origin = Url::parse(&config.rp_origin).map_err(|e| {
            PasskeyError::Config(format!(
                "rp_origin {:?} is not a URL: {e}",
                config.rp_origin
            ))
        })?;
        if config.rp_name.is_empty() {
            return Err(PasskeyError::Config("rp_name is empty".into()));
        }
        let webauthn = WebauthnBuilder::new(&config.rp_id, &origin)
            .map_err(|_| {
                PasskeyError::Config(format!(
                    "rp_origin {} is not on rp_id {:?} (its host must be rp_id or a subdomain of it)",
                    config.rp_origin, config.rp_id
                ))
            })?
            .rp_name(&config.rp_name)
            .build()
            .map_err(|e| PasskeyError::Config(e.to_string()))?;
        let mut hardware_roots = AttestationCaList::default();
        for (i, der) in config.hardware_roots.iter().enumerate() {
            hardware_roots.union(&root_list(der).map_err(|e| {
                PasskeyError::Config(format!("hardware root #{i} is not a DER certificate: {e}"))
            })?);
        }
        Ok(Passkeys {
            webauthn,
            hardware_roots,
        })
    }
}

/// A one-CA list that trusts every device model (AAGUID) the CA attests. webauthn-rs builds
/// such "blanket" entries only from PEM, so the DER is wrapped.
fn root_list(der: &[u8]) -> Result<AttestationCaList, openssl::error::ErrorStack> {
    let pem = openssl::x509::X509::from_der(der)?.to_pem()?;
    AttestationCaList::try_from(pem.as_slice())
}
