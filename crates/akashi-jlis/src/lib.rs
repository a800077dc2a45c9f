//! J-LIS (地方公共団体情報システム機構) as a certificate authority: the signature CA and the
//! user-authentication CA with their generations, issuing both certificates onto a card.
//!
//! The resident registry, life events, CRLs and OCSP build on this in later layers.
#![forbid(unsafe_code)]

mod audit;
mod authority;
mod card;
mod error;
mod issue;
pub mod registry;
pub mod revocation;
pub mod verifiers;

pub use audit::AuditLog;
pub use authority::{Authority, Generation};
pub use card::{card_face, issue_card, reissue_signature, CardIssueRequest, IssuedCard};
pub use error::JlisError;
pub use issue::{Issued, IssuedCertificates};
pub use registry::{CertificateChange, LifeEvent, Registry};
pub use revocation::{OcspResponder, Responder};
pub use verifiers::{HistoryEntry, StatusAnswer, Verifier};
