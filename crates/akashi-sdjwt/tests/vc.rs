//! SD-JWT VC checks: typ, vct, validity, clear claims, status.

use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_sdjwt::status_list::{status, StatusList};
use akashi_sdjwt::{
    issue, present, verify_vc, CredentialStatus, EcPrivateKey, Expectations, Issuance,
    StatusReference,
};

const NOW: i64 = 1_795_400_000;

fn credential(issuer: &EcPrivateKey, typ: &str, extra: Value, disclosable: &[&str]) -> String {
    let Value::Object(mut claims) = json!({
        "iss": "https://issuer.akashi.example",
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + 7 * 86400,
        "vct": "urn:akashi:jp:identity:1",
        "birthdate": "1990-04-01",
        "status": {"status_list": {"idx": 7, "uri": "https://issuer.akashi.example/status/1"}},
    }) else {
        unreachable!()
    };
    if let Value::Object(extra) = extra {
        claims.extend(extra);
    }
    issue(
        &Issuance {
            claims,
            disclosable,
            decoys: 1,
            typ,
            holder: None,
        },
        issuer,
        &OsRandom,
    )
    .unwrap()
}

#[test]
fn sd_jwt_vc_rules() {
    let issuer = EcPrivateKey::generate(&OsRandom).unwrap();
    let public = issuer.public_key();
    let expect = Expectations {
        issuer_key: &public,
        key_binding: None,
    };
    let vc = credential(&issuer, "dc+sd-jwt", json!({}), &["birthdate"]);
    let p = present(&vc, &["birthdate"], None).unwrap();
    let v = verify_vc(&p, &expect, NOW + 10).unwrap();
    assert_eq!(v.vct, "urn:akashi:jp:identity:1");
    assert_eq!(v.issuer.as_deref(), Some("https://issuer.akashi.example"));
    let reference = v.status.clone().unwrap();
    assert_eq!(
        reference,
        StatusReference {
            index: 7,
            uri: "https://issuer.akashi.example/status/1".into()
        }
    );

    // Validity window.
    assert!(verify_vc(&p, &expect, NOW - 10).is_err(), "before nbf");
    assert!(verify_vc(&p, &expect, NOW + 7 * 86400).is_err(), "at exp");
    // The wrong typ; a selectively disclosable vct or exp.
    let plain = credential(&issuer, "JWT", json!({}), &["birthdate"]);
    assert!(verify_vc(&present(&plain, &[], None).unwrap(), &expect, NOW).is_err());
    let hidden_exp = credential(&issuer, "dc+sd-jwt", json!({}), &["exp"]);
    let e = verify_vc(&present(&hidden_exp, &["exp"], None).unwrap(), &expect, NOW).unwrap_err();
    assert!(
        e.to_string()
            .contains("exp must not be selectively disclosed"),
        "{e}"
    );
    let no_vct = {
        let Value::Object(mut c) = json!({"iss": "x", "birthdate": "1990-04-01"}) else {
            unreachable!()
        };
        c.remove("vct");
        issue(
            &Issuance {
                claims: c,
                disclosable: &[],
                decoys: 0,
                typ: "dc+sd-jwt",
                holder: None,
            },
            &issuer,
            &OsRandom,
        )
        .unwrap()
    };
    assert!(verify_vc(&no_vct, &expect, NOW).is_err());

    // Status lookup.
    let mut list = StatusList::new(2, 64).unwrap();
    assert_eq!(reference.lookup(&list).unwrap(), CredentialStatus::Valid);
    list.set(7, status::INVALID).unwrap();
    assert_eq!(reference.lookup(&list).unwrap(), CredentialStatus::Invalid);
    list.set(7, status::SUSPENDED).unwrap();
    assert_eq!(
        reference.lookup(&list).unwrap(),
        CredentialStatus::Suspended
    );
    assert!(StatusReference {
        index: 1000,
        uri: String::new()
    }
    .lookup(&list)
    .is_err());
}
