//! P-256 keys as JWS ES256 and JWK (RFC 7518 §3.4, §6.2) need them, on Akashi's crypto
//! provider (OpenSSL's constant-time P-256).

use serde_json::{json, Value};

use akashi_crypto::{P256PrivateKey, P256PublicKey, SealingKey, SecureRandom};

use crate::{b64, unb64, SdJwtError};

/// A P-256 private key (an issuer's or a holder's); it never leaves this object.
#[derive(Debug, Clone)]
pub struct EcPrivateKey {
    key: P256PrivateKey,
}

/// A P-256 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcPublicKey {
    key: P256PublicKey,
}

fn key_error(e: akashi_crypto::CryptoError) -> SdJwtError {
    SdJwtError::Key(e.to_string())
}

impl EcPrivateKey {
    /// A fresh key from `rng`.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, SdJwtError> {
        Ok(Self {
            key: P256PrivateKey::generate(rng).map_err(key_error)?,
        })
    }

    /// The key from its 32-byte scalar (big-endian).
    pub fn from_scalar(bytes: &[u8]) -> Result<Self, SdJwtError> {
        Ok(Self {
            key: P256PrivateKey::from_scalar(bytes).map_err(key_error)?,
        })
    }

    pub fn public_key(&self) -> EcPublicKey {
        EcPublicKey {
            key: self.key.public_key(),
        }
    }

    /// The key sealed for storage under `sealing_key` and `label`.
    pub fn seal(&self, sealing_key: &SealingKey, label: &str) -> Result<Vec<u8>, SdJwtError> {
        self.key.seal(sealing_key, label).map_err(key_error)
    }

    /// A key sealed by [`EcPrivateKey::seal`].
    pub fn unseal(
        sealing_key: &SealingKey,
        label: &str,
        sealed: &[u8],
    ) -> Result<Self, SdJwtError> {
        Ok(Self {
            key: P256PrivateKey::unseal(sealing_key, label, sealed).map_err(key_error)?,
        })
    }

    /// ES256: the 64-byte r ‖ s signature over `signing_input`.
    pub(crate) fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, SdJwtError> {
        Ok(self
            .key
            .sign_es256(signing_input)
            .map_err(key_error)?
            .to_vec())
    }
}

impl EcPublicKey {
    /// The public JWK: `{"kty":"EC","crv":"P-256","x":…,"y":…}`.
    pub fn to_jwk(&self) -> Value {
        let (x, y) = self.key.affine();
        json!({ "kty": "EC", "crv": "P-256", "x": b64(&x), "y": b64(&y) })
    }

    /// A public JWK (EC, P-256); other members are ignored, a private `d` is refused.
    pub fn from_jwk(jwk: &Value) -> Result<Self, SdJwtError> {
        let field = |name: &str| {
            jwk.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| SdJwtError::Key(format!("JWK member {name:?} missing")))
        };
        if field("kty")? != "EC" || field("crv")? != "P-256" {
            return Err(SdJwtError::Key("only EC P-256 JWKs are supported".into()));
        }
        if jwk.get("d").is_some() {
            return Err(SdJwtError::Key("a public JWK must not carry \"d\"".into()));
        }
        let (x, y) = (unb64("JWK x", field("x")?)?, unb64("JWK y", field("y")?)?);
        Ok(Self {
            key: P256PublicKey::from_affine(&x, &y).map_err(key_error)?,
        })
    }

    /// Verifies an ES256 signature (64 bytes r ‖ s) over `signing_input`.
    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        self.key.verify_es256(signing_input, signature).is_ok()
    }
}
