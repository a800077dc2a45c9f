use super::sigma::commit_digits;
use super::sigma::RangeProver;
use super::*;
use crate::core::core_sign;
use crate::generators::create_generators;
use crate::keys::SecretKey;
use crate::proof::{
    pairing_check, proof_challenge, proof_finalize, proof_init, proof_verify_init, Proof,
    ProofRandomness,
};
use crate::random::{RandomScalars, SeededScalars};

const API: &[u8] = b"AKASHI_RANGE_TEST_API_";
const DST: &[u8] = b"AKASHI_RANGE_TEST_CHALLENGE_";

fn seeded(suite: Suite, seed: &[u8]) -> SeededScalars {
    SeededScalars::new(suite, seed, b"AKASHI_RANGE_TEST_RNG_")
}

fn x_tilde(suite: Suite) -> Scalar {
    seeded(suite, b"x~").random_scalars(1)[0]
}

/// Finishes a first move as a stand-alone sigma protocol: `c = H(transcript)`,
/// `x^ = x~ + x*c` as the BBS proof would report it. Returns (proof, c, x^).
fn finish(
    suite: Suite,
    (prover, t): (RangeProver, Vec<u8>),
    value: i64,
) -> (RangeProof, Scalar, Scalar) {
    let c = suite.hash_to_scalar(&t, DST);
    let x_hat = x_tilde(suite) + integer_to_scalar(value) * c;
    (prover.respond(c), c, x_hat)
}

fn prove(suite: Suite, pred: &RangePredicate, value: i64) -> (RangeProof, Scalar, Scalar) {
    let first = range_commit(
        suite,
        API,
        pred,
        3,
        value,
        x_tilde(suite),
        &mut seeded(suite, b"r"),
    );
    finish(suite, first.expect("value in range"), value)
}

/// A prover that commits to the given digits whatever they are.
fn prove_digits(
    suite: Suite,
    pred: &RangePredicate,
    value: i64,
    digits: &[u64],
) -> (RangeProof, Scalar, Scalar) {
    let digits: Vec<Scalar> = digits.iter().map(|&d| Scalar::from_u64(d)).collect();
    let x = integer_to_scalar(value);
    let first = commit_digits(
        suite,
        API,
        pred,
        x,
        x_tilde(suite),
        &digits,
        &mut seeded(suite, b"r"),
    );
    finish(suite, first, value)
}

fn accepts(suite: Suite, pred: &RangePredicate, proof: &RangeProof, c: Scalar, x: Scalar) -> bool {
    range_verify(suite, API, pred, proof, c, x).is_ok_and(|t| suite.hash_to_scalar(&t, DST) == c)
}

fn bits_of(d: u64, n: u32) -> Vec<u64> {
    (0..n).map(|i| (d >> i) & 1).collect()
}

#[test]
fn integers_map_to_signed_scalars() {
    assert_eq!(integer_to_scalar(0), Scalar::zero());
    assert_eq!(integer_to_scalar(5) + integer_to_scalar(-5), Scalar::zero());
    assert_eq!(integer_to_scalar(-1), -Scalar::one());
    let two63 = Scalar::from_u64(1 << 63);
    assert_eq!(integer_to_scalar(i64::MIN), -two63);
    assert_eq!(integer_to_scalar(i64::MAX), two63 - Scalar::one());
}

#[test]
fn predicates_validate_their_width() {
    assert_eq!(
        RangePredicate::at_least(0, 0),
        Err(Error::InvalidRange("bits must be in 1..=64"))
    );
    assert!(RangePredicate::at_most(0, 65).is_err());
    assert!(RangePredicate::between(2, 1).is_err());
    assert_eq!(RangePredicate::between(7, 7).unwrap().bits(), 1);
    assert_eq!(RangePredicate::between(0, 255).unwrap().bits(), 8);
    assert_eq!(RangePredicate::between(0, 256).unwrap().bits(), 9);
    let all = RangePredicate::between(i64::MIN, i64::MAX).unwrap();
    assert_eq!(all.bits(), 64);
    assert!(all.contains(i64::MIN) && all.contains(i64::MAX));
    let adult = RangePredicate::at_least(18, 8).unwrap();
    assert!(adult.contains(18) && adult.contains(18 + 255));
    assert!(!adult.contains(17) && !adult.contains(18 + 256));
    assert_eq!(adult.proof_len(), 80 + 8 * 144);
    let b = RangePredicate::between(-3, 4).unwrap();
    let bounds: Vec<Bound> = b.bounds().collect();
    assert_eq!(bounds, [Bound::AtLeast(-3), Bound::AtMost(4)]);
    assert!(b.contains(-3) && b.contains(4) && !b.contains(-4) && !b.contains(5));
}

#[test]
fn bases_are_distinct_and_cached() {
    for suite in Suite::ALL {
        let (g, h) = pedersen_bases(suite, API);
        assert!(!g.is_identity() && !h.is_identity());
        assert_ne!(g, h);
        assert_ne!(g, G1::generator());
        assert_eq!(pedersen_bases(suite, API), (g, h));
        assert_ne!(pedersen_bases(suite, b"OTHER_API_").0, g);
    }
    assert_ne!(
        pedersen_bases(Suite::Sha256, API),
        pedersen_bases(Suite::Shake256, API)
    );
}

#[test]
fn honest_proofs_verify_at_the_boundaries() {
    let cases: &[(RangePredicate, &[i64])] = &[
        (
            RangePredicate::at_least(18, 8).unwrap(),
            &[18, 19, 200, 273],
        ),
        (RangePredicate::at_most(-5, 4).unwrap(), &[-5, -20]),
        (RangePredicate::between(-10, 300).unwrap(), &[-10, 0, 300]),
        (RangePredicate::between(7, 7).unwrap(), &[7]),
        (RangePredicate::at_least(i64::MIN, 1).unwrap(), &[i64::MIN]),
    ];
    for suite in Suite::ALL {
        for (pred, values) in cases {
            for &v in *values {
                let (proof, c, x_hat) = prove(suite, pred, v);
                assert!(accepts(suite, pred, &proof, c, x_hat), "{pred:?} {v}");
                let bytes = proof.to_bytes();
                assert_eq!(bytes.len(), pred.proof_len());
                assert_eq!(RangeProof::from_bytes(&bytes, pred).unwrap(), proof);
            }
        }
    }
}

#[test]
fn full_width_range_verifies() {
    // 2 * 64 bits need 514 random scalars, more than the seeded mock expands at once.
    let suite = Suite::Sha256;
    let pred = RangePredicate::between(i64::MIN, i64::MAX).unwrap();
    for v in [i64::MIN, -1, i64::MAX] {
        let first = range_commit(
            suite,
            API,
            &pred,
            0,
            v,
            x_tilde(suite),
            &mut rand_core::OsRng,
        );
        let (proof, c, x_hat) = finish(suite, first.unwrap(), v);
        assert!(accepts(suite, &pred, &proof, c, x_hat), "{v}");
        assert!(!accepts(suite, &pred, &proof, c, x_hat + c));
    }
}

#[test]
fn commit_refuses_values_outside_the_range() {
    let cases: &[(RangePredicate, &[i64])] = &[
        (
            RangePredicate::at_least(18, 8).unwrap(),
            &[17, 18 + 256, i64::MIN],
        ),
        (
            RangePredicate::at_most(-5, 4).unwrap(),
            &[-4, -21, i64::MAX],
        ),
        (RangePredicate::between(7, 7).unwrap(), &[6, 8]),
        (RangePredicate::between(-10, 300).unwrap(), &[-11, 301]),
    ];
    for (pred, values) in cases {
        for &v in *values {
            assert!(!pred.contains(v));
            let out = range_commit(
                Suite::Sha256,
                API,
                pred,
                3,
                v,
                Scalar::one(),
                &mut seeded(Suite::Sha256, b"r"),
            );
            assert!(
                matches!(out, Err(Error::PredicateUnsatisfied { index: 3 })),
                "{v}"
            );
        }
    }
}

#[test]
fn the_dishonest_helper_is_honest_with_honest_digits() {
    let pred = RangePredicate::at_least(18, 4).unwrap();
    let (proof, c, x_hat) = prove_digits(Suite::Sha256, &pred, 29, &bits_of(11, 4));
    assert!(accepts(Suite::Sha256, &pred, &proof, c, x_hat));
}

#[test]
fn wrapped_around_offsets_fail_the_sum_check() {
    let suite = Suite::Sha256;
    // value 17 < min 18: d = -1 decomposed as 15 (mod 2^4); 18 + 16: d = 16 as 0.
    let pred = RangePredicate::at_least(18, 4).unwrap();
    for (value, d) in [(17, 15), (34, 0)] {
        let (proof, c, x_hat) = prove_digits(suite, &pred, value, &bits_of(d, 4));
        let out = range_verify(suite, API, &pred, &proof, c, x_hat);
        assert_eq!(out, Err(Error::ProofInvalid), "{value}");
    }
    let pred = RangePredicate::at_most(0, 4).unwrap();
    let (proof, c, x_hat) = prove_digits(suite, &pred, 1, &bits_of(15, 4));
    assert!(!accepts(suite, &pred, &proof, c, x_hat));
}

#[test]
fn a_digit_of_two_fails_its_or_proof() {
    let suite = Suite::Shake256;
    // d = 16 = 2 * 2^3 satisfies the sum equation but bit 3 "is" 2.
    let pred = RangePredicate::at_least(18, 4).unwrap();
    let (proof, c, x_hat) = prove_digits(suite, &pred, 34, &[0, 0, 0, 2]);
    assert!(range_verify(suite, API, &pred, &proof, c, x_hat).is_ok());
    assert!(!accepts(suite, &pred, &proof, c, x_hat));
    // Below the range: d = -1 written as digits (-1, 0, 0, 0); bit 0 is forged.
    let digits = [
        -Scalar::one(),
        Scalar::zero(),
        Scalar::zero(),
        Scalar::zero(),
    ];
    let first = commit_digits(
        suite,
        API,
        &pred,
        integer_to_scalar(17),
        x_tilde(suite),
        &digits,
        &mut seeded(suite, b"r"),
    );
    let (proof, c, x_hat) = finish(suite, first, 17);
    assert!(range_verify(suite, API, &pred, &proof, c, x_hat).is_ok());
    assert!(!accepts(suite, &pred, &proof, c, x_hat));
}

#[test]
fn a_response_for_another_value_fails() {
    let suite = Suite::Sha256;
    let pred = RangePredicate::between(18, 65).unwrap();
    let (proof, c, x_hat) = prove(suite, &pred, 40);
    assert!(accepts(suite, &pred, &proof, c, x_hat));
    for other in [39, 41, 18, 100] {
        let forged = x_tilde(suite) + integer_to_scalar(other) * c;
        assert!(!accepts(suite, &pred, &proof, c, forged), "{other}");
    }
    // Another challenge, or the proof checked against another statement.
    assert!(!accepts(suite, &pred, &proof, c + Scalar::one(), x_hat));
    let looser = RangePredicate::between(17, 65).unwrap();
    assert!(!accepts(suite, &looser, &proof, c, x_hat));
}

#[test]
fn every_tampered_byte_is_rejected() {
    let suite = Suite::Sha256;
    let pred = RangePredicate::between(3, 5).unwrap();
    let (proof, c, x_hat) = prove(suite, &pred, 4);
    let bytes = proof.to_bytes();
    assert_eq!(bytes.len(), 80 + 2 * 2 * 144);
    for i in 0..bytes.len() {
        for flip in [0x01, 0x80] {
            let mut bad = bytes.clone();
            bad[i] ^= flip;
            let ok = RangeProof::from_bytes(&bad, &pred)
                .is_ok_and(|p| accepts(suite, &pred, &p, c, x_hat));
            assert!(!ok, "byte {i} ^ {flip:#x} accepted");
        }
    }
}

#[test]
fn malformed_encodings_report_the_offset() {
    let pred = RangePredicate::at_least(0, 2).unwrap();
    let (proof, _, _) = prove(Suite::Sha256, &pred, 3);
    let bytes = proof.to_bytes();
    let err = |b: &[u8], p: &RangePredicate| match RangeProof::from_bytes(b, p) {
        Err(Error::Malformed { offset, reason, .. }) => (offset, reason),
        other => panic!("expected Malformed, got {other:?}"),
    };
    assert_eq!(err(&bytes[..bytes.len() - 1], &pred), (367, "truncated"));
    assert_eq!(
        err(&[bytes.as_slice(), &[0]].concat(), &pred),
        (368, "trailing bytes")
    );
    let wider = RangePredicate::at_least(0, 3).unwrap();
    assert_eq!(err(&bytes, &wider), (368, "truncated"));
    let mut bad = bytes.clone();
    bad[..48].copy_from_slice(&G1::identity().to_bytes());
    assert_eq!(err(&bad, &pred), (0, "identity point"));
    let mut bad = bytes.clone();
    bad[48..80].fill(0xff);
    assert_eq!(err(&bad, &pred), (48, "scalar not below the group order r"));
    let mut bad = bytes.clone();
    bad[80 + 144 + 48 + 32..80 + 144 + 48 + 64].fill(0);
    assert_eq!(err(&bad, &pred), (80 + 144 + 80, "zero scalar"));
}

/// The whole recipe: the range transcript appended to the BBS presentation
/// header, `x~ = m~_j`, and the verifier using `m^_j` from the BBS proof.
#[test]
fn binds_to_a_bbs_proof_of_the_signed_integer() {
    for suite in Suite::ALL {
        let api = suite.api_id(crate::bbs::API_SUFFIX);
        let sk = SecretKey::key_gen(suite, &[7u8; 32], b"range").unwrap();
        let pk = sk.public_key();
        let gens = create_generators(suite, &api, 4);
        let pred = RangePredicate::at_least(18, 8).unwrap();
        let present = |signed_age: i64, claimed_age: i64| -> Option<(Proof, RangeProof)> {
            let messages = [
                Scalar::from_u64(5),
                integer_to_scalar(signed_age),
                Scalar::from_u64(9),
            ];
            let sig = core_sign(suite, &sk, &pk, &gens, b"hdr", &messages, &api).unwrap();
            let randoms = ProofRandomness(seeded(suite, b"bbs").random_scalars(6));
            let init = proof_init(
                suite,
                &pk,
                &sig,
                &gens,
                &randoms,
                b"hdr",
                &messages,
                &[1],
                &api,
            );
            let (prover, t) = range_commit(
                suite,
                &api,
                &pred,
                1,
                claimed_age,
                randoms.0[5],
                &mut seeded(suite, b"r"),
            )
            .ok()?;
            let disclosed = [(0, messages[0]), (2, messages[2])];
            let c = proof_challenge(
                suite,
                &init,
                &disclosed,
                &[b"ph".as_slice(), &t].concat(),
                &api,
            );
            let proof = proof_finalize(&init, c, sig.e, &randoms, &[messages[1]]);
            Some((proof, prover.respond(c)))
        };
        let verify = |proof: &Proof, range: &RangeProof, pred: &RangePredicate| {
            let disclosed = [(0, Scalar::from_u64(5)), (2, Scalar::from_u64(9))];
            let init = proof_verify_init(suite, &pk, proof, &gens, b"hdr", &disclosed, &[1], &api);
            let Ok(t) = range_verify(suite, &api, pred, range, proof.challenge, proof.m_hat[0])
            else {
                return false;
            };
            let ph = [b"ph".as_slice(), &t].concat();
            proof_challenge(suite, &init, &disclosed, &ph, &api) == proof.challenge
                && pairing_check(&pk, proof)
        };
        let (proof, range) = present(42, 42).unwrap();
        assert!(verify(&proof, &range, &pred));
        assert!(!verify(
            &proof,
            &range,
            &RangePredicate::at_least(19, 8).unwrap()
        ));
        // A signed 16 cannot be presented as 42: the range proof is not about m_j.
        let (proof, range) = present(16, 42).unwrap();
        assert!(!verify(&proof, &range, &pred));
        assert!(present(16, 16).is_none());
    }
}
