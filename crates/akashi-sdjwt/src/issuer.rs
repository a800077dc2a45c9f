//! Issuance (§ "Issuance"): chosen claims leave the payload for Disclosures; their digests,
//! with decoys, go into `_sd` arrays of the objects that held them. Deeper paths are made
//! disclosable first, so a disclosable object may itself hold disclosable claims.

use serde_json::{Map, Value};

use akashi_crypto::SecureRandom;

use crate::disclosure::Disclosure;
use crate::keys::{EcPrivateKey, EcPublicKey};
use crate::{b64, digest, jws, SdJwtError};

/// What to issue.
#[derive(Debug, Clone)]
pub struct Issuance<'a> {
    /// The payload in the clear (`iss`, `iat`, `vct`, … and the user claims).
    pub claims: Map<String, Value>,
    /// Claims made selectively disclosable, as dot-separated paths (`birthdate`,
    /// `address.locality`).
    pub disclosable: &'a [&'a str],
    /// Decoy digests added to every `_sd` array.
    pub decoys: usize,
    /// The JWS `typ` header (`dc+sd-jwt` for SD-JWT VC).
    pub typ: &'a str,
    /// The holder's key, bound as `cnf.jwk`.
    pub holder: Option<&'a EcPublicKey>,
}

fn salt(rng: &dyn SecureRandom) -> Result<String, SdJwtError> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes)
        .map_err(|e| SdJwtError::Randomness(e.to_string()))?;
    Ok(b64(&bytes))
}

/// The object at `path` (dot-separated) inside `root`.
fn object_at<'a>(
    root: &'a mut Map<String, Value>,
    path: &[&str],
) -> Result<&'a mut Map<String, Value>, SdJwtError> {
    let mut here = root;
    for part in path {
        here = match here.get_mut(*part) {
            Some(Value::Object(map)) => map,
            _ => {
                return Err(SdJwtError::Malformed(format!(
                    "{} is not an object",
                    path.join(".")
                )))
            }
        };
    }
    Ok(here)
}

/// Adds decoys to the object's `_sd` and sorts it, so neither the count nor the order of the
/// digests tells which claims exist.
fn finalize(
    object: &mut Map<String, Value>,
    decoys: usize,
    rng: &dyn SecureRandom,
) -> Result<(), SdJwtError> {
    if let Some(Value::Array(sd)) = object.get_mut("_sd") {
        for _ in 0..decoys {
            sd.push(digest(&salt(rng)?).into());
        }
        sd.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    Ok(())
}

/// Issues the SD-JWT `jwt~disclosure~…~`.
pub fn issue(
    issuance: &Issuance<'_>,
    key: &EcPrivateKey,
    rng: &dyn SecureRandom,
) -> Result<String, SdJwtError> {
    let mut payload = issuance.claims.clone();
    for reserved in ["_sd", "_sd_alg", "cnf"] {
        if payload.contains_key(reserved) {
            return Err(SdJwtError::Malformed(format!(
                "claim {reserved:?} is set by issuance"
            )));
        }
    }
    let mut paths: Vec<Vec<&str>> = issuance
        .disclosable
        .iter()
        .map(|p| p.split('.').collect())
        .collect();
    paths.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut disclosures = Vec::new();
    let mut touched: Vec<Vec<&str>> = Vec::new();
    for path in &paths {
        let (name, parent) = path.split_last().expect("split yields one part");
        let object = object_at(&mut payload, parent)?;
        let mut value = object.remove(*name).ok_or_else(|| {
            SdJwtError::Malformed(format!("claim {} is not in the payload", path.join(".")))
        })?;
        // A disclosable object that holds disclosable claims: its digests are final now.
        if let Value::Object(inner) = &mut value {
            finalize(inner, issuance.decoys, rng)?;
        }
        let d = Disclosure::new(salt(rng)?, Some(name), value);
        let object = object_at(&mut payload, parent)?;
        let sd = object
            .entry("_sd")
            .or_insert_with(|| Value::Array(Vec::new()));
        sd.as_array_mut()
            .ok_or_else(|| SdJwtError::Malformed("_sd must be an array".into()))?
            .push(d.digest().into());
        disclosures.push(d);
        if !touched.contains(&parent.to_vec()) {
            touched.push(parent.to_vec());
        }
    }
    for parent in &touched {
        // A parent that moved into a Disclosure was finalized then.
        if let Ok(object) = object_at(&mut payload, parent) {
            finalize(object, issuance.decoys, rng)?;
        }
    }
    payload.insert("_sd_alg".into(), "sha-256".into());
    if let Some(holder) = issuance.holder {
        payload.insert("cnf".into(), serde_json::json!({ "jwk": holder.to_jwk() }));
    }
    let mut header = Map::new();
    header.insert("typ".into(), issuance.typ.into());
    let jwt = jws::sign(header, &Value::Object(payload), key)?;
    let mut out = jwt;
    out.push('~');
    for d in &disclosures {
        out.push_str(&d.encoded);
        out.push('~');
    }
    Ok(out)
}
