//! Fr (scalars) and Fp (only to feed the SSWU map).

use blst::*;
use core::ops::{Add, AddAssign, Mul, Neg, Sub};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// An element of the scalar field Fr (integers mod r).
#[derive(Clone, Copy, Default)]
pub struct Scalar(pub(super) blst_fr);

impl Scalar {
    pub fn zero() -> Self {
        Self::default()
    }

    pub fn one() -> Self {
        Self::from_u64(1)
    }

    pub fn from_u64(value: u64) -> Self {
        let limbs = [value, 0, 0, 0];
        let mut out = blst_fr::default();
        unsafe { blst_fr_from_uint64(&mut out, limbs.as_ptr()) };
        Scalar(out)
    }

    /// OS2IP(bytes) mod r, for any length (hash_to_scalar, random scalars).
    pub fn from_be_bytes_reduced(bytes: &[u8]) -> Self {
        let mut s = blst_scalar::default();
        let mut out = blst_fr::default();
        unsafe {
            blst_scalar_from_be_bytes(&mut s, bytes.as_ptr(), bytes.len());
            blst_fr_from_scalar(&mut out, &s);
        }
        s.b.zeroize();
        Scalar(out)
    }

    /// A canonical 32-byte big-endian encoding (< r), or `None`.
    pub fn from_be_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let mut s = blst_scalar::default();
        let mut out = blst_fr::default();
        let ok = unsafe {
            blst_scalar_from_bendian(&mut s, bytes.as_ptr());
            let ok = blst_scalar_fr_check(&s);
            blst_fr_from_scalar(&mut out, &s);
            ok
        };
        s.b.zeroize();
        ok.then_some(Scalar(out))
    }

    pub fn to_be_bytes(&self) -> [u8; 32] {
        let mut s = blst_scalar::default();
        let mut out = [0u8; 32];
        unsafe {
            blst_scalar_from_fr(&mut s, &self.0);
            blst_bendian_from_scalar(out.as_mut_ptr(), &s);
        }
        s.b.zeroize();
        out
    }

    /// Little-endian bytes, the form blst's point multiplication takes.
    pub(super) fn to_le_scalar(self) -> blst_scalar {
        let mut s = blst_scalar::default();
        unsafe { blst_scalar_from_fr(&mut s, &self.0) };
        s
    }

    pub fn is_zero(&self) -> bool {
        bool::from(self.ct_eq(&Scalar::zero()))
    }

    /// The multiplicative inverse (constant time), `None` for zero.
    pub fn invert(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        let mut out = blst_fr::default();
        unsafe { blst_fr_inverse(&mut out, &self.0) };
        Some(Scalar(out))
    }
}

impl ConstantTimeEq for Scalar {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.l.ct_eq(&other.0.l)
    }
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.ct_eq(other))
    }
}
impl Eq for Scalar {}

impl core::fmt::Debug for Scalar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Scalars may be secrets; print nothing of their value.
        f.write_str("Scalar(..)")
    }
}

impl Zeroize for Scalar {
    fn zeroize(&mut self) {
        self.0.l.zeroize();
    }
}

impl Add for Scalar {
    type Output = Scalar;
    fn add(self, rhs: Scalar) -> Scalar {
        let mut out = blst_fr::default();
        unsafe { blst_fr_add(&mut out, &self.0, &rhs.0) };
        Scalar(out)
    }
}

impl AddAssign for Scalar {
    fn add_assign(&mut self, rhs: Scalar) {
        *self = *self + rhs;
    }
}

impl Sub for Scalar {
    type Output = Scalar;
    fn sub(self, rhs: Scalar) -> Scalar {
        let mut out = blst_fr::default();
        unsafe { blst_fr_sub(&mut out, &self.0, &rhs.0) };
        Scalar(out)
    }
}

impl Mul for Scalar {
    type Output = Scalar;
    fn mul(self, rhs: Scalar) -> Scalar {
        let mut out = blst_fr::default();
        unsafe { blst_fr_mul(&mut out, &self.0, &rhs.0) };
        Scalar(out)
    }
}

impl Neg for Scalar {
    type Output = Scalar;
    fn neg(self) -> Scalar {
        let mut out = blst_fr::default();
        unsafe { blst_fr_cneg(&mut out, &self.0, true) };
        Scalar(out)
    }
}

/// An element of the base field Fp, used only to feed the SSWU map.
#[derive(Clone, Copy, Default)]
pub struct Fp(pub(super) blst_fp);

impl Fp {
    /// OS2IP(bytes) mod p (RFC 9380 hash_to_field with m = 1).
    pub fn from_be_bytes_reduced(bytes: &[u8]) -> Self {
        let mut out = blst_fp::default();
        unsafe { blst_fp_from_be_bytes(&mut out, bytes.as_ptr(), bytes.len()) };
        Fp(out)
    }
}
