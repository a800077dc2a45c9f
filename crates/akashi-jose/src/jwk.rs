//! Public JSON Web Keys (RFC 7517, RFC 7518 §6) for the two key types an OpenID provider meets:
//! RSA and EC P-256. Parsing is strict because a JWK arrives from outside (a relying party's
//! `jwks`, a DPoP proof's header): private members, unknown curves, padded or non-minimal
//! integers and points off the curve are refused rather than guessed at.

use openssl::bn::BigNum;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Rsa;
use serde_json::{Map, Value};

use akashi_crypto::P256PublicKey;

use crate::{b64url_decode_what, b64url_encode, JoseError};

/// RSA keys smaller than this are refused (RFC 7518 §3.3 and §4.3 require 2048 bits).
pub const MIN_RSA_BITS: usize = 2048;
/// RSA keys larger than this are refused: a key arriving in a request must not make the
/// verifier do arbitrarily expensive arithmetic.
pub const MAX_RSA_BITS: usize = 8192;

/// Members that only a private (or symmetric) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The key material of a public JWK.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwkKey {
    /// RSA modulus and public exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// A point on P-256, affine coordinates of 32 bytes each.
    P256 { x: [u8; 32], y: [u8; 32] },
}

impl std::fmt::Debug for JwkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwkKey::Rsa { n, .. } => write!(f, "Rsa({} bits)", n.len() * 8),
            JwkKey::P256 { x, .. } => write!(f, "P256(x={:02x}{:02x}…)", x[0], x[1]),
        }
    }
}

/// A validated public JWK with its optional `kid`, `use` and `alg`. The key material can only
/// be set through the checking constructors; the metadata is free to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicJwk {
    key: JwkKey,
    pub kid: Option<String>,
    /// The `use` member ("sig" or "enc").
    pub key_use: Option<String>,
    pub alg: Option<String>,
}

impl PublicJwk {
    /// An RSA key from its modulus and exponent (big-endian, no leading zero bytes).
    pub fn rsa(n: &[u8], e: &[u8]) -> Result<Self, JoseError> {
        let bad = |why: &str| Err(JoseError::InvalidJwk(format!("RSA {why}")));
        if n.is_empty() || e.is_empty() {
            return bad("n and e must not be empty");
        }
        if n.first() == Some(&0) || e.first() == Some(&0) {
            // RFC 7518 §6.3.1.1: no leading zero octets; one key, one encoding, one thumbprint.
            return bad("n and e must not have leading zero octets");
        }
        let bits = n.len() * 8 - n[0].leading_zeros() as usize;
        if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            return bad(&format!(
                "modulus of {bits} bits (need {MIN_RSA_BITS} to {MAX_RSA_BITS})"
            ));
        }
        if n.last().is_some_and(|b| b & 1 == 0) {
            return bad("modulus is even");
        }
        if e.len() > 4 || e.last().is_some_and(|b| b & 1 == 0) || e == [1] {
            return bad("exponent must be odd, greater than 1 and at most 32 bits");
        }
        Ok(Self::bare(JwkKey::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
        }))
    }

    /// The RSA key in a DER SubjectPublicKeyInfo (what [`akashi_crypto::RsaPrivateKey`] gives).
    pub fn from_rsa_spki_der(der: &[u8]) -> Result<Self, JoseError> {
        let key = PKey::public_key_from_der(der)
            .map_err(|e| JoseError::InvalidJwk(format!("not a SubjectPublicKeyInfo: {e}")))?;
        if key.id() != Id::RSA {
            return Err(JoseError::InvalidJwk("the SPKI is not an RSA key".into()));
        }
        let rsa = key.rsa().map_err(JoseError::crypto)?;
        Self::rsa(&rsa.n().to_vec(), &rsa.e().to_vec())
    }

    /// The JWK of a P-256 public key (already known to be on the curve).
    pub fn from_p256(key: &P256PublicKey) -> Self {
        let (x, y) = key.affine();
        Self::bare(JwkKey::P256 { x, y })
    }

    /// An EC P-256 key from its coordinates; points off the curve are refused.
    pub fn p256(x: &[u8], y: &[u8]) -> Result<Self, JoseError> {
        Ok(Self::from_p256(&checked_p256(x, y)?))
    }

    fn bare(key: JwkKey) -> Self {
        Self {
            key,
            kid: None,
            key_use: None,
            alg: None,
        }
    }

    /// The same key with `kid` set.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The same key with `use` set ("sig" or "enc").
    pub fn with_use(mut self, key_use: impl Into<String>) -> Self {
        self.key_use = Some(key_use.into());
        self
    }

    /// The same key with `alg` set.
    pub fn with_alg(mut self, alg: impl Into<String>) -> Self {
        self.alg = Some(alg.into());
        self
    }

    pub fn key(&self) -> &JwkKey {
        &self.key
    }

    /// A public JWK from JSON. Refused: a non-object, private members (`d`, …, `k`), a `kty`
    /// other than RSA or EC, a curve other than P-256, bad base64url, wrong lengths, points off
    /// the curve, non-string `kid`/`use`/`alg`. Unknown members are ignored (RFC 7517 §4).
    pub fn from_json(jwk: &Value) -> Result<Self, JoseError> {
        let Value::Object(map) = jwk else {
            return Err(JoseError::InvalidJwk("not a JSON object".into()));
        };
        if let Some(member) = PRIVATE_MEMBERS.iter().find(|m| map.contains_key(**m)) {
            return Err(JoseError::InvalidJwk(format!(
                "member {member:?} is private key material; a public JWK must not carry it"
            )));
        }
        let bytes = |name: &'static str| -> Result<Vec<u8>, JoseError> {
            let text = required_str(map, name)?;
            b64url_decode_what(name, text)
                .map_err(|_| JoseError::InvalidJwk(format!("{name:?} is not unpadded base64url")))
        };
        let mut jwk = match required_str(map, "kty")? {
            "RSA" => Self::rsa(&bytes("n")?, &bytes("e")?)?,
            "EC" => match required_str(map, "crv")? {
                "P-256" => Self::p256(&bytes("x")?, &bytes("y")?)?,
                other => {
                    return Err(JoseError::InvalidJwk(format!(
                        "curve {other:?} is not supported (only P-256)"
                    )))
                }
            },
            other => {
                return Err(JoseError::InvalidJwk(format!(
                    "kty {other:?} is not supported (only RSA and EC)"
                )))
            }
        };
        jwk.kid = optional_str(map, "kid")?;
        jwk.key_use = optional_str(map, "use")?;
        jwk.alg = optional_str(map, "alg")?;
        Ok(jwk)
    }

    /// The JWK as JSON: the key members, then `kid`, `use`, `alg` when set.
    pub fn to_json(&self) -> Value {
        let mut map = self.required_members();
        for (name, value) in [
            ("kid", &self.kid),
            ("use", &self.key_use),
            ("alg", &self.alg),
        ] {
            if let Some(v) = value {
                map.insert(name.into(), Value::String(v.clone()));
            }
        }
        Value::Object(map)
    }

    /// The members RFC 7638 §3.2 lists for this key type.
    fn required_members(&self) -> Map<String, Value> {
        let mut map = Map::new();
        let mut put = |k: &str, v: String| map.insert(k.into(), Value::String(v));
        match &self.key {
            JwkKey::Rsa { n, e } => {
                put("kty", "RSA".into());
                put("n", b64url_encode(n));
                put("e", b64url_encode(e));
            }
            JwkKey::P256 { x, y } => {
                put("kty", "EC".into());
                put("crv", "P-256".into());
                put("x", b64url_encode(x));
                put("y", b64url_encode(y));
            }
        }
        map
    }

    /// The RFC 7638 JWK Thumbprint: base64url(SHA-256) of the required members, in
    /// lexicographic order, without whitespace. It names the key itself (DPoP `jkt`, `kid`s).
    pub fn thumbprint(&self) -> String {
        // Written out by hand in the lexicographic member order of RFC 7638 §3.3 (serde_json's
        // map order depends on a crate feature elsewhere in the build). The values are plain
        // base64url and the names fixed, so no JSON escaping is involved.
        let canonical = match &self.key {
            JwkKey::Rsa { n, e } => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                b64url_encode(e),
                b64url_encode(n)
            ),
            JwkKey::P256 { x, y } => format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                b64url_encode(x),
                b64url_encode(y)
            ),
        };
        b64url_encode(&akashi_crypto::sha256(canonical.as_bytes()))
    }

    /// The key as an OpenSSL public key, for verification and encryption.
    pub(crate) fn to_openssl(&self) -> Result<PKey<Public>, JoseError> {
        match &self.key {
            JwkKey::Rsa { n, e } => {
                let n = BigNum::from_slice(n).map_err(JoseError::crypto)?;
                let e = BigNum::from_slice(e).map_err(JoseError::crypto)?;
                let rsa = Rsa::from_public_components(n, e).map_err(JoseError::crypto)?;
                PKey::from_rsa(rsa).map_err(JoseError::crypto)
            }
            JwkKey::P256 { x, y } => {
                let key = crate::jwe::ecdh::public_key(x, y)?;
                PKey::from_ec_key(key).map_err(JoseError::crypto)
            }
        }
    }

    /// The P-256 key, if this is one.
    pub fn to_p256(&self) -> Option<P256PublicKey> {
        match &self.key {
            JwkKey::P256 { x, y } => P256PublicKey::from_affine(x, y).ok(),
            JwkKey::Rsa { .. } => None,
        }
    }

    /// The RSA key as a DER SubjectPublicKeyInfo, if this is one.
    pub fn to_rsa_spki_der(&self) -> Option<Vec<u8>> {
        match &self.key {
            JwkKey::Rsa { .. } => self.to_openssl().ok()?.public_key_to_der().ok(),
            JwkKey::P256 { .. } => None,
        }
    }
}

/// The P-256 point (x, y), refused with a JWK error when the lengths are wrong or the point is
/// not on the curve (akashi-crypto's own error speaks of SPKIs).
pub(crate) fn checked_p256(x: &[u8], y: &[u8]) -> Result<P256PublicKey, JoseError> {
    if x.len() != 32 || y.len() != 32 {
        return Err(JoseError::InvalidJwk(
            "EC P-256 coordinates x and y are 32 bytes each".into(),
        ));
    }
    P256PublicKey::from_affine(x, y)
        .map_err(|_| JoseError::InvalidJwk("the point is not on the P-256 curve".into()))
}

fn required_str<'a>(map: &'a Map<String, Value>, name: &'static str) -> Result<&'a str, JoseError> {
    map.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| JoseError::InvalidJwk(format!("member {name:?} is missing or not a string")))
}

fn optional_str(map: &Map<String, Value>, name: &'static str) -> Result<Option<String>, JoseError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(JoseError::InvalidJwk(format!(
            "member {name:?} is not a string"
        ))),
    }
}

/// A JWK Set (RFC 7517 §5), e.g. a relying party's `jwks` or the provider's own published keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwkSet {
    pub keys: Vec<PublicJwk>,
}

impl JwkSet {
    pub fn new(keys: Vec<PublicJwk>) -> Self {
        Self { keys }
    }

    /// `{"keys":[…]}`. Keys of a type or curve this crate does not implement are skipped, as
    /// RFC 7517 §5 asks; a key of a supported type that is malformed, too small (RSA under
    /// 2048 bits) or carries private material fails the whole set — a relying party's
    /// misconfiguration should be loud.
    pub fn from_json(set: &Value) -> Result<Self, JoseError> {
        let Some(Value::Array(entries)) = set.get("keys") else {
            return Err(JoseError::InvalidJwk(
                "a JWK Set is an object with a \"keys\" array".into(),
            ));
        };
        let mut keys = Vec::with_capacity(entries.len());
        for entry in entries {
            let kty = entry.get("kty").and_then(Value::as_str);
            let crv = entry.get("crv").and_then(Value::as_str);
            let supported = match kty {
                Some("RSA") => true,
                Some("EC") => crv == Some("P-256"),
                _ => false,
            };
            if supported {
                keys.push(PublicJwk::from_json(entry)?);
            }
        }
        Ok(Self { keys })
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({ "keys": self.keys.iter().map(PublicJwk::to_json).collect::<Vec<_>>() })
    }

    /// The first key whose `kid` is `kid`.
    pub fn find(&self, kid: &str) -> Option<&PublicJwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}
