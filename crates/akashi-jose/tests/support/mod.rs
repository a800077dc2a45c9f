//! Keys and helpers shared by the akashi-jose tests.
#![allow(dead_code)]

pub mod dpop;

use std::sync::OnceLock;

use akashi_crypto::{CryptoError, P256PrivateKey, RsaPrivateKey, SecureRandom};
use akashi_jose::jws::{EcSigner, RsaSigner};
use akashi_jose::{b64url_decode, b64url_encode};

/// RSA key generation is slow in debug builds: one key per test binary, sealed and reopened
/// for each signer (RsaPrivateKey is deliberately not Clone).
pub fn rsa_key() -> RsaPrivateKey {
    static SEALED: OnceLock<Vec<u8>> = OnceLock::new();
    let sealing = akashi_crypto::SealingKey::from_bytes([9u8; 32]);
    let sealed = SEALED.get_or_init(|| {
        RsaPrivateKey::generate()
            .unwrap()
            .seal(&sealing, "test")
            .unwrap()
    });
    RsaPrivateKey::unseal(&sealing, "test", sealed).unwrap()
}

pub fn rsa_signer(kid: Option<&str>) -> RsaSigner {
    RsaSigner::new(rsa_key(), kid.map(str::to_owned)).unwrap()
}

/// An EC signer from a fixed scalar (so its private JWK can be written out in a test).
pub fn ec_signer(kid: Option<&str>, scalar: u8) -> EcSigner {
    EcSigner::new(ec_key(scalar), kid.map(str::to_owned))
}

pub fn ec_key(scalar: u8) -> P256PrivateKey {
    let mut d = [0x11u8; 32];
    d[31] = scalar;
    P256PrivateKey::from_scalar(&d).unwrap()
}

/// The scalar behind [`ec_key`], base64url.
pub fn ec_scalar_b64(scalar: u8) -> String {
    let mut d = [0x11u8; 32];
    d[31] = scalar;
    b64url_encode(&d)
}

/// `compact` with part `index` decoded, changed by `change`, and re-encoded.
pub fn alter_part(compact: &str, index: usize, change: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
    let mut bytes = b64url_decode(&parts[index]).unwrap();
    change(&mut bytes);
    parts[index] = b64url_encode(&bytes);
    parts.join(".")
}

/// `compact` with the first occurrence of `from` in part `index` replaced by `to`.
pub fn replace_in_part(compact: &str, index: usize, from: &str, to: &str) -> String {
    alter_part(compact, index, |bytes| {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains(from), "{from:?} not in {text}");
        *bytes = text.replacen(from, to, 1).into_bytes();
    })
}

/// A generator that repeats a counter: deterministic, for tests only.
pub struct CountingRandom(pub std::sync::atomic::AtomicU8);

impl SecureRandom for CountingRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), CryptoError> {
        for b in dest {
            *b = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }
}
