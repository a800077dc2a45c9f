//! The credential model from a person's basic four attributes, in both formats.

use serde_json::json;
use time::macros::date;

use akashi_bbs::Message;
use akashi_credential::{
    age_on, epoch_days, BbsMessage, CredentialError, IdentityClaims, DISCLOSABLE, VCT,
};
use akashi_crypto::OsRandom;
use akashi_jpki::{BasicFourAttributes, Sex};

fn hanako() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

#[test]
fn claims_from_the_basic_four() {
    let c = IdentityClaims::from_attributes(&hanako()).unwrap();
    assert_eq!(
        (c.family_name.as_str(), c.given_name.as_str()),
        ("山田", "花子")
    );
    assert_eq!(
        (c.prefecture.as_str(), c.municipality.as_str()),
        ("東京都", "千代田区")
    );
    assert_eq!(c.address_rest, "霞が関二丁目1番2号");
    assert_eq!(c.sex, "female");
    let mut odd = hanako();
    odd.name = "山田花子".into();
    assert_eq!(
        IdentityClaims::from_attributes(&odd).unwrap_err(),
        CredentialError::UnsplittableName
    );
    odd = hanako();
    odd.address = "霞が関".into();
    assert_eq!(
        IdentityClaims::from_attributes(&odd).unwrap_err(),
        CredentialError::UnsplittableAddress
    );
}

#[test]
fn ages_as_the_law_counts_them() {
    let born = date!(2006 - 11 - 23);
    assert_eq!(age_on(born, date!(2026 - 11 - 22)), 19);
    assert_eq!(
        age_on(born, date!(2026 - 11 - 23)),
        20,
        "20 on the birthday"
    );
    let leap = date!(2004 - 02 - 29);
    assert_eq!(age_on(leap, date!(2025 - 02 - 28)), 20);
    assert_eq!(age_on(leap, date!(2025 - 03 - 01)), 21);
    assert_eq!(age_on(leap, date!(2028 - 02 - 29)), 24);
    let c = IdentityClaims::from_attributes(&hanako()).unwrap();
    assert_eq!(
        serde_json::Value::Object(c.age_equal_or_over(date!(2026 - 11 - 23))),
        json!({"16": true, "18": true, "20": true, "65": false})
    );
}

#[test]
fn the_sd_jwt_vc_form_issues_and_hides_every_personal_claim() {
    let c = IdentityClaims::from_attributes(&hanako()).unwrap();
    let claims = c.sd_jwt_vc_claims("https://id.akashi.example", 100, 200, date!(2026 - 11 - 23));
    assert_eq!(claims["vct"], VCT);
    let issuer = akashi_sdjwt::EcPrivateKey::generate(&OsRandom).unwrap();
    let sd_jwt = akashi_sdjwt::issue(
        &akashi_sdjwt::Issuance {
            claims,
            disclosable: DISCLOSABLE,
            decoys: 2,
            typ: "dc+sd-jwt",
            holder: None,
        },
        &issuer,
        &OsRandom,
    )
    .unwrap();
    // Presenting nothing: only the clear claims remain.
    let public = issuer.public_key();
    let expect = akashi_sdjwt::Expectations {
        issuer_key: &public,
        key_binding: None,
    };
    let bare = akashi_sdjwt::present(&sd_jwt, &[], None).unwrap();
    let v = akashi_sdjwt::verify_vc(&bare, &expect, 150).unwrap();
    let text = serde_json::Value::Object(v.verified.claims.clone()).to_string();
    for personal in [
        "山田",
        "花子",
        "1990",
        "female",
        "東京都",
        "千代田区",
        "霞が関",
        "true",
    ] {
        assert!(!text.contains(personal), "{personal} in the clear: {text}");
    }
    assert!(text.contains("IAL3"));
    // Every disclosable path can be presented.
    for path in DISCLOSABLE {
        let p = akashi_sdjwt::present(&sd_jwt, &[path], None).unwrap();
        akashi_sdjwt::verify_vc(&p, &expect, 150).unwrap();
    }
}

#[test]
fn the_bbs_profile() {
    let c = IdentityClaims::from_attributes(&hanako()).unwrap();
    let messages = c.bbs_messages(date!(2026 - 11 - 30));
    assert_eq!(messages.len(), BbsMessage::COUNT);
    assert_eq!(epoch_days(date!(1970 - 01 - 01)), 0);
    assert_eq!(epoch_days(date!(1990 - 04 - 01)), 7395);
    assert_eq!(
        messages[BbsMessage::BirthDate.index()],
        Message::Integer(7395)
    );
    assert_eq!(
        messages[BbsMessage::ValidUntil.index()],
        Message::Integer(epoch_days(date!(2026 - 11 - 30)))
    );
    assert_eq!(
        messages[BbsMessage::Municipality.index()],
        Message::Bytes("千代田区".as_bytes().to_vec())
    );
}
