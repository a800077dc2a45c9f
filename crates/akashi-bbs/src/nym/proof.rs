//! ProofGen and ProofVerify with a pseudonym.

use super::{combined_header, Layout, NymBbs, NymSecrets, Pseudonym};
use crate::blind::{combined_generators, combined_indexes};
use crate::commitment::ProverBlind;
use crate::core::{check_disclosures, h2s_dst, undisclosed_indexes, Signature};
use crate::curve::{Scalar, G1};
use crate::error::Error;
use crate::keys::PublicKey;
use crate::proof::{
    challenge_elements, pairing_check, proof_finalize, proof_init, proof_verify_init, InitResult,
    Proof, ProofRandomness,
};
use crate::random::RandomScalars;

impl NymBbs {
    /// ProofGenWithNym: a proof and the pseudonym for `context_id`.
    #[allow(clippy::too_many_arguments)]
    pub fn proof_gen<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        ph: &[u8],
        nym_secrets: &NymSecrets,
        context_id: &[u8],
        messages: &[M],
        committed_messages: &[M],
        disclosed: &[usize],
        disclosed_committed: &[usize],
        blind: &ProverBlind,
        rng: &mut impl RandomScalars,
    ) -> Result<(Proof, Pseudonym), Error> {
        let scalars = Self::all_scalars(
            &self.map_messages(messages),
            &self.map_messages(committed_messages),
            blind,
            nym_secrets,
        );
        let idx = combined_indexes(
            messages.len(),
            committed_messages.len(),
            disclosed,
            disclosed_committed,
        )?;
        let undisclosed = undisclosed_indexes(&idx, scalars.len())?;
        let randoms = ProofRandomness(rng.random_scalars(5 + undisclosed.len()));
        let layout = Layout {
            signer: messages.len(),
            blind: committed_messages.len() + nym_secrets.len(),
        };
        self.prove_with_randoms(
            pk,
            signature,
            header,
            ph,
            context_id,
            &scalars,
            &idx,
            &undisclosed,
            nym_secrets.len(),
            layout,
            &randoms,
        )
    }

    /// The proof with caller-drawn randomness, so that predicates can share `m~`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn prove_with_randoms(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        ph: &[u8],
        context_id: &[u8],
        scalars: &[Scalar],
        idx: &[usize],
        undisclosed: &[usize],
        nym_count: usize,
        layout: Layout,
        randoms: &ProofRandomness,
    ) -> Result<(Proof, Pseudonym), Error> {
        let api = self.api_id();
        let gens = combined_generators(self.suite, &api, layout.signer, layout.blind);
        let header = combined_header(header, nym_count);
        let init = proof_init(
            self.suite,
            pk,
            signature,
            &gens,
            randoms,
            &header,
            scalars,
            undisclosed,
            &api,
        );
        let (op, z) = self.context_point(context_id);
        let n = randoms.0.len();
        let pseudonym = op.mul(&Self::poly(&z, &scalars[scalars.len() - nym_count..]));
        let ut = op.mul(&Self::poly(&z, &randoms.0[n - nym_count..]));
        if pseudonym.is_identity() || ut.is_identity() {
            return Err(Error::Degenerate);
        }
        let disclosed: Vec<(usize, Scalar)> = idx.iter().map(|&i| (i, scalars[i])).collect();
        let c = self.challenge(&init, &disclosed, &pseudonym, &ut, ph, context_id);
        let hidden: Vec<Scalar> = undisclosed.iter().map(|&j| scalars[j]).collect();
        Ok((
            proof_finalize(&init, c, signature.e, randoms, &hidden),
            Pseudonym(pseudonym),
        ))
    }

    fn challenge(
        &self,
        init: &InitResult,
        disclosed: &[(usize, Scalar)],
        pseudonym: &G1,
        ut: &G1,
        ph: &[u8],
        context_id: &[u8],
    ) -> Scalar {
        let mut t = challenge_elements(init, disclosed, &[*pseudonym, *ut]);
        t.prefixed(ph).prefixed(context_id);
        self.suite
            .hash_to_scalar(t.as_bytes(), &h2s_dst(&self.api_id()))
    }

    /// ProofVerifyWithNym. `signer_count` is L; `nym_count` is N.
    #[allow(clippy::too_many_arguments)]
    pub fn proof_verify<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        proof: &Proof,
        header: &[u8],
        ph: &[u8],
        pseudonym: &Pseudonym,
        context_id: &[u8],
        nym_count: usize,
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
        let signer_pairs: Vec<(usize, Scalar)> = disclosed
            .iter()
            .copied()
            .zip(self.map_messages(disclosed_messages))
            .collect();
        let committed_pairs: Vec<(usize, Scalar)> = disclosed_committed
            .iter()
            .copied()
            .zip(self.map_messages(disclosed_committed_messages))
            .collect();
        self.verify_scalars(
            pk,
            proof,
            header,
            ph,
            pseudonym,
            context_id,
            nym_count,
            signer_count,
            &signer_pairs,
            &committed_pairs,
        )
    }

    /// ProofVerifyWithNym over scalar messages: `(index, value)` for signer and committed messages.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn verify_scalars(
        &self,
        pk: &PublicKey,
        proof: &Proof,
        header: &[u8],
        ph: &[u8],
        pseudonym: &Pseudonym,
        context_id: &[u8],
        nym_count: usize,
        signer_count: usize,
        disclosed: &[(usize, Scalar)],
        disclosed_committed: &[(usize, Scalar)],
    ) -> Result<(), Error> {
        let api = self.api_id();
        let total = disclosed.len() + disclosed_committed.len() + proof.undisclosed_count();
        // total = L + 1 + M + N, and the last N messages are the (hidden) nym secrets.
        let blind_count = total
            .checked_sub(signer_count + 1)
            .ok_or(Error::ProofInvalid)?;
        let committed = blind_count
            .checked_sub(nym_count)
            .ok_or(Error::ProofInvalid)?;
        if nym_count == 0 || proof.undisclosed_count() < nym_count + 1 {
            return Err(Error::ProofInvalid);
        }
        let signer_idx: Vec<usize> = disclosed.iter().map(|(i, _)| *i).collect();
        let committed_idx: Vec<usize> = disclosed_committed.iter().map(|(i, _)| *i).collect();
        let idx = combined_indexes(signer_count, committed, &signer_idx, &committed_idx)?;
        let values = disclosed.iter().chain(disclosed_committed).map(|(_, v)| *v);
        let pairs: Vec<(usize, Scalar)> = idx.iter().copied().zip(values).collect();
        let undisclosed = undisclosed_indexes(&idx, total)?;
        let gens = combined_generators(self.suite, &api, signer_count, blind_count);
        let header = combined_header(header, nym_count);
        let init = proof_verify_init(
            self.suite,
            pk,
            proof,
            &gens,
            &header,
            &pairs,
            &undisclosed,
            &api,
        );
        let (op, z) = self.context_point(context_id);
        let u = proof.undisclosed_count();
        let uv = G1::msm_vartime(
            &[op, pseudonym.0],
            &[
                Self::poly(&z, &proof.m_hat[u - nym_count..]),
                -proof.challenge,
            ],
        );
        if uv.is_identity() {
            return Err(Error::ProofInvalid);
        }
        let c = self.challenge(&init, &pairs, &pseudonym.0, &uv, ph, context_id);
        if c != proof.challenge || !pairing_check(pk, proof) {
            return Err(Error::ProofInvalid);
        }
        Ok(())
    }
}
