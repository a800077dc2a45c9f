//! The private ID issuer (民間ID事業者) of Akashi.
//!
//! 1. **Proofing** ([`proofing`]): the holder's My Number Card signs the issuer's challenge
//!    with the JPKI signature certificate; the issuer, a registered verifier at J-LIS, checks
//!    chain, type, signature and revocation (OCSP), then keeps the basic four attributes
//!    (sealed) and the anchor certificate's serial. IAL3.
//! 2. **Issuance** over OpenID4VCI 1.0 ([`token`], [`credential`]): a pre-authorized code after
//!    proofing, or the authorization-code flow with PKCE whose user authentication is the card
//!    signature; a nonce endpoint; the credential endpoint issues a batch of SD-JWT VCs, one
//!    per holder key (one copy per verifier: copies share no salt, signature or key), or one
//!    BBS credential signed blindly over the holder's committed secret. Deferred issuance
//!    while J-LIS cannot confirm the anchor's status.
//! 3. **Lifecycle** ([`status`]): SD-JWT VCs carry a Token Status List entry at a random index;
//!    BBS credentials are short-lived (7 days by default) and renewed with the refresh token.
//!    The issuer watches every anchor at J-LIS: a revoked anchor revokes the SD-JWT VCs and
//!    stops renewal until the holder renews — with the latest four from J-LIS when the holder
//!    consented to that, or by signing with the card again.
//!
//! Time and randomness are parameters; the issuer's keys are sealed at rest.
#![forbid(unsafe_code)]

pub mod credential;
mod error;
mod keys;
pub mod proofing;
mod service;
pub mod status;
pub mod token;
mod tokens;

pub use error::IssuerError;
pub use keys::{IssuerKeys, BBS_SUITE};
pub use service::{IssuerConfig, IssuerService, CONFIG_BBS, CONFIG_SD_JWT};
pub use status::WatchReport;
