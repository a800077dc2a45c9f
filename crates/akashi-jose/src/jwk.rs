//! Public JWKs (RFC 7517) for RSA and P-256, read strictly, and their RFC 7638 thumbprints.

use openssl::bn::BigNum;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Rsa;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::crypto;
use crate::{b64, unb64, JoseError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicJwk {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        kid: Option<String>,
    },
    /// P-256: the affine coordinates, 32 bytes each.
    Ec {
        x: [u8; 32],
        y: [u8; 32],
        kid: Option<String>,
    },
}

fn member<'a>(jwk: &'a Value, name: &'static str) -> Result<&'a str, JoseError> {
    jwk.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| JoseError::Key(format!("JWK member {name} is missing")))
}

fn coordinate(jwk: &Value, name: &'static str) -> Result<[u8; 32], JoseError> {
    unb64(member(jwk, name)?, name)?
        .try_into()
        .map_err(|_| JoseError::Key(format!("P-256 {name} must be 32 bytes")))
}

impl PublicJwk {
    /// A public JWK; private members, unknown key types and other curves are refused.
    pub fn from_json(jwk: &Value) -> Result<Self, JoseError> {
        if !jwk.is_object() {
            return Err(JoseError::Key("a JWK is a JSON object".into()));
        }
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            if jwk.get(private).is_some() {
                return Err(JoseError::Key(format!(
                    "the JWK carries the private member {private}"
                )));
            }
        }
        let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
        match member(jwk, "kty")? {
            "RSA" => {
                let n = unb64(member(jwk, "n")?, "n")?;
                let e = unb64(member(jwk, "e")?, "e")?;
                if n.len() < 256 || n[0] == 0 || e.is_empty() {
                    return Err(JoseError::Key("RSA keys must be 2048 bits or more".into()));
                }
                Ok(PublicJwk::Rsa { n, e, kid })
            }
            "EC" => {
                if member(jwk, "crv")? != "P-256" {
                    return Err(JoseError::Key("only the P-256 curve is accepted".into()));
                }
                let (x, y) = (coordinate(jwk, "x")?, coordinate(jwk, "y")?);
                akashi_crypto::P256PublicKey::from_affine(&x, &y)
                    .map_err(|e| JoseError::Key(e.to_string()))?;
                Ok(PublicJwk::Ec { x, y, kid })
            }
            other => Err(JoseError::Key(format!(
                "key type {other:?} is not supported"
            ))),
        }
    }

    pub fn from_rsa_spki_der(der: &[u8]) -> Result<Self, JoseError> {
        let rsa = Rsa::public_key_from_der(der).map_err(crypto)?;
        Ok(PublicJwk::Rsa {
            n: rsa.n().to_vec(),
            e: rsa.e().to_vec(),
            kid: None,
        })
    }

    pub fn from_p256(key: &akashi_crypto::P256PublicKey) -> Self {
        let (x, y) = key.affine();
        PublicJwk::Ec { x, y, kid: None }
    }

    pub fn kid(&self) -> Option<&str> {
        match self {
            PublicJwk::Rsa { kid, .. } | PublicJwk::Ec { kid, .. } => kid.as_deref(),
        }
    }

    pub fn p256_coordinates(&self) -> Option<([u8; 32], [u8; 32])> {
        match self {
            PublicJwk::Ec { x, y, .. } => Some((*x, *y)),
            PublicJwk::Rsa { .. } => None,
        }
    }

    /// The required members only (RFC 7638 §3.2, in lexicographic order).
    fn required(&self) -> String {
        match self {
            PublicJwk::Rsa { n, e, .. } => {
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n))
            }
            PublicJwk::Ec { x, y, .. } => {
                format!(
                    r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                    b64(x),
                    b64(y)
                )
            }
        }
    }

    /// RFC 7638: base64url(SHA-256(the required members as canonical JSON)).
    pub fn thumbprint(&self) -> String {
        b64(&Sha256::digest(self.required().as_bytes()))
    }

    pub fn to_json(&self) -> Value {
        let mut v: Value = serde_json::from_str(&self.required()).expect("canonical JSON");
        if let Some(kid) = self.kid() {
            v["kid"] = json!(kid);
        }
        v
    }

    pub(crate) fn to_pkey(&self) -> Result<PKey<Public>, JoseError> {
        match self {
            PublicJwk::Rsa { n, e, .. } => {
                let rsa = Rsa::from_public_components(
                    BigNum::from_slice(n).map_err(crypto)?,
                    BigNum::from_slice(e).map_err(crypto)?,
                )
                .map_err(crypto)?;
                PKey::from_rsa(rsa).map_err(crypto)
            }
            PublicJwk::Ec { x, y, .. } => {
                use openssl::ec::{EcGroup, EcKey};
                use openssl::nid::Nid;
                let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(crypto)?;
                let (bx, by) = (
                    BigNum::from_slice(x).map_err(crypto)?,
                    BigNum::from_slice(y).map_err(crypto)?,
                );
                let key =
                    EcKey::from_public_key_affine_coordinates(&group, &bx, &by).map_err(crypto)?;
                key.check_key()
                    .map_err(|_| JoseError::Key("the point is not on P-256".into()))?;
                PKey::from_ec_key(key).map_err(crypto)
            }
        }
    }
}

/// A JWK Set (RFC 7517 §5).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwkSet {
    pub keys: Vec<PublicJwk>,
}

impl JwkSet {
    /// Keys this library cannot use (other types, curves) are skipped, as RFC 7517 §5 allows.
    pub fn from_json(set: &Value) -> Result<Self, JoseError> {
        let keys = set
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| JoseError::Key("a JWK Set has a keys array".into()))?;
        Ok(Self {
            keys: keys
                .iter()
                .filter_map(|k| PublicJwk::from_json(k).ok())
                .collect(),
        })
    }

    pub fn find(&self, kid: &str) -> Option<&PublicJwk> {
        self.keys.iter().find(|k| k.kid() == Some(kid))
    }
}
