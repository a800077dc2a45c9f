//! Verifying a whole VP Token against the transaction's DCQL query.

use serde_json::{Map, Value};

use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::vp::VpToken;
use akashi_oid4vc::{FORMAT_AKASHI_BBS, FORMAT_SD_JWT_VC};

use crate::status::{StatusCache, StatusFetcher};
use crate::{TrustedIssuer, VerifierError};

/// What every presentation of one response is checked against.
pub(crate) struct Context<'a> {
    /// The relying party's full client id: key-binding audience and BBS pseudonym context.
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: i64,
    pub kb_max_age: i64,
    pub trusted: &'a [TrustedIssuer],
    pub fetcher: &'a dyn StatusFetcher,
    pub status: &'a StatusCache,
}

/// The result object: `{"credentials": {query id: result (or [results] if multiple)}}`.
/// Every query must be answered (once, unless `multiple`), and nothing else may be.
pub(crate) async fn verify_token(
    ctx: &Context<'_>,
    query: &DcqlQuery,
    token: &VpToken,
) -> Result<Value, VerifierError> {
    if token
        .keys()
        .any(|id| !query.credentials.iter().any(|c| &c.id == id))
    {
        return Err(VerifierError::MalformedResponse(
            "the VP Token answers a credential query that was not asked".into(),
        ));
    }
    let mut credentials = Map::new();
    for c in &query.credentials {
        let entries = token.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        if entries.is_empty() {
            return Err(VerifierError::MissingPresentation {
                query: c.id.clone(),
            });
        }
        if entries.len() > 1 && !c.multiple {
            return Err(VerifierError::MalformedResponse(format!(
                "more than one presentation for credential query {:?}",
                c.id
            )));
        }
        let mut results = Vec::with_capacity(entries.len());
        for entry in entries {
            results.push(match c.format.as_str() {
                FORMAT_SD_JWT_VC => crate::sd_jwt::verify(ctx, c, entry).await?,
                FORMAT_AKASHI_BBS => crate::bbs::verify(ctx, c, entry)?,
                other => return Err(VerifierError::UnsupportedFormat(other.to_owned())),
            });
        }
        let result = if c.multiple {
            Value::Array(results)
        } else {
            results.pop().expect("one entry")
        };
        credentials.insert(c.id.clone(), result);
    }
    Ok(serde_json::json!({ "credentials": credentials }))
}
