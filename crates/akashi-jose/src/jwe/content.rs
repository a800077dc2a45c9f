//! Content encryption with AES-GCM (RFC 7518 §5.3) on OpenSSL: 96-bit IV, 128-bit tag, the
//! protected header's base64url text as additional authenticated data.

use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};

use crate::JoseError;

/// The `enc` values implemented here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentEncryption {
    A128Gcm,
    A256Gcm,
}

pub(crate) const IV_LEN: usize = 12;
pub(crate) const TAG_LEN: usize = 16;

impl ContentEncryption {
    /// The `enc` value.
    pub fn name(self) -> &'static str {
        match self {
            ContentEncryption::A128Gcm => "A128GCM",
            ContentEncryption::A256Gcm => "A256GCM",
        }
    }

    pub fn from_name(enc: &str) -> Result<Self, JoseError> {
        match enc {
            "A128GCM" => Ok(ContentEncryption::A128Gcm),
            "A256GCM" => Ok(ContentEncryption::A256Gcm),
            other => Err(JoseError::UnsupportedAlgorithm(other.to_owned())),
        }
    }

    /// Length of the content encryption key in bytes.
    pub fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm => 16,
            ContentEncryption::A256Gcm => 32,
        }
    }

    fn cipher(self) -> Cipher {
        match self {
            ContentEncryption::A128Gcm => Cipher::aes_128_gcm(),
            ContentEncryption::A256Gcm => Cipher::aes_256_gcm(),
        }
    }

    /// (ciphertext, tag).
    pub(crate) fn seal(
        self,
        cek: &[u8],
        iv: &[u8; IV_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, [u8; TAG_LEN]), JoseError> {
        debug_assert_eq!(cek.len(), self.key_len());
        let mut tag = [0u8; TAG_LEN];
        let ciphertext = encrypt_aead(self.cipher(), cek, Some(iv), aad, plaintext, &mut tag)
            .map_err(JoseError::crypto)?;
        Ok((ciphertext, tag))
    }

    /// The plaintext, or [`JoseError::Decryption`] for any failure (wrong key, altered data).
    pub(crate) fn open(
        self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Vec<u8>, JoseError> {
        if cek.len() != self.key_len() || iv.len() != IV_LEN || tag.len() != TAG_LEN {
            return Err(JoseError::Decryption);
        }
        decrypt_aead(self.cipher(), cek, Some(iv), aad, ciphertext, tag)
            .map_err(|_| JoseError::Decryption)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{b64url_decode, b64url_encode};

    // RFC 7516 Appendix A.1: the content encryption step (A.1.4–A.1.7) of the RSA-OAEP +
    // A256GCM example, with its fixed CEK, IV and protected header.
    const A1_CEK: [u8; 32] = [
        177, 161, 244, 128, 84, 143, 225, 115, 63, 180, 3, 255, 107, 154, 212, 246, 138, 7, 110,
        91, 112, 46, 34, 105, 47, 130, 203, 46, 122, 234, 64, 252,
    ];
    const A1_IV: &str = "48V1_ALb6US04U3b";
    const A1_HEADER: &str = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ";
    const A1_PLAINTEXT: &[u8] = b"The true sign of intelligence is not knowledge but imagination.";
    const A1_CIPHERTEXT: &str =
        "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A";
    const A1_TAG: &str = "XFBoMYUZodetZdvTiFvSkQ";

    #[test]
    fn rfc7516_a1_content_encryption() {
        let iv: [u8; 12] = b64url_decode(A1_IV).unwrap().try_into().unwrap();
        let (ciphertext, tag) = ContentEncryption::A256Gcm
            .seal(&A1_CEK, &iv, A1_HEADER.as_bytes(), A1_PLAINTEXT)
            .unwrap();
        assert_eq!(b64url_encode(&ciphertext), A1_CIPHERTEXT);
        assert_eq!(b64url_encode(&tag), A1_TAG);
        let opened = ContentEncryption::A256Gcm
            .open(&A1_CEK, &iv, A1_HEADER.as_bytes(), &ciphertext, &tag)
            .unwrap();
        assert_eq!(opened, A1_PLAINTEXT);
        // The header is authenticated: one changed character of its text is refused.
        let other_header = A1_HEADER.replace("eyJh", "eyJi");
        assert_eq!(
            ContentEncryption::A256Gcm.open(
                &A1_CEK,
                &iv,
                other_header.as_bytes(),
                &ciphertext,
                &tag
            ),
            Err(JoseError::Decryption)
        );
    }
}
