//! The prover and verifier of the range sigma protocol (equations in `range.rs`).

use super::{
    integer_to_scalar, pedersen_bases, pedersen_tables, pow2, transcript, BitFirst, BitProof,
    Bound, RangePredicate, RangeProof,
};
use crate::curve::{Scalar, G1};
use crate::error::Error;
use crate::random::RandomScalars;
use crate::suite::Suite;
use zeroize::Zeroize;

/// The secrets of one bit: the bit `b`, the blinding `s`, the real branch's
/// nonce `t` and the simulated branch's challenge and response.
struct BitSecret {
    b: Scalar,
    s: Scalar,
    t: Scalar,
    c_sim: Scalar,
    z_sim: Scalar,
}

impl Zeroize for BitSecret {
    fn zeroize(&mut self) {
        for v in [
            &mut self.b,
            &mut self.s,
            &mut self.t,
            &mut self.c_sim,
            &mut self.z_sim,
        ] {
            v.zeroize();
        }
    }
}

/// The prover between its first message and the challenge; zeroized on drop.
pub(crate) struct RangeProver {
    commitment: G1,
    bit_commitments: Vec<G1>,
    r: Scalar,
    r_tilde: Scalar,
    secrets: Vec<BitSecret>,
}

impl Drop for RangeProver {
    fn drop(&mut self) {
        self.r.zeroize();
        self.r_tilde.zeroize();
        self.secrets.iter_mut().for_each(Zeroize::zeroize);
    }
}

/// The prover's first move for `value` (message `index`, for the error), with
/// `x_tilde` the BBS proof's random scalar `m~_j` for that message. Returns the
/// prover state and the transcript octets to hash into the BBS challenge.
pub(crate) fn range_commit(
    suite: Suite,
    api_id: &[u8],
    predicate: &RangePredicate,
    index: usize,
    value: i64,
    x_tilde: Scalar,
    rng: &mut impl RandomScalars,
) -> Result<(RangeProver, Vec<u8>), Error> {
    let n = predicate.bits();
    let mut digits = Vec::with_capacity(predicate.bit_count());
    for bound in predicate.bounds() {
        let Some(mut d) = bound.offset(value, n) else {
            return Err(Error::PredicateUnsatisfied { index });
        };
        digits.extend((0..n).map(|i| Scalar::from_u64((d >> i) & 1)));
        d.zeroize();
    }
    let out = commit_digits(
        suite,
        api_id,
        predicate,
        integer_to_scalar(value),
        x_tilde,
        &digits,
        rng,
    );
    digits.zeroize();
    Ok(out)
}

/// The first move for given digits (`predicate.bit_count()` scalars, lower bound
/// first, least significant first). Honest digits are bits; the tests pass others.
pub(super) fn commit_digits(
    suite: Suite,
    api_id: &[u8],
    predicate: &RangePredicate,
    x: Scalar,
    x_tilde: Scalar,
    digits: &[Scalar],
    rng: &mut impl RandomScalars,
) -> (RangeProver, Vec<u8>) {
    assert_eq!(digits.len(), predicate.bit_count(), "one digit per bit");
    // Every prover point is a combination of G and H with secret coefficients:
    // constant-time tables over (G, H), rows 0 and 1.
    let tables = pedersen_tables(suite, api_id);
    let gh = |a: Scalar, b: Scalar| tables.msm(&[0, 1], &[a, b]);
    let n = predicate.bits() as usize;
    let mut rand = rng.random_scalars(2 + 4 * digits.len());
    let (r, r_tilde) = (rand[0], rand[1]);
    let commitment = gh(x, r);
    let t_c = gh(x_tilde, r_tilde);

    let mut secrets: Vec<BitSecret> = digits
        .iter()
        .zip(rand[2..].chunks_exact(4))
        .map(|(&b, v)| BitSecret {
            b,
            s: v[0],
            t: v[1],
            c_sim: v[2],
            z_sim: v[3],
        })
        .collect();
    rand.zeroize();
    // s_0 = ±r - Σ_{i>=1} 2^i s_i, so that Σ 2^i s_i = r (AtLeast) or -r (AtMost).
    for (side, bound) in predicate.bounds().enumerate() {
        let bits = &mut secrets[side * n..(side + 1) * n];
        let target = match bound {
            Bound::AtLeast(_) => r,
            Bound::AtMost(_) => -r,
        };
        let rest = (1..n).fold(Scalar::zero(), |acc, i| acc + pow2(i) * bits[i].s);
        bits[0].s = target - rest;
    }

    let mut firsts: Vec<BitFirst> = Vec::with_capacity(secrets.len());
    for bit in &secrets {
        // C_i = G*b + H*s. Branch selection by arithmetic on b, not by a secret branch:
        // b = 0: T_0 = H*t,                   T_1 = H*z' - (C_i - G)*c'
        // b = 1: T_0 = H*z' - C_i*c',         T_1 = H*t
        // with C_i expanded, so that each point is G*u + H*v:
        //   T_0 = G*(-b*b*c') + H*((1-b)*t + b*z' - s*b*c')
        //   T_1 = G*((1-b)*c1) + H*(b*t + (1-b)*z' - s*c1),   c1 = (1-b)*c'
        let c_i = gh(bit.b, bit.s);
        let not_b = Scalar::one() - bit.b;
        let c0_sim = bit.b * bit.c_sim;
        let t0 = gh(
            -(bit.b * c0_sim),
            not_b * bit.t + bit.b * bit.z_sim - bit.s * c0_sim,
        );
        let c1_sim = not_b * bit.c_sim;
        let t1 = gh(
            not_b * c1_sim,
            bit.b * bit.t + not_b * bit.z_sim - bit.s * c1_sim,
        );
        firsts.push((c_i, t0, t1));
    }
    let bytes = transcript(predicate, &commitment, &t_c, &firsts);
    let prover = RangeProver {
        commitment,
        bit_commitments: firsts.iter().map(|f| f.0).collect(),
        r,
        r_tilde,
        secrets,
    };
    (prover, bytes)
}

impl RangeProver {
    /// The responses for the shared challenge `c`; the secrets are then erased.
    pub(crate) fn respond(self, c: Scalar) -> RangeProof {
        let bits = self
            .secrets
            .iter()
            .zip(&self.bit_commitments)
            .map(|(bit, c_i)| {
                let not_b = Scalar::one() - bit.b;
                let c_real = c - bit.c_sim;
                let z_real = bit.t + bit.s * c_real;
                BitProof {
                    commitment: *c_i,
                    c0: not_b * c_real + bit.b * bit.c_sim,
                    z0: not_b * z_real + bit.b * bit.z_sim,
                    z1: bit.b * z_real + not_b * bit.z_sim,
                }
            })
            .collect();
        RangeProof {
            commitment: self.commitment,
            r_hat: self.r_tilde + self.r * c,
            bits,
        }
    }
}

/// Checks the sum equations and recomputes every first message from the
/// responses, the challenge `c` and `x_hat` (the BBS proof's `m^_j`). Returns the
/// transcript octets; the proof holds only if hashing them into the BBS challenge
/// input reproduces `c`.
pub(crate) fn range_verify(
    suite: Suite,
    api_id: &[u8],
    predicate: &RangePredicate,
    proof: &RangeProof,
    c: Scalar,
    x_hat: Scalar,
) -> Result<Vec<u8>, Error> {
    if proof.bits.len() != predicate.bit_count() {
        return Err(Error::ProofInvalid);
    }
    let (g, h) = pedersen_bases(suite, api_id);
    let n = predicate.bits() as usize;
    let big_c = proof.commitment;
    for (side, bound) in predicate.bounds().enumerate() {
        // Σ 2^i C_i by doubling, most significant first.
        let sum = proof.bits[side * n..(side + 1) * n]
            .iter()
            .rev()
            .fold(G1::identity(), |acc, bit| acc + acc + bit.commitment);
        let expected = match bound {
            Bound::AtLeast(min) => big_c - g.mul(&integer_to_scalar(min)),
            Bound::AtMost(max) => g.mul(&integer_to_scalar(max)) - big_c,
        };
        if sum != expected {
            return Err(Error::ProofInvalid);
        }
    }
    let t_c = G1::msm_vartime(&[g, h, big_c], &[x_hat, proof.r_hat, -c]);
    let firsts: Vec<BitFirst> = proof
        .bits
        .iter()
        .map(|bit| {
            let c1 = c - bit.c0;
            let t0 = G1::msm_vartime(&[h, bit.commitment], &[bit.z0, -bit.c0]);
            let t1 = G1::msm_vartime(&[h, bit.commitment, g], &[bit.z1, -c1, c1]);
            (bit.commitment, t0, t1)
        })
        .collect();
    Ok(transcript(predicate, &big_c, &t_c, &firsts))
}
