//! SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): an SD-JWT whose JWS `typ` is `dc+sd-jwt` (or the
//! transitional `vc+sd-jwt`), with a `vct`, and validity and status claims that are never
//! selectively disclosed.

use serde_json::Value;

use crate::status_list::{status, StatusList};
use crate::verifier::{verify, Expectations, Verified};
use crate::SdJwtError;

/// Claims an SD-JWT VC must carry in the clear (§ "Registered JWT Claims").
const CLEAR: [&str; 6] = ["iss", "nbf", "exp", "cnf", "vct", "status"];

/// Where a credential's status is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReference {
    pub index: usize,
    pub uri: String,
}

/// A verified SD-JWT VC presentation.
#[derive(Debug, Clone)]
pub struct VerifiedVc {
    pub vct: String,
    pub issuer: Option<String>,
    pub status: Option<StatusReference>,
    pub verified: Verified,
}

fn invalid(why: String) -> SdJwtError {
    SdJwtError::Malformed(format!("SD-JWT VC: {why}"))
}

/// Verifies an SD-JWT VC presentation at `now` (seconds): the SD-JWT and its Key Binding,
/// then `typ`, `vct`, validity (`nbf`, `exp`, `iat` not in the future) and that the claims
/// of [`CLEAR`] were signed in the clear.
pub fn verify_vc(
    presentation: &str,
    expect: &Expectations<'_>,
    now: i64,
) -> Result<VerifiedVc, SdJwtError> {
    let verified = verify(presentation, expect)?;
    match verified.header.get("typ").and_then(Value::as_str) {
        Some("dc+sd-jwt" | "vc+sd-jwt") => {}
        other => return Err(invalid(format!("typ {other:?} is not dc+sd-jwt"))),
    }
    for name in CLEAR {
        if verified.claims.contains_key(name) && !verified.signed_clear.contains_key(name) {
            return Err(invalid(format!("{name} must not be selectively disclosed")));
        }
    }
    let vct = verified
        .claims
        .get("vct")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("vct is required".into()))?
        .to_owned();
    let time = |name: &str| verified.claims.get(name).and_then(Value::as_i64);
    if time("nbf").is_some_and(|nbf| now < nbf) {
        return Err(invalid("not yet valid (nbf)".into()));
    }
    if time("exp").is_some_and(|exp| now >= exp) {
        return Err(invalid("expired (exp)".into()));
    }
    if time("iat").is_some_and(|iat| iat > now + 60) {
        return Err(invalid("issued in the future (iat)".into()));
    }
    let status = match verified
        .claims
        .get("status")
        .and_then(|s| s.get("status_list"))
    {
        None => None,
        Some(list) => Some(StatusReference {
            index: list
                .get("idx")
                .and_then(Value::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| invalid("status_list.idx must be an index".into()))?,
            uri: list
                .get("uri")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("status_list.uri is required".into()))?
                .to_owned(),
        }),
    };
    Ok(VerifiedVc {
        vct,
        issuer: verified
            .claims
            .get("iss")
            .and_then(Value::as_str)
            .map(str::to_owned),
        status,
        verified,
    })
}

/// What a status list says about a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialStatus {
    Valid,
    Invalid,
    Suspended,
    /// A value this implementation does not know (application-specific); treat as not valid.
    Other(u8),
}

impl StatusReference {
    /// Looks the credential up in `list` (fetched from `self.uri` and verified).
    pub fn lookup(&self, list: &StatusList) -> Result<CredentialStatus, SdJwtError> {
        match list.get(self.index) {
            None => Err(invalid(format!(
                "status index {} is beyond the list",
                self.index
            ))),
            Some(status::VALID) => Ok(CredentialStatus::Valid),
            Some(status::INVALID) => Ok(CredentialStatus::Invalid),
            Some(status::SUSPENDED) => Ok(CredentialStatus::Suspended),
            Some(other) => Ok(CredentialStatus::Other(other)),
        }
    }
}
