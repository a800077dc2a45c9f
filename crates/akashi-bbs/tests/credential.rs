//! The credential API end to end: blind issuance bound to a holder secret, then
//! presentations with selective disclosure, per-verifier pseudonyms and the two
//! date predicates Akashi needs ("20 or older today", "not expired today").

use akashi_bbs::{
    issue, request_issuance, verify_presentation, Credential, Error, HolderSecret, IssuanceRequest,
    Message, NymEntropy, Presentation, PresentationRequest, PublicKey, RangePredicate, SecretKey,
    Suite,
};
use rand_core::OsRng;

/// Days since 1970-01-01 (proleptic Gregorian), as the credential profile encodes dates.
fn days(y: i64, m: i64, d: i64) -> i64 {
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const HEADER: &[u8] = b"akashi:jp-identity:v1";
const DOB: usize = 2;
const VALID_UNTIL: usize = 6;
const PREFECTURE: usize = 4;

fn messages(dob: i64) -> Vec<Message> {
    vec![
        Message::Bytes("山田".as_bytes().to_vec()),
        Message::Bytes("花子".as_bytes().to_vec()),
        Message::Integer(dob),
        Message::Bytes(b"2".to_vec()),
        Message::Bytes("東京都".as_bytes().to_vec()),
        Message::Bytes("千代田区".as_bytes().to_vec()),
        Message::Integer(days(2026, 11, 30)),
    ]
}

fn issued(
    suite: Suite,
    sk: &SecretKey,
    holder: &HolderSecret,
    entropy: &NymEntropy,
    dob: i64,
) -> Credential {
    let (request, pending) = request_issuance(suite, holder, &mut OsRng);
    // The request travels as bytes and never carries the holder secret.
    let wire = request.to_bytes();
    assert!(!wire.windows(32).any(|w| w == holder.to_bytes().as_slice()));
    let request = IssuanceRequest::from_bytes(&wire).unwrap();
    let signed = issue(sk, &request, entropy, HEADER, &messages(dob)).unwrap();
    pending
        .finish(&sk.public_key(), &signed, HEADER, messages(dob))
        .unwrap()
}

fn request(verifier: &[u8], today: i64) -> PresentationRequest {
    let cutoff = days(2006, 11, 23); // today - 20 years
    PresentationRequest {
        verifier_id: verifier.to_vec(),
        presentation_header: b"nonce-4711".to_vec(),
        disclose: vec![PREFECTURE],
        predicates: vec![
            (DOB, RangePredicate::at_most(cutoff, 16).unwrap()),
            (VALID_UNTIL, RangePredicate::at_least(today, 16).unwrap()),
        ],
    }
}

fn common_window(a: &[u8], b: &[u8], n: usize) -> bool {
    let set: std::collections::HashSet<&[u8]> = a.windows(n).collect();
    b.windows(n).any(|w| set.contains(w))
}

#[test]
fn issue_present_verify_with_pseudonyms_and_predicates() {
    let today = days(2026, 11, 23);
    for suite in Suite::ALL {
        let sk = SecretKey::generate(suite, &mut OsRng);
        let pk = sk.public_key();
        let holder = HolderSecret::generate(&mut OsRng);
        let entropy = NymEntropy::random(&mut OsRng);
        let cred = issued(suite, &sk, &holder, &entropy, days(1990, 4, 1));

        let req_a = request(b"https://bank.example", today);
        let p1 = cred.present(&pk, &req_a, &mut OsRng).unwrap();
        let wire = p1.to_bytes();
        let p1 = Presentation::from_bytes(&wire, &req_a).unwrap();
        let seen = verify_presentation(&pk, HEADER, &req_a, &p1).unwrap();
        assert_eq!(
            seen.disclosed,
            vec![(PREFECTURE, Message::Bytes("東京都".as_bytes().to_vec()))]
        );

        // Same verifier: same pseudonym, from a fresh proof. Another verifier: another pseudonym.
        let p2 = cred.present(&pk, &req_a, &mut OsRng).unwrap();
        assert_eq!(
            verify_presentation(&pk, HEADER, &req_a, &p2)
                .unwrap()
                .pseudonym,
            seen.pseudonym
        );
        let req_b = request(b"https://shop.example", today);
        let p3 = cred.present(&pk, &req_b, &mut OsRng).unwrap();
        let seen_b = verify_presentation(&pk, HEADER, &req_b, &p3).unwrap();
        assert_ne!(seen_b.pseudonym, seen.pseudonym);

        // A renewal with the same issuer entropy keeps the pseudonym; the verifier sees no change.
        let renewed = issued(suite, &sk, &holder, &entropy, days(1990, 4, 1));
        let p4 = renewed.present(&pk, &req_a, &mut OsRng).unwrap();
        assert_eq!(
            verify_presentation(&pk, HEADER, &req_a, &p4)
                .unwrap()
                .pseudonym,
            seen.pseudonym
        );

        // Unlinkable: the presentations to A and B share nothing beyond the disclosed message.
        let (a, b) = (p1.to_bytes(), p3.to_bytes());
        // Skip the fixed prefix: magic, version, suite, counts and the one disclosed message.
        let prefix = 4 + 2 + 2 + 2 + 1 + 4 + "東京都".len();
        assert_eq!(a[..prefix], b[..prefix]);
        assert!(
            !common_window(&a[prefix..], &b[prefix..], 16),
            "{suite:?}: shared byte string"
        );
        // A presentation never contains the undisclosed names, the holder secret or the signature.
        for secret in [&"山田".as_bytes().to_vec(), &holder.to_bytes().to_vec()] {
            assert!(!common_window(&a, secret, secret.len().min(6)));
        }
    }
}

#[test]
fn predicates_and_requests_are_enforced() {
    let today = days(2026, 11, 23);
    let suite = Suite::Sha256;
    let sk = SecretKey::generate(suite, &mut OsRng);
    let pk = sk.public_key();
    let holder = HolderSecret::generate(&mut OsRng);
    let entropy = NymEntropy::random(&mut OsRng);

    // A holder who turns 20 tomorrow cannot prove "20 or older".
    let young = issued(suite, &sk, &holder, &entropy, days(2006, 11, 24));
    let req = request(b"https://bank.example", today);
    assert!(matches!(
        young.present(&pk, &req, &mut OsRng),
        Err(Error::PredicateUnsatisfied { index: DOB })
    ));
    // Exactly 20 today can.
    let twenty = issued(suite, &sk, &holder, &entropy, days(2006, 11, 23));
    let p = twenty.present(&pk, &req, &mut OsRng).unwrap();
    verify_presentation(&pk, HEADER, &req, &p).unwrap();

    // An expired credential cannot prove validity tomorrow + 1 week.
    let late = request(b"https://bank.example", days(2026, 12, 7));
    assert!(matches!(
        twenty.present(&pk, &late, &mut OsRng),
        Err(Error::PredicateUnsatisfied { index: VALID_UNTIL })
    ));

    // The proof answers this request only: other bounds, another verifier, another nonce fail.
    let mut stricter = req.clone();
    stricter.predicates[0].1 = RangePredicate::at_most(days(2000, 1, 1), 16).unwrap();
    assert!(verify_presentation(&pk, HEADER, &stricter, &p).is_err());
    let mut other = req.clone();
    other.verifier_id = b"https://evil.example".to_vec();
    assert_eq!(
        verify_presentation(&pk, HEADER, &other, &p),
        Err(Error::ProofInvalid)
    );
    let mut replay = req.clone();
    replay.presentation_header = b"nonce-4712".to_vec();
    assert_eq!(
        verify_presentation(&pk, HEADER, &replay, &p),
        Err(Error::ProofInvalid)
    );

    // A changed disclosed message, another issuer key, another header fail.
    let mut forged = p.clone();
    forged.disclosed[0] = Message::Bytes("大阪府".as_bytes().to_vec());
    assert_eq!(
        verify_presentation(&pk, HEADER, &req, &forged),
        Err(Error::ProofInvalid)
    );
    let other_key = SecretKey::generate(suite, &mut OsRng).public_key();
    assert_eq!(
        verify_presentation(&other_key, HEADER, &req, &p),
        Err(Error::ProofInvalid)
    );
    assert_eq!(
        verify_presentation(&pk, b"other", &req, &p),
        Err(Error::ProofInvalid)
    );

    // A predicate on a disclosed or non-integer message is refused with a reason.
    let mut bad = req.clone();
    bad.predicates
        .push((PREFECTURE, RangePredicate::at_least(0, 8).unwrap()));
    assert!(matches!(
        twenty.present(&pk, &bad, &mut OsRng),
        Err(Error::Predicate {
            index: PREFECTURE,
            ..
        })
    ));
    let mut bad = req.clone();
    bad.predicates = vec![(0, RangePredicate::at_least(0, 8).unwrap())];
    assert!(matches!(
        twenty.present(&pk, &bad, &mut OsRng),
        Err(Error::Predicate { index: 0, .. })
    ));
}

#[test]
fn every_flipped_byte_of_a_presentation_is_rejected() {
    let suite = Suite::Sha256;
    let sk = SecretKey::generate(suite, &mut OsRng);
    let pk = sk.public_key();
    let cred = issued(
        suite,
        &sk,
        &HolderSecret::generate(&mut OsRng),
        &NymEntropy::random(&mut OsRng),
        7000,
    );
    // A narrow predicate keeps the walk over every byte quick.
    let req = PresentationRequest {
        predicates: vec![(DOB, RangePredicate::at_most(7003, 3).unwrap())],
        ..request(b"v", days(2026, 11, 23))
    };
    let bytes = cred.present(&pk, &req, &mut OsRng).unwrap().to_bytes();
    for i in (0..bytes.len()).step_by(7) {
        let mut t = bytes.clone();
        t[i] ^= 0x40;
        let outcome = Presentation::from_bytes(&t, &req)
            .and_then(|p| verify_presentation(&pk, HEADER, &req, &p));
        assert!(outcome.is_err(), "byte {i} flipped still verifies");
    }
}

#[test]
fn credentials_round_trip_and_reject_tampering() {
    let suite = Suite::Shake256;
    let sk = SecretKey::generate(suite, &mut OsRng);
    let pk: PublicKey = sk.public_key();
    let cred = issued(
        suite,
        &sk,
        &HolderSecret::generate(&mut OsRng),
        &NymEntropy::random(&mut OsRng),
        7000,
    );
    let bytes = cred.to_bytes();
    let back = Credential::from_bytes(&bytes).unwrap();
    assert_eq!(back.messages(), cred.messages());
    let req = request(b"v", days(2026, 11, 23));
    let p = back.present(&pk, &req, &mut OsRng).unwrap();
    verify_presentation(&pk, HEADER, &req, &p).unwrap();
    let mut v2 = bytes.to_vec();
    v2[4] = 2;
    assert_eq!(
        Credential::from_bytes(&v2).err(),
        Some(Error::Unsupported {
            what: "encoding version",
            value: 2
        })
    );
    assert!(Credential::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    // An issuer refuses a request whose commitment proof was altered.
    let holder = HolderSecret::generate(&mut OsRng);
    let (request, _) = request_issuance(suite, &holder, &mut OsRng);
    let mut wire = request.to_bytes();
    let n = wire.len();
    wire[n - 40] ^= 1;
    let tampered = IssuanceRequest::from_bytes(&wire).unwrap();
    let entropy = NymEntropy::random(&mut OsRng);
    assert_eq!(
        issue(&sk, &tampered, &entropy, HEADER, &messages(1)).err(),
        Some(Error::CommitmentInvalid)
    );
}
