//! DPoP proofs (RFC 9449): a JWS of type `dpop+jwt` whose header carries the client's public
//! key, over the HTTP method and URI, a fresh `iat`, a unique `jti` and — at a resource — the
//! access token's hash. Replay detection (a `jti` seen before) needs storage: the caller's.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::jws::{parse, verify_parsed};
use crate::{b64, sign_compact, JoseError, JwsAlgorithm, JwsSigner, PublicJwk};

/// A proof that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// RFC 7638 thumbprint of the proof's key: what a bound token names in `cnf.jkt`.
    pub jkt: String,
    pub jti: String,
    pub iat: i64,
}

/// `ath`: base64url(SHA-256(access token)).
pub fn access_token_hash(token: &str) -> String {
    b64(&Sha256::digest(token.as_bytes()))
}

/// Makes a proof (the client's side).
pub fn create_proof(
    signer: &dyn JwsSigner,
    htm: &str,
    htu: &str,
    iat: i64,
    jti: &str,
    access_token: Option<&str>,
) -> Result<String, JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), json!("dpop+jwt"));
    header.insert("jwk".into(), signer.public_jwk().to_json());
    let mut claims = json!({ "htm": htm, "htu": htu, "iat": iat, "jti": jti });
    if let Some(token) = access_token {
        claims["ath"] = json!(access_token_hash(token));
    }
    sign_compact(header, claims.to_string().as_bytes(), signer)
}

/// The URI without query and fragment (RFC 9449 §4.3 point 9).
fn without_query(uri: &str) -> &str {
    uri.split(['?', '#']).next().unwrap_or(uri)
}

const SKEW: i64 = 60;

fn fail(m: &str) -> JoseError {
    JoseError::Dpop(m.to_owned())
}

/// Checks a proof for a request `htm htu` at `now` (RFC 9449 §4.3). With `access_token`,
/// the proof must carry its hash.
pub fn verify_proof(
    proof: &str,
    htm: &str,
    htu: &str,
    now: i64,
    max_age: i64,
    access_token: Option<&str>,
) -> Result<VerifiedProof, JoseError> {
    let parsed = parse(proof.trim(), &[JwsAlgorithm::ES256, JwsAlgorithm::RS256])?;
    if parsed.header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(fail("typ must be dpop+jwt"));
    }
    let jwk = PublicJwk::from_json(
        parsed
            .header
            .get("jwk")
            .ok_or_else(|| fail("the jwk header is missing"))?,
    )?;
    verify_parsed(&parsed, &jwk).map_err(|_| fail("the signature does not verify with its jwk"))?;
    let claims: Value =
        serde_json::from_slice(&parsed.payload).map_err(|_| fail("the claims are not JSON"))?;
    if claims["htm"].as_str() != Some(htm) {
        return Err(fail(&format!("htm is not {htm}")));
    }
    let claimed = claims["htu"]
        .as_str()
        .ok_or_else(|| fail("htu is missing"))?;
    if without_query(claimed) != without_query(htu) {
        return Err(fail(&format!("htu is not {}", without_query(htu))));
    }
    let iat = claims["iat"]
        .as_i64()
        .ok_or_else(|| fail("iat is missing"))?;
    if iat > now + SKEW {
        return Err(fail("iat is in the future"));
    }
    if now - iat > max_age {
        return Err(fail("the proof is too old"));
    }
    let jti = claims["jti"]
        .as_str()
        .filter(|j| !j.is_empty())
        .ok_or_else(|| fail("jti is missing"))?;
    match (access_token, claims.get("ath").and_then(Value::as_str)) {
        (Some(token), Some(ath)) if ath == access_token_hash(token) => {}
        (Some(_), Some(_)) => return Err(fail("ath does not match the access token")),
        (Some(_), None) => return Err(fail("ath is missing")),
        (None, _) => {}
    }
    Ok(VerifiedProof {
        jkt: jwk.thumbprint(),
        jti: jti.to_owned(),
        iat,
    })
}
