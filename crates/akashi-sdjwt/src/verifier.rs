//! Verification (§ "Verification of the SD-JWT", "Verification by the Verifier").

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use crate::disclosure::Disclosure;
use crate::holder::split;
use crate::keys::EcPublicKey;
use crate::{digest, jws, SdJwtError};

/// What the verifier requires of a presentation.
#[derive(Debug, Clone)]
pub struct Expectations<'a> {
    pub issuer_key: &'a EcPublicKey,
    /// `Some` requires a Key Binding JWT for this audience and nonce, issued within
    /// `max_age` seconds before `now` (and not more than a minute after it).
    pub key_binding: Option<KeyBindingExpectation<'a>>,
}

#[derive(Debug, Clone)]
pub struct KeyBindingExpectation<'a> {
    pub audience: &'a str,
    pub nonce: &'a str,
    pub now: i64,
    pub max_age: i64,
}

/// A verified presentation: the claims in the clear and those disclosed, nothing else.
#[derive(Debug, Clone)]
pub struct Verified {
    pub claims: Map<String, Value>,
    /// The claims the issuer signed in the clear (before any Disclosure was applied).
    pub signed_clear: Map<String, Value>,
    /// The issuer-signed JWT's header (`typ`, `kid`, …).
    pub header: Map<String, Value>,
    /// The holder key from `cnf.jwk`, if bound.
    pub holder: Option<EcPublicKey>,
}

struct Walk {
    by_digest: HashMap<String, Disclosure>,
    seen: HashSet<String>,
}

impl Walk {
    fn object(&mut self, object: &mut Map<String, Value>) -> Result<(), SdJwtError> {
        let digests = match object.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(d)) => d,
            Some(_) => return Err(SdJwtError::Malformed("_sd must be an array".into())),
        };
        for (_, value) in object.iter_mut() {
            self.value(value)?;
        }
        for d in digests {
            let d = d
                .as_str()
                .ok_or_else(|| SdJwtError::Malformed("_sd holds a non-string".into()))?
                .to_owned();
            if !self.seen.insert(d.clone()) {
                return Err(SdJwtError::DuplicateDigest(d));
            }
            let Some(disclosure) = self.by_digest.remove(&d) else {
                continue; // undisclosed, or a decoy
            };
            let name = disclosure.name.ok_or_else(|| {
                SdJwtError::Malformed("an array-element disclosure referenced from _sd".into())
            })?;
            if object.contains_key(&name) {
                return Err(SdJwtError::ClaimCollision(name));
            }
            let mut value = disclosure.value;
            self.value(&mut value)?;
            object.insert(name, value);
        }
        Ok(())
    }

    fn value(&mut self, value: &mut Value) -> Result<(), SdJwtError> {
        match value {
            Value::Object(object) => self.object(object),
            Value::Array(items) => {
                let mut kept = Vec::with_capacity(items.len());
                for mut item in std::mem::take(items) {
                    let reference = item
                        .as_object()
                        .filter(|o| o.len() == 1)
                        .and_then(|o| o.get("..."))
                        .map(|d| d.as_str().map(str::to_owned));
                    match reference {
                        Some(None) => {
                            return Err(SdJwtError::Malformed("\"...\" must be a digest".into()))
                        }
                        Some(Some(d)) => {
                            if !self.seen.insert(d.clone()) {
                                return Err(SdJwtError::DuplicateDigest(d));
                            }
                            if let Some(disclosure) = self.by_digest.remove(&d) {
                                if disclosure.name.is_some() {
                                    return Err(SdJwtError::Malformed(
                                        "an object-property disclosure referenced from an array"
                                            .into(),
                                    ));
                                }
                                let mut v = disclosure.value;
                                self.value(&mut v)?;
                                kept.push(v);
                            }
                        }
                        None => {
                            self.value(&mut item)?;
                            kept.push(item);
                        }
                    }
                }
                *items = kept;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Verifies `presentation` (`jwt~d1~…~[kb-jwt]`).
pub fn verify(presentation: &str, expect: &Expectations<'_>) -> Result<Verified, SdJwtError> {
    let (jwt, encoded, kb) = split(presentation)?;
    let issuer_jwt = jws::decode("issuer-signed JWT", jwt)?;
    if !issuer_jwt.verify(expect.issuer_key) {
        return Err(SdJwtError::IssuerSignature);
    }
    let mut payload = issuer_jwt.payload.clone();
    match payload.remove("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == "sha-256" => {}
        Some(other) => return Err(SdJwtError::Unsupported(format!("_sd_alg {other}"))),
    }
    let mut by_digest = HashMap::new();
    for e in &encoded {
        let d = Disclosure::parse(e)?;
        if by_digest.insert(d.digest(), d).is_some() {
            return Err(SdJwtError::DuplicateDisclosure((*e).to_owned()));
        }
    }
    let mut walk = Walk {
        by_digest,
        seen: HashSet::new(),
    };
    walk.object(&mut payload)?;
    if let Some((_, d)) = walk.by_digest.iter().next() {
        return Err(SdJwtError::UnreferencedDisclosure(d.encoded.clone()));
    }
    let holder = payload
        .get("cnf")
        .and_then(|c| c.get("jwk"))
        .map(EcPublicKey::from_jwk)
        .transpose()?;
    if let Some(k) = &expect.key_binding {
        let kb = kb.ok_or_else(|| SdJwtError::KeyBinding("no Key Binding JWT".into()))?;
        let holder = holder
            .as_ref()
            .ok_or_else(|| SdJwtError::KeyBinding("the SD-JWT binds no holder key".into()))?;
        let kb_jwt = jws::decode("Key Binding JWT", kb)?;
        if kb_jwt.header.get("typ").and_then(Value::as_str) != Some("kb+jwt") {
            return Err(SdJwtError::KeyBinding("typ must be kb+jwt".into()));
        }
        if !kb_jwt.verify(holder) {
            return Err(SdJwtError::KeyBinding(
                "signature does not verify with cnf.jwk".into(),
            ));
        }
        let claim = |name: &str| kb_jwt.payload.get(name);
        if claim("aud").and_then(Value::as_str) != Some(k.audience) {
            return Err(SdJwtError::KeyBinding("aud is not this verifier".into()));
        }
        if claim("nonce").and_then(Value::as_str) != Some(k.nonce) {
            return Err(SdJwtError::KeyBinding("nonce does not match".into()));
        }
        let iat = claim("iat")
            .and_then(Value::as_i64)
            .ok_or_else(|| SdJwtError::KeyBinding("iat missing".into()))?;
        if iat < k.now - k.max_age || iat > k.now + 60 {
            return Err(SdJwtError::KeyBinding(
                "iat is outside the accepted window".into(),
            ));
        }
        let signed_part = &presentation[..presentation.len() - kb.len()];
        if claim("sd_hash").and_then(Value::as_str) != Some(digest(signed_part).as_str()) {
            return Err(SdJwtError::KeyBinding(
                "sd_hash does not match the presentation".into(),
            ));
        }
    }
    Ok(Verified {
        claims: payload,
        signed_clear: issuer_jwt.payload.clone(),
        header: issuer_jwt.header.clone(),
        holder,
    })
}
