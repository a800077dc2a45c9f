//! ECDSA on P-256 with SHA-256 (JWS ES256, RFC 7518 §3.4) on OpenSSL: its P-256 code is
//! constant time for the private-key operation and an order of magnitude faster at verifying
//! than a portable implementation. Signatures are the fixed 64-byte `r ‖ s` form of JWS.

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint, PointConversionForm};
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::{Private, Public};

use crate::{sha256, CryptoError, SealingKey, SecureRandom};

fn group() -> EcGroup {
    EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("OpenSSL knows P-256")
}

fn key_error(e: impl std::fmt::Display) -> CryptoError {
    CryptoError::InvalidPublicKey(e.to_string())
}

/// A P-256 private key. It never leaves this object; OpenSSL clears it when dropped.
pub struct P256PrivateKey {
    key: EcKey<Private>,
}

impl std::fmt::Debug for P256PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P256PrivateKey(..)")
    }
}

impl Clone for P256PrivateKey {
    fn clone(&self) -> Self {
        Self {
            key: self.key.clone(),
        }
    }
}

/// A P-256 public key.
#[derive(Clone)]
pub struct P256PublicKey {
    key: EcKey<Public>,
}

impl std::fmt::Debug for P256PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (x, _) = self.affine();
        write!(f, "P256PublicKey(x={:02x}{:02x}…)", x[0], x[1])
    }
}

impl PartialEq for P256PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.affine() == other.affine()
    }
}

impl Eq for P256PublicKey {}

impl P256PrivateKey {
    /// A fresh key whose scalar comes from `rng`.
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, CryptoError> {
        let group = group();
        let mut order = BigNum::new().map_err(key_error)?;
        let mut ctx = BigNumContext::new().map_err(key_error)?;
        group.order(&mut order, &mut ctx).map_err(key_error)?;
        loop {
            let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
            rng.fill(bytes.as_mut())?;
            let d = BigNum::from_slice(bytes.as_ref()).map_err(key_error)?;
            if d.num_bits() > 0 && d < order {
                return Self::from_scalar_bn(&group, &d);
            }
        }
    }

    /// The key from its 32-byte big-endian scalar.
    pub fn from_scalar(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != 32 {
            return Err(key_error("a P-256 scalar is 32 bytes"));
        }
        let group = group();
        let d = BigNum::from_slice(bytes).map_err(key_error)?;
        Self::from_scalar_bn(&group, &d)
    }

    fn from_scalar_bn(group: &EcGroup, d: &BigNum) -> Result<Self, CryptoError> {
        let mut ctx = BigNumContext::new().map_err(key_error)?;
        let mut public = EcPoint::new(group).map_err(key_error)?;
        public
            .mul_generator2(group, d, &mut ctx)
            .map_err(key_error)?;
        let key = EcKey::from_private_components(group, d, &public).map_err(key_error)?;
        key.check_key().map_err(key_error)?;
        Ok(Self { key })
    }

    /// The key sealed under `sealing_key` for storage (its scalar never leaves otherwise).
    pub fn seal(&self, sealing_key: &SealingKey, label: &str) -> Result<Vec<u8>, CryptoError> {
        let scalar = zeroize::Zeroizing::new(
            self.key
                .private_key()
                .to_vec_padded(32)
                .map_err(key_error)?,
        );
        sealing_key.seal(label, &scalar)
    }

    /// Opens a key sealed by [`P256PrivateKey::seal`] with the same key and label.
    pub fn unseal(
        sealing_key: &SealingKey,
        label: &str,
        sealed: &[u8],
    ) -> Result<Self, CryptoError> {
        let scalar = sealing_key.open(label, sealed)?;
        Self::from_scalar(&scalar)
    }

    pub fn public_key(&self) -> P256PublicKey {
        P256PublicKey {
            key: EcKey::from_public_key(&group(), self.key.public_key()).expect("a valid point"),
        }
    }

    /// ES256: the 64-byte `r ‖ s` signature over SHA-256(`message`).
    pub fn sign_es256(&self, message: &[u8]) -> Result<[u8; 64], CryptoError> {
        let sig = EcdsaSig::sign(&sha256(message), &self.key).map_err(key_error)?;
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&sig.r().to_vec_padded(32).map_err(key_error)?);
        out[32..].copy_from_slice(&sig.s().to_vec_padded(32).map_err(key_error)?);
        Ok(out)
    }
}

impl P256PublicKey {
    /// The key from its affine coordinates (32 bytes each); points off the curve are refused.
    pub fn from_affine(x: &[u8], y: &[u8]) -> Result<Self, CryptoError> {
        if x.len() != 32 || y.len() != 32 {
            return Err(key_error("P-256 coordinates are 32 bytes"));
        }
        let (x, y) = (
            BigNum::from_slice(x).map_err(key_error)?,
            BigNum::from_slice(y).map_err(key_error)?,
        );
        let group = group();
        let mut ctx = BigNumContext::new().map_err(key_error)?;
        let mut point = EcPoint::new(&group).map_err(key_error)?;
        // P-256 has cofactor 1: a point on the curve (never the point at infinity, which has
        // no affine coordinates) is in the prime-order group; no scalar multiplication needed.
        point
            .set_affine_coordinates_gfp(&group, &x, &y, &mut ctx)
            .map_err(|_| key_error("the point is not on P-256"))?;
        if !point.is_on_curve(&group, &mut ctx).map_err(key_error)? {
            return Err(key_error("the point is not on P-256"));
        }
        let key = EcKey::from_public_key(&group, &point).map_err(key_error)?;
        Ok(Self { key })
    }

    /// The affine coordinates (x, y), 32 bytes each.
    pub fn affine(&self) -> ([u8; 32], [u8; 32]) {
        let mut ctx = BigNumContext::new().expect("BN context");
        let bytes = self
            .key
            .public_key()
            .to_bytes(&group(), PointConversionForm::UNCOMPRESSED, &mut ctx)
            .expect("encoding a valid point");
        let mut x = [0u8; 32];
        let mut y = [0u8; 32];
        x.copy_from_slice(&bytes[1..33]);
        y.copy_from_slice(&bytes[33..65]);
        (x, y)
    }

    /// Verifies a 64-byte `r ‖ s` ES256 signature over `message`.
    pub fn verify_es256(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        if signature.len() != 64 {
            return Err(CryptoError::BadSignature);
        }
        let r = BigNum::from_slice(&signature[..32]).map_err(|_| CryptoError::BadSignature)?;
        let s = BigNum::from_slice(&signature[32..]).map_err(|_| CryptoError::BadSignature)?;
        let sig = EcdsaSig::from_private_components(r, s).map_err(|_| CryptoError::BadSignature)?;
        match sig.verify(&sha256(message), &self.key) {
            Ok(true) => Ok(()),
            _ => Err(CryptoError::BadSignature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OsRandom;

    #[test]
    fn sign_verify_and_coordinates() {
        let key = P256PrivateKey::generate(&OsRandom).unwrap();
        let public = key.public_key();
        let sig = key.sign_es256(b"message").unwrap();
        public.verify_es256(b"message", &sig).unwrap();
        assert!(public.verify_es256(b"massage", &sig).is_err());
        let mut bad = sig;
        bad[40] ^= 1;
        assert!(public.verify_es256(b"message", &bad).is_err());
        assert!(public.verify_es256(b"message", &sig[..63]).is_err());
        let (x, y) = public.affine();
        assert_eq!(P256PublicKey::from_affine(&x, &y).unwrap(), public);
        let mut off = y;
        off[31] ^= 1;
        assert!(P256PublicKey::from_affine(&x, &off).is_err());
        // RFC 6979 A.2.5 private key: its public key's x coordinate.
        let d = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
        let d: Vec<u8> = (0..64)
            .step_by(2)
            .map(|i| u8::from_str_radix(&d[i..i + 2], 16).unwrap())
            .collect();
        let (x, _) = P256PrivateKey::from_scalar(&d)
            .unwrap()
            .public_key()
            .affine();
        let expected = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
        let hex: String = x.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(hex, expected);
    }
}
