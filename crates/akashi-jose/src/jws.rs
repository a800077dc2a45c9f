//! Compact JWS (RFC 7515) with RS256 and ES256. Signing goes through a [`JwsSigner`], so the
//! private key never leaves its akashi-crypto object; verification runs over the exact bytes
//! received, refuses `none`, algorithms the caller did not allow, and `crit` headers.

use openssl::hash::MessageDigest;
use openssl::sign::Verifier;
use serde_json::{Map, Value};

use akashi_crypto::{P256PrivateKey, P256PublicKey, RsaPrivateKey};

use crate::error::crypto;
use crate::{b64, unb64, JoseError, JwkSet, PublicJwk};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum JwsAlgorithm {
    RS256,
    ES256,
}

impl JwsAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            JwsAlgorithm::RS256 => "RS256",
            JwsAlgorithm::ES256 => "ES256",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(JwsAlgorithm::RS256),
            "ES256" => Some(JwsAlgorithm::ES256),
            _ => None,
        }
    }
}

pub trait JwsSigner: Send + Sync {
    fn algorithm(&self) -> JwsAlgorithm;
    fn key_id(&self) -> Option<&str>;
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError>;
    fn public_jwk(&self) -> PublicJwk;
}

/// RS256 with an RSA key held by akashi-crypto (OpenSSL, blinded).
pub struct RsaSigner {
    key: RsaPrivateKey,
    public: PublicJwk,
    kid: Option<String>,
}

impl RsaSigner {
    pub fn new(key: RsaPrivateKey, kid: Option<String>) -> Result<Self, JoseError> {
        let public = PublicJwk::from_rsa_spki_der(&key.public_key_der().map_err(crypto)?)?;
        Ok(Self { key, public, kid })
    }
}

impl JwsSigner for RsaSigner {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::RS256
    }
    fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, JoseError> {
        self.key.sign_pkcs1_sha256(input).map_err(crypto)
    }
    fn public_jwk(&self) -> PublicJwk {
        self.public.clone()
    }
}

/// ES256 with a P-256 key held by akashi-crypto.
pub struct EcSigner {
    key: P256PrivateKey,
    kid: Option<String>,
}

impl EcSigner {
    pub fn new(key: P256PrivateKey, kid: Option<String>) -> Self {
        Self { key, kid }
    }
}

impl JwsSigner for EcSigner {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::ES256
    }
    fn key_id(&self) -> Option<&str> {
        self.kid.as_deref()
    }
    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, JoseError> {
        Ok(self.key.sign_es256(input).map_err(crypto)?.to_vec())
    }
    fn public_jwk(&self) -> PublicJwk {
        PublicJwk::from_p256(&self.key.public_key())
    }
}

/// Signs `payload` with `header` (to which `alg` and, if the signer has one, `kid` are added).
pub fn sign_compact(
    mut header: Map<String, Value>,
    payload: &[u8],
    signer: &dyn JwsSigner,
) -> Result<String, JoseError> {
    header.insert("alg".into(), Value::from(signer.algorithm().name()));
    if let Some(kid) = signer.key_id() {
        header.insert("kid".into(), Value::from(kid));
    }
    let header = serde_json::to_vec(&Value::Object(header)).map_err(crypto)?;
    let input = format!("{}.{}", b64(&header), b64(payload));
    let signature = signer.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64(&signature)))
}

/// A verified JWS: its protected header and payload, as received.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Map<String, Value>,
    pub payload: Vec<u8>,
}

pub(crate) struct Parsed<'a> {
    pub header: Map<String, Value>,
    pub algorithm: JwsAlgorithm,
    pub input: &'a str,
    pub payload: Vec<u8>,
    pub signature: Vec<u8>,
}

pub(crate) fn parse<'a>(
    compact: &'a str,
    allowed: &[JwsAlgorithm],
) -> Result<Parsed<'a>, JoseError> {
    let mut parts = compact.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Malformed("a compact JWS has three parts".into()));
    };
    let header: Value = serde_json::from_slice(&unb64(h, "JWS header")?)
        .map_err(|_| JoseError::Malformed("the JWS header is not JSON".into()))?;
    let Value::Object(header) = header else {
        return Err(JoseError::Malformed(
            "the JWS header is not an object".into(),
        ));
    };
    let name = header.get("alg").and_then(Value::as_str).unwrap_or("none");
    let algorithm = JwsAlgorithm::from_name(name)
        .filter(|a| allowed.contains(a))
        .ok_or_else(|| JoseError::Algorithm(name.to_owned()))?;
    if header.contains_key("crit") {
        return Err(JoseError::Malformed(
            "crit header parameters are not understood".into(),
        ));
    }
    Ok(Parsed {
        algorithm,
        input: &compact[..h.len() + 1 + p.len()],
        payload: unb64(p, "JWS payload")?,
        signature: unb64(s, "JWS signature")?,
        header,
    })
}

pub(crate) fn verify_parsed(parsed: &Parsed<'_>, key: &PublicJwk) -> Result<(), JoseError> {
    match (parsed.algorithm, key) {
        (JwsAlgorithm::ES256, PublicJwk::Ec { x, y, .. }) => P256PublicKey::from_affine(x, y)
            .map_err(crypto)?
            .verify_es256(parsed.input.as_bytes(), &parsed.signature)
            .map_err(|_| JoseError::BadSignature),
        (JwsAlgorithm::RS256, PublicJwk::Rsa { .. }) => {
            let pkey = key.to_pkey()?;
            let mut v = Verifier::new(MessageDigest::sha256(), &pkey).map_err(crypto)?;
            v.update(parsed.input.as_bytes()).map_err(crypto)?;
            match v.verify(&parsed.signature) {
                Ok(true) => Ok(()),
                _ => Err(JoseError::BadSignature),
            }
        }
        (alg, _) => Err(JoseError::Key(format!(
            "{} needs a different key type",
            alg.name()
        ))),
    }
}

/// Verifies against the key named by `kid` (or the only key of the set, without a `kid`).
pub fn verify_compact(
    compact: &str,
    keys: &JwkSet,
    allowed: &[JwsAlgorithm],
) -> Result<Verified, JoseError> {
    let parsed = parse(compact, allowed)?;
    let key = match parsed.header.get("kid").and_then(Value::as_str) {
        Some(kid) => keys
            .find(kid)
            .ok_or_else(|| JoseError::UnknownKey(kid.to_owned()))?,
        None if keys.keys.len() == 1 => &keys.keys[0],
        None => return Err(JoseError::UnknownKey(String::new())),
    };
    verify_parsed(&parsed, key)?;
    Ok(Verified {
        header: parsed.header,
        payload: parsed.payload,
    })
}
