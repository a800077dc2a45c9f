//! Compact JWE (RFC 7516) to a relying party's public key: RSA-OAEP-256 (RFC 7518 §4.3, OAEP
//! with SHA-256 and MGF1-SHA-256) or ECDH-ES in Direct Key Agreement mode (§4.6), with A128GCM
//! or A256GCM content encryption. OpenID Connect uses it for encrypted ID tokens and userinfo
//! (a signed JWT nested inside, `cty` = "JWT").
//!
//! The additional authenticated data is the ASCII of the protected header exactly as sent
//! (RFC 7516 §5.1 step 14, §5.2 step 15), so decryption authenticates the received header text.

mod content;
pub(crate) mod ecdh;
mod recipient;

pub use content::ContentEncryption;
pub use recipient::RecipientKey;

use openssl::md::Md;
use openssl::pkey::{HasPublic, PKeyRef, Private};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use akashi_crypto::SecureRandom;

use crate::jwk::{JwkKey, PublicJwk};
use crate::{b64url_decode_what, b64url_encode, header_str, json_object, refuse_crit, JoseError};
use content::{IV_LEN, TAG_LEN};
use recipient::Inner;

/// The key management algorithms implemented here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JweAlgorithm {
    /// RSAES-OAEP with SHA-256 and MGF1 with SHA-256.
    RsaOaep256,
    /// Elliptic Curve Diffie-Hellman Ephemeral Static, Direct Key Agreement (P-256 here).
    EcdhEs,
}

impl JweAlgorithm {
    /// The `alg` value.
    pub fn name(self) -> &'static str {
        match self {
            JweAlgorithm::RsaOaep256 => "RSA-OAEP-256",
            JweAlgorithm::EcdhEs => "ECDH-ES",
        }
    }

    pub fn from_name(alg: &str) -> Result<Self, JoseError> {
        match alg {
            "RSA-OAEP-256" => Ok(JweAlgorithm::RsaOaep256),
            "ECDH-ES" => Ok(JweAlgorithm::EcdhEs),
            other => Err(JoseError::UnsupportedAlgorithm(other.to_owned())),
        }
    }
}

fn mismatch(alg: JweAlgorithm, why: &str) -> JoseError {
    JoseError::KeyMismatch {
        alg: alg.name().into(),
        why: why.into(),
    }
}

/// Encrypts `plaintext` to `recipient`. The header has `alg`, `enc`, the recipient's `kid`
/// when it has one, `cty` when given ("JWT" for a nested signed ID token) and, for ECDH-ES,
/// the ephemeral public key `epk`. The CEK, the IV and the ephemeral key come from `rng`
/// (the OAEP seed comes from OpenSSL's own generator, which its padding code draws itself).
///
/// Refused: a key of the wrong type for `alg`, a key whose `use` is not "enc" or whose `alg`
/// names another algorithm.
pub fn encrypt_compact(
    plaintext: &[u8],
    recipient: &PublicJwk,
    alg: JweAlgorithm,
    enc: ContentEncryption,
    content_type: Option<&str>,
    rng: &dyn SecureRandom,
) -> Result<String, JoseError> {
    if recipient.key_use.as_deref().is_some_and(|u| u != "enc") {
        return Err(mismatch(alg, "the key's use is not \"enc\""));
    }
    if recipient.alg.as_deref().is_some_and(|a| a != alg.name()) {
        return Err(mismatch(alg, "the key is for another algorithm"));
    }
    let mut header = Map::new();
    header.insert("alg".into(), alg.name().into());
    header.insert("enc".into(), enc.name().into());
    if let Some(kid) = &recipient.kid {
        header.insert("kid".into(), kid.clone().into());
    }
    if let Some(cty) = content_type {
        header.insert("cty".into(), cty.into());
    }
    let (cek, encrypted_key) = match (alg, recipient.key()) {
        (JweAlgorithm::RsaOaep256, JwkKey::Rsa { .. }) => {
            let mut cek = Zeroizing::new(vec![0u8; enc.key_len()]);
            rng.fill(&mut cek)?;
            let encrypted = rsa_oaep_encrypt(&*recipient.to_openssl()?, &cek)?;
            (cek, encrypted)
        }
        (JweAlgorithm::EcdhEs, JwkKey::P256 { x, y }) => {
            let ephemeral = ecdh::generate(rng)?;
            let z = ecdh::shared_secret(&ephemeral, &ecdh::public_key(x, y)?)?;
            let (ex, ey) = ecdh::affine(&ephemeral)?;
            header.insert("epk".into(), PublicJwk::p256(&ex, &ey)?.to_json());
            let cek = ecdh::concat_kdf(&z, enc.name(), b"", b"", enc.key_len());
            (cek, Vec::new())
        }
        (alg, _) => return Err(mismatch(alg, "wrong key type")),
    };
    let mut iv = [0u8; IV_LEN];
    rng.fill(&mut iv)?;
    let header_b64 = b64url_encode(Value::Object(header).to_string().as_bytes());
    let (ciphertext, tag) = enc.seal(&cek, &iv, header_b64.as_bytes(), plaintext)?;
    Ok(format!(
        "{header_b64}.{}.{}.{}.{}",
        b64url_encode(&encrypted_key),
        b64url_encode(&iv),
        b64url_encode(&ciphertext),
        b64url_encode(&tag)
    ))
}

/// A decrypted JWE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    pub header: Map<String, Value>,
    pub plaintext: Vec<u8>,
    pub algorithm: JweAlgorithm,
    pub encryption: ContentEncryption,
}

/// Decrypts a compact JWE with `key`. Structural problems (not five parts, bad base64url, an
/// unknown or mismatched `alg`/`enc`, `crit`, `zip`) are reported as such; every failure of the
/// cryptography itself is the one opaque [`JoseError::Decryption`]. When RSA-OAEP decryption of
/// the CEK fails, decryption carries on with a random CEK from `rng` so that a bad encrypted
/// key and a bad tag look and take alike (RFC 7516 §11.5).
///
/// When a relying party holds several keys, it picks one by the `kid` of
/// [`crate::protected_header`] before calling this.
pub fn decrypt_compact(
    jwe: &str,
    key: &RecipientKey,
    rng: &dyn SecureRandom,
) -> Result<Decrypted, JoseError> {
    let parts: Vec<&str> = jwe.split('.').collect();
    let [header_b64, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        return Err(JoseError::malformed(
            "JWE",
            "a compact JWE has exactly five parts",
        ));
    };
    let header = json_object("JWE header", &b64url_decode_what("JWE header", header_b64)?)?;
    refuse_crit(&header)?;
    if header.contains_key("zip") {
        // Compression before encryption leaks plaintext through length; nothing here makes it.
        return Err(JoseError::UnsupportedHeader("zip".into()));
    }
    let alg = JweAlgorithm::from_name(
        header_str(&header, "alg")?
            .ok_or_else(|| JoseError::malformed("JWE header", "\"alg\" is missing"))?,
    )?;
    let enc = ContentEncryption::from_name(
        header_str(&header, "enc")?
            .ok_or_else(|| JoseError::malformed("JWE header", "\"enc\" is missing"))?,
    )?;
    let encrypted_key = b64url_decode_what("JWE encrypted key", encrypted_key)?;
    let iv = b64url_decode_what("JWE IV", iv)?;
    let ciphertext = b64url_decode_what("JWE ciphertext", ciphertext)?;
    let tag = b64url_decode_what("JWE tag", tag)?;
    if iv.len() != IV_LEN || tag.len() != TAG_LEN {
        return Err(JoseError::malformed(
            "JWE",
            "AES-GCM needs a 96-bit IV and a 128-bit tag",
        ));
    }
    let cek = match (alg, &key.inner) {
        (JweAlgorithm::RsaOaep256, Inner::Rsa(private)) => {
            match rsa_oaep_decrypt(private, &encrypted_key) {
                Ok(cek) if cek.len() == enc.key_len() => cek,
                _ => {
                    let mut random = Zeroizing::new(vec![0u8; enc.key_len()]);
                    rng.fill(&mut random)?;
                    random
                }
            }
        }
        (JweAlgorithm::EcdhEs, Inner::P256(private)) => {
            if !encrypted_key.is_empty() {
                return Err(JoseError::malformed(
                    "JWE",
                    "ECDH-ES (direct key agreement) has an empty encrypted key",
                ));
            }
            let epk = header
                .get("epk")
                .ok_or_else(|| JoseError::malformed("JWE header", "\"epk\" is missing"))?;
            let JwkKey::P256 { x, y } = PublicJwk::from_json(epk)?.key().clone() else {
                return Err(mismatch(alg, "epk is not a P-256 key"));
            };
            let party = |name: &'static str| -> Result<Vec<u8>, JoseError> {
                match header_str(&header, name)? {
                    Some(text) => b64url_decode_what(name, text),
                    None => Ok(Vec::new()),
                }
            };
            let z = ecdh::shared_secret(private, &ecdh::public_key(&x, &y)?)?;
            ecdh::concat_kdf(
                &z,
                enc.name(),
                &party("apu")?,
                &party("apv")?,
                enc.key_len(),
            )
        }
        (alg, _) => return Err(mismatch(alg, "the recipient key is of another type")),
    };
    let plaintext = enc.open(&cek, &iv, header_b64.as_bytes(), &ciphertext, &tag)?;
    Ok(Decrypted {
        header,
        plaintext,
        algorithm: alg,
        encryption: enc,
    })
}

fn oaep_context<T>(ctx: &mut PkeyCtx<T>) -> Result<(), JoseError> {
    ctx.set_rsa_padding(Padding::PKCS1_OAEP)
        .and_then(|()| ctx.set_rsa_oaep_md(Md::sha256()))
        .and_then(|()| ctx.set_rsa_mgf1_md(Md::sha256()))
        .map_err(JoseError::crypto)
}

fn rsa_oaep_encrypt<T: HasPublic>(key: &PKeyRef<T>, cek: &[u8]) -> Result<Vec<u8>, JoseError> {
    let mut ctx = PkeyCtx::new(key).map_err(JoseError::crypto)?;
    ctx.encrypt_init().map_err(JoseError::crypto)?;
    oaep_context(&mut ctx)?;
    let mut out = Vec::new();
    ctx.encrypt_to_vec(cek, &mut out)
        .map_err(JoseError::crypto)?;
    Ok(out)
}

/// OpenSSL's OAEP decoding runs in constant time; its failure is not reported past here.
fn rsa_oaep_decrypt(
    key: &PKeyRef<Private>,
    encrypted: &[u8],
) -> Result<Zeroizing<Vec<u8>>, JoseError> {
    let mut ctx = PkeyCtx::new(key).map_err(JoseError::crypto)?;
    ctx.decrypt_init().map_err(JoseError::crypto)?;
    oaep_context(&mut ctx)?;
    let mut out = Zeroizing::new(Vec::new());
    ctx.decrypt_to_vec(encrypted, &mut out)
        .map_err(|_| JoseError::Decryption)?;
    Ok(out)
}
