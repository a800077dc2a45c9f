//! G2 points (public keys).

use blst::*;
use core::ops::{Add, Neg};
use zeroize::Zeroize;

use super::{PointError, Scalar};

/// A point of G2 (projective): public keys.
#[derive(Clone, Copy, Default)]
pub struct G2(pub(super) blst_p2);

impl G2 {
    pub const COMPRESSED_LEN: usize = 96;

    pub fn generator() -> Self {
        G2(unsafe { *blst_p2_generator() })
    }

    pub fn is_identity(&self) -> bool {
        unsafe { blst_p2_is_inf(&self.0) }
    }

    pub fn mul(&self, scalar: &Scalar) -> Self {
        let mut s = scalar.to_le_scalar();
        let mut out = blst_p2::default();
        unsafe { blst_p2_mult(&mut out, &self.0, s.b.as_ptr(), 255) };
        s.b.zeroize();
        G2(out)
    }

    pub fn to_bytes(&self) -> [u8; 96] {
        let mut out = [0u8; 96];
        unsafe { blst_p2_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    /// Decodes a compressed point and checks membership in G2.
    pub fn from_bytes(bytes: &[u8; 96]) -> Result<Self, PointError> {
        let mut affine = blst_p2_affine::default();
        if unsafe { blst_p2_uncompress(&mut affine, bytes.as_ptr()) } != BLST_ERROR::BLST_SUCCESS {
            return Err(PointError::Encoding);
        }
        if !unsafe { blst_p2_affine_in_g2(&affine) } {
            return Err(PointError::NotInSubgroup);
        }
        let mut out = blst_p2::default();
        unsafe { blst_p2_from_affine(&mut out, &affine) };
        Ok(G2(out))
    }
}

impl Add for G2 {
    type Output = G2;
    fn add(self, rhs: G2) -> G2 {
        let mut out = blst_p2::default();
        unsafe { blst_p2_add_or_double(&mut out, &self.0, &rhs.0) };
        G2(out)
    }
}

impl Neg for G2 {
    type Output = G2;
    fn neg(self) -> G2 {
        let mut out = self.0;
        unsafe { blst_p2_cneg(&mut out, true) };
        G2(out)
    }
}

impl PartialEq for G2 {
    fn eq(&self, other: &Self) -> bool {
        unsafe { blst_p2_is_equal(&self.0, &other.0) }
    }
}
impl Eq for G2 {}
