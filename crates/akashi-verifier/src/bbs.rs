//! Verifying one `akashi-bbs-1` entry of a VP Token: the presentation request is rebuilt from
//! the query, the client id and the transaction's nonce, so a proof made for another request
//! (another verifier, nonce, disclosure or predicate bound) does not verify.

use base64::Engine;
use serde_json::{json, Map, Value};

use akashi_bbs::{verify_presentation, Error as BbsError, Presentation, PublicKey};
use akashi_credential::{bbs_claim_value, BbsMessage, BBS_CLAIM_NAMES, BBS_PROFILE};
use akashi_oid4vc::bbs::BbsPresentation;
use akashi_oid4vc::dcql::CredentialQuery;
use akashi_oid4vc::FORMAT_AKASHI_BBS;

use crate::error::untrusted;
use crate::query::{bbs_meta, bbs_request};
use crate::verify::Context;
use crate::VerifierError;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// The issuer's BBS public key from its trust-list form.
pub(crate) fn public_key(encoded: &str) -> Option<PublicKey> {
    PublicKey::from_bytes(&unb64(encoded)?).ok()
}

/// Why a BBS presentation was refused: a shape that differs from the request is a mismatch;
/// anything else is an invalid proof.
fn refusal(e: BbsError) -> VerifierError {
    match e {
        BbsError::DisclosureMismatch { .. } | BbsError::Predicate { .. } => {
            VerifierError::DisclosureMismatch(
                "the proof's disclosures or predicates are not the query's".into(),
            )
        }
        BbsError::Malformed { .. } | BbsError::Unsupported { .. } => {
            VerifierError::InvalidPresentation("the BBS presentation cannot be decoded".into())
        }
        _ => VerifierError::InvalidPresentation(
            "the BBS proof does not verify for this request (issuer key, audience, nonce, disclosures or predicates)"
                .into(),
        ),
    }
}

pub(crate) fn verify(
    ctx: &Context<'_>,
    query: &CredentialQuery,
    entry: &Value,
) -> Result<Value, VerifierError> {
    let entry: BbsPresentation = serde_json::from_value(entry.clone()).map_err(|_| {
        VerifierError::MalformedResponse("an akashi-bbs-1 presentation must be an object".into())
    })?;
    let issuer = ctx
        .trusted
        .iter()
        .find(|t| t.issuer == entry.iss)
        .ok_or_else(|| untrusted(&entry.iss))?;
    let pk = issuer
        .bbs_public_key
        .as_deref()
        .and_then(public_key)
        .ok_or_else(|| untrusted(&entry.iss))?;
    let meta = bbs_meta(query)?;
    if entry.profile != BBS_PROFILE || !meta.profile_values.contains(&entry.profile) {
        return Err(VerifierError::CredentialTypeNotAccepted);
    }
    let request = bbs_request(query, ctx.client_id, ctx.nonce)?;
    let bytes = unb64(&entry.proof).ok_or_else(|| {
        VerifierError::InvalidPresentation("the BBS proof is not base64url".into())
    })?;
    let presentation = Presentation::from_bytes(&bytes, &request).map_err(refusal)?;
    if presentation.message_count != BbsMessage::COUNT {
        return Err(VerifierError::InvalidPresentation(
            "the credential does not have the profile's messages".into(),
        ));
    }
    let verified = verify_presentation(&pk, BBS_PROFILE.as_bytes(), &request, &presentation)
        .map_err(refusal)?;
    let mut claims = Map::new();
    for (index, message) in &verified.disclosed {
        claims.insert(
            BBS_CLAIM_NAMES[*index].to_owned(),
            bbs_claim_value(*index, message),
        );
    }
    for q in query.claims.iter().flatten() {
        let name = q.path.first().and_then(Value::as_str).unwrap_or_default();
        if let (Some(values), Some(value)) = (&q.values, claims.get(name)) {
            if !values.contains(value) {
                return Err(VerifierError::DisclosureMismatch(format!(
                    "claim {name} does not have an accepted value"
                )));
            }
        }
    }
    let predicates: Vec<Value> = meta
        .predicates
        .iter()
        .map(|p| {
            let mut out = serde_json::to_value(p).expect("a predicate serialises");
            out["holds"] = Value::Bool(true);
            out
        })
        .collect();
    Ok(json!({
        "format": FORMAT_AKASHI_BBS,
        "issuer": entry.iss,
        "claims": claims,
        "predicates": predicates,
        "pseudonym": b64(&verified.pseudonym),
    }))
}
