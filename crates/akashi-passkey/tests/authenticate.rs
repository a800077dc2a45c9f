//! Authentication: states through the database, origins, replays, credentials the ceremony
//! did not allow, counters that do not advance, accounts with both kinds of passkey.

mod support;

use akashi_passkey::{
    Binding, PasskeyConfig, PasskeyError, Passkeys, PendingAuthentication, StoredPasskey, AAL2,
    AAL3,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use support::*;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

fn enrolled(passkeys: &Passkeys) -> (SoftPasskey, Vec<StoredPasskey>) {
    let mut device = soft_passkey();
    let registered = register(passkeys, &mut device, &[], Binding::Any).unwrap();
    (device, vec![registered.stored])
}

#[test]
fn ceremony_states_are_json_text_between_start_and_finish() {
    let passkeys = passkeys(vec![]);
    let (mut device, account) = enrolled(&passkeys);
    let (options, pending) = passkeys.start_authentication(&account).unwrap();
    assert_eq!(
        options["publicKey"]["allowCredentials"][0]["id"],
        URL_SAFE_NO_PAD.encode(account[0].credential_id())
    );
    assert_eq!(options["publicKey"]["userVerification"], "required");

    // The row the provider writes, and the one it reads back in another request.
    let row = serde_json::to_string(&pending).unwrap();
    assert!(row.starts_with('{'));
    let stored_row = serde_json::to_string(&account).unwrap();

    let response = get(&mut device, ORIGIN, options).unwrap();
    let pending: PendingAuthentication = serde_json::from_str(&row).unwrap();
    let account: Vec<StoredPasskey> = serde_json::from_str(&stored_row).unwrap();
    let done = passkeys
        .finish_authentication(&response, pending, &account)
        .unwrap();
    assert_eq!(done.credential_id, account[0].credential_id());
}

#[test]
fn authentication_from_another_origin_is_refused() {
    let passkeys = passkeys(vec![]);
    let (mut device, account) = enrolled(&passkeys);
    let (options, pending) = passkeys.start_authentication(&account).unwrap();
    let response = get(&mut device, "http://localhost:9999", options).unwrap();
    let refused = passkeys
        .finish_authentication(&response, pending, &account)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::WrongOrigin(_)),
        "{refused:?}"
    );
}

#[test]
fn authentication_from_a_sibling_subdomain_is_refused() {
    // In production: the passkey is scoped to example.jp, the provider is id.example.jp, and a
    // page on another subdomain gets the browser to sign for example.jp.
    let passkeys = Passkeys::new(PasskeyConfig {
        rp_id: "example.jp".into(),
        rp_origin: "https://id.example.jp".into(),
        rp_name: "Akashi".into(),
        hardware_roots: vec![],
    })
    .unwrap();
    let mut device = soft_passkey();
    let (options, pending) = passkeys
        .start_registration(USER, "taro", "Taro", &[], Binding::Any)
        .unwrap();
    let response = create(&mut device, "https://id.example.jp", options).unwrap();
    let account = vec![
        passkeys
            .finish_registration(&response, pending)
            .unwrap()
            .stored,
    ];

    let (options, pending) = passkeys.start_authentication(&account).unwrap();
    let response = get(&mut device, "https://shop.example.jp", options).unwrap();
    let refused = passkeys
        .finish_authentication(&response, pending, &account)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::WrongOrigin(_)),
        "{refused:?}"
    );
}

#[test]
fn response_replayed_to_a_second_ceremony_is_refused() {
    let passkeys = passkeys(vec![]);
    let (mut device, mut account) = enrolled(&passkeys);
    let (options, first) = passkeys.start_authentication(&account).unwrap();
    let response = get(&mut device, ORIGIN, options).unwrap();
    let done = passkeys
        .finish_authentication(&response, db(&first), &account)
        .unwrap();
    save(&mut account, &done);

    let (_, second) = passkeys.start_authentication(&account).unwrap();
    let refused = passkeys
        .finish_authentication(&response, second, &account)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::ChallengeMismatch(_)),
        "{refused:?}"
    );
}

#[test]
fn pending_state_used_twice_is_refused_once_the_counter_is_saved() {
    let passkeys = passkeys(vec![]);
    let (mut device, mut account) = enrolled(&passkeys);
    let (options, pending) = passkeys.start_authentication(&account).unwrap();
    let row = serde_json::to_string(&pending).unwrap();
    let response = get(&mut device, ORIGIN, options).unwrap();
    let done = passkeys
        .finish_authentication(&response, serde_json::from_str(&row).unwrap(), &account)
        .unwrap();
    save(&mut account, &done);

    // The provider failed to delete the row: the same state and answer come again.
    let refused = passkeys
        .finish_authentication(&response, serde_json::from_str(&row).unwrap(), &account)
        .unwrap_err();
    assert!(
        matches!(&refused, PasskeyError::CounterRegressed { credential_id } if *credential_id == done.credential_id),
        "{refused:?}"
    );
}

#[test]
fn passkey_the_ceremony_did_not_allow_is_refused() {
    let passkeys = passkeys(vec![]);
    let (_, victim) = enrolled(&passkeys);
    let (mut attacker_device, attacker) = enrolled(&passkeys);

    // The attacker answers the victim's login with their own passkey.
    let (mut options, pending) = passkeys.start_authentication(&victim).unwrap();
    let (attacker_options, _) = passkeys.start_authentication(&attacker).unwrap();
    options["publicKey"]["allowCredentials"] =
        attacker_options["publicKey"]["allowCredentials"].clone();
    let response = get(&mut attacker_device, ORIGIN, options).unwrap();
    let refused = passkeys
        .finish_authentication(&response, pending, &victim)
        .unwrap_err();
    assert!(
        matches!(&refused, PasskeyError::UnknownCredential { credential_id } if credential_id.as_slice() == attacker[0].credential_id()),
        "{refused:?}"
    );
}

#[test]
fn passkey_removed_during_the_ceremony_is_refused() {
    let passkeys = passkeys(vec![]);
    let (mut device, account) = enrolled(&passkeys);
    let (_, other) = enrolled(&passkeys);
    let both = vec![account[0].clone(), other[0].clone()];
    let (options, pending) = passkeys.start_authentication(&both).unwrap();
    let response = get(&mut device, ORIGIN, options).unwrap();
    // Meanwhile the user deleted this passkey from the account.
    let refused = passkeys
        .finish_authentication(&response, pending, &other)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::UnknownCredential { .. }),
        "{refused:?}"
    );
}

#[test]
fn cloned_authenticator_is_refused_by_its_counter() {
    let (mut token, ca) = soft_token();
    let passkeys = passkeys(vec![ca]);
    let registered = register(&passkeys, &mut token, &[], Binding::HardwareBound).unwrap();
    let mut clone = clone_token(&token);
    let mut account = vec![registered.stored];

    login(&passkeys, &mut token, &mut account).unwrap();
    login(&passkeys, &mut token, &mut account).unwrap();
    assert_eq!(account[0].signature_counter(), 2);

    // The clone's counter is at 1 on its first use.
    let refused = login(&passkeys, &mut clone, &mut account).unwrap_err();
    assert!(
        matches!(&refused, PasskeyError::CounterRegressed { credential_id } if credential_id.as_slice() == account[0].credential_id()),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("cloned"), "{refused}");
    assert_eq!(account[0].signature_counter(), 2);
}

#[test]
fn counter_is_checked_against_the_latest_saved_value() {
    // Two logins started from the same saved passkey (two tabs). The second to finish carries
    // a counter below the one the first saved, though above the one in its own pending state.
    let passkeys = passkeys(vec![]);
    let (mut device, mut account) = enrolled(&passkeys);
    let (options_a, pending_a) = passkeys.start_authentication(&account).unwrap();
    let (options_b, pending_b) = passkeys.start_authentication(&account).unwrap();
    let response_a = get(&mut device, ORIGIN, options_a).unwrap();
    let response_b = get(&mut device, ORIGIN, options_b).unwrap();

    let done_b = passkeys
        .finish_authentication(&response_b, db(&pending_b), &account)
        .unwrap();
    save(&mut account, &done_b);
    assert_eq!(account[0].signature_counter(), 2);

    let refused = passkeys
        .finish_authentication(&response_a, db(&pending_a), &account)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::CounterRegressed { .. }),
        "{refused:?}"
    );
}

#[test]
fn account_with_both_kinds_authenticates_with_each_at_its_level() {
    let (mut token, ca) = soft_token();
    let passkeys = passkeys(vec![ca]);
    let mut phone = soft_passkey();
    let synced = register(&passkeys, &mut phone, &[], Binding::Any).unwrap();
    let exclude = vec![synced.credential_id.clone()];
    let hardware = register(&passkeys, &mut token, &exclude, Binding::HardwareBound).unwrap();
    let mut account = vec![synced.stored, hardware.stored];

    let (options, _) = passkeys.start_authentication(&account).unwrap();
    assert_eq!(
        options["publicKey"]["allowCredentials"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let with_token = login(&passkeys, &mut token, &mut account).unwrap();
    assert_eq!(with_token.credential_id, hardware.credential_id);
    assert_eq!(with_token.assurance, AAL3);
    let with_phone = login(&passkeys, &mut phone, &mut account).unwrap();
    assert_eq!(with_phone.credential_id, synced.credential_id);
    assert_eq!(with_phone.assurance, AAL2);
    assert_eq!(account[0].signature_counter(), 1);
    assert_eq!(account[1].signature_counter(), 1);
    assert!(account[1].hardware_bound());
}

#[test]
fn no_passkeys_or_a_malformed_answer_is_refused() {
    let passkeys = passkeys(vec![]);
    assert!(matches!(
        passkeys.start_authentication(&[]),
        Err(PasskeyError::NoPasskeys)
    ));
    let (_, account) = enrolled(&passkeys);
    let (_, pending) = passkeys.start_authentication(&account).unwrap();
    let refused = passkeys
        .finish_authentication(&serde_json::json!([1, 2, 3]), pending, &account)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::BadResponse(_)),
        "{refused:?}"
    );
}
