//! OpenID for Verifiable Presentations 1.0: the Authorization Request (§5) with a DCQL query,
//! Response Mode `direct_post` (§8.2) and the VP Token (§8.1).
//!
//! Akashi's verifiers use the `redirect_uri` Client Identifier Prefix (§5.9.3): the client id
//! is `redirect_uri:` followed by the Response URI, requests are unsigned and passed by value
//! (`openid4vp://?…`). The full client id is the audience of every presentation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::dcql::DcqlQuery;
use crate::{malformed, ProtocolError};

pub const RESPONSE_TYPE_VP_TOKEN: &str = "vp_token";
pub const RESPONSE_MODE_DIRECT_POST: &str = "direct_post";
pub const CLIENT_ID_PREFIX_REDIRECT_URI: &str = "redirect_uri:";
/// The custom scheme for requests passed by value (§13.1.2 static configuration).
pub const REQUEST_SCHEME: &str = "openid4vp://";

/// An Authorization Request (§5.1, §5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub response_type: String,
    pub client_id: String,
    pub response_mode: String,
    pub response_uri: String,
    pub nonce: String,
    pub state: String,
    pub dcql_query: DcqlQuery,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata: Option<Value>,
}

impl AuthorizationRequest {
    /// `openid4vp://?response_type=vp_token&client_id=…&dcql_query=<JSON>…`.
    pub fn to_uri(&self) -> String {
        let mut pairs = vec![
            ("response_type", self.response_type.clone()),
            ("client_id", self.client_id.clone()),
            ("response_mode", self.response_mode.clone()),
            ("response_uri", self.response_uri.clone()),
            ("nonce", self.nonce.clone()),
            ("state", self.state.clone()),
            (
                "dcql_query",
                serde_json::to_string(&self.dcql_query).expect("query serialises"),
            ),
        ];
        if let Some(meta) = &self.client_metadata {
            pairs.push(("client_metadata", meta.to_string()));
        }
        let query = serde_urlencoded::to_string(pairs).expect("request encodes");
        format!("{REQUEST_SCHEME}?{query}")
    }

    /// Parses a request URI, checking what this profile requires: `vp_token`, `direct_post`,
    /// a `redirect_uri:` client id naming the `response_uri`, a nonce, a state and a DCQL
    /// query. Every refusal is an `invalid_request` (§8.5).
    pub fn parse(uri: &str) -> Result<Self, ProtocolError> {
        let what = "authorization request";
        let (_, query) = uri
            .trim()
            .split_once('?')
            .ok_or_else(|| malformed(what, "no query string"))?;
        let pairs: BTreeMap<String, String> =
            serde_urlencoded::from_str(query).map_err(|e| malformed(what, e))?;
        let get = |name: &'static str| {
            pairs
                .get(name)
                .cloned()
                .ok_or_else(|| malformed(what, format!("{name} is missing")))
        };
        if pairs.contains_key("redirect_uri") {
            return Err(malformed(
                what,
                "redirect_uri must not be present with direct_post",
            ));
        }
        if pairs.contains_key("scope") && pairs.contains_key("dcql_query") {
            return Err(malformed(what, "both scope and dcql_query"));
        }
        let dcql_query: DcqlQuery =
            serde_json::from_str(&get("dcql_query")?).map_err(|e| malformed("dcql_query", e))?;
        let client_metadata = match pairs.get("client_metadata") {
            Some(m) => Some(serde_json::from_str(m).map_err(|e| malformed("client_metadata", e))?),
            None => None,
        };
        let request = Self {
            response_type: get("response_type")?,
            client_id: get("client_id")?,
            response_mode: get("response_mode")?,
            response_uri: get("response_uri")?,
            nonce: get("nonce")?,
            state: get("state")?,
            dcql_query,
            client_metadata,
        };
        request.check()?;
        Ok(request)
    }

    fn check(&self) -> Result<(), ProtocolError> {
        let what = "authorization request";
        if self.response_type != RESPONSE_TYPE_VP_TOKEN {
            return Err(malformed(what, "response_type must be vp_token"));
        }
        if self.response_mode != RESPONSE_MODE_DIRECT_POST {
            return Err(malformed(what, "response_mode must be direct_post"));
        }
        match self.client_id.strip_prefix(CLIENT_ID_PREFIX_REDIRECT_URI) {
            Some(uri) if uri == self.response_uri => {}
            Some(_) => {
                return Err(malformed(
                    what,
                    "the redirect_uri client id does not name the response_uri",
                ))
            }
            None => return Err(malformed(what, "unsupported client identifier prefix")),
        }
        if self.nonce.len() < 16 {
            return Err(malformed(what, "nonce shorter than 16 characters"));
        }
        let url_safe = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        };
        if !url_safe(&self.state) {
            return Err(malformed(what, "state must be URL-safe ASCII"));
        }
        self.dcql_query.check()
    }
}

/// The Authorization Response as posted to the Response URI (§8.2), form-encoded: a VP Token,
/// or an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuthorizationResponse {
    /// JSON: `{credential query id: [presentation, …]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vp_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl AuthorizationResponse {
    pub fn to_form(&self) -> String {
        serde_urlencoded::to_string(self).expect("response encodes")
    }

    pub fn from_form(body: &[u8]) -> Result<Self, ProtocolError> {
        serde_urlencoded::from_bytes(body).map_err(|e| malformed("authorization response", e))
    }
}

/// A VP Token: presentations per credential query id.
pub type VpToken = BTreeMap<String, Vec<Value>>;

/// What the Response URI answers on success (§8.2): where the user agent continues.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DirectPostAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}
