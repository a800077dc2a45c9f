//! The BBS Signatures Interface (draft-irtf-cfrg-bbs-signatures §3.4): octet-string
//! messages mapped with MapMessageToScalarAsHash, generators from create_generators,
//! `api_id = ciphersuite_id || "H2G_HM2S_"`.

use crate::core::{check_disclosures, core_sign, core_verify, Secrecy, Signature};
use crate::curve::Scalar;
use crate::error::Error;
use crate::generators::create_generators;
use crate::keys::{PublicKey, SecretKey};
use crate::proof::{core_proof_gen, core_proof_verify, Proof};
use crate::random::RandomScalars;
use crate::suite::Suite;

/// The interface identifier suffix of plain BBS.
pub const API_SUFFIX: &[u8] = b"H2G_HM2S_";

/// messages_to_scalars (§4.1.2): `hash_to_scalar(msg, api_id || "MAP_MSG_TO_SCALAR_AS_HASH_")`.
pub fn messages_to_scalars<M: AsRef<[u8]>>(
    suite: Suite,
    messages: &[M],
    api_id: &[u8],
) -> Vec<Scalar> {
    let dst = [api_id, b"MAP_MSG_TO_SCALAR_AS_HASH_"].concat();
    messages
        .iter()
        .map(|m| suite.hash_to_scalar(m.as_ref(), &dst))
        .collect()
}

/// A signer-side view of one ciphersuite's BBS interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bbs {
    suite: Suite,
}

impl Bbs {
    pub fn new(suite: Suite) -> Self {
        Bbs { suite }
    }

    pub fn suite(&self) -> Suite {
        self.suite
    }

    fn api_id(&self) -> Vec<u8> {
        self.suite.api_id(API_SUFFIX)
    }

    /// Sign (§3.4.1).
    pub fn sign<M: AsRef<[u8]>>(
        &self,
        sk: &SecretKey,
        pk: &PublicKey,
        header: &[u8],
        messages: &[M],
    ) -> Result<Signature, Error> {
        let api = self.api_id();
        let scalars = messages_to_scalars(self.suite, messages, &api);
        let gens = create_generators(self.suite, &api, messages.len() + 1);
        core_sign(self.suite, sk, pk, &gens, header, &scalars, &api)
    }

    /// Verify (§3.4.2).
    pub fn verify<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        messages: &[M],
    ) -> Result<(), Error> {
        let api = self.api_id();
        let scalars = messages_to_scalars(self.suite, messages, &api);
        let gens = create_generators(self.suite, &api, messages.len() + 1);
        core_verify(
            self.suite,
            pk,
            signature,
            &gens,
            header,
            &scalars,
            &api,
            Secrecy::Public,
        )
    }

    /// ProofGen (§3.4.3) with random scalars from `rng`.
    #[allow(clippy::too_many_arguments)]
    pub fn proof_gen<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        signature: &Signature,
        header: &[u8],
        ph: &[u8],
        messages: &[M],
        disclosed_indexes: &[usize],
        rng: &mut impl RandomScalars,
    ) -> Result<Proof, Error> {
        let api = self.api_id();
        let scalars = messages_to_scalars(self.suite, messages, &api);
        let gens = create_generators(self.suite, &api, messages.len() + 1);
        core_proof_gen(
            self.suite,
            pk,
            signature,
            &gens,
            header,
            ph,
            &scalars,
            disclosed_indexes,
            &api,
            rng,
        )
    }

    /// ProofVerify (§3.4.4).
    pub fn proof_verify<M: AsRef<[u8]>>(
        &self,
        pk: &PublicKey,
        proof: &Proof,
        header: &[u8],
        ph: &[u8],
        disclosed_messages: &[M],
        disclosed_indexes: &[usize],
    ) -> Result<(), Error> {
        check_disclosures(&[(disclosed_indexes.len(), disclosed_messages.len())])?;
        let api = self.api_id();
        let count = disclosed_indexes.len() + proof.undisclosed_count();
        let scalars = messages_to_scalars(self.suite, disclosed_messages, &api);
        let disclosed: Vec<(usize, Scalar)> =
            disclosed_indexes.iter().copied().zip(scalars).collect();
        let gens = create_generators(self.suite, &api, count + 1);
        core_proof_verify(self.suite, pk, proof, &gens, header, ph, &disclosed, &api)
    }
}
