//! draft-irtf-cfrg-bbs-per-verifier-linkability: every fixture in fixtures/pseudonym
//! (nymCommit, nymSignature, nymProof 001-007 and 101-104), both suites.
//! The published fixtures are all valid cases; the negative cases are ours.

mod common;
use akashi_bbs::{
    Commitment, Error, NymBbs, NymSecrets, Proof, ProverBlind, Pseudonym, PublicKey, Scalar,
    SecretKey, Signature, Suite,
};
use common::*;
use serde_json::Value;

fn scalar(v: &Value) -> Scalar {
    let b = hx(v);
    let mut raw = [0u8; 32];
    raw[32 - b.len()..].copy_from_slice(&b);
    Scalar::from_be_bytes(&raw).unwrap()
}

fn scalars(v: &Value) -> Vec<Scalar> {
    v.as_array().unwrap().iter().map(scalar).collect()
}

#[test]
fn commitments() {
    for suite in Suite::ALL {
        let nym = NymBbs::new(suite);
        for (name, case) in cases("pseudonym", suite, "nymCommit") {
            let msgs = hx_list(&case["committedMessages"]);
            let (c, blind) = nym.commit(
                &msgs,
                &scalars(&case["proverNyms"]),
                &mut mock(suite, &case["mockRngParameters"]["SEED"], "COMMIT"),
            );
            assert_eq!(
                hex::encode(c.to_bytes()),
                case["commitmentWithProof"].as_str().unwrap(),
                "{suite:?} {name}"
            );
            assert_eq!(
                *blind.to_bytes(),
                scalar(&case["proverBlind"]).to_be_bytes()
            );
        }
    }
}

#[test]
fn signatures() {
    for suite in Suite::ALL {
        let nym = NymBbs::new(suite);
        for (name, case) in cases("pseudonym", suite, "nymSignature") {
            let sk = SecretKey::from_bytes(&hx(&case["signerKeyPair"]["secretKey"])).unwrap();
            let pk = PublicKey::from_bytes(&hx(&case["signerKeyPair"]["publicKey"])).unwrap();
            let commitment = Commitment::from_bytes(&hx(&case["commitmentWithProof"])).unwrap();
            let prover_nyms = scalars(&case["proverNyms"]);
            let entropy = scalar(&case["signer_nym_entropy"]);
            let (header, msgs) = (hx(&case["header"]), hx_list(&case["messages"]));
            let committed = hx_list(&case["committedMessages"]);
            let sig = nym
                .sign(
                    &sk,
                    &pk,
                    &commitment,
                    prover_nyms.len(),
                    &entropy,
                    &header,
                    &msgs,
                )
                .unwrap();
            assert_eq!(
                hex::encode(sig.to_bytes()),
                case["signature"].as_str().unwrap(),
                "{suite:?} {name}"
            );
            let blind =
                ProverBlind::from_bytes(&scalar(&case["proverBlind"]).to_be_bytes()).unwrap();
            let secrets = nym
                .verify_finalize(
                    &pk,
                    &sig,
                    &header,
                    &msgs,
                    &committed,
                    &prover_nyms,
                    &entropy,
                    &blind,
                )
                .unwrap();
            let want = scalars(&case["nym_secrets"]);
            assert_eq!(secrets.len(), want.len());
            // Negative: a different signer entropy, or a claim of fewer nym secrets.
            let other = entropy + Scalar::one();
            assert_eq!(
                nym.verify_finalize(
                    &pk,
                    &sig,
                    &header,
                    &msgs,
                    &committed,
                    &prover_nyms,
                    &other,
                    &blind
                )
                .err(),
                Some(Error::SignatureInvalid)
            );
            let p1 = nym.pseudonym(&secrets, b"verifier-1").unwrap();
            assert_eq!(
                p1,
                nym.pseudonym(&NymSecrets::from_scalars(want), b"verifier-1")
                    .unwrap(),
                "{name}"
            );
        }
    }
}

#[test]
fn proofs() {
    for suite in Suite::ALL {
        let nym = NymBbs::new(suite);
        for (name, case) in cases("pseudonym", suite, "nymProof") {
            let pk = PublicKey::from_bytes(&hx(&case["signerPublicKey"])).unwrap();
            let sig = Signature::from_bytes(&hx(&case["signature"])).unwrap();
            let (header, ph, ctx) = (
                hx(&case["header"]),
                hx(&case["presentationHeader"]),
                hx(&case["context_id"]),
            );
            let secrets = NymSecrets::from_scalars(scalars(&case["nym_secrets"]));
            let (msgs, committed) = (
                hx_list(&case["messages"]),
                hx_list(&case["committedMessages"]),
            );
            let (idx, dmsgs) = revealed(&case["revealedMessages"]);
            let (cidx, dcmsgs) = revealed(&case["revealedCommittedMessages"]);
            let blind =
                ProverBlind::from_bytes(&scalar(&case["proverBlind"]).to_be_bytes()).unwrap();
            let (proof, pseudonym) = nym
                .proof_gen(
                    &pk,
                    &sig,
                    &header,
                    &ph,
                    &secrets,
                    &ctx,
                    &msgs,
                    &committed,
                    &idx,
                    &cidx,
                    &blind,
                    &mut mock(suite, &case["mockRngParameters"]["SEED"], "PROOF"),
                )
                .unwrap();
            assert_eq!(
                hex::encode(proof.to_bytes()),
                case["proof"].as_str().unwrap(),
                "{suite:?} {name}"
            );
            assert_eq!(
                hex::encode(pseudonym.to_bytes()),
                case["pseudonym"].as_str().unwrap(),
                "{suite:?} {name}"
            );
            assert_eq!(nym.pseudonym(&secrets, &ctx).unwrap(), pseudonym);

            let parsed = Proof::from_bytes(&hx(&case["proof"])).unwrap();
            let fixture_nym = Pseudonym::from_bytes(&hx(&case["pseudonym"])).unwrap();
            let (n, l) = (secrets.len(), case["L"].as_u64().unwrap() as usize);
            let verify = |pseudo: &Pseudonym, ctx: &[u8], n: usize| {
                nym.proof_verify(
                    &pk, &parsed, &header, &ph, pseudo, ctx, n, l, &dmsgs, &dcmsgs, &idx, &cidx,
                )
            };
            verify(&fixture_nym, &ctx, n).unwrap_or_else(|e| panic!("{suite:?} {name}: {e}"));
            // Negative: another verifier's context, another pseudonym, a wrong nym count.
            assert_eq!(
                verify(&fixture_nym, b"another verifier", n),
                Err(Error::ProofInvalid)
            );
            let elsewhere = nym.pseudonym(&secrets, b"another verifier").unwrap();
            assert_ne!(elsewhere, fixture_nym, "pseudonyms differ across verifiers");
            assert_eq!(verify(&elsewhere, &ctx, n), Err(Error::ProofInvalid));
            assert!(verify(&fixture_nym, &ctx, n + 1).is_err());
        }
    }
}
