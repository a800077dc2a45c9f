//! Pairing products, with precomputed Miller-loop lines for fixed G2 points.

use blst::*;
use core::ptr;

use super::{G1, G2};

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
