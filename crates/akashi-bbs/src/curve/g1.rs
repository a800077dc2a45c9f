//! G1 points: encoding, hashing to the curve, multiplication.

use blst::*;
use core::ops::{Add, Neg, Sub};
use core::ptr;
use zeroize::Zeroize;

use super::{hex_string, Fp, Scalar};

/// Why an encoded point was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointError {
    /// Not a valid compressed encoding of a curve point.
    Encoding,
    /// On the curve but outside the prime-order subgroup.
    NotInSubgroup,
}

/// A point of G1 (projective).
#[derive(Clone, Copy, Default)]
pub struct G1(pub(super) blst_p1);

impl G1 {
    pub const COMPRESSED_LEN: usize = 48;

    pub fn identity() -> Self {
        Self::default()
    }

    pub fn generator() -> Self {
        G1(unsafe { *blst_p1_generator() })
    }

    pub fn is_identity(&self) -> bool {
        unsafe { blst_p1_is_inf(&self.0) }
    }

    /// RFC 9380 hash_to_curve with expand_message_xmd/SHA-256 (blst's own).
    pub fn hash_to_curve_xmd_sha256(msg: &[u8], dst: &[u8]) -> Self {
        let mut out = blst_p1::default();
        unsafe {
            blst_hash_to_g1(
                &mut out,
                msg.as_ptr(),
                msg.len(),
                dst.as_ptr(),
                dst.len(),
                ptr::null(),
                0,
            )
        };
        G1(out)
    }

    /// map_to_curve(u0) + map_to_curve(u1), then clear_cofactor (RFC 9380 §3).
    pub fn map_to_curve(u0: &Fp, u1: &Fp) -> Self {
        let mut out = blst_p1::default();
        unsafe { blst_map_to_g1(&mut out, &u0.0, &u1.0) };
        G1(out)
    }

    pub fn to_bytes(&self) -> [u8; 48] {
        let mut out = [0u8; 48];
        unsafe { blst_p1_compress(out.as_mut_ptr(), &self.0) };
        out
    }

    /// Compressed encodings of many points with one shared field inversion.
    pub fn batch_to_bytes(points: &[G1]) -> Vec<[u8; 48]> {
        if points.is_empty() {
            return Vec::new();
        }
        let mut affines = vec![blst_p1_affine::default(); points.len()];
        let mut out = vec![[0u8; 48]; points.len()];
        unsafe {
            let pts: [*const blst_p1; 2] = [&points[0].0, ptr::null()];
            blst_p1s_to_affine(affines.as_mut_ptr(), pts.as_ptr(), points.len());
            for (o, a) in out.iter_mut().zip(&affines) {
                blst_p1_affine_compress(o.as_mut_ptr(), a);
            }
        }
        out
    }

    /// Decodes a compressed point and checks membership in G1.
    pub fn from_bytes(bytes: &[u8; 48]) -> Result<Self, PointError> {
        let mut affine = blst_p1_affine::default();
        if unsafe { blst_p1_uncompress(&mut affine, bytes.as_ptr()) } != BLST_ERROR::BLST_SUCCESS {
            return Err(PointError::Encoding);
        }
        if !unsafe { blst_p1_affine_in_g1(&affine) } {
            return Err(PointError::NotInSubgroup);
        }
        let mut out = blst_p1::default();
        unsafe { blst_p1_from_affine(&mut out, &affine) };
        Ok(G1(out))
    }

    /// Multiplication by a scalar, constant time in the scalar.
    pub fn mul(&self, scalar: &Scalar) -> Self {
        let mut s = scalar.to_le_scalar();
        let mut out = blst_p1::default();
        unsafe { blst_p1_mult(&mut out, &self.0, s.b.as_ptr(), 255) };
        s.b.zeroize();
        G1(out)
    }

    /// Σ points[i] * scalars[i], each product in constant time (blst_p1_mult):
    /// for secret scalars (holder secrets, hidden messages, proof randomness).
    pub fn msm_ct(points: &[G1], scalars: &[Scalar]) -> Self {
        assert_eq!(points.len(), scalars.len(), "msm: one scalar per point");
        points
            .iter()
            .zip(scalars)
            .fold(G1::identity(), |acc, (p, s)| acc + p.mul(s))
    }

    /// Σ points[i] * scalars[i] by Pippenger's method. Its bucket accesses depend
    /// on the scalars: only for public scalars (verification, signing over messages
    /// the signer knows).
    pub fn msm_vartime(points: &[G1], scalars: &[Scalar]) -> Self {
        assert_eq!(points.len(), scalars.len(), "msm: one scalar per point");
        match points.len() {
            0 => return G1::identity(),
            1 => return points[0].mul(&scalars[0]),
            _ => {}
        }
        let n = points.len();
        let mut affines = vec![blst_p1_affine::default(); n];
        let mut le: Vec<blst_scalar> = scalars.iter().map(|s| s.to_le_scalar()).collect();
        let mut out = blst_p1::default();
        unsafe {
            let pts: [*const blst_p1; 2] = [&points[0].0, ptr::null()];
            blst_p1s_to_affine(affines.as_mut_ptr(), pts.as_ptr(), n);
            let scratch_len = blst_p1s_mult_pippenger_scratch_sizeof(n) / 8 + 1;
            let mut scratch = vec![0 as limb_t; scratch_len];
            let aps: [*const blst_p1_affine; 2] = [affines.as_ptr(), ptr::null()];
            let sps: [*const u8; 2] = [le[0].b.as_ptr(), ptr::null()];
            blst_p1s_mult_pippenger(
                &mut out,
                aps.as_ptr(),
                n,
                sps.as_ptr(),
                255,
                scratch.as_mut_ptr(),
            );
        }
        le.iter_mut().for_each(|s| s.b.zeroize());
        G1(out)
    }
}

impl PartialEq for G1 {
    fn eq(&self, other: &Self) -> bool {
        unsafe { blst_p1_is_equal(&self.0, &other.0) }
    }
}
impl Eq for G1 {}

impl core::fmt::Debug for G1 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "G1({})", hex_string(&self.to_bytes()))
    }
}

impl Add for G1 {
    type Output = G1;
    fn add(self, rhs: G1) -> G1 {
        let mut out = blst_p1::default();
        unsafe { blst_p1_add_or_double(&mut out, &self.0, &rhs.0) };
        G1(out)
    }
}

impl Neg for G1 {
    type Output = G1;
    fn neg(self) -> G1 {
        let mut out = self.0;
        unsafe { blst_p1_cneg(&mut out, true) };
        G1(out)
    }
}

impl Sub for G1 {
    type Output = G1;
    fn sub(self, rhs: G1) -> G1 {
        self + (-rhs)
    }
}
