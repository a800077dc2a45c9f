//! Proof of knowledge of a signature with selective disclosure
//! (draft-irtf-cfrg-bbs-signatures §3.6.3–§3.7.4), split into the draft's
//! subroutines so that extensions (blind messages, pseudonyms, range
//! predicates) can share random scalars and add to the challenge.

use crate::core::{calculate_domain, h2s_dst, Secrecy, Signature};
use crate::curve::{bp2_prepared, prepared_pairing_product_is_one, Scalar, G1};
use crate::encoding::{Reader, Transcript};
use crate::error::Error;
use crate::generators::GeneratorList;
use crate::keys::PublicKey;
use crate::suite::{Suite, POINT_LEN, SCALAR_LEN};

/// A BBS proof.
///
/// ```text
/// proof_to_octets = serialize((Abar, Bbar, D, e^, r1^, r3^, m^_j1, ..., m^_jU, c))
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Proof {
    pub(crate) a_bar: G1,
    pub(crate) b_bar: G1,
    pub(crate) d: G1,
    pub(crate) e_hat: Scalar,
    pub(crate) r1_hat: Scalar,
    pub(crate) r3_hat: Scalar,
    /// One response per undisclosed message, in message order.
    pub(crate) m_hat: Vec<Scalar>,
    pub(crate) challenge: Scalar,
}

impl Proof {
    /// `3 * octet_point_length + 4 * octet_scalar_length`.
    pub const MIN_LEN: usize = 3 * POINT_LEN + 4 * SCALAR_LEN;

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut t = Transcript::new();
        t.g1(&self.a_bar).g1(&self.b_bar).g1(&self.d);
        t.scalar(&self.e_hat)
            .scalar(&self.r1_hat)
            .scalar(&self.r3_hat);
        self.m_hat.iter().for_each(|m| {
            t.scalar(m);
        });
        t.scalar(&self.challenge);
        t.into_bytes()
    }

    /// octets_to_proof: three subgroup points (not the identity), then scalars in 1..r-1.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "proof");
        if bytes.len() < Self::MIN_LEN {
            return Err(r.error("shorter than the smallest proof"));
        }
        if !(bytes.len() - 3 * POINT_LEN).is_multiple_of(SCALAR_LEN) {
            return Err(Error::Malformed {
                what: "proof",
                offset: bytes.len() - (bytes.len() - 3 * POINT_LEN) % SCALAR_LEN,
                reason: "partial scalar at the end",
            });
        }
        let (a_bar, b_bar, d) = (r.g1()?, r.g1()?, r.g1()?);
        let mut scalars = Vec::with_capacity(r.remaining() / SCALAR_LEN);
        while r.remaining() > 0 {
            scalars.push(r.nonzero_scalar()?);
        }
        r.finish()?;
        let challenge = scalars.pop().expect("at least four scalars");
        let m_hat = scalars.split_off(3);
        Ok(Proof {
            a_bar,
            b_bar,
            d,
            e_hat: scalars[0],
            r1_hat: scalars[1],
            r3_hat: scalars[2],
            m_hat,
            challenge,
        })
    }

    /// The number of undisclosed messages the proof covers.
    pub fn undisclosed_count(&self) -> usize {
        self.m_hat.len()
    }
}

/// `(Abar, Bbar, D, T1, T2, domain)`: ProofInit / ProofVerifyInit output.
pub(crate) struct InitResult {
    pub a_bar: G1,
    pub b_bar: G1,
    pub d: G1,
    pub t1: G1,
    pub t2: G1,
    pub domain: Scalar,
}

/// The random scalars of one proof: `(r1, r2, e~, r1~, r3~, m~_j1..m~_jU)`.
pub(crate) struct ProofRandomness(pub Vec<Scalar>);

impl Drop for ProofRandomness {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(zeroize::Zeroize::zeroize);
    }
}

/// ProofInit (§3.7.1).
#[allow(clippy::too_many_arguments)]
pub(crate) fn proof_init(
    suite: Suite,
    pk: &PublicKey,
    signature: &Signature,
    generators: &(impl GeneratorList + ?Sized),
    randoms: &ProofRandomness,
    header: &[u8],
    messages: &[Scalar],
    undisclosed: &[usize],
    api_id: &[u8],
) -> InitResult {
    let r = &randoms.0;
    assert_eq!(r.len(), undisclosed.len() + 5, "5 + U random scalars");
    assert_eq!(
        generators.points().len(),
        messages.len() + 1,
        "one generator per message plus Q_1"
    );
    let (q1, h) = (&generators.points()[0], &generators.points()[1..]);
    let domain = calculate_domain(suite, pk, q1, h, header, api_id);
    let (r1, r2, e_t, r1_t) = (r[0], r[1], r[2], r[3]);

    // B: the public part (P1, Q_1, disclosed messages) by a variable-time MSM,
    // the hidden messages in constant time.
    // With tables, row j + 2 holds H_j.
    let mut public = messages.to_vec();
    let mut hidden_scalars = Vec::with_capacity(undisclosed.len());
    for &j in undisclosed {
        hidden_scalars.push(messages[j]);
        public[j] = Scalar::zero();
    }
    let secret_sum = |scalars: &[Scalar]| match generators.tables() {
        Some(tables) => {
            let rows: Vec<usize> = undisclosed.iter().map(|j| j + 2).collect();
            tables.ct.msm(&rows, scalars)
        }
        None => {
            let points: Vec<G1> = undisclosed.iter().map(|&j| h[j]).collect();
            G1::msm_ct(&points, scalars)
        }
    };
    let b = crate::core::compute_b(suite, generators, &domain, &public, Secrecy::Public)
        + secret_sum(&hidden_scalars);
    hidden_scalars
        .iter_mut()
        .for_each(zeroize::Zeroize::zeroize);

    let d = b.mul(&r2);
    let a_bar = signature.a.mul(&(r1 * r2));
    let b_bar = G1::msm_ct(&[d, a_bar], &[r1, -signature.e]);
    let t1 = G1::msm_ct(&[a_bar, d], &[e_t, r1_t]);
    // r[4..] = (r3~, m~_j1, ..., m~_jU)
    let t2 = d.mul(&r[4]) + secret_sum(&r[5..]);
    InitResult {
        a_bar,
        b_bar,
        d,
        t1,
        t2,
        domain,
    }
}

/// `serialize((R, i1, msg_i1, ..., iR, msg_iR, Abar, Bbar, D, T1, T2, extra.., domain))`;
/// `extra` is empty for plain BBS and `(pseudonym, Ut)` for pseudonym proofs.
pub(crate) fn challenge_elements(
    init: &InitResult,
    disclosed: &[(usize, Scalar)],
    extra: &[G1],
) -> Transcript {
    let mut t = Transcript::new();
    t.u64(disclosed.len() as u64);
    for (i, m) in disclosed {
        t.u64(*i as u64).scalar(m);
    }
    // One shared inversion for all the compressions.
    let mut points = vec![init.a_bar, init.b_bar, init.d, init.t1, init.t2];
    points.extend_from_slice(extra);
    G1::batch_to_bytes(&points).iter().for_each(|p| {
        t.bytes(p);
    });
    t.scalar(&init.domain);
    t
}

/// ProofChallengeCalculate (§3.7.4).
pub(crate) fn proof_challenge(
    suite: Suite,
    init: &InitResult,
    disclosed: &[(usize, Scalar)],
    ph: &[u8],
    api_id: &[u8],
) -> Scalar {
    let mut t = challenge_elements(init, disclosed, &[]);
    t.prefixed(ph);
    suite.hash_to_scalar(t.as_bytes(), &h2s_dst(api_id))
}

/// ProofFinalize (§3.7.2).
pub(crate) fn proof_finalize(
    init: &InitResult,
    challenge: Scalar,
    e: Scalar,
    randoms: &ProofRandomness,
    undisclosed_messages: &[Scalar],
) -> Proof {
    let r = &randoms.0;
    let (r1, r2, e_t, r1_t, r3_t) = (r[0], r[1], r[2], r[3], r[4]);
    let r3 = r2.invert().expect("r2 is a non-zero random scalar");
    Proof {
        a_bar: init.a_bar,
        b_bar: init.b_bar,
        d: init.d,
        e_hat: e_t + e * challenge,
        r1_hat: r1_t - r1 * challenge,
        r3_hat: r3_t - r3 * challenge,
        m_hat: r[5..]
            .iter()
            .zip(undisclosed_messages)
            .map(|(m_t, m)| *m_t + *m * challenge)
            .collect(),
        challenge,
    }
}

/// ProofVerifyInit (§3.7.3), with the generators for `L = R + U` messages.
#[allow(clippy::too_many_arguments)]
pub(crate) fn proof_verify_init(
    suite: Suite,
    pk: &PublicKey,
    proof: &Proof,
    generators: &(impl GeneratorList + ?Sized),
    header: &[u8],
    disclosed: &[(usize, Scalar)],
    undisclosed: &[usize],
    api_id: &[u8],
) -> InitResult {
    let (q1, h) = (&generators.points()[0], &generators.points()[1..]);
    let domain = calculate_domain(suite, pk, q1, h, header, api_id);
    let c = proof.challenge;
    let t1 = G1::msm_vartime(
        &[proof.b_bar, proof.a_bar, proof.d],
        &[c, proof.e_hat, proof.r1_hat],
    );
    // T2 = Bv * c + D * r3^ + Σ H_j * m^_j, with Bv expanded: every generator
    // appears once, with c, domain * c, msg_i * c (disclosed) or m^_j (hidden).
    let mut scalars = vec![Scalar::zero(); h.len() + 2];
    scalars[0] = c;
    scalars[1] = domain * c;
    for (i, m) in disclosed {
        scalars[i + 2] = *m * c;
    }
    for (j, m_hat) in undisclosed.iter().zip(&proof.m_hat) {
        scalars[j + 2] = *m_hat;
    }
    let t2 = match generators.tables() {
        Some(tables) => tables.fixed.msm(&scalars) + proof.d.mul(&proof.r3_hat),
        None => {
            let mut points = vec![suite.p1(), *q1];
            points.extend_from_slice(h);
            points.push(proof.d);
            scalars.push(proof.r3_hat);
            G1::msm_vartime(&points, &scalars)
        }
    };
    InitResult {
        a_bar: proof.a_bar,
        b_bar: proof.b_bar,
        d: proof.d,
        t1,
        t2,
        domain,
    }
}

/// The final check of CoreProofVerify: `h(Abar, W) * h(Bbar, -BP2) == Identity_GT`.
pub(crate) fn pairing_check(pk: &PublicKey, proof: &Proof) -> bool {
    prepared_pairing_product_is_one(&[(proof.a_bar, pk.prepared()), (-proof.b_bar, bp2_prepared())])
}

/// CoreProofGen (§3.6.3) over scalar messages and explicit generators.
#[allow(clippy::too_many_arguments)]
pub(crate) fn core_proof_gen(
    suite: Suite,
    pk: &PublicKey,
    signature: &Signature,
    generators: &(impl GeneratorList + ?Sized),
    header: &[u8],
    ph: &[u8],
    messages: &[Scalar],
    disclosed_indexes: &[usize],
    api_id: &[u8],
    rng: &mut impl crate::random::RandomScalars,
) -> Result<Proof, Error> {
    let undisclosed = crate::core::undisclosed_indexes(disclosed_indexes, messages.len())?;
    let randoms = ProofRandomness(rng.random_scalars(5 + undisclosed.len()));
    let init = proof_init(
        suite,
        pk,
        signature,
        generators,
        &randoms,
        header,
        messages,
        &undisclosed,
        api_id,
    );
    let disclosed: Vec<(usize, Scalar)> = disclosed_indexes
        .iter()
        .map(|&i| (i, messages[i]))
        .collect();
    let challenge = proof_challenge(suite, &init, &disclosed, ph, api_id);
    let hidden: Vec<Scalar> = undisclosed.iter().map(|&j| messages[j]).collect();
    Ok(proof_finalize(
        &init,
        challenge,
        signature.e,
        &randoms,
        &hidden,
    ))
}

/// CoreProofVerify (§3.6.4); `generators` must number `R + U + 1`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn core_proof_verify(
    suite: Suite,
    pk: &PublicKey,
    proof: &Proof,
    generators: &(impl GeneratorList + ?Sized),
    header: &[u8],
    ph: &[u8],
    disclosed: &[(usize, Scalar)],
    api_id: &[u8],
) -> Result<(), Error> {
    let count = disclosed.len() + proof.undisclosed_count();
    assert_eq!(
        generators.points().len(),
        count + 1,
        "one generator per message plus Q_1"
    );
    let indexes: Vec<usize> = disclosed.iter().map(|(i, _)| *i).collect();
    let undisclosed = crate::core::undisclosed_indexes(&indexes, count)?;
    let init = proof_verify_init(
        suite,
        pk,
        proof,
        generators,
        header,
        disclosed,
        &undisclosed,
        api_id,
    );
    let challenge = proof_challenge(suite, &init, disclosed, ph, api_id);
    if challenge != proof.challenge || !pairing_check(pk, proof) {
        return Err(Error::ProofInvalid);
    }
    Ok(())
}
