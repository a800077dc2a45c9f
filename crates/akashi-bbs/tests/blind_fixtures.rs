//! draft-irtf-cfrg-bbs-blind-signatures: every fixture in fixtures/blind, both suites.
//! The published blind fixtures are all valid cases; the negative cases are ours.

mod common;
use akashi_bbs::{
    create_generators, BlindBbs, Commitment, Error, Proof, ProverBlind, PublicKey, SecretKey,
    Signature, Suite,
};
use common::*;
use serde_json::Value;

fn api(suite: Suite) -> Vec<u8> {
    suite.api_id(b"BLIND_H2G_HM2S_")
}

fn blind_of(v: &Value) -> Option<ProverBlind> {
    v.as_str()
        .map(|_| ProverBlind::from_bytes(&hx(v).try_into().unwrap()).unwrap())
}

#[test]
fn generators() {
    for suite in Suite::ALL {
        let f = one("blind", suite, "generators.json");
        let h = f["generators"]["MsgGenerators"].as_array().unwrap();
        let g = create_generators(suite, &api(suite), h.len() + 1);
        assert_eq!(
            hex::encode(g[0].to_bytes()),
            f["generators"]["Q1"].as_str().unwrap()
        );
        assert!(g[1..]
            .iter()
            .zip(h)
            .all(|(p, w)| hex::encode(p.to_bytes()) == w.as_str().unwrap()));
        let j = f["blindGenerators"]["MsgGenerators"].as_array().unwrap();
        let bg = create_generators(
            suite,
            &[b"BLIND_".as_slice(), &api(suite)].concat(),
            j.len() + 1,
        );
        assert_eq!(
            hex::encode(bg[0].to_bytes()),
            f["blindGenerators"]["Q1"].as_str().unwrap()
        );
        assert!(bg[1..]
            .iter()
            .zip(j)
            .all(|(p, w)| hex::encode(p.to_bytes()) == w.as_str().unwrap()));
    }
}

#[test]
fn commitments() {
    for suite in Suite::ALL {
        let bbs = BlindBbs::new(suite);
        for (name, case) in cases("blind", suite, "commit") {
            assert!(valid(&case));
            let msgs = hx_list(&case["committedMessages"]);
            let mut rng = mock(suite, &case["mockRngParameters"]["SEED"], "COMMIT");
            let (commitment, blind) = bbs.commit(&msgs, &mut rng);
            assert_eq!(
                hex::encode(commitment.to_bytes()),
                case["commitmentWithProof"].as_str().unwrap(),
                "{name}"
            );
            assert_eq!(
                hex::encode(*blind.to_bytes()),
                case["proverBlind"].as_str().unwrap(),
                "{name}"
            );
            assert_eq!(
                Commitment::from_bytes(&commitment.to_bytes()).unwrap(),
                commitment
            );
        }
    }
}

#[test]
fn signatures() {
    for suite in Suite::ALL {
        let bbs = BlindBbs::new(suite);
        for (name, case) in cases("blind", suite, "signature") {
            assert!(valid(&case));
            let sk = SecretKey::from_bytes(&hx(&case["signerKeyPair"]["secretKey"])).unwrap();
            let pk = PublicKey::from_bytes(&hx(&case["signerKeyPair"]["publicKey"])).unwrap();
            let commitment = case["commitmentWithProof"]
                .as_str()
                .map(|_| Commitment::from_bytes(&hx(&case["commitmentWithProof"])).unwrap());
            let header = hx(&case["header"]);
            let msgs = hx_list(&case["messages"]);
            let committed = hx_list(&case["committedMessages"]);
            let blind = blind_of(&case["proverBlind"]);
            let sig = bbs
                .sign(&sk, &pk, commitment.as_ref(), &header, &msgs)
                .unwrap();
            assert_eq!(
                hex::encode(sig.to_bytes()),
                case["signature"].as_str().unwrap(),
                "{suite:?} {name}"
            );
            bbs.verify(&pk, &sig, &header, &msgs, &committed, blind.as_ref())
                .unwrap();
            // The holder's view fails with a wrong blind or a changed committed message.
            if let Some(c) = committed.first() {
                let mut changed = committed.clone();
                changed[0] = [c.as_slice(), b"x"].concat();
                assert_eq!(
                    bbs.verify(&pk, &sig, &header, &msgs, &changed, blind.as_ref()),
                    Err(Error::SignatureInvalid)
                );
            }
            let wrong = ProverBlind::from_bytes(&[7; 32]).unwrap();
            assert_eq!(
                bbs.verify(&pk, &sig, &header, &msgs, &committed, Some(&wrong)),
                Err(Error::SignatureInvalid)
            );
        }
    }
}

#[test]
fn tampered_commitment_is_refused_by_the_signer() {
    for suite in Suite::ALL {
        let bbs = BlindBbs::new(suite);
        let case = one("blind", suite, "commit/commit002.json");
        let mut bytes = hx(&case["commitmentWithProof"]);
        let last = bytes.len() - 1;
        bytes[last - 40] ^= 1; // inside one response
        let sk = SecretKey::from_bytes(&[1; 32]).unwrap();
        let tampered = Commitment::from_bytes(&bytes).unwrap();
        let msgs: [&[u8]; 0] = [];
        assert_eq!(
            bbs.sign(&sk, &sk.public_key(), Some(&tampered), b"", &msgs),
            Err(Error::CommitmentInvalid)
        );
    }
}

#[test]
fn proofs() {
    let all = load(&fixtures_dir().join("blind/messages.json"));
    let messages = hx_list(&all["messages"]);
    for suite in Suite::ALL {
        let bbs = BlindBbs::new(suite);
        for (name, case) in cases("blind", suite, "proof") {
            assert!(valid(&case));
            let pk = PublicKey::from_bytes(&hx(&case["signerPublicKey"])).unwrap();
            let sig = Signature::from_bytes(&hx(&case["signature"])).unwrap();
            let (header, ph) = (hx(&case["header"]), hx(&case["presentationHeader"]));
            let committed = if case["revealedCommittedMessages"].is_null() {
                vec![]
            } else {
                hx_list(&all["committedMessages"])
            };
            let (idx, dmsgs) = revealed(&case["revealedMessages"]);
            let (cidx, dcmsgs) = revealed(&case["revealedCommittedMessages"]);
            let blind = blind_of(&case["proverBlind"]);
            let mut rng = mock(suite, &case["mockRngParameters"]["SEED"], "PROOF");
            let proof = bbs
                .proof_gen(
                    &pk,
                    &sig,
                    &header,
                    &ph,
                    &messages,
                    &committed,
                    &idx,
                    &cidx,
                    blind.as_ref(),
                    &mut rng,
                )
                .unwrap();
            assert_eq!(
                hex::encode(proof.to_bytes()),
                case["proof"].as_str().unwrap(),
                "{suite:?} {name}"
            );
            let l = case["L"].as_u64().unwrap() as usize;
            let parsed = Proof::from_bytes(&hx(&case["proof"])).unwrap();
            bbs.proof_verify(&pk, &parsed, &header, &ph, l, &dmsgs, &dcmsgs, &idx, &cidx)
                .unwrap();
            // Negative: another presentation header, or a committed message claimed as a signer one.
            assert_eq!(
                bbs.proof_verify(&pk, &parsed, &header, b"other", l, &dmsgs, &dcmsgs, &idx, &cidx),
                Err(Error::ProofInvalid)
            );
            if let (Some(_), Some(first)) = (dcmsgs.first(), dmsgs.first()) {
                let mut swapped = dmsgs.clone();
                swapped[0] = dcmsgs[0].clone();
                assert_ne!(first, &dcmsgs[0]);
                assert!(bbs
                    .proof_verify(&pk, &parsed, &header, &ph, l, &swapped, &dcmsgs, &idx, &cidx)
                    .is_err());
            }
        }
    }
}
