//! The assurance engine of Akashi's identity provider (seed 000's 当人認証): typed IAL, AAL
//! and FAL after NIST SP 800-63-3, an account lifecycle in which every change is a checked
//! transition, and the authenticators a person binds after proofing once with the card.
//!
//! - [`assurance`]: the levels, a session's level (the lower of IAL and AAL), `acr` URIs.
//! - [`lifecycle`]: unregistered → registered → authenticated → logged off, and recovery.
//! - [`AuthEngine`]: proofing with the signature certificate, logins with the card's
//!   authentication certificate (AAL3), a wallet device key and PIN (AAL2) or a passkey
//!   (AAL2; AAL3 when attested hardware-bound), binding and
//!   removing authenticators, sessions.
#![forbid(unsafe_code)]

mod account;
pub mod assurance;
mod card;
mod device;
mod engine;
mod error;
mod keys;
pub mod lifecycle;
mod manage;
mod passkey;
mod wallet;

pub use account::{Account, AccountClaims, AccountState, LoggedIn, NewSession, Session};
pub use akashi_passkey::{
    Binding as PasskeyBinding, PasskeyConfig, Passkeys, PendingAuthentication, PendingRegistration,
};
pub use assurance::{Aal, Fal, Ial, Level};
pub use card::{CardResponse, CARD_AMR};
pub use device::{device_key_id, DeviceResponse, DEVICE_AMR};
pub use engine::{hash_hex, random_token, to_be_signed, AuthConfig, AuthEngine, Purpose};
pub use error::AuthError;
pub use keys::AuthKeys;
pub use lifecycle::{Event, Lifecycle, TransitionError};
pub use manage::AuthenticatorInfo;
pub use wallet::WALLET_AMR;
