//! The provider's wire types, plain serde: what relying parties and browsers send and get.

use serde::{Deserialize, Serialize};

/// An authorization request (OIDC Core §3.1.2.1; RFC 7636; RFC 9126 `request_uri`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationParams {
    #[serde(default)]
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr_values: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
    /// Client authentication at the PAR endpoint (client_secret_post).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// A token request (RFC 6749 §4.1.3 with RFC 7636's verifier).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TokenParams {
    #[serde(default)]
    pub grant_type: String,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    /// `Bearer`, or `DPoP` when the token is bound to the client's key.
    pub token_type: String,
    pub expires_in: i64,
    pub id_token: String,
    pub scope: String,
}

/// The PAR answer (RFC 9126 §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParResponse {
    pub request_uri: String,
    pub expires_in: i64,
}

/// An OAuth error body (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub error_description: String,
}

/// What the login and consent screens show: who asks, for what, at which level, and how the
/// person can log in (each method with its challenge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionView {
    pub interaction: String,
    /// `login` or `consent`.
    pub stage: String,
    pub client_name: String,
    /// The scopes asked for, and the claims each would give.
    pub scopes: Vec<ScopeView>,
    /// The `acr` the relying party requires, if it asked for one.
    pub required_acr: Option<String>,
    /// Why a login is needed: `no_session`, `prompt_login`, `max_age`, `step_up`.
    pub reason: Option<String>,
    /// The current session's level, if there is one.
    pub session_acr: Option<String>,
    /// The challenge the card or device key signs (to-be-signed bytes, base64).
    pub challenge: String,
    pub to_be_signed: LoginChallenge,
    /// Login methods that reach the required level.
    pub methods: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginChallenge {
    /// What the card's signature certificate signs to register or recover (base64).
    pub proofing: String,
    /// What the card's authentication key or the device key signs to log in (base64).
    pub login: String,
    /// What a new authenticator signs to be bound (base64).
    pub bind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeView {
    pub scope: String,
    pub claims: Vec<String>,
}

/// A card's answer (certificate and signature, base64).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CardLogin {
    pub certificate: String,
    pub signature: String,
}

/// A device key's answer: its public key as a JWK, the ES256 signature (base64url) and PIN.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeviceLogin {
    pub jwk: serde_json::Value,
    pub signature: String,
    pub pin: String,
}

/// The person's decision on the consent screen.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ConsentDecision {
    pub approve: bool,
}

/// Where the browser goes next after a step of the interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Next {
    /// `consent` (show the consent screen), `login` (still not enough), or `redirect`.
    pub next: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr: Option<String>,
}
