//! Compact JWE (RFC 7516) to a relying party's public key: RSA-OAEP-256, or ECDH-ES (direct
//! key agreement with the Concat KDF, RFC 7518 §4.6) on P-256; content A256GCM with the
//! protected header as AAD. [`RecipientKey`] decrypts (the RP's side, and tests).

use openssl::derive::Deriver;
use openssl::ec::{EcGroup, EcKey};
use openssl::encrypt::{Decrypter, Encrypter};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::{Padding, Rsa};
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use akashi_crypto::SecureRandom;

use crate::error::crypto;
use crate::{b64, unb64, JoseError, PublicJwk};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JweAlgorithm {
    RsaOaep256,
    EcdhEs,
}

impl JweAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            JweAlgorithm::RsaOaep256 => "RSA-OAEP-256",
            JweAlgorithm::EcdhEs => "ECDH-ES",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JweEncryption {
    A256Gcm,
}

const ENC: &str = "A256GCM";

/// RFC 7518 §4.6.2: one round of the Concat KDF (SHA-256, 256-bit output), apu/apv empty.
fn concat_kdf(z: &[u8], enc: &str) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(1u32.to_be_bytes());
    h.update(z);
    h.update((enc.len() as u32).to_be_bytes());
    h.update(enc.as_bytes());
    h.update(0u32.to_be_bytes());
    h.update(0u32.to_be_bytes());
    h.update(256u32.to_be_bytes());
    Zeroizing::new(h.finalize().into())
}

fn p256_group() -> Result<EcGroup, JoseError> {
    EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(crypto)
}

fn ecdh(private: &PKey<Private>, peer: &PublicJwk) -> Result<Zeroizing<Vec<u8>>, JoseError> {
    let peer = peer.to_pkey()?;
    let mut deriver = Deriver::new(private).map_err(crypto)?;
    deriver.set_peer(&peer).map_err(crypto)?;
    Ok(Zeroizing::new(deriver.derive_to_vec().map_err(crypto)?))
}

fn ec_public(key: &EcKey<Private>) -> Result<PublicJwk, JoseError> {
    let mut ctx = openssl::bn::BigNumContext::new().map_err(crypto)?;
    let (mut x, mut y) = (
        openssl::bn::BigNum::new().map_err(crypto)?,
        openssl::bn::BigNum::new().map_err(crypto)?,
    );
    key.public_key()
        .affine_coordinates(key.group(), &mut x, &mut y, &mut ctx)
        .map_err(crypto)?;
    let pad = |b: &openssl::bn::BigNum| -> Result<[u8; 32], JoseError> {
        b.to_vec_padded(32)
            .map_err(crypto)?
            .try_into()
            .map_err(|_| crypto("coordinate length"))
    };
    Ok(PublicJwk::Ec {
        x: pad(&x)?,
        y: pad(&y)?,
        kid: None,
    })
}

/// Encrypts `plaintext` to `recipient`. `content_type`: `JWT` for a nested signed token.
pub fn encrypt_compact(
    plaintext: &[u8],
    recipient: &PublicJwk,
    alg: JweAlgorithm,
    _enc: JweEncryption,
    content_type: Option<&str>,
    rng: &dyn SecureRandom,
) -> Result<String, JoseError> {
    let mut header = json!({ "alg": alg.name(), "enc": ENC });
    if let Some(kid) = recipient.kid() {
        header["kid"] = json!(kid);
    }
    if let Some(cty) = content_type {
        header["cty"] = json!(cty);
    }
    let (cek, encrypted_key) = match (alg, recipient) {
        (JweAlgorithm::RsaOaep256, PublicJwk::Rsa { .. }) => {
            let mut cek = Zeroizing::new([0u8; 32]);
            rng.fill(cek.as_mut()).map_err(crypto)?;
            let pkey = recipient.to_pkey()?;
            let mut e = Encrypter::new(&pkey).map_err(crypto)?;
            e.set_rsa_padding(Padding::PKCS1_OAEP).map_err(crypto)?;
            e.set_rsa_oaep_md(MessageDigest::sha256()).map_err(crypto)?;
            e.set_rsa_mgf1_md(MessageDigest::sha256()).map_err(crypto)?;
            let mut out = vec![0u8; e.encrypt_len(cek.as_ref()).map_err(crypto)?];
            let n = e.encrypt(cek.as_ref(), &mut out).map_err(crypto)?;
            out.truncate(n);
            (cek, out)
        }
        (JweAlgorithm::EcdhEs, PublicJwk::Ec { .. }) => {
            let group = p256_group()?;
            let ephemeral = EcKey::generate(&group).map_err(crypto)?;
            let epk = ec_public(&ephemeral)?;
            header["epk"] = epk.to_json();
            let private = PKey::from_ec_key(ephemeral).map_err(crypto)?;
            (concat_kdf(&ecdh(&private, recipient)?, ENC), Vec::new())
        }
        (alg, _) => {
            return Err(JoseError::Key(format!(
                "{} needs a different key type",
                alg.name()
            )))
        }
    };
    let protected = b64(&serde_json::to_vec(&header).map_err(crypto)?);
    let mut iv = [0u8; 12];
    rng.fill(&mut iv).map_err(crypto)?;
    let mut tag = [0u8; 16];
    let ciphertext = encrypt_aead(
        Cipher::aes_256_gcm(),
        cek.as_ref(),
        Some(&iv),
        protected.as_bytes(),
        plaintext,
        &mut tag,
    )
    .map_err(crypto)?;
    Ok(format!(
        "{protected}.{}.{}.{}.{}",
        b64(&encrypted_key),
        b64(&iv),
        b64(&ciphertext),
        b64(&tag)
    ))
}

/// A private key JWEs are encrypted to (the relying party's).
pub struct RecipientKey {
    key: PKey<Private>,
    public: PublicJwk,
}

impl RecipientKey {
    pub fn generate_rsa() -> Result<Self, JoseError> {
        let rsa = Rsa::generate(2048).map_err(crypto)?;
        let public = PublicJwk::Rsa {
            n: rsa.n().to_vec(),
            e: rsa.e().to_vec(),
            kid: None,
        };
        Ok(Self {
            key: PKey::from_rsa(rsa).map_err(crypto)?,
            public,
        })
    }

    pub fn generate_p256() -> Result<Self, JoseError> {
        let group = p256_group()?;
        let ec = EcKey::generate(&group).map_err(crypto)?;
        let public = ec_public(&ec)?;
        Ok(Self {
            key: PKey::from_ec_key(ec).map_err(crypto)?,
            public,
        })
    }

    pub fn public_jwk(&self) -> &PublicJwk {
        &self.public
    }

    /// The private key as PKCS#8 PEM (to hand to another JOSE library in a test).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<Vec<u8>>, JoseError> {
        Ok(Zeroizing::new(
            self.key.private_key_to_pem_pkcs8().map_err(crypto)?,
        ))
    }

    pub fn decrypt_compact(&self, jwe: &str) -> Result<Vec<u8>, JoseError> {
        let parts: Vec<&str> = jwe.split('.').collect();
        let [protected, encrypted_key, iv, ciphertext, tag] = parts[..] else {
            return Err(JoseError::Malformed("a compact JWE has five parts".into()));
        };
        let header: Value = serde_json::from_slice(&unb64(protected, "JWE header")?)
            .map_err(|_| JoseError::Malformed("the JWE header is not JSON".into()))?;
        if header["enc"] != ENC {
            return Err(JoseError::Algorithm(header["enc"].to_string()));
        }
        let cek = match (header["alg"].as_str(), &self.public) {
            (Some("RSA-OAEP-256"), PublicJwk::Rsa { .. }) => {
                let mut d = Decrypter::new(&self.key).map_err(crypto)?;
                d.set_rsa_padding(Padding::PKCS1_OAEP).map_err(crypto)?;
                d.set_rsa_oaep_md(MessageDigest::sha256()).map_err(crypto)?;
                d.set_rsa_mgf1_md(MessageDigest::sha256()).map_err(crypto)?;
                let wrapped = unb64(encrypted_key, "JWE encrypted key")?;
                let mut out = Zeroizing::new(vec![0u8; d.decrypt_len(&wrapped).map_err(crypto)?]);
                let n = d
                    .decrypt(&wrapped, &mut out)
                    .map_err(|_| JoseError::Decrypt)?;
                let cek: [u8; 32] = out[..n].try_into().map_err(|_| JoseError::Decrypt)?;
                Zeroizing::new(cek)
            }
            (Some("ECDH-ES"), PublicJwk::Ec { .. }) => {
                let epk = PublicJwk::from_json(&header["epk"])?;
                concat_kdf(&ecdh(&self.key, &epk)?, ENC)
            }
            (alg, _) => return Err(JoseError::Algorithm(alg.unwrap_or("none").to_owned())),
        };
        let tag = unb64(tag, "JWE tag")?;
        decrypt_aead(
            Cipher::aes_256_gcm(),
            cek.as_ref(),
            Some(&unb64(iv, "JWE IV")?),
            protected.as_bytes(),
            &unb64(ciphertext, "JWE ciphertext")?,
            &tag,
        )
        .map_err(|_| JoseError::Decrypt)
    }
}
