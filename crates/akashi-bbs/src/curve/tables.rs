//! Multiplication tables for fixed bases: window tables for public scalars,
//! constant-time tables for secret ones.

use blst::*;
use core::ptr;
use zeroize::Zeroize;

use super::{Scalar, G1};

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
