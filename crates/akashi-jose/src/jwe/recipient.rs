//! A JWE recipient's private key: what a relying party (or a test standing in for one) holds
//! to decrypt what the provider encrypted to it. It is not a provider signing key — those live
//! in `akashi-crypto` — so it may be loaded from and exported to PKCS#8 or a private JWK, for
//! handing to another JOSE implementation. OpenSSL clears the key when it is dropped; exported
//! forms come back in [`Zeroizing`] buffers.

use openssl::bn::BigNum;
use openssl::ec::EcKey;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::Rsa;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use akashi_crypto::SecureRandom;

use super::ecdh;
use crate::jwk::PublicJwk;
use crate::{b64url_decode_what, b64url_encode, JoseError};

pub(crate) enum Inner {
    Rsa(PKey<Private>),
    P256(EcKey<Private>),
}

/// An RSA or P-256 private key for decrypting JWEs, with an optional `kid`.
pub struct RecipientKey {
    pub(crate) inner: Inner,
    kid: Option<String>,
}

impl std::fmt::Debug for RecipientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.inner {
            Inner::Rsa(k) => format!("RSA-{}", k.bits()),
            Inner::P256(_) => "P-256".into(),
        };
        write!(f, "RecipientKey({kind}, kid={:?})", self.kid)
    }
}

impl RecipientKey {
    /// A fresh RSA key (e = 65537) of `bits` bits, from OpenSSL's generator — RSA key
    /// generation cannot draw from an injected source.
    pub fn generate_rsa(bits: u32, kid: Option<String>) -> Result<Self, JoseError> {
        let rsa = Rsa::generate(bits).map_err(JoseError::crypto)?;
        Self::from_pkey(PKey::from_rsa(rsa).map_err(JoseError::crypto)?, kid)
    }

    /// A fresh P-256 key whose scalar comes from `rng`.
    pub fn generate_p256(rng: &dyn SecureRandom, kid: Option<String>) -> Result<Self, JoseError> {
        Ok(Self {
            inner: Inner::P256(ecdh::generate(rng)?),
            kid,
        })
    }

    /// A key from its DER PKCS#8 PrivateKeyInfo (RSA, or EC on P-256).
    pub fn from_pkcs8_der(der: &[u8], kid: Option<String>) -> Result<Self, JoseError> {
        let key = PKey::private_key_from_pkcs8(der)
            .map_err(|e| JoseError::InvalidJwk(format!("not a PKCS#8 private key: {e}")))?;
        Self::from_pkey(key, kid)
    }

    fn from_pkey(key: PKey<Private>, kid: Option<String>) -> Result<Self, JoseError> {
        let inner = match key.id() {
            Id::RSA => {
                let bits = key.bits() as usize;
                if !(crate::jwk::MIN_RSA_BITS..=crate::jwk::MAX_RSA_BITS).contains(&bits) {
                    return Err(JoseError::InvalidJwk(format!("RSA key of {bits} bits")));
                }
                Inner::Rsa(key)
            }
            Id::EC => {
                let ec = key.ec_key().map_err(JoseError::crypto)?;
                if ec.group().curve_name() != Some(openssl::nid::Nid::X9_62_PRIME256V1) {
                    return Err(JoseError::InvalidJwk("EC key not on P-256".into()));
                }
                Inner::P256(ec)
            }
            _ => return Err(JoseError::InvalidJwk("neither RSA nor EC".into())),
        };
        Ok(Self { inner, kid })
    }

    /// A private JWK (RSA with all CRT members, or EC P-256 with `d`); `kid` is taken from it.
    pub fn from_private_jwk(jwk: &Value) -> Result<Self, JoseError> {
        let bn = |name: &'static str| -> Result<BigNum, JoseError> {
            let text = jwk
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| JoseError::InvalidJwk(format!("member {name:?} is missing")))?;
            let bytes = Zeroizing::new(b64url_decode_what(name, text)?);
            BigNum::from_slice(&bytes).map_err(JoseError::crypto)
        };
        let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
        match jwk.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                if jwk.get("oth").is_some() {
                    return Err(JoseError::InvalidJwk(
                        "multi-prime RSA is not supported".into(),
                    ));
                }
                let rsa = Rsa::from_private_components(
                    bn("n")?,
                    bn("e")?,
                    bn("d")?,
                    bn("p")?,
                    bn("q")?,
                    bn("dp")?,
                    bn("dq")?,
                    bn("qi")?,
                )
                .map_err(JoseError::crypto)?;
                if !rsa.check_key().map_err(JoseError::crypto)? {
                    return Err(JoseError::InvalidJwk("inconsistent RSA private key".into()));
                }
                Self::from_pkey(PKey::from_rsa(rsa).map_err(JoseError::crypto)?, kid)
            }
            Some("EC") if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
                let d = bn("d")?.to_vec_padded(32).map_err(JoseError::crypto)?;
                let key = ecdh::private_key(&Zeroizing::new(d))?;
                // The public members must be the key's own point.
                let public = PublicJwk::from_json(&public_part(jwk))?;
                let (x, y) = ecdh::affine(&key)?;
                if public != PublicJwk::p256(&x, &y)? {
                    return Err(JoseError::InvalidJwk("x, y do not belong to d".into()));
                }
                Ok(Self {
                    inner: Inner::P256(key),
                    kid,
                })
            }
            _ => Err(JoseError::InvalidJwk(
                "only RSA and EC P-256 private JWKs are supported".into(),
            )),
        }
    }

    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public JWK to publish (in a relying party's `jwks`): `use` = "enc", and the `kid`.
    pub fn public_jwk(&self) -> Result<PublicJwk, JoseError> {
        let mut jwk = match &self.inner {
            Inner::Rsa(key) => {
                PublicJwk::from_rsa_spki_der(&key.public_key_to_der().map_err(JoseError::crypto)?)?
            }
            Inner::P256(key) => {
                let (x, y) = ecdh::affine(key)?;
                PublicJwk::p256(&x, &y)?
            }
        }
        .with_use("enc");
        jwk.kid = self.kid.clone();
        Ok(jwk)
    }

    /// The key as DER PKCS#8.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, JoseError> {
        let der = match &self.inner {
            Inner::Rsa(key) => key.private_key_to_pkcs8(),
            Inner::P256(key) => {
                PKey::from_ec_key(key.clone()).and_then(|k| k.private_key_to_pkcs8())
            }
        };
        Ok(Zeroizing::new(der.map_err(JoseError::crypto)?))
    }

    /// The key as a private JWK (JSON text), with its `kid`. Secret: handle like the key.
    pub fn to_private_jwk(&self) -> Result<Zeroizing<String>, JoseError> {
        let mut members: Vec<(&str, Zeroizing<String>)> = Vec::new();
        let mut put = |name, bytes: Vec<u8>| {
            let bytes = Zeroizing::new(bytes);
            members.push((name, Zeroizing::new(b64url_encode(&bytes))));
        };
        match &self.inner {
            Inner::Rsa(key) => {
                let rsa = key.rsa().map_err(JoseError::crypto)?;
                let missing = || JoseError::crypto("RSA key without CRT parameters");
                put("n", rsa.n().to_vec());
                put("e", rsa.e().to_vec());
                put("d", rsa.d().to_vec());
                put("p", rsa.p().ok_or_else(missing)?.to_vec());
                put("q", rsa.q().ok_or_else(missing)?.to_vec());
                put("dp", rsa.dmp1().ok_or_else(missing)?.to_vec());
                put("dq", rsa.dmq1().ok_or_else(missing)?.to_vec());
                put("qi", rsa.iqmp().ok_or_else(missing)?.to_vec());
            }
            Inner::P256(key) => {
                let (x, y) = ecdh::affine(key)?;
                put("x", x.to_vec());
                put("y", y.to_vec());
                put(
                    "d",
                    key.private_key()
                        .to_vec_padded(32)
                        .map_err(JoseError::crypto)?,
                );
            }
        }
        let kty = match self.inner {
            Inner::Rsa(_) => r#""kty":"RSA""#,
            Inner::P256(_) => r#""kty":"EC","crv":"P-256""#,
        };
        // Written into one buffer of the final size, so no partial copy is left behind by a
        // reallocation. Every value is base64url; the kid is JSON-escaped by serde_json.
        let kid = self
            .kid
            .as_ref()
            .map(|k| format!(r#","kid":{}"#, Value::String(k.clone())))
            .unwrap_or_default();
        let len = 2
            + kty.len()
            + kid.len()
            + members
                .iter()
                .map(|(n, v)| n.len() + v.len() + 6)
                .sum::<usize>();
        let mut out = Zeroizing::new(String::with_capacity(len));
        out.push('{');
        out.push_str(kty);
        for (name, value) in &members {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":\"");
            out.push_str(value);
            out.push('"');
        }
        out.push_str(&kid);
        out.push('}');
        Ok(out)
    }
}

/// The public members of an EC JWK, for checking them with [`PublicJwk::from_json`].
fn public_part(jwk: &Value) -> Value {
    let mut map = Map::new();
    for name in ["kty", "crv", "x", "y"] {
        if let Some(v) = jwk.get(name) {
            map.insert(name.into(), v.clone());
        }
    }
    Value::Object(map)
}
