//! The BBS profile in use: a blind-issued credential proves "20 or older today" and "still valid
//! today" with range predicates, discloses only the municipality, and gives each verifier its
//! own pseudonym.

use rand_core::OsRng;
use time::macros::date;

use akashi_bbs::{
    issue, request_issuance, verify_presentation, Error, HolderSecret, Message, NymEntropy,
    PresentationRequest, RangePredicate, SecretKey, Suite,
};
use akashi_credential::{
    age_on, born_on_or_before, epoch_days, BbsMessage, IdentityClaims, BBS_PROFILE,
};
use akashi_jpki::{BasicFourAttributes, Sex};

fn person(born: time::Date) -> IdentityClaims {
    IdentityClaims::from_attributes(&BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: born,
        sex: Sex::Female,
    })
    .unwrap()
}

#[test]
fn age_and_validity_predicates_on_the_profile() {
    let today = date!(2026 - 11 - 23);
    let cutoff = born_on_or_before(today, 20);
    assert_eq!(cutoff, date!(2006 - 11 - 23));
    assert_eq!(age_on(cutoff, today), 20);
    assert_eq!(
        born_on_or_before(date!(2028 - 02 - 29), 21),
        date!(2007 - 02 - 28)
    );

    let suite = Suite::Sha256;
    let sk = SecretKey::generate(suite, &mut OsRng);
    let pk = sk.public_key();
    let header = BBS_PROFILE.as_bytes();
    let request = |verifier: &[u8]| PresentationRequest {
        verifier_id: verifier.to_vec(),
        presentation_header: b"nonce-1".to_vec(),
        disclose: vec![BbsMessage::Municipality.index()],
        predicates: vec![
            (
                BbsMessage::BirthDate.index(),
                RangePredicate::at_most(epoch_days(cutoff), 16).unwrap(),
            ),
            (
                BbsMessage::ValidUntil.index(),
                RangePredicate::at_least(epoch_days(today), 16).unwrap(),
            ),
        ],
    };
    let credential = |born: time::Date| {
        let messages = person(born).bbs_messages(date!(2026 - 11 - 30));
        let holder = HolderSecret::generate(&mut OsRng);
        let (req, pending) = request_issuance(suite, &holder, &mut OsRng);
        let signed = issue(
            &sk,
            &req,
            &NymEntropy::random(&mut OsRng),
            header,
            &messages,
        )
        .unwrap();
        pending.finish(&pk, &signed, header, messages).unwrap()
    };

    let adult = credential(date!(1990 - 04 - 01));
    let shop = request(b"https://shop.example");
    let p = adult.present(&pk, &shop, &mut OsRng).unwrap();
    let seen = verify_presentation(&pk, header, &shop, &p).unwrap();
    assert_eq!(
        seen.disclosed,
        vec![(
            BbsMessage::Municipality.index(),
            Message::Bytes("千代田区".as_bytes().to_vec())
        )]
    );
    let city = request(b"https://city.example");
    let other = verify_presentation(
        &pk,
        header,
        &city,
        &adult.present(&pk, &city, &mut OsRng).unwrap(),
    )
    .unwrap();
    assert_ne!(other.pseudonym, seen.pseudonym);

    // Turns 20 tomorrow: cannot prove it today.
    let young = credential(date!(2006 - 11 - 24));
    assert!(matches!(
        young.present(&pk, &shop, &mut OsRng),
        Err(Error::PredicateUnsatisfied { .. })
    ));
    // 20 today: can.
    let twenty = credential(date!(2006 - 11 - 23));
    twenty.present(&pk, &shop, &mut OsRng).unwrap();
}
