//! Blind BBS (draft-irtf-cfrg-bbs-blind-signatures): the holder commits to
//! messages the signer never sees; the signer signs them together with its own.
//!
//! Layout of a blind signature's messages and generators (as the fixtures fix it):
//! ```text
//! generators = (Q_1, H_1..H_L, Q_2, J_1..J_M)
//! scalars    = (msg_1..msg_L, secret_prover_blind, committed_1..committed_M)
//! B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L + C
//! e = hash_to_scalar(I2OSP(SK, 32) || B, api_id || "H2S_")
//! ```
//! A committed message `j` sits at combined index `L + 1 + j`.

use crate::bbs::messages_to_scalars;
use crate::commitment::{core_commit, verify_commitment, Commitment, ProverBlind};
use crate::core::{
    calculate_domain, check_disclosures, core_verify, finalize_sign, h2s_dst, Secrecy, Signature,
};
use crate::curve::{Scalar, G1};
use crate::encoding::Transcript;
use crate::error::Error;
use crate::generators::{combined, CombinedGenerators};
use crate::keys::{PublicKey, SecretKey};
use crate::proof::{core_proof_gen, core_proof_verify, Proof};
use crate::random::RandomScalars;
use crate::suite::Suite;

/// The interface identifier suffix of blind BBS.
pub const BLIND_API_SUFFIX: &[u8] = b"BLIND_H2G_HM2S_";

/// `(Q_1, H_1..H_L) || (Q_2, J_1..J_K)`, cached with its tables.
pub(crate) fn combined_generators(
    suite: Suite,
    api_id: &[u8],
    signer: usize,
    blind: usize,
) -> CombinedGenerators {
    let blind_api = [b"BLIND_".as_slice(), api_id].concat();
    combined(suite, api_id, &blind_api, signer, blind)
}

/// Signing over combined generators: `B = P1 + Q_1*domain + Σ H_i*msg_i + commit + extra`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn blind_sign_core(
    suite: Suite,
    sk: &SecretKey,
    pk: &PublicKey,
    api_id: &[u8],
    gens: &[G1],
    header: &[u8],
    signer_scalars: &[Scalar],
    commit_and_extra: G1,
) -> Result<Signature, Error> {
    let domain = calculate_domain(suite, pk, &gens[0], &gens[1..], header, api_id);
    let mut points = vec![suite.p1(), gens[0]];
    points.extend_from_slice(&gens[1..=signer_scalars.len()]);
    let mut scalars = vec![Scalar::one(), domain];
    scalars.extend_from_slice(signer_scalars);
    let b = G1::msm_vartime(&points, &scalars) + commit_and_extra;
    let mut t = Transcript::new();
    t.scalar(sk.scalar()).g1(&b);
    let e = suite.hash_to_scalar(t.as_bytes(), &h2s_dst(api_id));
    zeroize::Zeroize::zeroize(&mut t.into_bytes());
    finalize_sign(sk, b, e)
}

/// Maps combined disclosure: signer indexes as they are, committed `j` to `L + 1 + j`.
pub(crate) fn combined_indexes(
    signer_count: usize,
    committed_count: usize,
    disclosed: &[usize],
    disclosed_committed: &[usize],
) -> Result<Vec<usize>, Error> {
    if let Some(&index) = disclosed.iter().find(|&&i| i >= signer_count) {
        return Err(Error::IndexOutOfRange {
            index,
            count: signer_count,
        });
    }
    if let Some(&index) = disclosed_committed.iter().find(|&&j| j >= committed_count) {
        return Err(Error::IndexOutOfRange {
            index,
            count: committed_count,
        });
    }
    Ok(disclosed
        .iter()
        .copied()
        .chain(disclosed_committed.iter().map(|j| signer_count + 1 + j))
        .collect())
}

/// Blind BBS for one ciphersuite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlindBbs {
    suite: Suite,
}

impl BlindBbs {
    pub fn new(suite: Suite) -> Self {
        BlindBbs { suite }
    }

    fn api_id(&self) -> Vec<u8> {
        self.suite.api_id(BLIND_API_SUFFIX)
    }

    /// Commit (holder): a commitment with proof, and the blind to keep.
    pub fn commit<M: AsRef<[u8]>>(
        &self,
        committed_messages: &[M],
        rng: &mut impl RandomScalars,
    ) -> (Commitment, ProverBlind) {
        let api = self.api_id();
        let scalars = messages_to_scalars(self.suite, committed_messages, &api);
        core_commit(self.suite, &api, &scalars, rng)
    }

    /// BlindSign (signer): verifies the commitment's proof, then signs.
    pub fn sign<M: AsRef<[u8]>>(
        &self,
        sk: &SecretKey,
        pk: &PublicKey,
        commitment: Option<&Commitment>,
        header: &[u8],
        messages: &[M],
    ) -> Result<Signature, Error> {
        let api = self.api_id();
        let (commit, m) = match commitment {
            Some(c) => {
                verify_commitment(self.suite, &api, c)?;
                (c.c, c.len())
            }
            None => (G1::identity(), 0),
        };
        let gens = combined_generators(self.suite, &api, messages.len(), m);
        let scalars = messages_to_scalars(self.suite, messages, &api);
        blind_sign_core(self.suite, sk, pk, &api, &gens, header, &scalars, commit)
    }

    fn all_scalars<M: AsRef<[u8]>>(
        &self,
        messages: &[M],
        committed_messages: &[M],
        blind: Option<&ProverBlind>,
    ) -> Vec<Scalar> {
        let api = self.api_id();
        let mut scalars = messages_to_scalars(self.suite, messages, &api);
        scalars.push(blind.map_or(Scalar::zero(), |b| b.0));
        scalars.extend(messages_to_scalars(self.suite, committed_messages, &api));
        scalars
    }

    /// Verify (holder): the signature covers the signer's and the committed messages.
    pub fn verify<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        messages: &[M],
        committed_messages: &[M],
        blind: Option<&ProverBlind>,
    ) -> Result<(), Error> {
        let api = self.api_id();
        let gens = combined_generators(self.suite, &api, messages.len(), committed_messages.len());
        let scalars = self.all_scalars(messages, committed_messages, blind);
        core_verify(
            self.suite,
            pk,
            signature,
            &gens,
            header,
            &scalars,
            &api,
            Secrecy::Secret,
        )
    }

    /// ProofGen over signer and committed messages (the blind is never disclosed).
    #[allow(clippy::too_many_arguments)]
    pub fn proof_gen<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        ph: &[u8],
        messages: &[M],
        committed_messages: &[M],
        disclosed: &[usize],
        disclosed_committed: &[usize],
        blind: Option<&ProverBlind>,
        rng: &mut impl RandomScalars,
    ) -> Result<Proof, Error> {
        let api = self.api_id();
        let (l, m) = (messages.len(), committed_messages.len());
        let idx = combined_indexes(l, m, disclosed, disclosed_committed)?;
        let gens = combined_generators(self.suite, &api, l, m);
        let scalars = self.all_scalars(messages, committed_messages, blind);
        core_proof_gen(
            self.suite, pk, signature, &gens, header, ph, &scalars, &idx, &api, rng,
        )
    }

    /// ProofVerify; `signer_count` is L, the number of messages the signer chose.
    #[allow(clippy::too_many_arguments)]
    pub fn proof_verify<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        proof: &Proof,
        header: &[u8],
        ph: &[u8],
        signer_count: usize,
        disclosed_messages: &[M],
        disclosed_committed_messages: &[M],
        disclosed: &[usize],
        disclosed_committed: &[usize],
    ) -> Result<(), Error> {
        check_disclosures(&[
            (disclosed.len(), disclosed_messages.len()),
            (
                disclosed_committed.len(),
                disclosed_committed_messages.len(),
            ),
        ])?;
        let api = self.api_id();
        let total = disclosed.len() + disclosed_committed.len() + proof.undisclosed_count();
        // total = L + 1 (the blind) + M
        let m = total
            .checked_sub(signer_count + 1)
            .ok_or(Error::ProofInvalid)?;
        let idx = combined_indexes(signer_count, m, disclosed, disclosed_committed)?;
        let gens = combined_generators(self.suite, &api, signer_count, m);
        let values = messages_to_scalars(self.suite, disclosed_messages, &api)
            .into_iter()
            .chain(messages_to_scalars(
                self.suite,
                disclosed_committed_messages,
                &api,
            ));
        let pairs: Vec<(usize, Scalar)> = idx.into_iter().zip(values).collect();
        core_proof_verify(self.suite, pk, proof, &gens, header, ph, &pairs, &api)
    }
}
