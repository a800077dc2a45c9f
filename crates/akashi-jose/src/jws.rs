//! Compact JWS (RFC 7515) with RS256 and ES256 (RFC 7518 §3.3, §3.4).
//!
//! Signing goes through [`JwsSigner`], whose implementations hold keys that never leave
//! `akashi-crypto`. Verification takes the caller's keys and the algorithms it allows: the
//! header chooses neither the key material (embedded `jwk`/`jku`/`x5c` are ignored) nor an
//! algorithm outside the list, `none` is refused outright, and the signature is checked over
//! the exact `header.payload` text received, never over a re-encoding.

use serde_json::{Map, Value};

use akashi_crypto::{HashAlgorithm, P256PrivateKey, RsaPrivateKey, RsaPublicKey};

use crate::jwk::{JwkKey, PublicJwk};
use crate::{b64url_decode_what, b64url_encode, header_str, json_object, refuse_crit, JoseError};

/// The JWS algorithms implemented here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JwsAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// ECDSA on P-256 with SHA-256, signature as the 64-byte `R ‖ S`.
    Es256,
}

impl JwsAlgorithm {
    /// The `alg` value.
    pub fn name(self) -> &'static str {
        match self {
            JwsAlgorithm::Rs256 => "RS256",
            JwsAlgorithm::Es256 => "ES256",
        }
    }

    /// The algorithm named `alg`, if implemented. `none` gets its own error.
    pub fn from_name(alg: &str) -> Result<Self, JoseError> {
        match alg {
            "RS256" => Ok(JwsAlgorithm::Rs256),
            "ES256" => Ok(JwsAlgorithm::Es256),
            _ if alg.eq_ignore_ascii_case("none") => Err(JoseError::AlgNone),
            other => Err(JoseError::UnsupportedAlgorithm(other.to_owned())),
        }
    }

    /// Whether `key` is of the type this algorithm needs.
    fn fits(self, key: &PublicJwk) -> bool {
        matches!(
            (self, key.key()),
            (JwsAlgorithm::Rs256, JwkKey::Rsa { .. }) | (JwsAlgorithm::Es256, JwkKey::P256 { .. })
        )
    }
}

impl std::fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Something that signs JWS: a key held elsewhere (here, in `akashi-crypto`) that only hands
/// out signatures and its public JWK.
pub trait JwsSigner {
    fn algorithm(&self) -> JwsAlgorithm;
    fn key_id(&self) -> Option<&str>;
    /// The signature over `signing_input` in its JWS form (RS256: k bytes; ES256: 64 bytes).
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError>;
    /// The public key, with `kid`, `use` = "sig" and `alg` set.
    fn public_jwk(&self) -> PublicJwk;
}

/// RS256 with an [`RsaPrivateKey`] (OpenSSL, blinded).
#[derive(Debug)]
pub struct RsaSigner {
    key: RsaPrivateKey,
    public: PublicJwk,
}

impl RsaSigner {
    /// Refuses keys under 2048 bits (RFC 7518 §3.3).
    pub fn new(key: RsaPrivateKey, kid: Option<String>) -> Result<Self, JoseError> {
        let mut public = PublicJwk::from_rsa_spki_der(&key.public_key_der()?)?
            .with_use("sig")
            .with_alg("RS256");
        public.kid = kid;
        Ok(Self { key, public })
    }
}

impl JwsSigner for RsaSigner {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::Rs256
    }
    fn key_id(&self) -> Option<&str> {
        self.public.kid.as_deref()
    }
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError> {
        Ok(self.key.sign_pkcs1_sha256(signing_input)?)
    }
    fn public_jwk(&self) -> PublicJwk {
        self.public.clone()
    }
}

/// ES256 with a [`P256PrivateKey`] (OpenSSL's constant-time P-256).
#[derive(Debug, Clone)]
pub struct EcSigner {
    key: P256PrivateKey,
    public: PublicJwk,
}

impl EcSigner {
    pub fn new(key: P256PrivateKey, kid: Option<String>) -> Self {
        let mut public = PublicJwk::from_p256(&key.public_key())
            .with_use("sig")
            .with_alg("ES256");
        public.kid = kid;
        Self { key, public }
    }
}

impl JwsSigner for EcSigner {
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::Es256
    }
    fn key_id(&self) -> Option<&str> {
        self.public.kid.as_deref()
    }
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, JoseError> {
        Ok(self.key.sign_es256(signing_input)?.to_vec())
    }
    fn public_jwk(&self) -> PublicJwk {
        self.public.clone()
    }
}

/// `header.payload.signature`. The header is `extra_header` (`typ`, `cty`, …) with `alg` set
/// from the signer and `kid` set when the signer has one (both replace what was there).
pub fn sign_compact(
    mut extra_header: Map<String, Value>,
    payload: &[u8],
    signer: &dyn JwsSigner,
) -> Result<String, JoseError> {
    if let Some(kid) = signer.key_id() {
        extra_header.insert("kid".into(), Value::String(kid.to_owned()));
    }
    sign_with_header(extra_header, payload, signer)
}

/// Signs with `header` as given plus `alg`.
pub(crate) fn sign_with_header(
    mut header: Map<String, Value>,
    payload: &[u8],
    signer: &dyn JwsSigner,
) -> Result<String, JoseError> {
    header.insert("alg".into(), signer.algorithm().name().into());
    let input = format!(
        "{}.{}",
        b64url_encode(Value::Object(header).to_string().as_bytes()),
        b64url_encode(payload)
    );
    let signature = signer.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64url_encode(&signature)))
}

/// A JWS whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub header: Map<String, Value>,
    pub payload: Vec<u8>,
    pub algorithm: JwsAlgorithm,
}

/// A compact JWS taken apart, its signature not yet checked.
pub(crate) struct Parsed<'a> {
    pub header: Map<String, Value>,
    pub algorithm: JwsAlgorithm,
    pub payload: Vec<u8>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

/// Splits and decodes a compact JWS; refuses `none`, unknown algorithms, those not in
/// `allowed`, and any `crit`.
pub(crate) fn parse<'a>(
    compact: &'a str,
    allowed: &[JwsAlgorithm],
) -> Result<Parsed<'a>, JoseError> {
    let mut parts = compact.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::malformed(
            "JWS",
            "a compact JWS has exactly three parts",
        ));
    };
    let signing_input = &compact[..header_b64.len() + 1 + payload_b64.len()];
    let header = json_object("JWS header", &b64url_decode_what("JWS header", header_b64)?)?;
    let alg = header_str(&header, "alg")?
        .ok_or_else(|| JoseError::malformed("JWS header", "\"alg\" is missing"))?;
    let algorithm = JwsAlgorithm::from_name(alg)?;
    if !allowed.contains(&algorithm) {
        return Err(JoseError::AlgorithmNotAllowed(algorithm.name().into()));
    }
    refuse_crit(&header)?;
    Ok(Parsed {
        algorithm,
        payload: b64url_decode_what("JWS payload", payload_b64)?,
        signature: b64url_decode_what("JWS signature", signature_b64)?,
        signing_input,
        header,
    })
}

impl Parsed<'_> {
    /// Checks the signature with `key`, which must suit the algorithm.
    pub(crate) fn verify_with(&self, key: &PublicJwk) -> Result<(), JoseError> {
        let input = self.signing_input.as_bytes();
        match (self.algorithm, key.key()) {
            (JwsAlgorithm::Rs256, JwkKey::Rsa { .. }) => {
                let der = key
                    .to_rsa_spki_der()
                    .ok_or_else(|| JoseError::crypto("RSA key encoding failed"))?;
                RsaPublicKey::from_spki_der(&der)?
                    .verify_pkcs1(HashAlgorithm::Sha256, input, &self.signature)
                    .map_err(|_| JoseError::BadSignature)
            }
            (JwsAlgorithm::Es256, JwkKey::P256 { .. }) => key
                .to_p256()
                .ok_or_else(|| JoseError::crypto("P-256 key decoding failed"))?
                .verify_es256(input, &self.signature)
                .map_err(|_| JoseError::BadSignature),
            (alg, _) => Err(key_mismatch(alg, "wrong key type")),
        }
    }
}

fn key_mismatch(alg: JwsAlgorithm, why: &str) -> JoseError {
    JoseError::KeyMismatch {
        alg: alg.name().into(),
        why: why.into(),
    }
}

/// Verifies a compact JWS against the caller's `keys` with one of the `allowed` algorithms.
///
/// The key is chosen by `kid` when the header has one (an unknown `kid` is refused); without a
/// `kid` there must be exactly one key of the right type, as OpenID Connect Core §10.1 asks.
/// A key whose `use` is not "sig", or whose `alg` names another algorithm, is refused.
pub fn verify_compact(
    compact: &str,
    keys: &[PublicJwk],
    allowed: &[JwsAlgorithm],
) -> Result<Verified, JoseError> {
    let parsed = parse(compact, allowed)?;
    let alg = parsed.algorithm;
    let key = match header_str(&parsed.header, "kid")? {
        Some(kid) => {
            let named: Vec<&PublicJwk> = keys
                .iter()
                .filter(|k| k.kid.as_deref() == Some(kid))
                .collect();
            if named.is_empty() {
                return Err(JoseError::UnknownKeyId(kid.to_owned()));
            }
            // Several keys may share a kid (an RSA and an EC key, say): take the one that fits.
            *named
                .iter()
                .find(|k| alg.fits(k))
                .ok_or_else(|| key_mismatch(alg, "the key with this kid is of another type"))?
        }
        None => {
            let fitting: Vec<&PublicJwk> = keys.iter().filter(|k| alg.fits(k)).collect();
            match fitting.as_slice() {
                [one] => *one,
                [] => return Err(JoseError::NoUsableKey(format!("no key fits {alg}"))),
                _ => {
                    return Err(JoseError::NoUsableKey(format!(
                        "several keys fit {alg} and the header has no kid"
                    )))
                }
            }
        }
    };
    if key.key_use.as_deref().is_some_and(|u| u != "sig") {
        return Err(key_mismatch(alg, "the key's use is not \"sig\""));
    }
    if key.alg.as_deref().is_some_and(|a| a != alg.name()) {
        return Err(key_mismatch(alg, "the key is for another algorithm"));
    }
    parsed.verify_with(key)?;
    Ok(Verified {
        header: parsed.header,
        payload: parsed.payload,
        algorithm: alg,
    })
}
