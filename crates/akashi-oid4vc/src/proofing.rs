//! Akashi's proofing step in front of OpenID4VCI: the holder's My Number Card signs the
//! issuer's challenge with the JPKI signature certificate (IAL3). Used both before a
//! pre-authorized offer (`POST /issuer/proofing`) and as the user authentication of the
//! authorization-code flow (`/issuer/authorize`).

use serde::{Deserialize, Serialize};

use crate::vci::CredentialOffer;

/// What the card signs, and the challenge to send back with the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofingChallenge {
    pub challenge: String,
    /// base64 of the bytes the card signs (SHA-256, PKCS#1 v1.5, signature key).
    pub to_be_signed: String,
    pub expires_at: i64,
}

/// The card's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofingRequest {
    pub challenge: String,
    /// base64 DER of the signature certificate, read from the card.
    pub certificate: String,
    /// base64 of the card's signature over `to_be_signed`.
    pub signature: String,
    /// The holder consents that the issuer receives the latest four attributes from J-LIS
    /// when the certificate is revoked for a move or a name change (renewal without the card).
    #[serde(default)]
    pub consent_updates: bool,
}

/// The issuer's answer to a pre-authorized proofing: the offer for the wallet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofingAnswer {
    pub credential_offer: CredentialOffer,
    pub credential_offer_uri: String,
    /// `good`, or `pending` while J-LIS cannot confirm the certificate's status (issuance is
    /// then deferred).
    pub anchor_status: String,
}

/// The authorization endpoint's answer after proofing: where the user agent goes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizeAnswer {
    pub redirect_uri: String,
}
