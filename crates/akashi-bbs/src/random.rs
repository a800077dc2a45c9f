//! Random scalars (§4.2.1), injected: an OS or caller-supplied CSPRNG in use,
//! the draft's seeded mock (§8.1) to reproduce published test vectors.

use crate::curve::Scalar;
use crate::suite::{Suite, EXPAND_LEN};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

/// A source of uniformly random scalars for proofs and commitments.
pub trait RandomScalars {
    /// `count` scalars, each OS2IP(48 random bytes) mod r.
    fn random_scalars(&mut self, count: usize) -> Vec<Scalar>;
}

impl<R: RngCore + CryptoRng> RandomScalars for R {
    fn random_scalars(&mut self, count: usize) -> Vec<Scalar> {
        let mut buf = [0u8; EXPAND_LEN];
        let out = (0..count)
            .map(|_| {
                self.fill_bytes(&mut buf);
                Scalar::from_be_bytes_reduced(&buf)
            })
            .collect();
        buf.zeroize();
        out
    }
}

/// `seeded_random_scalars(SEED, DST, count)` of the draft's test-vector section.
/// Deterministic: only for reproducing fixtures, never for real proofs.
pub struct SeededScalars {
    suite: Suite,
    seed: Vec<u8>,
    dst: Vec<u8>,
}

impl SeededScalars {
    pub fn new(suite: Suite, seed: &[u8], dst: &[u8]) -> Self {
        SeededScalars {
            suite,
            seed: seed.to_vec(),
            dst: dst.to_vec(),
        }
    }
}

impl RandomScalars for SeededScalars {
    fn random_scalars(&mut self, count: usize) -> Vec<Scalar> {
        let v = self
            .suite
            .expand_message(&self.seed, &self.dst, EXPAND_LEN * count);
        v.chunks(EXPAND_LEN)
            .map(Scalar::from_be_bytes_reduced)
            .collect()
    }
}

/// Replays a fixed list of scalars (fixture traces); panics if asked for more.
pub struct FixedScalars(pub Vec<Scalar>);

impl RandomScalars for FixedScalars {
    fn random_scalars(&mut self, count: usize) -> Vec<Scalar> {
        assert!(count <= self.0.len(), "fixed scalars exhausted");
        self.0.drain(..count).collect()
    }
}
