//! BLS12-381 arithmetic: the only module that calls blst's C API.
//!
//! Every `unsafe` block below is an FFI call whose pointer arguments are references
//! to initialised values of the exact blst type the C function expects, or a slice
//! whose length is passed alongside. blst never retains a pointer past the call.
#![allow(unsafe_code)]

use blst::*;
use core::ops::{Add, AddAssign, Mul, Neg, Sub};
use core::ptr;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// An element of the scalar field Fr (integers mod r).
#[derive(Clone, Copy, Default)]
pub struct Scalar(blst_fr);

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
    fn to_le_scalar(self) -> blst_scalar {
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
pub struct Fp(blst_fp);

impl Fp {
    /// OS2IP(bytes) mod p (RFC 9380 hash_to_field with m = 1).
    pub fn from_be_bytes_reduced(bytes: &[u8]) -> Self {
        let mut out = blst_fp::default();
        unsafe { blst_fp_from_be_bytes(&mut out, bytes.as_ptr(), bytes.len()) };
        Fp(out)
    }
}

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
pub struct G1(blst_p1);

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

/// Fixed bases with precomputed window tables (blst's `mult_wbits`): an MSM over
/// public constants (P1, Q_1, the message generators) without per-call setup.
pub struct FixedBases {
    table: Vec<blst_p1_affine>,
    npoints: usize,
}

impl FixedBases {
    const WBITS: usize = 8;

    pub fn new(points: &[G1]) -> Self {
        let npoints = points.len();
        assert!(npoints > 0, "fixed bases: at least one point");
        let mut affines = vec![blst_p1_affine::default(); npoints];
        let size = unsafe { blst_p1s_mult_wbits_precompute_sizeof(Self::WBITS, npoints) };
        let mut table =
            vec![blst_p1_affine::default(); size / core::mem::size_of::<blst_p1_affine>()];
        unsafe {
            let pts: [*const blst_p1; 2] = [&points[0].0, ptr::null()];
            blst_p1s_to_affine(affines.as_mut_ptr(), pts.as_ptr(), npoints);
            let aps: [*const blst_p1_affine; 2] = [affines.as_ptr(), ptr::null()];
            blst_p1s_mult_wbits_precompute(table.as_mut_ptr(), Self::WBITS, aps.as_ptr(), npoints);
        }
        FixedBases { table, npoints }
    }

    pub fn len(&self) -> usize {
        self.npoints
    }

    pub fn is_empty(&self) -> bool {
        self.npoints == 0
    }

    /// Σ base[i] * scalars[i] over the first `scalars.len()` bases. Table lookups
    /// depend on the scalars: only for public scalars.
    pub fn msm(&self, scalars: &[Scalar]) -> G1 {
        assert!(
            scalars.len() <= self.npoints,
            "more scalars than fixed bases"
        );
        if scalars.is_empty() {
            return G1::identity();
        }
        let n = scalars.len();
        let mut le: Vec<blst_scalar> = scalars.iter().map(|s| s.to_le_scalar()).collect();
        let mut out = blst_p1::default();
        unsafe {
            let scratch_len = blst_p1s_mult_wbits_scratch_sizeof(n) / 8 + 1;
            let mut scratch = vec![0 as limb_t; scratch_len];
            let sps: [*const u8; 2] = [le[0].b.as_ptr(), ptr::null()];
            // The table of the first n bases is a prefix of the full table.
            blst_p1s_mult_wbits(
                &mut out,
                self.table.as_ptr(),
                Self::WBITS,
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

/// Constant-time fixed-base multiplication: for each base the multiples 0..15,
/// read with a full-table constant-time scan, added with blst's complete
/// (constant-time) addition over 4-bit windows. For secret scalars on public
/// bases (generators); about 4× faster than one GLV multiplication per base.
pub struct CtTables {
    rows: Vec<[blst_p1_affine; 16]>,
}

impl CtTables {
    pub fn new(points: &[G1]) -> Self {
        let mut rows = Vec::with_capacity(points.len());
        for p in points {
            // multiples[k] = (k + 1) * P for k in 0..15
            let mut multiples = [blst_p1::default(); 15];
            multiples[0] = p.0;
            for k in 1..15 {
                unsafe { blst_p1_add_or_double(&mut multiples[k], &multiples[k - 1], &p.0) };
            }
            let mut row = [blst_p1_affine::default(); 16]; // row[0]: infinity (all zero)
            unsafe {
                let pts: [*const blst_p1; 2] = [multiples.as_ptr(), ptr::null()];
                blst_p1s_to_affine(row[1..].as_mut_ptr(), pts.as_ptr(), 15);
            }
            rows.push(row);
        }
        CtTables { rows }
    }

    fn select(row: &[blst_p1_affine; 16], nibble: u8) -> blst_p1_affine {
        use subtle::{ConditionallySelectable, ConstantTimeEq};
        let mut out = blst_p1_affine::default();
        for (k, entry) in row.iter().enumerate() {
            let hit = (k as u8).ct_eq(&nibble);
            for (o, e) in out.x.l.iter_mut().zip(&entry.x.l) {
                o.conditional_assign(e, hit);
            }
            for (o, e) in out.y.l.iter_mut().zip(&entry.y.l) {
                o.conditional_assign(e, hit);
            }
        }
        out
    }

    /// Σ row[rows[i]] * scalars[i], constant time in the scalars.
    pub fn msm(&self, rows: &[usize], scalars: &[Scalar]) -> G1 {
        assert_eq!(rows.len(), scalars.len(), "one scalar per row");
        let mut le: Vec<blst_scalar> = scalars.iter().map(|s| s.to_le_scalar()).collect();
        let mut acc = blst_p1::default();
        for window in (0..64).rev() {
            if window != 63 {
                for _ in 0..4 {
                    unsafe { blst_p1_double(&mut acc, &acc) };
                }
            }
            for (row, s) in rows.iter().zip(&le) {
                let byte = s.b[window / 2];
                let nibble = if window % 2 == 0 {
                    byte & 0x0f
                } else {
                    byte >> 4
                };
                let mut entry = Self::select(&self.rows[*row], nibble);
                unsafe { blst_p1_add_or_double_affine(&mut acc, &acc, &entry) };
                entry.x.l.zeroize();
                entry.y.l.zeroize();
            }
        }
        le.iter_mut().for_each(|s| s.b.zeroize());
        G1(acc)
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

/// A point of G2 (projective): public keys.
#[derive(Clone, Copy, Default)]
pub struct G2(blst_p2);

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

/// `e(p[0], q[0]) * ... * e(p[n-1], q[n-1]) == 1` with one shared Miller loop
/// and one final exponentiation.
pub fn pairing_product_is_one(terms: &[(G1, G2)]) -> bool {
    if terms.is_empty() {
        return true;
    }
    let n = terms.len();
    let mut ps = vec![blst_p1_affine::default(); n];
    let mut qs = vec![blst_p2_affine::default(); n];
    let mut ml = blst_fp12::default();
    let mut fe = blst_fp12::default();
    unsafe {
        for (i, (p, q)) in terms.iter().enumerate() {
            blst_p1_to_affine(&mut ps[i], &p.0);
            blst_p2_to_affine(&mut qs[i], &q.0);
        }
        let qp: [*const blst_p2_affine; 2] = [qs.as_ptr(), ptr::null()];
        let pp: [*const blst_p1_affine; 2] = [ps.as_ptr(), ptr::null()];
        blst_miller_loop_n(&mut ml, qp.as_ptr(), pp.as_ptr(), n);
        blst_final_exp(&mut fe, &ml);
        blst_fp12_is_one(&fe)
    }
}

/// A G2 point with its Miller-loop lines precomputed (68 Fp6 values), for
/// pairings against a fixed point (BP2, a signer's public key).
pub struct PreparedG2(Box<[blst_fp6; 68]>);

impl PreparedG2 {
    pub fn new(q: &G2) -> Self {
        let mut affine = blst_p2_affine::default();
        let mut lines = Box::new([blst_fp6::default(); 68]);
        unsafe {
            blst_p2_to_affine(&mut affine, &q.0);
            blst_precompute_lines(lines.as_mut_ptr(), &affine);
        }
        PreparedG2(lines)
    }
}

/// BP2 with its lines, computed once per process.
pub fn bp2_prepared() -> &'static PreparedG2 {
    static BP2: std::sync::OnceLock<PreparedG2> = std::sync::OnceLock::new();
    BP2.get_or_init(|| PreparedG2::new(&G2::generator()))
}

/// `Π e(p_i, q_i) == 1` with precomputed lines for every `q_i`.
pub fn prepared_pairing_product_is_one(terms: &[(G1, &PreparedG2)]) -> bool {
    let mut acc: Option<blst_fp12> = None;
    for (p, q) in terms {
        let mut affine = blst_p1_affine::default();
        let mut ml = blst_fp12::default();
        unsafe {
            blst_p1_to_affine(&mut affine, &p.0);
            blst_miller_loop_lines(&mut ml, q.0.as_ptr(), &affine);
        }
        acc = Some(match acc {
            None => ml,
            Some(mut a) => {
                unsafe { blst_fp12_mul(&mut a, &a, &ml) };
                a
            }
        });
    }
    let Some(ml) = acc else { return true };
    let mut fe = blst_fp12::default();
    unsafe {
        blst_final_exp(&mut fe, &ml);
        blst_fp12_is_one(&fe)
    }
}

pub(crate) fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_round_trip_and_field_laws() {
        let a = Scalar::from_u64(7);
        let b = Scalar::from_u64(5);
        assert_eq!(a - b, Scalar::from_u64(2));
        assert_eq!(a * b, Scalar::from_u64(35));
        assert_eq!(a * a.invert().unwrap(), Scalar::one());
        assert_eq!(-a + a, Scalar::zero());
        let bytes = (a * b).to_be_bytes();
        assert_eq!(Scalar::from_be_bytes(&bytes).unwrap(), a * b);
        assert!(Scalar::from_be_bytes(&[0xff; 32]).is_none());
        assert_eq!(Scalar::from_be_bytes_reduced(&[0, 0, 35]), a * b);
    }

    #[test]
    fn bilinearity() {
        let a = Scalar::from_u64(11);
        let b = Scalar::from_u64(13);
        let p = G1::generator().mul(&a);
        let q = G2::generator().mul(&b);
        let pq = G1::generator().mul(&(a * b));
        assert!(pairing_product_is_one(&[(p, q), (-pq, G2::generator())]));
        assert!(!pairing_product_is_one(&[(p, q), (pq, G2::generator())]));
        let (qp, gp) = (PreparedG2::new(&q), PreparedG2::new(&G2::generator()));
        assert!(prepared_pairing_product_is_one(&[(p, &qp), (-pq, &gp)]));
        assert!(!prepared_pairing_product_is_one(&[(p, &qp), (pq, &gp)]));
        // Timing probe (ignored unless asked): prepared vs shared Miller loop.
        if std::env::var("AKASHI_PAIRING_PROBE").is_ok() {
            let t = std::time::Instant::now();
            for _ in 0..200 {
                pairing_product_is_one(&[(p, q), (-pq, G2::generator())]);
            }
            let shared = t.elapsed();
            let t = std::time::Instant::now();
            for _ in 0..200 {
                prepared_pairing_product_is_one(&[(p, &qp), (-pq, &gp)]);
            }
            eprintln!("shared {:?} prepared {:?}", shared / 200, t.elapsed() / 200);
        }
    }

    #[test]
    fn msm_matches_naive_sum() {
        let pts: Vec<G1> = (1..6)
            .map(|i| G1::generator().mul(&Scalar::from_u64(i)))
            .collect();
        let sc: Vec<Scalar> = (10..15).map(Scalar::from_u64).collect();
        let naive = pts
            .iter()
            .zip(&sc)
            .fold(G1::identity(), |acc, (p, s)| acc + p.mul(s));
        assert_eq!(G1::msm_vartime(&pts, &sc), naive);
        assert_eq!(G1::msm_ct(&pts, &sc), naive);
        let ct = CtTables::new(&pts);
        assert_eq!(ct.msm(&[0, 1, 2, 3, 4], &sc), naive);
        assert_eq!(
            ct.msm(&[4, 2], &[sc[4], sc[2]]),
            pts[4].mul(&sc[4]) + pts[2].mul(&sc[2])
        );
        assert!(ct.msm(&[1], &[Scalar::zero()]).is_identity());
        let big = -Scalar::one();
        assert_eq!(ct.msm(&[3], &[big]), -pts[3]);
        let batch = G1::batch_to_bytes(&pts);
        assert!(batch.iter().zip(&pts).all(|(b, p)| *b == p.to_bytes()));
        let enc = naive.to_bytes();
        assert_eq!(G1::from_bytes(&enc).unwrap(), naive);
    }
}
