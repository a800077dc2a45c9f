//! Property tests of the BBS interface: a valid proof verifies; changing anything the
//! proof binds (a disclosed message, the header, the presentation header, the
//! disclosed index set, any byte of the proof or of the signature) makes decoding or
//! verification fail; two proofs of the same signature share no 16-byte window.

use akashi_bbs::{Bbs, Proof, PublicKey, SecretKey, SeededScalars, Signature, Suite};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use rand_core::OsRng;
use std::collections::HashSet;

#[derive(Debug, Clone)]
struct Case {
    suite: Suite,
    key_material: [u8; 32],
    messages: Vec<Vec<u8>>,
    header: Vec<u8>,
    ph: Vec<u8>,
    /// Bit i set: message i is disclosed.
    mask: u8,
    /// Seed of the draft's deterministic scalar generator, so a failing case replays.
    seed: [u8; 16],
    /// One position inside each component of the proof (and of the signature).
    positions: Vec<Index>,
    /// The non-zero value XORed into a byte to tamper with it.
    xor: u8,
    /// Which disclosed index the index-set mutations act on.
    which: Index,
}

impl Case {
    fn disclosed(&self) -> Vec<usize> {
        (0..self.messages.len())
            .filter(|i| self.mask & (1 << i) != 0)
            .collect()
    }
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just(Suite::Sha256), Just(Suite::Shake256)],
        any::<[u8; 32]>(),
        vec(vec(any::<u8>(), 0..48), 1..=8),
        vec(any::<u8>(), 0..40),
        vec(any::<u8>(), 0..40),
        any::<u8>(),
        any::<[u8; 16]>(),
        vec(any::<Index>(), 3 + 4 + 8),
        1u8..=255,
        any::<Index>(),
    )
        .prop_map(
            |(suite, key_material, messages, header, ph, mask, seed, positions, xor, which)| Case {
                suite,
                key_material,
                messages,
                header,
                ph,
                mask,
                seed,
                positions,
                xor,
                which,
            },
        )
}

/// The proof's components as byte ranges: Abar, Bbar, D (48 bytes), then the scalars.
fn proof_components(len: usize) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<_> = (0..3).map(|i| i * 48..(i + 1) * 48).collect();
    out.extend((144..len).step_by(32).map(|s| s..s + 32));
    out
}

fn changed(bytes: &[u8], xor: u8) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match out.first_mut() {
        Some(b) => *b ^= xor,
        None => out.push(xor),
    }
    out
}

struct Setup {
    bbs: Bbs,
    pk: PublicKey,
    sig: Signature,
}

fn setup(c: &Case) -> Setup {
    let bbs = Bbs::new(c.suite);
    let sk = SecretKey::key_gen(c.suite, &c.key_material, b"").unwrap();
    let pk = sk.public_key();
    let sig = bbs.sign(&sk, &pk, &c.header, &c.messages).unwrap();
    Setup { bbs, pk, sig }
}

fn verifies(
    s: &Setup,
    proof: &Proof,
    header: &[u8],
    ph: &[u8],
    msgs: &[Vec<u8>],
    idx: &[usize],
) -> bool {
    s.bbs
        .proof_verify(&s.pk, proof, header, ph, msgs, idx)
        .is_ok()
}

fn pick(msgs: &[Vec<u8>], idx: &[usize]) -> Vec<Vec<u8>> {
    idx.iter().map(|&i| msgs[i].clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn proofs_bind_everything(c in case()) {
        let s = setup(&c);
        let (n, idx) = (c.messages.len(), c.disclosed());
        let disclosed = pick(&c.messages, &idx);
        s.bbs.verify(&s.pk, &s.sig, &c.header, &c.messages).unwrap();
        let mut rng = SeededScalars::new(c.suite, &c.seed, b"properties");
        let proof = s.bbs
            .proof_gen(&s.pk, &s.sig, &c.header, &c.ph, &c.messages, &idx, &mut rng)
            .unwrap();
        let bytes = proof.to_bytes();
        prop_assert_eq!(bytes.len(), 272 + 32 * (n - idx.len()));
        prop_assert_eq!(&Proof::from_bytes(&bytes).unwrap(), &proof);
        prop_assert!(verifies(&s, &proof, &c.header, &c.ph, &disclosed, &idx));

        // Any one disclosed message changed.
        for k in 0..idx.len() {
            let mut bad = disclosed.clone();
            bad[k] = changed(&bad[k], c.xor);
            prop_assert!(!verifies(&s, &proof, &c.header, &c.ph, &bad, &idx), "message {} changed", idx[k]);
        }
        // Header and presentation header: one byte changed, one byte appended.
        for h in [changed(&c.header, c.xor), [c.header.as_slice(), &[c.xor]].concat()] {
            prop_assert!(!verifies(&s, &proof, &h, &c.ph, &disclosed, &idx), "header changed");
        }
        for ph in [changed(&c.ph, c.xor), [c.ph.as_slice(), &[c.xor]].concat()] {
            prop_assert!(!verifies(&s, &proof, &c.header, &ph, &disclosed, &idx), "ph changed");
        }

        // The disclosed index set: shifted up and down, one index added, one removed
        // (the message lists follow the index lists, so only the positions lie).
        if !idx.is_empty() {
            let up: Vec<usize> = idx.iter().map(|i| i + 1).collect();
            prop_assert!(!verifies(&s, &proof, &c.header, &c.ph, &disclosed, &up), "indexes +1");
            if idx[0] > 0 {
                let down: Vec<usize> = idx.iter().map(|i| i - 1).collect();
                prop_assert!(!verifies(&s, &proof, &c.header, &c.ph, &disclosed, &down), "indexes -1");
            }
            // Only one index moved to a free neighbour.
            let k = c.which.index(idx.len());
            let moved = idx[k] + 1;
            if moved < n && !idx.contains(&moved) {
                let mut one = idx.clone();
                one[k] = moved;
                prop_assert!(!verifies(&s, &proof, &c.header, &c.ph, &disclosed, &one), "index {} moved", idx[k]);
            }
            let mut fewer = idx.clone();
            fewer.remove(k);
            let fewer_msgs = pick(&c.messages, &fewer);
            prop_assert!(!verifies(&s, &proof, &c.header, &c.ph, &fewer_msgs, &fewer), "index {} removed", idx[k]);
        }
        let hidden: Vec<usize> = (0..n).filter(|i| !idx.contains(i)).collect();
        if !hidden.is_empty() {
            let mut more = idx.clone();
            more.push(hidden[c.which.index(hidden.len())]);
            more.sort_unstable();
            let more_msgs = pick(&c.messages, &more);
            prop_assert!(!verifies(&s, &proof, &c.header, &c.ph, &more_msgs, &more), "index added");
        }

        // One byte flipped in each component of the proof.
        for (range, pos) in proof_components(bytes.len()).into_iter().zip(&c.positions) {
            let mut bad = bytes.clone();
            let at = range.start + pos.index(range.len());
            bad[at] ^= c.xor;
            if let Ok(p) = Proof::from_bytes(&bad) {
                prop_assert!(!verifies(&s, &p, &c.header, &c.ph, &disclosed, &idx), "proof byte {} flipped", at);
            }
        }
        // Truncated or extended proofs do not decode.
        prop_assert!(Proof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        prop_assert!(Proof::from_bytes(&[bytes.as_slice(), &[0]].concat()).is_err());

        // One byte flipped in A and in e of the signature: decoding or Verify fails, and
        // a proof made from the damaged signature does not verify either.
        let sig_bytes = s.sig.to_bytes();
        for (range, pos) in [0..48, 48..80].into_iter().zip(&c.positions) {
            let mut bad = sig_bytes;
            let at = range.start + pos.index(range.len());
            bad[at] ^= c.xor;
            if let Ok(sig) = Signature::from_bytes(&bad) {
                prop_assert!(s.bbs.verify(&s.pk, &sig, &c.header, &c.messages).is_err(), "signature byte {} flipped", at);
                let p = s.bbs
                    .proof_gen(&s.pk, &sig, &c.header, &c.ph, &c.messages, &idx, &mut OsRng)
                    .unwrap();
                prop_assert!(!verifies(&s, &p, &c.header, &c.ph, &disclosed, &idx), "proof from damaged signature");
            }
        }
    }

    #[test]
    fn two_proofs_share_no_16_byte_window(c in case()) {
        let s = setup(&c);
        let idx = c.disclosed();
        let disclosed = pick(&c.messages, &idx);
        let p1 = s.bbs
            .proof_gen(&s.pk, &s.sig, &c.header, &c.ph, &c.messages, &idx, &mut OsRng)
            .unwrap();
        let p2 = s.bbs
            .proof_gen(&s.pk, &s.sig, &c.header, &c.ph, &c.messages, &idx, &mut OsRng)
            .unwrap();
        prop_assert!(verifies(&s, &p1, &c.header, &c.ph, &disclosed, &idx));
        prop_assert!(verifies(&s, &p2, &c.header, &c.ph, &disclosed, &idx));
        let (b1, b2) = (p1.to_bytes(), p2.to_bytes());
        let windows: HashSet<&[u8]> = b1.windows(16).collect();
        let common = b2.windows(16).position(|w| windows.contains(w));
        prop_assert!(common.is_none(), "proof 2 repeats proof 1's bytes at {:?}", common);
    }
}
