//! Verifying one `dc+sd-jwt` entry of a VP Token.

use base64::Engine;
use serde_json::{json, Map, Value};

use akashi_oid4vc::dcql::{resolve, sd_jwt_accepts, CredentialQuery};
use akashi_oid4vc::FORMAT_SD_JWT_VC;
use akashi_sdjwt::{verify_vc, EcPublicKey, Expectations, KeyBindingExpectation, SdJwtError};

use crate::error::{sd_jwt_reason, untrusted};
use crate::query::string_path;
use crate::verify::Context;
use crate::VerifierError;

fn invalid(why: &str) -> VerifierError {
    VerifierError::InvalidPresentation(why.to_owned())
}

/// The `iss` of the issuer-signed JWT, unverified: only to choose which keys to verify with.
fn peek_issuer(presentation: &str) -> Result<String, VerifierError> {
    let jwt = presentation
        .split('~')
        .next()
        .ok_or_else(|| invalid("malformed SD-JWT"))?;
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid("malformed issuer-signed JWT"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| invalid("malformed issuer-signed JWT"))?;
    let claims: Value =
        serde_json::from_slice(&bytes).map_err(|_| invalid("malformed issuer-signed JWT"))?;
    claims
        .get("iss")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| invalid("the issuer-signed JWT has no iss"))
}

/// Puts `value` at `path` inside `out`, creating the objects on the way.
fn insert_at(out: &mut Map<String, Value>, path: &[&str], value: Value) {
    let (last, parents) = path.split_last().expect("paths are not empty");
    let mut here = out;
    for name in parents {
        let slot = here
            .entry((*name).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        here = slot.as_object_mut().expect("made an object");
    }
    here.insert((*last).to_owned(), value);
}

/// Verifies `entry` against the query: issuer signature with a trusted key, key binding to
/// this client id and nonce, type, status, and that every requested claim was disclosed.
/// Returns only the requested claims.
pub(crate) async fn verify(
    ctx: &Context<'_>,
    query: &CredentialQuery,
    entry: &Value,
) -> Result<Value, VerifierError> {
    let presentation = entry.as_str().ok_or_else(|| {
        VerifierError::MalformedResponse("a dc+sd-jwt presentation must be a string".into())
    })?;
    let iss = peek_issuer(presentation)?;
    let issuer = ctx
        .trusted
        .iter()
        .find(|t| t.issuer == iss)
        .ok_or_else(|| untrusted(&iss))?;
    let keys: Vec<EcPublicKey> = issuer
        .sd_jwt_keys
        .iter()
        .filter_map(|jwk| EcPublicKey::from_jwk(jwk).ok())
        .collect();
    if keys.is_empty() {
        return Err(untrusted(&iss));
    }
    let mut outcome = Err(SdJwtError::IssuerSignature);
    for key in &keys {
        let expect = Expectations {
            issuer_key: key,
            key_binding: Some(KeyBindingExpectation {
                audience: ctx.client_id,
                nonce: ctx.nonce,
                now: ctx.now,
                max_age: ctx.kb_max_age,
            }),
        };
        outcome = verify_vc(presentation, &expect, ctx.now);
        if !matches!(outcome, Err(SdJwtError::IssuerSignature)) {
            break;
        }
    }
    let vc = outcome.map_err(|e| VerifierError::InvalidPresentation(sd_jwt_reason(&e)))?;
    if vc.issuer.as_deref() != Some(iss.as_str()) {
        return Err(invalid("the verified iss is not the one announced"));
    }
    if !sd_jwt_accepts(&query.meta, &vc.vct) {
        return Err(VerifierError::CredentialTypeNotAccepted);
    }
    if let Some(reference) = &vc.status {
        ctx.status
            .check(ctx.fetcher, reference, &keys, ctx.now)
            .await?;
    }
    let all = Value::Object(vc.verified.claims);
    let mut claims = Map::new();
    for q in query.claims.iter().flatten() {
        let path = string_path(&q.path).ok_or_else(|| invalid("unsupported claims path"))?;
        let found = resolve(&all, &q.path);
        let value = match (found.as_slice(), &q.values) {
            ([], _) => None,
            ([v, ..], None) => Some(*v),
            (found, Some(values)) => found.iter().find(|v| values.contains(v)).copied(),
        }
        .ok_or_else(|| {
            VerifierError::DisclosureMismatch(format!(
                "claim {} is not disclosed with an accepted value",
                path.join(".")
            ))
        })?;
        insert_at(&mut claims, &path, value.clone());
    }
    Ok(json!({
        "format": FORMAT_SD_JWT_VC,
        "issuer": iss,
        "claims": claims,
    }))
}
