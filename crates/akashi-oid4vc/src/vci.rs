//! OpenID for Verifiable Credential Issuance 1.0 messages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{malformed, ProtocolError};

/// `urn:ietf:params:oauth:grant-type:pre-authorized_code` (§3.5).
pub const GRANT_PRE_AUTHORIZED: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";
/// The `typ` of a key proof JWT (Appendix F.1).
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// The URI scheme of a credential offer passed by value (§4.1).
pub const OFFER_SCHEME: &str = "openid-credential-offer://";

/// Credential Issuer Metadata (§12.2), served at `/.well-known/openid-credential-issuer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuerMetadata {
    pub credential_issuer: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    pub credential_endpoint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_credential_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_credential_issuance: Option<BatchIssuance>,
    pub credential_configurations_supported: BTreeMap<String, CredentialConfiguration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchIssuance {
    pub batch_size: u32,
}

/// One entry of `credential_configurations_supported` (§12.2.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialConfiguration {
    pub format: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cryptographic_binding_methods_supported: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credential_signing_alg_values_supported: Vec<Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub proof_types_supported: BTreeMap<String, Value>,
    /// Display and claim descriptions (§12.2.4 `credential_metadata`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_metadata: Option<Value>,
    /// Format-specific members (e.g. `akashi_bbs_public_key`, `akashi_bbs_profile`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// OAuth 2.0 Authorization Server Metadata (RFC 8414) as the issuer's own AS publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub response_types_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    #[serde(rename = "pre-authorized_grant_anonymous_access_supported")]
    pub pre_authorized_grant_anonymous_access_supported: bool,
}

/// A Credential Offer (§4.1.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialOffer {
    pub credential_issuer: String,
    pub credential_configuration_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Grants>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Grants {
    #[serde(
        rename = "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_code: Option<PreAuthorizedGrant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<AuthorizationCodeGrant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreAuthorizedGrant {
    #[serde(rename = "pre-authorized_code")]
    pub pre_authorized_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationCodeGrant {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_state: Option<String>,
}

impl CredentialOffer {
    /// `openid-credential-offer://?credential_offer=<JSON>` (§4.1.2).
    pub fn to_uri(&self) -> String {
        let json = serde_json::to_string(self).expect("offer serialises");
        let query =
            serde_urlencoded::to_string([("credential_offer", json)]).expect("offer encodes");
        format!("{OFFER_SCHEME}?{query}")
    }

    /// Parses an offer URI (by value), or the offer's JSON itself.
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let text = text.trim();
        let json = match text.split_once('?') {
            Some((_, query)) if !text.starts_with('{') => {
                let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
                    .map_err(|e| malformed("credential offer URI", e))?;
                pairs
                    .into_iter()
                    .find(|(k, _)| k == "credential_offer")
                    .map(|(_, v)| v)
                    .ok_or_else(|| {
                        malformed("credential offer URI", "no credential_offer parameter")
                    })?
            }
            _ => text.to_owned(),
        };
        serde_json::from_str(&json).map_err(|e| malformed("credential offer", e))
    }
}

/// A Token Request (§6.1), form-encoded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenRequest {
    pub grant_type: String,
    #[serde(
        rename = "pre-authorized_code",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pre_authorized_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// A successful Token Response (§6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    /// For re-issuance (§13.5): renewing the credential without proofing again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// The Nonce Response (§7.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonceResponse {
    pub c_nonce: String,
}

/// A Credential Request (§8.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_configuration_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proofs: Option<Proofs>,
}

/// `proofs` (§8.2.1): one array per proof type. `jwt` key proofs bind SD-JWT VCs (one
/// credential per proof); `akashi_bbs_commitment` carries the holder's blind commitment for
/// the BBS format (base64url of the issuance request; see [`crate::bbs`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Proofs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub akashi_bbs_commitment: Option<Vec<String>>,
}

/// A Credential Response (§8.3): the credentials, or a transaction id to come back with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Vec<IssuedCredential>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_id: Option<String>,
}

/// One issued credential: a string (SD-JWT VC), or an object (the BBS format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedCredential {
    pub credential: Value,
}

/// A Deferred Credential Request (§9.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeferredCredentialRequest {
    pub transaction_id: String,
}

/// Claims of a key proof JWT (Appendix F.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyProofClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    pub aud: String,
    pub iat: i64,
    pub nonce: String,
}
