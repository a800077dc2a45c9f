//! KeyGen, SkToPk and key encodings (draft-irtf-cfrg-bbs-signatures §3.3).

use crate::curve::{PreparedG2, Scalar, G2};
use crate::error::Error;
use crate::suite::Suite;
use rand_core::{CryptoRng, RngCore};
use std::sync::{Arc, OnceLock};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A signer's secret key: 0 < SK < r. Zeroized on drop, never printed.
#[derive(Clone)]
pub struct SecretKey(Scalar);

impl SecretKey {
    /// KeyGen with the default `key_dst = api_id || "KEYGEN_DST_"` of the BBS interface.
    pub fn key_gen(suite: Suite, key_material: &[u8], key_info: &[u8]) -> Result<Self, Error> {
        let dst = [suite.api_id(b"H2G_HM2S_").as_slice(), b"KEYGEN_DST_"].concat();
        Self::key_gen_with_dst(suite, key_material, key_info, &dst)
    }

    /// ```text
    /// if length(key_material) < 32, return INVALID
    /// if length(key_info) > 65535, return INVALID
    /// derive_input = key_material || I2OSP(length(key_info), 2) || key_info
    /// SK = hash_to_scalar(derive_input, key_dst)
    /// ```
    pub fn key_gen_with_dst(
        suite: Suite,
        key_material: &[u8],
        key_info: &[u8],
        key_dst: &[u8],
    ) -> Result<Self, Error> {
        if key_material.len() < 32 {
            return Err(Error::KeyGen("key material shorter than 32 bytes"));
        }
        let info_len = u16::try_from(key_info.len())
            .map_err(|_| Error::KeyGen("key_info longer than 65535 bytes"))?;
        let input = Zeroizing::new([key_material, &info_len.to_be_bytes(), key_info].concat());
        let sk = suite.hash_to_scalar(&input, key_dst);
        if sk.is_zero() {
            return Err(Error::KeyGen("derived a zero key"));
        }
        Ok(SecretKey(sk))
    }

    /// A fresh key from 32 bytes of the given randomness.
    pub fn generate(suite: Suite, rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut material = Zeroizing::new([0u8; 32]);
        loop {
            rng.fill_bytes(material.as_mut());
            if let Ok(sk) = Self::key_gen(suite, material.as_ref(), b"") {
                return sk;
            }
        }
    }

    /// The 32-byte big-endian encoding, 0 < SK < r.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let raw: &[u8; 32] = bytes.try_into().map_err(|_| Error::Malformed {
            what: "secret key",
            offset: bytes.len().min(32),
            reason: "expected 32 bytes",
        })?;
        match Scalar::from_be_bytes(raw) {
            Some(s) if !s.is_zero() => Ok(SecretKey(s)),
            _ => Err(Error::Malformed {
                what: "secret key",
                offset: 0,
                reason: "not in 1..r-1",
            }),
        }
    }

    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_be_bytes())
    }

    /// SkToPk: W = SK * BP2.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_point(G2::generator().mul(&self.0))
    }

    pub(crate) fn scalar(&self) -> &Scalar {
        &self.0
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}
impl ZeroizeOnDrop for SecretKey {}

impl core::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A signer's public key W in G2, validated on decoding (octets_to_pubkey).
/// Its Miller-loop lines are computed once, on the first verification.
#[derive(Clone)]
pub struct PublicKey(Arc<KeyInner>);

struct KeyInner {
    point: G2,
    bytes: [u8; 96],
    prepared: OnceLock<PreparedG2>,
}

impl PublicKey {
    fn from_point(w: G2) -> Self {
        let bytes = w.to_bytes();
        PublicKey(Arc::new(KeyInner {
            point: w,
            bytes,
            prepared: OnceLock::new(),
        }))
    }

    /// Decodes and validates: a G2 point, in the subgroup, not the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let bad = |offset, reason| Error::Malformed {
            what: "public key",
            offset,
            reason,
        };
        let raw: &[u8; 96] = bytes
            .try_into()
            .map_err(|_| bad(bytes.len().min(96), "expected 96 bytes"))?;
        let w = G2::from_bytes(raw).map_err(|e| match e {
            crate::curve::PointError::Encoding => bad(0, "not a compressed G2 point"),
            crate::curve::PointError::NotInSubgroup => bad(0, "point not in the G2 subgroup"),
        })?;
        if w.is_identity() {
            return Err(bad(0, "identity point"));
        }
        Ok(PublicKey(Arc::new(KeyInner {
            point: w,
            bytes: *raw,
            prepared: OnceLock::new(),
        })))
    }

    pub fn to_bytes(&self) -> [u8; 96] {
        self.0.bytes
    }

    pub(crate) fn prepared(&self) -> &PreparedG2 {
        self.0
            .prepared
            .get_or_init(|| PreparedG2::new(&self.0.point))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.bytes == other.0.bytes
    }
}
impl Eq for PublicKey {}

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PublicKey({})", crate::curve::hex_string(&self.0.bytes))
    }
}
