//! Presentation (§ "Presentation"): the holder sends the issuer-signed JWT, only the
//! Disclosures it approves, and a Key Binding JWT for one verifier.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::disclosure::Disclosure;
use crate::keys::EcPrivateKey;
use crate::{digest, jws, SdJwtError};

/// The Key Binding JWT's inputs.
#[derive(Debug, Clone)]
pub struct KeyBinding<'a> {
    pub key: &'a EcPrivateKey,
    /// The verifier (`aud`).
    pub audience: &'a str,
    pub nonce: &'a str,
    /// Seconds since the epoch.
    pub issued_at: i64,
}

/// Splits `jwt~d1~…~[kb]` into (jwt, disclosures, key binding JWT if any).
pub(crate) fn split(sd_jwt: &str) -> Result<(&str, Vec<&str>, Option<&str>), SdJwtError> {
    let mut parts: Vec<&str> = sd_jwt.split('~').collect();
    if parts.len() < 2 {
        return Err(SdJwtError::Malformed(
            "an SD-JWT has at least one '~'".into(),
        ));
    }
    let last = parts.pop().expect("two parts");
    let jwt = parts.remove(0);
    if parts.iter().any(|d| d.is_empty()) {
        return Err(SdJwtError::Malformed("empty disclosure between '~'".into()));
    }
    Ok((jwt, parts, (!last.is_empty()).then_some(last)))
}

/// Walks the payload; every Disclosure reachable is listed with its dotted path.
fn paths(
    object: &Map<String, Value>,
    prefix: &str,
    by_digest: &HashMap<String, Disclosure>,
    out: &mut Vec<(String, Disclosure)>,
) {
    for (name, value) in object {
        if name == "_sd" {
            for d in value.as_array().into_iter().flatten() {
                if let Some(disclosure) = d.as_str().and_then(|d| by_digest.get(d)) {
                    let claim = disclosure.name.clone().unwrap_or_default();
                    let path = format!("{prefix}{claim}");
                    out.push((path.clone(), disclosure.clone()));
                    if let Value::Object(inner) = &disclosure.value {
                        paths(inner, &format!("{path}."), by_digest, out);
                    }
                }
            }
        } else if let Value::Object(inner) = value {
            paths(inner, &format!("{prefix}{name}."), by_digest, out);
        }
    }
}

/// The presentation of `sd_jwt` disclosing the claims at `disclose` (dotted paths; the
/// objects that contain them are disclosed too), with a Key Binding JWT if `binding` is given.
pub fn present(
    sd_jwt: &str,
    disclose: &[&str],
    binding: Option<&KeyBinding<'_>>,
) -> Result<String, SdJwtError> {
    let (jwt, encoded, _) = split(sd_jwt)?;
    let decoded = jws::decode("issuer-signed JWT", jwt)?;
    let mut by_digest = HashMap::new();
    for e in &encoded {
        let d = Disclosure::parse(e)?;
        by_digest.insert(d.digest(), d);
    }
    let mut all = Vec::new();
    paths(&decoded.payload, "", &by_digest, &mut all);
    for wanted in disclose {
        if !all.iter().any(|(p, _)| p == wanted) {
            return Err(SdJwtError::Malformed(format!(
                "no disclosure for claim {wanted:?}"
            )));
        }
    }
    let needed = |path: &str| {
        disclose
            .iter()
            .any(|w| *w == path || w.starts_with(&format!("{path}.")))
    };
    let mut out = format!("{jwt}~");
    for (path, d) in &all {
        if needed(path) {
            out.push_str(&d.encoded);
            out.push('~');
        }
    }
    if let Some(kb) = binding {
        let mut header = Map::new();
        header.insert("typ".into(), "kb+jwt".into());
        let payload = serde_json::json!({
            "iat": kb.issued_at,
            "aud": kb.audience,
            "nonce": kb.nonce,
            "sd_hash": digest(&out),
        });
        out.push_str(&jws::sign(header, &payload, kb.key)?);
    }
    Ok(out)
}
