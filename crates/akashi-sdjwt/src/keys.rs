//! P-256 keys as JWS ES256 and JWK (RFC 7518 §3.4, §6.2) need them.

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde_json::{json, Value};

use akashi_crypto::SecureRandom;

use crate::{b64, unb64, SdJwtError};

/// A P-256 private key (an issuer's or a holder's). The scalar is zeroized on drop by `p256`.
#[derive(Clone)]
pub struct EcPrivateKey {
    key: SigningKey,
}

impl std::fmt::Debug for EcPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EcPrivateKey(P-256, ..)")
    }
}

/// A P-256 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcPublicKey {
    key: VerifyingKey,
}

impl EcPrivateKey {
    /// A fresh key from `rng`.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, SdJwtError> {
        loop {
            let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
            rng.fill(&mut bytes[..])
                .map_err(|e| SdJwtError::Randomness(e.to_string()))?;
            // A 32-byte string is a valid scalar except with probability ~2^-32.
            if let Ok(key) = SigningKey::from_bytes(p256::FieldBytes::from_slice(&bytes[..])) {
                return Ok(Self { key });
            }
        }
    }

    /// The key from its 32-byte scalar (big-endian).
    pub fn from_scalar(bytes: &[u8]) -> Result<Self, SdJwtError> {
        if bytes.len() != 32 {
            return Err(SdJwtError::Key("a P-256 scalar is 32 bytes".into()));
        }
        SigningKey::from_bytes(p256::FieldBytes::from_slice(bytes))
            .map(|key| Self { key })
            .map_err(|_| SdJwtError::Key("not a valid P-256 scalar".into()))
    }

    pub fn public_key(&self) -> EcPublicKey {
        EcPublicKey {
            key: *self.key.verifying_key(),
        }
    }

    /// ES256: the 64-byte r ‖ s signature over `signing_input`.
    pub(crate) fn sign(&self, signing_input: &[u8]) -> Vec<u8> {
        let signature: Signature = self.key.sign(signing_input);
        signature.to_bytes().to_vec()
    }
}

impl EcPublicKey {
    /// The public JWK: `{"kty":"EC","crv":"P-256","x":…,"y":…}`.
    pub fn to_jwk(&self) -> Value {
        let point = self.key.to_encoded_point(false);
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": b64(point.x().expect("uncompressed point")),
            "y": b64(point.y().expect("uncompressed point")),
        })
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
        if x.len() != 32 || y.len() != 32 {
            return Err(SdJwtError::Key("JWK x and y must be 32 bytes".into()));
        }
        let mut sec1 = vec![0x04];
        sec1.extend_from_slice(&x);
        sec1.extend_from_slice(&y);
        VerifyingKey::from_sec1_bytes(&sec1)
            .map(|key| Self { key })
            .map_err(|_| SdJwtError::Key("the JWK point is not on P-256".into()))
    }

    /// Verifies an ES256 signature (64 bytes r ‖ s) over `signing_input`.
    pub(crate) fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature)
            .map(|s| self.key.verify(signing_input, &s).is_ok())
            .unwrap_or(false)
    }
}
