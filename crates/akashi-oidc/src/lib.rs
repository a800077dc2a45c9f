//! Akashi's OpenID Connect provider — the "private digital ID provider" of seed 000. A person
//! proofed once with the card logs in at the level each relying party asks (`acr_values`,
//! `max_age`), and each RP gets only its own pairwise `sub` and the claims of the scopes the
//! person consented to.
#![forbid(unsafe_code)]

mod account_api;
mod authorize;
mod clients;
mod discovery;
mod error;
mod interaction;
mod interaction_state;
mod keys;
mod logout;
mod passkey;
pub mod protocol;
mod provider;
mod token;
mod userinfo;
mod wallet_login;

pub use authorize::{AuthorizeOutcome, ValidRequest, SCOPES};
pub use clients::{CheckedClient, Client, ClientDraft, RegisteredClient};
pub use error::OidcError;
pub use interaction::{InteractionLogin, LoginMethod, Stage};
pub use logout::{LogoutOutcome, LogoutParams};
pub use provider::{OidcConfig, OidcProvider};
pub use userinfo::claims_for;
pub use wallet_login::WalletLogin;
