//! The holder's commitment to secret messages, with its proof of knowledge
//! (draft-irtf-cfrg-bbs-blind-signatures CoreCommit / CoreCommitVerify).
//!
//! ```text
//! C    = Q_2 * secret_prover_blind + J_1 * msg_1 + ... + J_M * msg_M
//! Cbar = Q_2 * s~ + J_1 * m~_1 + ... + J_M * m~_M
//! c    = hash_to_scalar(I2OSP(M, 8) || Q_2 || J_1..J_M || C || Cbar, api_id || "H2S_")
//! commitment_with_proof = C || s^ || m^_1 .. m^_M || c
//! ```
//! (The challenge input follows the published fixtures; the draft's prose
//! describes an abandoned variant.)

use crate::core::h2s_dst;
use crate::curve::{Scalar, G1};
use crate::encoding::{Reader, Transcript};
use crate::error::Error;
use crate::generators::{create_generators, Generators};
use crate::random::RandomScalars;
use crate::suite::{Suite, POINT_LEN, SCALAR_LEN};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A commitment to M messages with its proof of correctness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commitment {
    pub(crate) c: G1,
    pub(crate) s_hat: Scalar,
    pub(crate) m_hat: Vec<Scalar>,
    pub(crate) challenge: Scalar,
}

/// The holder's blinding scalar for a commitment; needed again to verify the
/// blind signature and to prove. Zeroized on drop.
#[derive(Clone)]
pub struct ProverBlind(pub(crate) Scalar);

impl ProverBlind {
    pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.0.to_be_bytes())
    }
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        Scalar::from_be_bytes(bytes)
            .map(ProverBlind)
            .ok_or(Error::Malformed {
                what: "prover blind",
                offset: 0,
                reason: "not below r",
            })
    }
}

impl Drop for ProverBlind {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}
impl ZeroizeOnDrop for ProverBlind {}

impl Commitment {
    /// The number of committed scalars M.
    pub fn len(&self) -> usize {
        self.m_hat.len()
    }

    pub fn is_empty(&self) -> bool {
        self.m_hat.is_empty()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut t = Transcript::new();
        t.g1(&self.c).scalar(&self.s_hat);
        self.m_hat.iter().for_each(|m| {
            t.scalar(m);
        });
        t.scalar(&self.challenge);
        t.into_bytes()
    }

    /// octets_to_commitment_with_proof.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "commitment");
        if bytes.len() < POINT_LEN + 2 * SCALAR_LEN {
            return Err(r.error("shorter than the smallest commitment"));
        }
        if !(bytes.len() - POINT_LEN).is_multiple_of(SCALAR_LEN) {
            return Err(Error::Malformed {
                what: "commitment",
                offset: bytes.len() - (bytes.len() - POINT_LEN) % SCALAR_LEN,
                reason: "partial scalar at the end",
            });
        }
        let c = r.g1()?;
        let mut scalars = Vec::new();
        while r.remaining() > 0 {
            scalars.push(r.nonzero_scalar()?);
        }
        r.finish()?;
        let challenge = scalars.pop().expect("two scalars at least");
        let m_hat = scalars.split_off(1);
        Ok(Commitment {
            c,
            s_hat: scalars[0],
            m_hat,
            challenge,
        })
    }
}

/// `create_generators(count, "BLIND_" || api_id)` = (Q_2, J_1, ...).
pub(crate) fn blind_generators(suite: Suite, api_id: &[u8], count: usize) -> Generators {
    create_generators(suite, &[b"BLIND_".as_slice(), api_id].concat(), count)
}

fn commit_challenge(suite: Suite, api_id: &[u8], gens: &[G1], c: &G1, c_bar: &G1) -> Scalar {
    let mut t = Transcript::new();
    t.u64((gens.len() - 1) as u64);
    gens.iter().for_each(|g| {
        t.g1(g);
    });
    t.g1(c).g1(c_bar);
    suite.hash_to_scalar(t.as_bytes(), &h2s_dst(api_id))
}

/// CoreCommit: random scalars drawn as `(secret_prover_blind, s~, m~_1..m~_M)`.
pub(crate) fn core_commit(
    suite: Suite,
    api_id: &[u8],
    scalars: &[Scalar],
    rng: &mut impl RandomScalars,
) -> (Commitment, ProverBlind) {
    let gens = blind_generators(suite, api_id, scalars.len() + 1);
    let mut r = rng.random_scalars(scalars.len() + 2);
    let blind = ProverBlind(r[0]);
    let mut c_scalars = vec![blind.0];
    c_scalars.extend_from_slice(scalars);
    let c = G1::msm_ct(&gens, &c_scalars);
    let c_bar = G1::msm_ct(&gens, &r[1..]);
    let challenge = commit_challenge(suite, api_id, &gens, &c, &c_bar);
    let s_hat = r[1] + blind.0 * challenge;
    let m_hat = r[2..]
        .iter()
        .zip(scalars)
        .map(|(m_t, m)| *m_t + *m * challenge)
        .collect();
    c_scalars.iter_mut().for_each(Zeroize::zeroize);
    r.iter_mut().for_each(Zeroize::zeroize);
    (
        Commitment {
            c,
            s_hat,
            m_hat,
            challenge,
        },
        blind,
    )
}

/// CoreCommitVerify against the `M + 1` blind generators.
pub(crate) fn verify_commitment(
    suite: Suite,
    api_id: &[u8],
    commitment: &Commitment,
) -> Result<Generators, Error> {
    let gens = blind_generators(suite, api_id, commitment.len() + 1);
    let mut points = gens.to_vec();
    points.push(commitment.c);
    let mut scalars = vec![commitment.s_hat];
    scalars.extend_from_slice(&commitment.m_hat);
    scalars.push(-commitment.challenge);
    let c_bar = G1::msm_vartime(&points, &scalars);
    if commit_challenge(suite, api_id, &gens, &commitment.c, &c_bar) != commitment.challenge {
        return Err(Error::CommitmentInvalid);
    }
    Ok(gens)
}
