//! The PF operator API as a service provider (SP事業者) meets it: plain serde types, shared
//! by the PF (`akashi-pf`, `akashi-server`) and the SP client (`akashi-sp`).
//!
//! What an SP receives is deliberately small: a result, the certificate type, the per-SP
//! identifier and — for a signature certificate only — the basic four attributes. No type
//! here has a field for a serial number, a certificate or a public key.
#![forbid(unsafe_code)]

pub mod webhook;

use serde::{Deserialize, Serialize};

/// What the card's signature is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Identity proofing (犯収法's JPKI method): the signature certificate signs the SP's
    /// transaction data; the SP learns the basic four attributes.
    IdentityProofing,
    /// Login: the user-authentication certificate signs a challenge; the SP learns only who,
    /// as its own identifier.
    Login,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::IdentityProofing => "identity-proofing",
            Purpose::Login => "login",
        }
    }

    /// The certificate type the purpose needs.
    pub fn certificate_type(self) -> CertificateType {
        match self {
            Purpose::IdentityProofing => CertificateType::Signature,
            Purpose::Login => CertificateType::Authentication,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateType {
    Signature,
    Authentication,
}

/// `POST /pf/v1/transactions`: an SP starts a proofing or a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    pub purpose: Purpose,
    /// What the person agrees to (an application form, the terms): shown to the person and
    /// signed with the card. Identity proofing only; at most 4096 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<String>,
    /// The person consents to this SP receiving updates of the basic four attributes (and a
    /// notice of death) when J-LIS revokes the certificate for a move, a name change or a
    /// death. The consent is part of the signed bytes.
    #[serde(default)]
    pub subscribe_updates: bool,
}

/// The PF's answer to [`StartRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartResponse {
    /// Opaque, integrity-protected transaction reference; accepted once.
    pub transaction: String,
    /// The exact bytes the card signs (UTF-8 text a person can read), base64.
    pub to_be_signed: String,
    /// Unix time after which the transaction is refused.
    pub expires_at: i64,
}

/// `POST /pf/v1/transactions/complete`: the card-signed request, in one of two formats:
///
/// - `jpki-simple-v1`: `signature` is the card's RSASSA-PKCS1-v1_5 SHA-256 signature over the
///   `to_be_signed` bytes; `certificate` is required.
/// - `jpki-cms-v1`: `signature` is a DER CMS `ContentInfo` (RFC 5652 `SignedData`, one
///   signer, signed attributes with content-type id-data and the SHA-256 message digest of the
///   `to_be_signed` bytes; detached, or with them as eContent); `certificate` may be empty when
///   the SignedData carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    pub transaction: String,
    /// `jpki-simple-v1` or `jpki-cms-v1`.
    pub format: String,
    /// The signed bytes, base64 (exactly `to_be_signed`).
    pub signed_data: String,
    /// The certificate read from the card, base64 DER. The SP passes it through and must not
    /// keep it; only the PF stores certificates.
    #[serde(default)]
    pub certificate: String,
    /// The card's signature (simple) or the CMS ContentInfo (cms), base64.
    pub signature: String,
}

/// The basic four attributes (基本4情報) as an SP receives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male`, `female` or `unknown`.
    pub sex: String,
    pub address: String,
}

/// Everything an SP learns from a successful proofing or login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Always `verified` (a failure is a problem document).
    pub result: String,
    pub certificate_type: CertificateType,
    /// The per-SP identifier (独自識別子): stable for this person at this SP, different at
    /// every other SP.
    pub sp_user_id: String,
    /// `IAL3` for identity proofing, `AAL3` (card and PIN) for login.
    pub assurance: String,
    /// Signature certificate only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
    pub verified_at: i64,
}

/// One of an SP's customers as the SP may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub sp_user_id: String,
    /// `active`, `attributes-updated`, `revoked-ask-customer` or `deceased`.
    pub status: String,
    pub subscribed: bool,
    pub since: i64,
    pub updated_at: i64,
}

/// What happened to a customer, as a webhook tells the SP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotificationType {
    /// The person moved or changed name; with their consent, the latest four attributes.
    #[serde(rename = "attributes.updated")]
    AttributesUpdated,
    /// The certificate was revoked and the SP may not learn why: ask the customer.
    #[serde(rename = "certificate.revoked")]
    CertificateRevoked,
    /// The person died (with their earlier consent to updates).
    #[serde(rename = "customer.deceased")]
    CustomerDeceased,
}

/// A webhook body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Unique per notification; equal to the `webhook-id` header. Deliveries may repeat
    /// (at-least-once); the id lets an SP drop a repeat.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: NotificationType,
    pub sp_user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
    pub occurred_at: i64,
}

/// An RFC 9457 problem document with a machine-readable `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable error code, e.g. `transaction-replayed`, `certificate-revoked`.
    pub code: String,
}
