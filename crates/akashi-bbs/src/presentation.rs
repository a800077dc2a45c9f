//! Presentations: one BBS proof with selective disclosure, the pseudonym for the
//! verifier and range predicates on hidden integer messages, all under one
//! Fiat–Shamir challenge.
//!
//! ```text
//! ph' = ph || "AKASHI-PREDICATES-V1" || I2OSP(P, 8) || for each predicate:
//!         I2OSP(index, 8) || I2OSP(len(t), 8) || t      -- t: the range transcript
//! (proof, pseudonym) = ProofGenWithNym(..., ph', context_id = verifier_id, ...)
//! ```
//! The range proof for message `j` uses the BBS proof's own `m~_j` as its blinding
//! for `x`, so the verifier checks it with the BBS response `m^_j`: both speak of
//! the same signed value. Nothing in a presentation repeats across presentations
//! of one credential except the disclosed messages and, per verifier, the pseudonym.

use crate::core::{check_disclosures, undisclosed_indexes};
use crate::credential::{header, interface, to_scalars, Credential, Message, VERSION};
use crate::curve::Scalar;
use crate::encoding::Reader;
use crate::error::Error;
use crate::keys::PublicKey;
use crate::nym::{Layout, Pseudonym};
use crate::proof::{Proof, ProofRandomness};
use crate::random::RandomScalars;
use crate::range::{range_commit, range_verify, RangePredicate, RangeProof};
use crate::suite::Suite;

/// What a verifier asks for; both sides must hold the same request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentationRequest {
    /// The verifier's identifier: the pseudonym's context.
    pub verifier_id: Vec<u8>,
    /// Binds the presentation to this request (nonce, audience, time).
    pub presentation_header: Vec<u8>,
    /// Indexes of the messages to disclose, ascending.
    pub disclose: Vec<usize>,
    /// Range predicates on undisclosed integer messages: `(index, predicate)`.
    pub predicates: Vec<(usize, RangePredicate)>,
}

/// What the holder sends: disclosed messages, pseudonym, range proofs, BBS proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presentation {
    pub suite: Suite,
    pub message_count: usize,
    pub disclosed: Vec<Message>,
    pub pseudonym: Pseudonym,
    pub(crate) ranges: Vec<RangeProof>,
    pub(crate) proof: Proof,
}

/// What a verifier learns from a valid presentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPresentation {
    pub pseudonym: [u8; 48],
    pub disclosed: Vec<(usize, Message)>,
}

fn extended_ph(request: &PresentationRequest, transcripts: &[Vec<u8>]) -> Vec<u8> {
    let mut ph = request.presentation_header.clone();
    ph.extend_from_slice(b"AKASHI-PREDICATES-V1");
    ph.extend_from_slice(&(transcripts.len() as u64).to_be_bytes());
    for ((index, _), t) in request.predicates.iter().zip(transcripts) {
        ph.extend_from_slice(&(*index as u64).to_be_bytes());
        ph.extend_from_slice(&(t.len() as u64).to_be_bytes());
        ph.extend_from_slice(t);
    }
    ph
}

/// Position of each predicate's message among the undisclosed ones.
fn predicate_positions(
    request: &PresentationRequest,
    undisclosed: &[usize],
) -> Result<Vec<usize>, Error> {
    request
        .predicates
        .iter()
        .map(|(index, _)| {
            undisclosed
                .iter()
                .position(|j| j == index)
                .ok_or(Error::Predicate {
                    index: *index,
                    reason: "message is disclosed or does not exist",
                })
        })
        .collect()
}

impl Credential {
    /// Builds a presentation answering `request`.
    pub fn present(
        &self,
        pk: &PublicKey,
        request: &PresentationRequest,
        rng: &mut impl RandomScalars,
    ) -> Result<Presentation, Error> {
        let nym = interface(self.suite);
        let l = self.messages.len();
        let scalars = crate::nym::NymBbs::all_scalars(
            &to_scalars(self.suite, &self.messages),
            &[],
            &self.blind,
            &self.nym_secrets,
        );
        let idx = crate::blind::combined_indexes(l, 0, &request.disclose, &[])?;
        let undisclosed = undisclosed_indexes(&idx, scalars.len())?;
        let positions = predicate_positions(request, &undisclosed)?;
        let randoms = ProofRandomness(rng.random_scalars(5 + undisclosed.len()));
        let api = nym.api_id();
        let mut provers = Vec::with_capacity(positions.len());
        let mut transcripts = Vec::with_capacity(positions.len());
        for ((index, predicate), k) in request.predicates.iter().zip(&positions) {
            let Message::Integer(value) = self.messages[*index] else {
                return Err(Error::Predicate {
                    index: *index,
                    reason: "not an integer message",
                });
            };
            let (prover, t) = range_commit(
                self.suite,
                &api,
                predicate,
                *index,
                value,
                randoms.0[5 + k],
                rng,
            )?;
            provers.push(prover);
            transcripts.push(t);
        }
        let ph = extended_ph(request, &transcripts);
        let layout = Layout {
            signer: l,
            blind: 1,
        };
        let (proof, pseudonym) = nym.prove_with_randoms(
            pk,
            &self.signature,
            &self.header,
            &ph,
            &request.verifier_id,
            &scalars,
            &idx,
            &undisclosed,
            1,
            layout,
            &randoms,
        )?;
        let ranges = provers
            .into_iter()
            .map(|p| p.respond(proof.challenge))
            .collect();
        let disclosed = request
            .disclose
            .iter()
            .map(|&i| self.messages[i].clone())
            .collect();
        Ok(Presentation {
            suite: self.suite,
            message_count: l,
            disclosed,
            pseudonym,
            ranges,
            proof,
        })
    }
}

/// Verifies a presentation against the issuer's key, the credential header and the request.
pub fn verify_presentation(
    pk: &PublicKey,
    credential_header: &[u8],
    request: &PresentationRequest,
    presentation: &Presentation,
) -> Result<VerifiedPresentation, Error> {
    let p = presentation;
    check_disclosures(&[(request.disclose.len(), p.disclosed.len())])?;
    if p.ranges.len() != request.predicates.len() {
        return Err(Error::ProofInvalid);
    }
    let nym = interface(p.suite);
    let api = nym.api_id();
    let total = p.disclosed.len() + p.proof.undisclosed_count();
    if total != p.message_count + 2 {
        return Err(Error::ProofInvalid);
    }
    let idx = crate::blind::combined_indexes(p.message_count, 0, &request.disclose, &[])?;
    let undisclosed = undisclosed_indexes(&idx, total)?;
    let positions = predicate_positions(request, &undisclosed)?;
    let mut transcripts = Vec::with_capacity(positions.len());
    for (((_, predicate), k), range) in request.predicates.iter().zip(&positions).zip(&p.ranges) {
        let x_hat: Scalar = p.proof.m_hat[*k];
        transcripts.push(range_verify(
            p.suite,
            &api,
            predicate,
            range,
            p.proof.challenge,
            x_hat,
        )?);
    }
    let ph = extended_ph(request, &transcripts);
    let pairs: Vec<(usize, Scalar)> = request
        .disclose
        .iter()
        .copied()
        .zip(to_scalars(p.suite, &p.disclosed))
        .collect();
    nym.verify_scalars(
        pk,
        &p.proof,
        credential_header,
        &ph,
        &p.pseudonym,
        &request.verifier_id,
        1,
        p.message_count,
        &pairs,
        &[],
    )?;
    Ok(VerifiedPresentation {
        pseudonym: p.pseudonym.to_bytes(),
        disclosed: request
            .disclose
            .iter()
            .copied()
            .zip(p.disclosed.iter().cloned())
            .collect(),
    })
}

impl Presentation {
    /// `"AKPR" || version || suite || I2OSP(L, 2) || I2OSP(R, 2) || messages || pseudonym ||
    /// I2OSP(P, 1) || P × (I2OSP(len, 4) || range proof) || BBS proof`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = b"AKPR".to_vec();
        out.extend_from_slice(&[VERSION, self.suite.code()]);
        out.extend_from_slice(&(self.message_count as u16).to_be_bytes());
        out.extend_from_slice(&(self.disclosed.len() as u16).to_be_bytes());
        self.disclosed.iter().for_each(|m| m.encode(&mut out));
        out.extend_from_slice(&self.pseudonym.to_bytes());
        out.push(self.ranges.len() as u8);
        for r in &self.ranges {
            let b = r.to_bytes();
            out.extend_from_slice(&(b.len() as u32).to_be_bytes());
            out.extend_from_slice(&b);
        }
        out.extend_from_slice(&self.proof.to_bytes());
        out
    }

    /// Decodes against the request (which fixes each range proof's shape).
    pub fn from_bytes(bytes: &[u8], request: &PresentationRequest) -> Result<Self, Error> {
        let suite = header(bytes, b"AKPR", "presentation")?;
        let mut r = Reader::new(bytes, "presentation");
        r.bytes(6)?;
        let message_count = r.u16()? as usize;
        let count = r.u16()? as usize;
        let disclosed = (0..count)
            .map(|_| Message::decode(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        let pseudonym = Pseudonym::from_bytes(r.bytes(48)?)?;
        let ranges_count = r.u8()? as usize;
        if ranges_count != request.predicates.len() {
            return Err(r.error("number of range proofs differs from the request"));
        }
        let mut ranges = Vec::with_capacity(ranges_count);
        for (_, predicate) in &request.predicates {
            let len = r.u32()? as usize;
            ranges.push(RangeProof::from_bytes(r.bytes(len)?, predicate)?);
        }
        let rest = r.bytes(r.remaining())?;
        let proof = Proof::from_bytes(rest)?;
        Ok(Presentation {
            suite,
            message_count,
            disclosed,
            pseudonym,
            ranges,
            proof,
        })
    }
}
