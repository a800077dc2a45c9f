//! Zero-knowledge range proofs for a hidden signed integer, designed to run inside
//! a BBS proof: the response for the hidden value is the BBS proof's own response
//! for the message, and every first message below is hashed into the BBS challenge.
//!
//! # Construction
//!
//! Integers are `i64`, mapped to scalars by [`integer_to_scalar`]: `x >= 0` gives
//! `x mod r`, `x < 0` gives `r - |x|`. Two Pedersen bases, independent of each
//! other and of the BBS generators (different hash-to-curve DSTs):
//!
//! ```text
//! G = hash_to_curve_g1("AKASHI_RANGE_GENERATOR_G", api_id || "AKASHI_RANGE_G_")
//! H = hash_to_curve_g1("AKASHI_RANGE_GENERATOR_H", api_id || "AKASHI_RANGE_H_")
//! ```
//!
//! The prover knows `x` (the undisclosed message `m_j`), and `x~`, the random
//! scalar the BBS proof uses for `m_j` (its response is `m^_j = x~ + x*c`).
//!
//! ```text
//! C   = G*x  + H*r                     r, r~ random
//! T_C = G*x~ + H*r~                    response r^ = r~ + r*c   (x^ = m^_j, from BBS)
//!
//! per side, with n = bits:   d = x - min  (AtLeast)    d = max - x  (AtMost)
//!   d = Σ 2^i b_i, b_i in {0, 1}, C_i = G*b_i + H*s_i,  i = 0..n-1
//!   s_1..s_{n-1} random, s_0 chosen so that  Σ 2^i s_i = r (AtLeast)  or  -r (AtMost),
//!   hence   Σ 2^i C_i = C - G*min   (AtLeast)   or   G*max - C   (AtMost).
//!
//! per bit, an OR proof (CDS) that C_i = H*s (P_0 = C_i) or C_i - G = H*s (P_1 = C_i - G):
//!   real branch k = b_i:   T_k = H*t                      t random
//!   other branch 1-k:      T_{1-k} = H*z' - P_{1-k}*c'    c', z' random
//!   after c:  c_k = c - c',  z_k = t + s_i*c_k,  c_{1-k} = c',  z_{1-k} = z'
//!   sent: (C_i, c_0, z_0, z_1); the verifier sets c_1 = c - c_0.
//!
//! transcript = I2OSP(#bounds, 8)
//!              || for each bound: I2OSP(kind, 8) || I2OSP(bound mod 2^64, 8) || I2OSP(n, 8)
//!              || C || T_C || for each bound, i = 0..n-1: C_i || T_i0 || T_i1
//!   (kind 1 = AtLeast, 2 = AtMost; points compressed, 48 octets)
//!
//! verify, given c and x^ = m^_j:
//!   check  Σ 2^i C_i == C - G*min  /  G*max - C      (exactly, per side)
//!   T_C  = G*x^ + H*r^ - C*c
//!   T_i0 = H*z_0 - C_i*c_0
//!   T_i1 = H*z_1 - C_i*c_1 + G*c_1,   c_1 = c - c_0
//!   rebuild the transcript; the caller hashes it into the BBS challenge
//!   (e.g. appended to the presentation header) and compares with c.
//! ```
//!
//! The prover's branch choice is arithmetic on `b_i` (no secret-dependent branch):
//! `c_0 = (1-b)*c_real + b*c'`, and likewise for `z_0`, `z_1`, `T_i0`, `T_i1`.
//!
//! # Why it is sound
//!
//! From two accepting transcripts with the same first messages and challenges
//! `c != c'` (special soundness, then the forking lemma in the random-oracle
//! model): the BBS proof yields `m_j = Δm^_j / Δc`; `T_C` yields an opening of `C`
//! with the *same* `x^`, so `C = G*m_j + H*(Δr^/Δc)`. For each bit,
//! `c_0 + c_1 = c != c' = c_0' + c_1'`, so some branch `k` has `c_k != c_k'` under
//! the same `T_ik`, which yields `s = Δz_k / Δc_k` with `C_i = H*s` (k = 0) or
//! `C_i - G = H*s` (k = 1): `C_i` opens to 0 or 1. As nobody knows
//! `log_G(H)` (both are hash-to-curve outputs), openings are unique, and the exact
//! sum equation gives `m_j - min ≡ d (mod r)` with `d = Σ 2^i b_i`, `0 <= d < 2^n <= 2^64`.
//! If `m_j` encodes an i64 `v`, then `v` and `min + d` both lie in `[-2^63, 2^65)`,
//! an interval shorter than `r > 2^254`, so `v = min + d` as integers:
//! `v` is in `[min, min + 2^n)` (AtMost: `(max - 2^n, max]`); with `between`,
//! `2^n > max - min` and the two sides together give `[min, max]`.
//! Everything is hashed before `c` is known, including the statement (strong
//! Fiat–Shamir), so a proof cannot be replayed for another bound.
//!
//! # Why it is zero-knowledge
//!
//! Pedersen commitments are perfectly hiding, and the simulator, given `c` and the
//! BBS simulator's `x^`, picks `C` and `C_1..C_{n-1}` uniformly, sets `C_0` from
//! the sum equation, picks `r^`, `c_0`, `z_0`, `z_1` uniformly, and computes all
//! first messages from the verification equations. In a real proof these values
//! have the same distribution (`s_i` uniform, `c_0` is `c'` or `c - c'`, both
//! uniform), so the proof reveals nothing about `x` beyond the predicate.
//!
//! # Size and cost
//!
//! `RangeProof` = `C || r^ || (C_i || c_0 || z_0 || z_1)*` : `80 + 144` octets per bit
//! per side, e.g. `at_least(18, 8)`: 1232 octets, `between(0, 150)` (n = 8): 2384.
//! The verifier decompresses each `C_i` once (subgroup-checked); per side it
//! evaluates `Σ 2^i C_i` by doubling (`n` doublings and additions, no MSM) and one
//! `G*bound`; then one 3-point MSM for `T_C` and a 2-point and a 3-point MSM per
//! bit, each result compressed once for the transcript. The prover draws
//! `2 + 4` random scalars per bit in one call and computes three small MSMs per bit.
//!
//! # Use with a BBS proof
//!
//! Prover: draw the BBS proof's random scalars; take `x~ = m~_j` for the integer
//! message `j`; `range_commit(.., x~, rng)` returns the prover state and the
//! transcript; compute the BBS challenge over `ph || transcript` (the caller also
//! frames which message `j` the predicate is on); `respond(c)`. Verifier: parse the
//! BBS proof, `range_verify(.., c, m^_j)`, recompute the BBS challenge over
//! `ph || transcript` and compare with `c`, then the pairing check.

mod sigma;
#[cfg(test)]
mod tests;

pub(crate) use sigma::{range_commit, range_verify};

use crate::curve::{CtTables, Scalar, G1};
use crate::encoding::{Reader, Transcript};
use crate::error::Error;
use crate::suite::{Suite, POINT_LEN, SCALAR_LEN};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The scalar encoding of a signed integer: `x` for `x >= 0`, `-|x|` (that is
/// `r - |x|`) for `x < 0`.
pub fn integer_to_scalar(value: i64) -> Scalar {
    let magnitude = Scalar::from_u64(value.unsigned_abs());
    if value < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// `2^i` as a scalar, `i < 64`.
fn pow2(i: usize) -> Scalar {
    Scalar::from_u64(1u64 << i)
}

/// One side of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    /// `value >= min`.
    AtLeast(i64),
    /// `value <= max`.
    AtMost(i64),
}

impl Bound {
    /// The non-negative offset from the bound (`x - min` or `max - x`) if it is
    /// below `2^bits` (`bits <= 64`).
    pub(crate) fn offset(self, value: i64, bits: u32) -> Option<u64> {
        let d = match self {
            Bound::AtLeast(min) => i128::from(value) - i128::from(min),
            Bound::AtMost(max) => i128::from(max) - i128::from(value),
        };
        (0..1i128 << bits).contains(&d).then_some(d as u64)
    }

    fn kind(self) -> u64 {
        match self {
            Bound::AtLeast(_) => 1,
            Bound::AtMost(_) => 2,
        }
    }

    fn value(self) -> i64 {
        match self {
            Bound::AtLeast(v) | Bound::AtMost(v) => v,
        }
    }
}

/// A range statement on a hidden integer: at most one lower and one upper bound,
/// each proved with `bits` bit commitments. A side `AtLeast(min)` proves
/// `min <= x < min + 2^bits`; `AtMost(max)` proves `max - 2^bits < x <= max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RangePredicate {
    lower: Option<i64>,
    upper: Option<i64>,
    bits: u32,
}

impl RangePredicate {
    /// The widest decomposition: offsets below `2^64` (far below the group order).
    pub const MAX_BITS: u32 = 64;

    fn new(lower: Option<i64>, upper: Option<i64>, bits: u32) -> Result<Self, Error> {
        if !(1..=Self::MAX_BITS).contains(&bits) {
            return Err(Error::InvalidRange("bits must be in 1..=64"));
        }
        Ok(RangePredicate { lower, upper, bits })
    }

    /// `min <= x` (and `x < min + 2^bits`).
    pub fn at_least(min: i64, bits: u32) -> Result<Self, Error> {
        Self::new(Some(min), None, bits)
    }

    /// `x <= max` (and `x > max - 2^bits`).
    pub fn at_most(max: i64, bits: u32) -> Result<Self, Error> {
        Self::new(None, Some(max), bits)
    }

    /// `min <= x <= max`: both sides with `bits = max(1, bit length of max - min)`.
    pub fn between(min: i64, max: i64) -> Result<Self, Error> {
        if min > max {
            return Err(Error::InvalidRange("min is greater than max"));
        }
        let width = (i128::from(max) - i128::from(min)) as u64;
        Self::new(Some(min), Some(max), (64 - width.leading_zeros()).max(1))
    }

    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// The bounds in proof order: the lower bound first.
    pub fn bounds(&self) -> impl Iterator<Item = Bound> {
        let lower = self.lower.map(Bound::AtLeast);
        let upper = self.upper.map(Bound::AtMost);
        lower.into_iter().chain(upper)
    }

    /// Whether an honest prover can prove this predicate for `value`.
    pub fn contains(&self, value: i64) -> bool {
        self.bounds().all(|b| b.offset(value, self.bits).is_some())
    }

    /// The number of bit commitments in a proof.
    pub fn bit_count(&self) -> usize {
        self.bounds().count() * self.bits as usize
    }

    /// The length of an encoded [`RangeProof`] for this predicate.
    pub fn proof_len(&self) -> usize {
        POINT_LEN + SCALAR_LEN + self.bit_count() * BitProof::LEN
    }
}

/// Constant-time multiplication tables over `(G, H)` (rows 0 and 1), built once.
pub(crate) fn pedersen_tables(suite: Suite, api_id: &[u8]) -> std::sync::Arc<CtTables> {
    type Cache = Mutex<HashMap<(Suite, Vec<u8>), std::sync::Arc<CtTables>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let (g, h) = pedersen_bases(suite, api_id);
    let mut map = CACHE
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry((suite, api_id.to_vec()))
        .or_insert_with(|| std::sync::Arc::new(CtTables::new(&[g, h])))
        .clone()
}

/// The Pedersen bases `(G, H)` for `api_id`, hashed once per process.
pub(crate) fn pedersen_bases(suite: Suite, api_id: &[u8]) -> (G1, G1) {
    type Cache = Mutex<HashMap<(Suite, Vec<u8>), (G1, G1)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut map = CACHE
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    *map.entry((suite, api_id.to_vec())).or_insert_with(|| {
        let g_dst = [api_id, b"AKASHI_RANGE_G_"].concat();
        let h_dst = [api_id, b"AKASHI_RANGE_H_"].concat();
        (
            suite.hash_to_g1(b"AKASHI_RANGE_GENERATOR_G", &g_dst),
            suite.hash_to_g1(b"AKASHI_RANGE_GENERATOR_H", &h_dst),
        )
    })
}

/// The first messages of one bit: `(C_i, T_i0, T_i1)`.
pub(crate) type BitFirst = (G1, G1, G1);

/// The transcript octets both sides hash into the challenge (layout in the module doc).
pub(crate) fn transcript(
    predicate: &RangePredicate,
    commitment: &G1,
    t_c: &G1,
    bits: &[BitFirst],
) -> Vec<u8> {
    let mut t = Transcript::new();
    t.u64(predicate.bounds().count() as u64);
    for bound in predicate.bounds() {
        t.u64(bound.kind())
            .u64(bound.value() as u64)
            .u64(u64::from(predicate.bits));
    }
    t.g1(commitment).g1(t_c);
    for (c_i, t0, t1) in bits {
        t.g1(c_i).g1(t0).g1(t1);
    }
    t.into_bytes()
}

/// The proof that one bit commitment opens to 0 or 1: `(C_i, c_0, z_0, z_1)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct BitProof {
    pub(crate) commitment: G1,
    pub(crate) c0: Scalar,
    pub(crate) z0: Scalar,
    pub(crate) z1: Scalar,
}

impl BitProof {
    pub(crate) const LEN: usize = POINT_LEN + 3 * SCALAR_LEN;
}

/// A range proof, valid only together with the BBS proof whose challenge and
/// message response it was verified with.
///
/// ```text
/// range_proof_to_octets = C || r^ || for each bound, i = 0..n-1: C_i || c_0 || z_0 || z_1
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RangeProof {
    pub(crate) commitment: G1,
    pub(crate) r_hat: Scalar,
    /// `predicate.bit_count()` bit proofs, lower bound first, least significant first.
    pub(crate) bits: Vec<BitProof>,
}

impl RangeProof {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut t = Transcript::new();
        t.g1(&self.commitment).scalar(&self.r_hat);
        for b in &self.bits {
            t.g1(&b.commitment)
                .scalar(&b.c0)
                .scalar(&b.z0)
                .scalar(&b.z1);
        }
        t.into_bytes()
    }

    /// Decodes a proof for `predicate`: exact length, points in the subgroup and
    /// not the identity, scalars canonical and non-zero.
    pub fn from_bytes(bytes: &[u8], predicate: &RangePredicate) -> Result<Self, Error> {
        let expected = predicate.proof_len();
        if bytes.len() != expected {
            return Err(Error::Malformed {
                what: "range proof",
                offset: bytes.len().min(expected),
                reason: if bytes.len() < expected {
                    "truncated"
                } else {
                    "trailing bytes"
                },
            });
        }
        let mut r = Reader::new(bytes, "range proof");
        let commitment = r.g1()?;
        let r_hat = r.nonzero_scalar()?;
        let bits = (0..predicate.bit_count())
            .map(|_| {
                Ok(BitProof {
                    commitment: r.g1()?,
                    c0: r.nonzero_scalar()?,
                    z0: r.nonzero_scalar()?,
                    z1: r.nonzero_scalar()?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        r.finish()?;
        Ok(RangeProof {
            commitment,
            r_hat,
            bits,
        })
    }
}
