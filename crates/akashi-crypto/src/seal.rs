//! Sealing: authenticated encryption of state at rest (keys, virtual cards).
//!
//! Format (all integers big-endian):
//! ```text
//! "AKSEAL1" | kdf (1) | [kdf = 1: salt (16)] | nonce (12) | ciphertext | tag (16)
//! ```
//! AES-256-GCM; the associated data is the header plus the caller's label, so a blob sealed for
//! one purpose cannot be opened as another. `kdf` 0 uses the key as is; 1 derives it from a
//! passphrase with scrypt (N = 2^15, r = 8, p = 1) and a per-blob salt.

use std::path::Path;

use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};
use zeroize::Zeroizing;

use crate::{write_atomic, CryptoError, OsRandom, SecureRandom};

const MAGIC: &[u8; 7] = b"AKSEAL1";
const KDF_RAW: u8 = 0;
const KDF_SCRYPT: u8 = 1;
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const SCRYPT_N: u64 = 1 << 15;
const SCRYPT_R: u64 = 8;
const SCRYPT_P: u64 = 1;
const SCRYPT_MAXMEM: u64 = 64 * 1024 * 1024;

/// A key that seals and opens data at rest. Its bytes are zeroized when dropped.
#[derive(Clone)]
pub enum SealingKey {
    Raw(Zeroizing<[u8; 32]>),
    Passphrase(Zeroizing<String>),
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SealingKey::Raw(_) => "SealingKey::Raw(..)",
            SealingKey::Passphrase(_) => "SealingKey::Passphrase(..)",
        })
    }
}

impl SealingKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SealingKey::Raw(Zeroizing::new(bytes))
    }

    pub fn from_passphrase(passphrase: &str) -> Self {
        SealingKey::Passphrase(Zeroizing::new(passphrase.to_owned()))
    }

    /// The `N`-byte secret sealed under this key in `path` (with `label`), made from `rng`
    /// and written atomically the first time. Every service's key file works this way.
    pub fn load_or_create_seed<const N: usize>(
        &self,
        path: &Path,
        label: &str,
        rng: &dyn SecureRandom,
    ) -> Result<Zeroizing<[u8; N]>, CryptoError> {
        let mut seed = Zeroizing::new([0u8; N]);
        match std::fs::read(path) {
            Ok(sealed) => {
                let opened = self.open(label, &sealed)?;
                if opened.len() != N {
                    return Err(CryptoError::SealedFormat("wrong length"));
                }
                seed.copy_from_slice(&opened);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                rng.fill(seed.as_mut())?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| CryptoError::io(dir, e))?;
                }
                write_atomic(path, &self.seal(label, seed.as_ref())?)?;
            }
            Err(e) => return Err(CryptoError::io(path, e)),
        }
        Ok(seed)
    }

    /// Loads a 32-byte key file, creating it (mode 0600, random content) if it does not exist.
    pub fn load_or_create_key_file(path: &Path) -> Result<Self, CryptoError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    CryptoError::SealedFormat("key file must hold exactly 32 bytes")
                })?;
                Ok(Self::from_bytes(key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = Zeroizing::new([0u8; 32]);
                OsRandom.fill(key.as_mut())?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| CryptoError::io(dir, e))?;
                }
                write_atomic(path, key.as_ref())?;
                Ok(SealingKey::Raw(key))
            }
            Err(e) => Err(CryptoError::io(path, e)),
        }
    }

    /// Encrypts `plaintext` for storage; `label` names its purpose and must be given to open it.
    pub fn seal(&self, label: &str, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut header = MAGIC.to_vec();
        let key = match self {
            SealingKey::Raw(key) => {
                header.push(KDF_RAW);
                Zeroizing::new(**key)
            }
            SealingKey::Passphrase(pass) => {
                let mut salt = [0u8; SALT_LEN];
                OsRandom.fill(&mut salt)?;
                header.push(KDF_SCRYPT);
                header.extend_from_slice(&salt);
                derive(pass, &salt)?
            }
        };
        let mut nonce = [0u8; NONCE_LEN];
        OsRandom.fill(&mut nonce)?;
        header.extend_from_slice(&nonce);
        let mut tag = [0u8; TAG_LEN];
        let ciphertext = encrypt_aead(
            Cipher::aes_256_gcm(),
            key.as_ref(),
            Some(&nonce),
            &aad(&header, label),
            plaintext,
            &mut tag,
        )
        .map_err(|_| CryptoError::SealedOpen)?;
        let mut out = header;
        out.extend_from_slice(&ciphertext);
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Decrypts a blob made by [`SealingKey::seal`] with the same key and label.
    pub fn open(&self, label: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let rest = sealed
            .strip_prefix(MAGIC.as_slice())
            .ok_or(CryptoError::SealedFormat("missing AKSEAL1 header"))?;
        let (&kdf, rest) = rest
            .split_first()
            .ok_or(CryptoError::SealedFormat("truncated header"))?;
        let (key, rest) = match (kdf, self) {
            (KDF_RAW, SealingKey::Raw(key)) => (Zeroizing::new(**key), rest),
            (KDF_SCRYPT, SealingKey::Passphrase(pass)) => {
                if rest.len() < SALT_LEN {
                    return Err(CryptoError::SealedFormat("truncated salt"));
                }
                let (salt, rest) = rest.split_at(SALT_LEN);
                (derive(pass, salt)?, rest)
            }
            (KDF_RAW | KDF_SCRYPT, _) => return Err(CryptoError::SealedOpen),
            _ => return Err(CryptoError::SealedFormat("unknown key-derivation id")),
        };
        if rest.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::SealedFormat("truncated body"));
        }
        let header_len = sealed.len() - rest.len() + NONCE_LEN;
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let (ciphertext, tag) = body.split_at(body.len() - TAG_LEN);
        decrypt_aead(
            Cipher::aes_256_gcm(),
            key.as_ref(),
            Some(nonce),
            &aad(&sealed[..header_len], label),
            ciphertext,
            tag,
        )
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::SealedOpen)
    }
}

fn aad(header: &[u8], label: &str) -> Vec<u8> {
    let mut aad = header.to_vec();
    aad.extend_from_slice(label.as_bytes());
    aad
}

fn derive(passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let mut key = Zeroizing::new([0u8; 32]);
    openssl::pkcs5::scrypt(
        passphrase.as_bytes(),
        salt,
        SCRYPT_N,
        SCRYPT_R,
        SCRYPT_P,
        SCRYPT_MAXMEM,
        key.as_mut(),
    )
    .map_err(|e| CryptoError::KeyDerivation(e.to_string()))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_passphrase_keys_round_trip() {
        for key in [
            SealingKey::from_bytes([1; 32]),
            SealingKey::from_passphrase("correct horse"),
        ] {
            let sealed = key.seal("label", b"secret state").unwrap();
            assert!(!sealed.windows(12).any(|w| w == b"secret state"));
            assert_eq!(
                key.open("label", &sealed).unwrap().as_slice(),
                b"secret state"
            );
        }
    }

    #[test]
    fn wrong_passphrase_label_or_altered_byte_is_refused() {
        let key = SealingKey::from_passphrase("right");
        let sealed = key.seal("card", b"data").unwrap();
        assert!(matches!(
            SealingKey::from_passphrase("wrong").open("card", &sealed),
            Err(CryptoError::SealedOpen)
        ));
        assert!(matches!(
            key.open("ca-key", &sealed),
            Err(CryptoError::SealedOpen)
        ));
        for i in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[i] ^= 0x01;
            assert!(
                key.open("card", &altered).is_err(),
                "flip at byte {i} was accepted"
            );
        }
        assert!(matches!(
            key.open("card", &sealed[..20]),
            Err(CryptoError::SealedFormat(_))
        ));
        assert!(matches!(
            key.open("card", b"plain"),
            Err(CryptoError::SealedFormat(_))
        ));
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        let first = SealingKey::load_or_create_key_file(&path).unwrap();
        let sealed = first.seal("x", b"y").unwrap();
        let second = SealingKey::load_or_create_key_file(&path).unwrap();
        assert_eq!(second.open("x", &sealed).unwrap().as_slice(), b"y");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
