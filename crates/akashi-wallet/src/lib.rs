//! The holder's wallet: a store and the protocols it speaks.
//!
//! - [`Wallet`]: the holder keys (a P-256 key per SD-JWT copy for key binding, the BBS holder
//!   secret), credentials with their SD-JWT copies (a fresh one for each verifier, so two
//!   verifiers cannot join presentations by signature, salts or key), the consents given and
//!   the history of what was disclosed to whom. One file, sealed (AES-256-GCM under the wallet
//!   key; keys sealed again inside), replaced atomically on every save and locked while open.
//! - [`issuance`]: proofing with the card, OpenID4VCI 1.0 (pre-authorized offer, deferred,
//!   renewal with the refresh token), status checks that raise "renew your ID".
//! - [`authorize`]: the OpenID4VCI authorization-code flow with PKCE, the card answering the
//!   issuer's challenge.
//! - [`renewal`]: renews what is about to expire (BBS credentials live days) without the card.
//! - [`presentation`]: OpenID4VP 1.0 requests: what exactly would be disclosed to whom, the
//!   holder's approval, the VP token posted with `direct_post`.
#![forbid(unsafe_code)]

pub mod authorize;
mod bbs_issuance;
mod http;
pub mod issuance;
pub mod presentation;
pub mod renewal;
mod rng;
mod store;

pub use http::well_known;
pub use store::{
    Consent, DisclosureRecord, StoredCredential, Wallet, WalletError, FORMAT_BBS, FORMAT_SD_JWT,
};
