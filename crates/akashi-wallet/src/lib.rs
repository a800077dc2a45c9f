//! The holder's wallet as a store: the holder keys (P-256 for SD-JWT key binding, the BBS
//! holder secret), credentials with their SD-JWT copies (a fresh one for each verifier, so two
//! verifiers cannot join presentations by signature or salts), the consents given and the
//! history of what was disclosed to whom.
//!
//! One file, sealed (AES-256-GCM under the wallet key; the holder keys sealed again inside),
//! replaced atomically on every save and locked while open: a crash leaves the old or the new
//! wallet, and two processes cannot interleave.
#![forbid(unsafe_code)]

mod store;

pub use store::{
    Consent, DisclosureRecord, StoredCredential, Wallet, WalletError, FORMAT_BBS, FORMAT_SD_JWT,
};
