//! Per-verifier pseudonyms (draft-irtf-cfrg-bbs-per-verifier-linkability,
//! vector `nym_secrets` version), on top of blind issuance.
//!
//! ```text
//! generators = (Q_1, H_1..H_L, Q_2, J_1..J_M, J_M+1..J_M+N)
//! scalars    = (msg_1..msg_L, prover_blind, committed_1..committed_M, nym_1..nym_N)
//! B = P1 + Q_1*domain + Σ H_i*msg_i + C + J_M+N * signer_nym_entropy,  header' = header || I2OSP(N, 8)
//! nym_secrets = prover_nyms with the last one + signer_nym_entropy
//! OP = hash_to_curve_g1(context_id, api_id);  z = hash_to_scalar(context_id, api_id || "VECT_NYM_SECRETS")
//! pseudonym = OP * Σ nym_secrets[i] * z^i
//! challenge = H(R, (i, msg_i).., Abar, Bbar, D, T1, T2, pseudonym, Ut, domain, len(ph), ph, len(ctx), ctx)
//! ```
//! Issuance here, presentation in `nym/proof.rs`.

mod proof;

use crate::bbs::messages_to_scalars;
use crate::blind::{blind_sign_core, combined_generators};
use crate::commitment::{core_commit, verify_commitment, Commitment, ProverBlind};
use crate::core::{core_verify, Secrecy, Signature};
use crate::curve::{Scalar, G1};
use crate::encoding::Reader;
use crate::error::Error;
use crate::keys::{PublicKey, SecretKey};
use crate::random::RandomScalars;
use crate::suite::Suite;
use zeroize::Zeroize;

/// The interface identifier suffix of BBS with pseudonyms.
pub const NYM_API_SUFFIX: &[u8] = b"H2G_HM2S_PSEUDONYM_";

/// The holder's pseudonym secrets after issuance (zeroized on drop).
#[derive(Clone)]
pub struct NymSecrets(pub(crate) Vec<Scalar>);

impl NymSecrets {
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// From big-endian scalars (for fixtures and storage).
    pub fn from_scalars(scalars: Vec<Scalar>) -> Self {
        NymSecrets(scalars)
    }
}

impl Drop for NymSecrets {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(Zeroize::zeroize);
    }
}

/// A per-verifier pseudonym: a G1 point, 48 bytes compressed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Pseudonym(pub(crate) G1);

impl Pseudonym {
    pub fn to_bytes(&self) -> [u8; 48] {
        self.0.to_bytes()
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != 48 {
            return Err(Error::Malformed {
                what: "pseudonym",
                offset: 0,
                reason: "expected 48 bytes",
            });
        }
        let mut r = Reader::new(bytes, "pseudonym");
        let p = r.g1()?;
        r.finish()?;
        Ok(Pseudonym(p))
    }
}

/// BBS with pseudonyms for one ciphersuite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NymBbs {
    suite: Suite,
    api_suffix: &'static [u8],
}

impl NymBbs {
    pub fn new(suite: Suite) -> Self {
        NymBbs {
            suite,
            api_suffix: NYM_API_SUFFIX,
        }
    }

    /// The same operations under another interface identifier (another message mapping).
    pub(crate) fn with_api(suite: Suite, api_suffix: &'static [u8]) -> Self {
        NymBbs { suite, api_suffix }
    }

    pub(crate) fn api_id(&self) -> Vec<u8> {
        self.suite.api_id(self.api_suffix)
    }

    fn map_messages<M: AsRef<[u8]>>(&self, messages: &[M]) -> Vec<Scalar> {
        messages_to_scalars(self.suite, messages, &self.api_id())
    }

    /// `OP` and `z` for a context.
    fn context_point(&self, context_id: &[u8]) -> (G1, Scalar) {
        let api = self.api_id();
        let op = self.suite.hash_to_g1(context_id, &api);
        let z = self
            .suite
            .hash_to_scalar(context_id, &[api.as_slice(), b"VECT_NYM_SECRETS"].concat());
        (op, z)
    }

    /// `Σ v[i] * z^i` by Horner's rule.
    fn poly(z: &Scalar, values: &[Scalar]) -> Scalar {
        values
            .iter()
            .rev()
            .fold(Scalar::zero(), |acc, v| acc * *z + *v)
    }

    /// The pseudonym of `nym_secrets` for `context_id` (a verifier's identifier).
    pub fn pseudonym(
        &self,
        nym_secrets: &NymSecrets,
        context_id: &[u8],
    ) -> Result<Pseudonym, Error> {
        let (op, z) = self.context_point(context_id);
        let p = op.mul(&Self::poly(&z, &nym_secrets.0));
        if p.is_identity() {
            return Err(Error::Degenerate);
        }
        Ok(Pseudonym(p))
    }

    /// CommitWithNym (holder): commits to `committed_messages` and the `prover_nyms`.
    pub fn commit<M: AsRef<[u8]>>(
        &self,
        committed_messages: &[M],
        prover_nyms: &[Scalar],
        rng: &mut impl RandomScalars,
    ) -> (Commitment, ProverBlind) {
        let mut scalars = self.map_messages(committed_messages);
        scalars.extend_from_slice(prover_nyms);
        self.commit_scalars(scalars, rng)
    }

    pub(crate) fn commit_scalars(
        &self,
        mut scalars: Vec<Scalar>,
        rng: &mut impl RandomScalars,
    ) -> (Commitment, ProverBlind) {
        let out = core_commit(self.suite, &self.api_id(), &scalars, rng);
        scalars.iter_mut().for_each(Zeroize::zeroize);
        out
    }

    /// BlindSignWithNym (signer): `nym_count` is N, told by the holder.
    #[allow(clippy::too_many_arguments)]
    pub fn sign<M: AsRef<[u8]>>(
        &self,
        sk: &SecretKey,
        pk: &PublicKey,
        commitment: &Commitment,
        nym_count: usize,
        signer_nym_entropy: &Scalar,
        header: &[u8],
        messages: &[M],
    ) -> Result<Signature, Error> {
        self.sign_scalars(
            sk,
            pk,
            commitment,
            nym_count,
            signer_nym_entropy,
            header,
            &self.map_messages(messages),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sign_scalars(
        &self,
        sk: &SecretKey,
        pk: &PublicKey,
        commitment: &Commitment,
        nym_count: usize,
        signer_nym_entropy: &Scalar,
        header: &[u8],
        scalars: &[Scalar],
    ) -> Result<Signature, Error> {
        let api = self.api_id();
        if nym_count == 0 || commitment.len() < nym_count {
            return Err(Error::Malformed {
                what: "commitment",
                offset: 0,
                reason: "fewer scalars than nym secrets",
            });
        }
        let blind_gens = verify_commitment(self.suite, &api, commitment)?;
        let gens = combined_generators(self.suite, &api, scalars.len(), commitment.len());
        let extra = commitment.c + blind_gens[blind_gens.len() - 1].mul(signer_nym_entropy);
        let header = combined_header(header, nym_count);
        blind_sign_core(self.suite, sk, pk, &api, &gens, &header, scalars, extra)
    }

    /// VerifyFinalizeWithNym (holder): checks the signature and returns the nym secrets.
    #[allow(clippy::too_many_arguments)]
    pub fn verify_finalize<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        messages: &[M],
        committed_messages: &[M],
        prover_nyms: &[Scalar],
        signer_nym_entropy: &Scalar,
        blind: &ProverBlind,
    ) -> Result<NymSecrets, Error> {
        let (signer, committed) = (
            self.map_messages(messages),
            self.map_messages(committed_messages),
        );
        self.verify_finalize_scalars(
            pk,
            signature,
            header,
            &signer,
            &committed,
            prover_nyms,
            signer_nym_entropy,
            blind,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn verify_finalize_scalars(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        messages: &[Scalar],
        committed_messages: &[Scalar],
        prover_nyms: &[Scalar],
        signer_nym_entropy: &Scalar,
        blind: &ProverBlind,
    ) -> Result<NymSecrets, Error> {
        let mut secrets = prover_nyms.to_vec();
        let last = secrets
            .last_mut()
            .ok_or(Error::KeyGen("no prover nym secrets"))?;
        *last += *signer_nym_entropy;
        let secrets = NymSecrets(secrets);
        let scalars = Self::all_scalars(messages, committed_messages, blind, &secrets);
        let api = self.api_id();
        let gens = combined_generators(
            self.suite,
            &api,
            messages.len(),
            committed_messages.len() + secrets.len(),
        );
        core_verify(
            self.suite,
            pk,
            signature,
            &gens,
            &combined_header(header, secrets.len()),
            &scalars,
            &api,
            Secrecy::Secret,
        )?;
        Ok(secrets)
    }

    /// `(msg_1..msg_L, prover_blind, committed_1..committed_M, nym_1..nym_N)`.
    pub(crate) fn all_scalars(
        messages: &[Scalar],
        committed: &[Scalar],
        blind: &ProverBlind,
        secrets: &NymSecrets,
    ) -> Vec<Scalar> {
        let mut scalars = messages.to_vec();
        scalars.push(blind.0);
        scalars.extend_from_slice(committed);
        scalars.extend_from_slice(&secrets.0);
        scalars
    }
}

/// How many signer messages and how many blind-generator messages (M + N) a signature has.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    pub signer: usize,
    pub blind: usize,
}

/// `header || I2OSP(N, 8)`: binds the number of nym secrets to the signature.
fn combined_header(header: &[u8], nym_count: usize) -> Vec<u8> {
    [header, &(nym_count as u64).to_be_bytes()].concat()
}
