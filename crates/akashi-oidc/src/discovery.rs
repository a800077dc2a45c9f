//! OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3), from the configuration.

use serde_json::{json, Value};

use akashi_auth::Level;

use crate::authorize::SCOPES;
use crate::OidcProvider;

impl OidcProvider {
    pub fn metadata(&self) -> Value {
        let c = &self.config;
        let claims: Vec<&str> = {
            let mut all: Vec<&str> = SCOPES.iter().flat_map(|(_, c)| c.iter().copied()).collect();
            all.extend([
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "amr",
                "azp",
                "sid",
            ]);
            all.sort_unstable();
            all.dedup();
            all
        };
        json!({
            "issuer": c.issuer,
            "authorization_endpoint": c.endpoint("authorize"),
            "pushed_authorization_request_endpoint": c.endpoint("par"),
            "token_endpoint": c.endpoint("token"),
            "userinfo_endpoint": c.endpoint("userinfo"),
            "jwks_uri": c.endpoint("jwks"),
            "end_session_endpoint": c.endpoint("logout"),
            "scopes_supported": SCOPES.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            "claims_supported": claims,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "id_token_encryption_alg_values_supported": ["RSA-OAEP-256", "ECDH-ES"],
            "id_token_encryption_enc_values_supported": ["A256GCM"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": Level::ALL.iter().map(|l| l.acr()).collect::<Vec<_>>(),
            "prompt_values_supported": ["none", "login", "consent"],
            "dpop_signing_alg_values_supported": ["ES256", "RS256"],
            "authorization_response_iss_parameter_supported": true,
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "require_pushed_authorization_requests": false,
        })
    }
}
