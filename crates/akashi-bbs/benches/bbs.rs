//! BBS (BLS12-381-SHA-256) side by side with zkryptium 0.8, plus a pairing floor.
//!
//! Every operation goes from bytes to bytes, as a signer, holder or verifier sees it:
//! sign returns the 80 encoded bytes; verify and proof_verify decode the signature or
//! proof (with subgroup checks) before checking it; proof_gen takes the encoded
//! signature and returns the encoded proof. Both libraries derive the generators on
//! every call. Randomness: Akashi draws from the OS (`OsRng`), zkryptium from
//! `rand::thread_rng()`, its only option.
//!
//! `floor` is the least a BBS ProofVerify can cost: its final check is one 2-term
//! pairing product, `e(Abar, W) * e(Bbar, -BP2) == 1`.
//!
//! Run: `cargo bench -p akashi-bbs --bench bbs` (about 2 min 10 s of measurement on 2 cores).

use akashi_bbs::curve::{pairing_product_is_one, Scalar, G1, G2};
use akashi_bbs::{Bbs, Proof, SecretKey, Signature, Suite};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rand_core::{OsRng, RngCore};
use std::time::Duration;
use zkryptium::bbsplus::ciphersuites::Bls12381Sha256;
use zkryptium::bbsplus::keys::BBSplusSecretKey;
use zkryptium::schemes::algorithms::BBSplus;
use zkryptium::schemes::generics::{PoKSignature, Signature as ZSignature};

type ZSig = ZSignature<BBSplus<Bls12381Sha256>>;
type ZProof = PoKSignature<BBSplus<Bls12381Sha256>>;

const HEADER: &[u8] = b"benchmark header";
const PH: &[u8] = b"benchmark presentation header";

fn messages(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("attribute {i:02}: a value of some length").into_bytes())
        .collect()
}

fn ops(c: &mut Criterion) {
    let bbs = Bbs::new(Suite::Sha256);
    let sk = SecretKey::key_gen(Suite::Sha256, &[7; 32], b"bench").unwrap();
    let pk = sk.public_key();
    let zsk = BBSplusSecretKey::from_bytes(sk.to_bytes().as_ref()).unwrap();
    let zpk = zsk.public_key();

    for n in [10usize, 20, 50] {
        let msgs = messages(n);
        let idx = [0, n / 2];
        let disclosed: Vec<Vec<u8>> = idx.iter().map(|&i| msgs[i].clone()).collect();
        let sig = bbs.sign(&sk, &pk, HEADER, &msgs).unwrap();
        let sig_bytes = sig.to_bytes();
        let proof_bytes = bbs
            .proof_gen(&pk, &sig, HEADER, PH, &msgs, &idx, &mut OsRng)
            .unwrap()
            .to_bytes();

        let mut g = c.benchmark_group(format!("n{n}"));
        g.bench_function("sign/akashi", |b| {
            b.iter(|| bbs.sign(&sk, &pk, HEADER, &msgs).unwrap().to_bytes())
        });
        g.bench_function("sign/zkryptium", |b| {
            b.iter(|| {
                ZSig::sign(Some(&msgs), &zsk, &zpk, Some(HEADER))
                    .unwrap()
                    .to_bytes()
            })
        });
        g.bench_function("verify/akashi", |b| {
            b.iter(|| {
                let s = Signature::from_bytes(black_box(&sig_bytes)).unwrap();
                bbs.verify(&pk, &s, HEADER, &msgs).unwrap()
            })
        });
        g.bench_function("verify/zkryptium", |b| {
            b.iter(|| {
                let s = ZSig::from_bytes(black_box(&sig_bytes)).unwrap();
                s.verify(&zpk, Some(&msgs), Some(HEADER)).unwrap()
            })
        });
        g.bench_function("proof_gen/akashi", |b| {
            b.iter(|| {
                let s = Signature::from_bytes(black_box(&sig_bytes)).unwrap();
                bbs.proof_gen(&pk, &s, HEADER, PH, &msgs, &idx, &mut OsRng)
                    .unwrap()
                    .to_bytes()
            })
        });
        g.bench_function("proof_gen/zkryptium", |b| {
            b.iter(|| {
                ZProof::proof_gen(
                    &zpk,
                    black_box(&sig_bytes),
                    Some(HEADER),
                    Some(PH),
                    Some(&msgs),
                    Some(&idx),
                )
                .unwrap()
                .to_bytes()
            })
        });
        g.bench_function("proof_verify/akashi", |b| {
            b.iter(|| {
                let p = Proof::from_bytes(black_box(&proof_bytes)).unwrap();
                bbs.proof_verify(&pk, &p, HEADER, PH, &disclosed, &idx)
                    .unwrap()
            })
        });
        g.bench_function("proof_verify/zkryptium", |b| {
            b.iter(|| {
                let p = ZProof::from_bytes(black_box(&proof_bytes)).unwrap();
                p.proof_verify(&zpk, Some(&disclosed), Some(&idx), Some(HEADER), Some(PH))
                    .unwrap()
            })
        });
        g.finish();
    }
}

/// Random-looking points in both groups from blst's safe API (min_pk: keys in G1,
/// signatures in G2).
fn blst_points() -> ([blst::blst_p1_affine; 2], [blst::blst_p2_affine; 2]) {
    let mut ikm = [0u8; 32];
    let mut point = |i: u8| {
        OsRng.fill_bytes(&mut ikm);
        let sk = blst::min_pk::SecretKey::key_gen(&ikm, &[]).unwrap();
        let p: blst::blst_p1_affine = sk.sk_to_pk().into();
        let q: blst::blst_p2_affine = sk.sign(&[i], b"floor", &[]).into();
        (p, q)
    };
    let ((p1, q1), (p2, q2)) = (point(1), point(2));
    ([p1, p2], [q1, q2])
}

fn floor(c: &mut Criterion) {
    let (ps, qs) = blst_points();
    let mut g = c.benchmark_group("floor");
    // blst's pairing context: both terms in one Miller loop (blst_miller_loop_n
    // with n = 2), then one final exponentiation and the comparison with 1; one thread.
    g.bench_function("blst_pairing_2term", |b| {
        b.iter(|| {
            let mut ctx = blst::Pairing::new(false, &[]);
            ctx.raw_aggregate(black_box(&qs[0]), black_box(&ps[0]));
            ctx.raw_aggregate(black_box(&qs[1]), black_box(&ps[1]));
            ctx.commit();
            ctx.finalverify(None)
        })
    });
    // The same product through blst_fp12::miller_loop_n, which (with blst's default
    // `std` build) hands the terms to its thread pool: one term per core here.
    g.bench_function("blst_fp12_miller_loop_n_threaded", |b| {
        b.iter(|| blst::blst_fp12::miller_loop_n(black_box(&qs), black_box(&ps)).final_exp())
    });
    // Akashi's own check (curve::pairing_product_is_one), from projective points:
    // two affine conversions per term, then the same loop and exponentiation.
    let r = |x: u8| Scalar::from_be_bytes_reduced(&[x; 48]);
    let terms = [
        (G1::generator().mul(&r(1)), G2::generator().mul(&r(2))),
        (G1::generator().mul(&r(3)), G2::generator()),
    ];
    g.bench_function("akashi_pairing_product_is_one", |b| {
        b.iter(|| pairing_product_is_one(black_box(&terms)))
    });
    g.finish();
}

/// A credential of 10 messages (8 byte strings, 2 integers) presented with the
/// verifier's pseudonym, 2 disclosed messages and, in the second case, one range
/// predicate ("born on or before the cutoff", 16 bits).
fn presentation(c: &mut Criterion) {
    use akashi_bbs::{
        issue, request_issuance, verify_presentation, HolderSecret, Message, NymEntropy,
        PresentationRequest, RangePredicate, SecretKey,
    };
    let suite = Suite::Sha256;
    let sk = SecretKey::generate(suite, &mut OsRng);
    let pk = sk.public_key();
    let mut msgs: Vec<Message> = (0..8u8).map(|i| Message::Bytes(vec![i; 16])).collect();
    msgs.push(Message::Integer(7400));
    msgs.push(Message::Integer(20800));
    let holder = HolderSecret::generate(&mut OsRng);
    let (request, pending) = request_issuance(suite, &holder, &mut OsRng);
    let issued = issue(
        &sk,
        &request,
        &NymEntropy::random(&mut OsRng),
        b"hdr",
        &msgs,
    )
    .unwrap();
    let cred = pending.finish(&pk, &issued, b"hdr", msgs).unwrap();
    let mut g = c.benchmark_group("presentation_n10");
    for (name, predicates) in [
        ("pseudonym", vec![]),
        (
            "pseudonym_range16",
            vec![(8, RangePredicate::at_most(13_000, 16).unwrap())],
        ),
    ] {
        let req = PresentationRequest {
            verifier_id: b"https://verifier.example".to_vec(),
            presentation_header: b"nonce".to_vec(),
            disclose: vec![0, 1],
            predicates,
        };
        g.bench_function(format!("{name}_gen"), |b| {
            b.iter(|| cred.present(&pk, black_box(&req), &mut OsRng).unwrap())
        });
        let p = cred.present(&pk, &req, &mut OsRng).unwrap();
        g.bench_function(format!("{name}_verify"), |b| {
            b.iter(|| verify_presentation(&pk, b"hdr", black_box(&req), black_box(&p)).unwrap())
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = floor, ops, presentation
}
criterion_main!(benches);
