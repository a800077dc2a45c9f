//! Registration: any passkey at AAL2, hardware-bound ones at AAL3 only with an attestation
//! that chains to a configured root, the configuration checked.

mod support;

use akashi_passkey::{Binding, PasskeyConfig, PasskeyError, Passkeys, AAL2, AAL3};
use support::*;

#[test]
fn soft_passkey_registers_at_aal2_and_authenticates() {
    let passkeys = passkeys(vec![]);
    let mut device = soft_passkey();
    let registered = register(&passkeys, &mut device, &[], Binding::Any).unwrap();
    assert!(!registered.hardware_bound);
    assert_eq!(registered.assurance, AAL2);
    assert!(!registered.credential_id.is_empty());
    assert_eq!(registered.stored.credential_id(), registered.credential_id);
    assert!(!registered.stored.hardware_bound());
    assert_eq!(registered.stored.signature_counter(), 0);

    let mut account = vec![registered.stored];
    let done = login(&passkeys, &mut device, &mut account).unwrap();
    assert_eq!(done.credential_id, registered.credential_id);
    assert!(done.user_verified);
    assert_eq!(done.assurance, AAL2);
    // The soft passkey counts its signatures: the new counter is to be saved.
    let updated = done.updated.expect("counter advanced");
    assert_eq!(updated.signature_counter(), 1);
    assert_eq!(account[0].signature_counter(), 1);

    let again = login(&passkeys, &mut device, &mut account).unwrap();
    assert_eq!(again.updated.unwrap().signature_counter(), 2);
}

#[test]
fn registration_options_are_webauthn_json_for_the_browser() {
    let passkeys = passkeys(vec![]);
    let existing = vec![vec![7u8; 32]];
    let (options, _) = passkeys
        .start_registration(USER, "taro@example.jp", "Taro", &existing, Binding::Any)
        .unwrap();
    let public_key = &options["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert_eq!(public_key["rp"]["name"], "Akashi");
    assert_eq!(public_key["user"]["name"], "taro@example.jp");
    assert_eq!(public_key["user"]["displayName"], "Taro");
    assert_eq!(
        public_key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(
        public_key["excludeCredentials"][0]["id"],
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"
    );
    assert!(public_key["challenge"].as_str().unwrap().len() >= 43);
    // Five minutes: the provider expires the pending state no later.
    assert_eq!(public_key["timeout"], 300_000);
}

#[test]
fn soft_token_registers_hardware_bound_at_aal3_when_its_ca_is_a_root() {
    let (mut token, ca) = soft_token();
    let (_, other_ca) = soft_token();
    let passkeys = passkeys(vec![other_ca, ca]);
    let (options, _) = passkeys
        .start_registration(USER, "taro", "Taro", &[], Binding::HardwareBound)
        .unwrap();
    assert_eq!(options["publicKey"]["attestation"], "direct");

    let registered = register(&passkeys, &mut token, &[], Binding::HardwareBound).unwrap();
    assert!(registered.hardware_bound);
    assert_eq!(registered.assurance, AAL3);
    assert!(registered.stored.hardware_bound());
    assert_eq!(registered.stored.assurance(), AAL3);

    let mut account = vec![registered.stored];
    let done = login(&passkeys, &mut token, &mut account).unwrap();
    assert_eq!(done.assurance, AAL3);
    assert_eq!(account[0].signature_counter(), 1);
}

#[test]
fn soft_token_is_not_hardware_bound_when_its_ca_is_not_a_root() {
    let (mut token, _own_ca) = soft_token();
    let (_, other_ca) = soft_token();
    let passkeys = passkeys(vec![other_ca]);
    let refused = register(&passkeys, &mut token, &[], Binding::HardwareBound).unwrap_err();
    assert!(
        matches!(refused, PasskeyError::NotHardwareBound(_)),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("hardware root"), "{refused}");
}

#[test]
fn soft_token_as_any_passkey_is_aal2() {
    let (mut token, ca) = soft_token();
    // Even with its CA configured: Binding::Any asks for no attestation.
    let passkeys = passkeys(vec![ca]);
    let registered = register(&passkeys, &mut token, &[], Binding::Any).unwrap();
    assert!(!registered.hardware_bound);
    assert_eq!(registered.assurance, AAL2);
}

#[test]
fn self_attested_passkey_is_not_hardware_bound() {
    // The soft passkey signs its attestation with the new key itself: nothing to chain.
    let (_, ca) = soft_token();
    let passkeys = passkeys(vec![ca]);
    let refused =
        register(&passkeys, &mut soft_passkey(), &[], Binding::HardwareBound).unwrap_err();
    assert!(
        matches!(refused, PasskeyError::NotHardwareBound(_)),
        "{refused:?}"
    );
}

#[test]
fn hardware_bound_needs_configured_roots() {
    let refused = passkeys(vec![])
        .start_registration(USER, "taro", "Taro", &[], Binding::HardwareBound)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::NoHardwareRoots),
        "{refused:?}"
    );
}

#[test]
fn registration_from_another_origin_is_refused() {
    let passkeys = passkeys(vec![]);
    let (options, pending) = passkeys
        .start_registration(USER, "taro", "Taro", &[], Binding::Any)
        .unwrap();
    // Same host, another port: the browser allows it for rp id "localhost", we do not.
    let response = create(&mut soft_passkey(), "http://localhost:9999", options).unwrap();
    let refused = passkeys
        .finish_registration(&response, db(&pending))
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::WrongOrigin(_)),
        "{refused:?}"
    );
}

#[test]
fn registration_answering_another_challenge_is_refused() {
    let passkeys = passkeys(vec![]);
    let mut device = soft_passkey();
    let (options, first) = passkeys
        .start_registration(USER, "taro", "Taro", &[], Binding::Any)
        .unwrap();
    let response = create(&mut device, ORIGIN, options).unwrap();
    passkeys.finish_registration(&response, db(&first)).unwrap();
    let (_, second) = passkeys
        .start_registration(USER, "taro", "Taro", &[], Binding::Any)
        .unwrap();
    let refused = passkeys.finish_registration(&response, second).unwrap_err();
    assert!(
        matches!(refused, PasskeyError::ChallengeMismatch(_)),
        "{refused:?}"
    );
}

#[test]
fn malformed_registration_response_is_refused() {
    let passkeys = passkeys(vec![]);
    let (_, pending) = passkeys
        .start_registration(USER, "taro", "Taro", &[], Binding::Any)
        .unwrap();
    let refused = passkeys
        .finish_registration(&serde_json::json!({"id": "x"}), pending)
        .unwrap_err();
    assert!(
        matches!(refused, PasskeyError::BadResponse(_)),
        "{refused:?}"
    );
}

#[test]
fn empty_user_name_is_refused() {
    let refused = passkeys(vec![])
        .start_registration(USER, "", "Taro", &[], Binding::Any)
        .unwrap_err();
    assert!(matches!(refused, PasskeyError::BadUser), "{refused:?}");
}

#[test]
fn configuration_is_checked() {
    let bad = |change: fn(&mut PasskeyConfig)| {
        let mut config = config(vec![]);
        change(&mut config);
        match Passkeys::new(config) {
            Err(PasskeyError::Config(message)) => message,
            other => panic!("accepted: {other:?}"),
        }
    };
    assert!(bad(|c| c.rp_origin = "not a URL".into()).contains("rp_origin"));
    assert!(bad(|c| c.rp_origin = "https://example.jp".into()).contains("not on rp_id"));
    assert!(bad(|c| c.rp_name.clear()).contains("rp_name"));
    assert!(bad(|c| c.hardware_roots = vec![b"not DER".to_vec()]).contains("hardware root #0"));

    // A subdomain origin of the rp id is fine, in production over https.
    let production = PasskeyConfig {
        rp_id: "example.jp".into(),
        rp_origin: "https://id.example.jp".into(),
        rp_name: "Akashi".into(),
        hardware_roots: vec![soft_token().1],
    };
    Passkeys::new(production).unwrap();
}
