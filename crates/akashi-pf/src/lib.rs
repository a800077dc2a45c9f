//! The PF operator (プラットフォーム事業者): the registered J-LIS verifier that service providers
//! delegate JPKI signature verification to (seed 000 ch. 2, seed 003).
//!
//! - An SP starts a transaction ([`PfService::start`]); the person's card signs the returned
//!   bytes — with the signature certificate for identity proofing, the authentication
//!   certificate for login — and the SP hands the signed request to
//!   [`PfService::complete`], which checks reference, chain, type, signature and OCSP status
//!   and answers with the result, the certificate type, the per-SP identifier and (signature
//!   certificate only) the basic four attributes. Never a serial, certificate or key.
//! - Certificates stay in the PF's vault, sealed, with an access log ([`PfService::vault_read`]).
//! - [`PfService::check_certificates`] follows J-LIS and queues consent-based attribute
//!   updates and death notices; [`PfService::deliver_due`] delivers them as signed webhooks.
#![forbid(unsafe_code)]

pub mod certs;
mod cms;
mod error;
mod keys;
pub mod link;
mod persons;
mod proofing;
mod recorder;
mod revocation;
mod service;
mod token;
mod updates;
mod vault;
mod webhooks;

pub use error::PfError;
pub use keys::PfKeys;
pub use link::{HttpJlis, InProcessJlis, JlisLink};
pub use proofing::{Received, SignatureChecked, StatusChecked, FORMAT_CMS, FORMAT_SIMPLE};
pub use revocation::{Revocation, RevocationChecker};
pub use service::{to_protocol, PfConfig, PfService, Registration, ServiceProvider};
pub use updates::CheckReport;
pub use webhooks::{backoff, DeliveryReport, HttpWebhookSender, WebhookSender};
