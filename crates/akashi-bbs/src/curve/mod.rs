//! BLS12-381 arithmetic: the only module that calls blst's C API.
//!
//! Every `unsafe` block below is an FFI call whose pointer arguments are references
//! to initialised values of the exact blst type the C function expects, or a slice
//! whose length is passed alongside. blst never retains a pointer past the call.
#![allow(unsafe_code)]

mod g1;
mod g2;
mod pairing;
mod scalar;
mod tables;

pub use g1::{PointError, G1};
pub use g2::G2;
pub use pairing::{
    bp2_prepared, pairing_product_is_one, prepared_pairing_product_is_one, PreparedG2,
};
pub use scalar::{Fp, Scalar};
pub use tables::{CtTables, FixedBases};

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
