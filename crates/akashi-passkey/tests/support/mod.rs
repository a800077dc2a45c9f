//! A relying party on http://localhost:8080, the soft authenticators as its users' devices,
//! and the database as JSON text between every start and finish.
#![allow(dead_code)]

use akashi_passkey::{
    Authenticated, Binding, PasskeyConfig, PasskeyError, Passkeys, RegisteredPasskey, StoredPasskey,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use webauthn_authenticator_rs::prelude::{Url, WebauthnAuthenticator, WebauthnCError};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_rs_proto::{
    PublicKeyCredential, PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions,
    RegisterPublicKeyCredential,
};

pub const ORIGIN: &str = "http://localhost:8080";
pub const USER: [u8; 16] = *b"akashi-user-0001";

pub fn config(hardware_roots: Vec<Vec<u8>>) -> PasskeyConfig {
    PasskeyConfig {
        rp_id: "localhost".into(),
        rp_origin: ORIGIN.into(),
        rp_name: "Akashi".into(),
        hardware_roots,
    }
}

pub fn passkeys(hardware_roots: Vec<Vec<u8>>) -> Passkeys {
    Passkeys::new(config(hardware_roots)).expect("configuration")
}

/// Through the database: JSON text out and back, as a pending state or a stored passkey is.
pub fn db<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let text = serde_json::to_string(value).expect("serialise");
    serde_json::from_str(&text).expect("deserialise")
}

/// A software passkey that claims user verification (as a platform authenticator would).
pub fn soft_passkey() -> SoftPasskey {
    SoftPasskey::new(true)
}

/// A software security key with its own attestation CA; returns the CA's DER.
pub fn soft_token() -> (SoftToken, Vec<u8>) {
    let (token, ca) = SoftToken::new(true).expect("soft token");
    (token, ca.to_der().expect("CA DER"))
}

/// The same key material and counter in a second token: a cloned authenticator.
pub fn clone_token(token: &SoftToken) -> SoftToken {
    SoftToken::from_cbor(&token.to_cbor().expect("to CBOR")).expect("from CBOR")
}

/// The browser: `navigator.credentials.create()` on `origin` with the options JSON.
pub fn create(
    device: &mut impl AuthenticatorBackend,
    origin: &str,
    options: Value,
) -> Result<Value, WebauthnCError> {
    let options = serde_json::from_value(options).expect("creation options");
    let response = WebauthnAuthenticator::new(Borrowed(device))
        .do_registration(Url::parse(origin).expect("origin"), options)?;
    Ok(serde_json::to_value(response).expect("response JSON"))
}

/// The browser: `navigator.credentials.get()` on `origin` with the options JSON.
pub fn get(
    device: &mut impl AuthenticatorBackend,
    origin: &str,
    options: Value,
) -> Result<Value, WebauthnCError> {
    let options = serde_json::from_value(options).expect("request options");
    let response = WebauthnAuthenticator::new(Borrowed(device))
        .do_authentication(Url::parse(origin).expect("origin"), options)?;
    Ok(serde_json::to_value(response).expect("response JSON"))
}

/// A whole registration on ORIGIN, the pending state through the database.
pub fn register(
    passkeys: &Passkeys,
    device: &mut impl AuthenticatorBackend,
    exclude: &[Vec<u8>],
    want: Binding,
) -> Result<RegisteredPasskey, PasskeyError> {
    let (options, pending) =
        passkeys.start_registration(USER, "taro@example.jp", "Taro", exclude, want)?;
    let response = create(device, ORIGIN, options).expect("authenticator registers");
    let registered = passkeys.finish_registration(&response, db(&pending))?;
    Ok(RegisteredPasskey {
        stored: db(&registered.stored),
        ..registered
    })
}

/// A whole authentication on ORIGIN against `account`; saves the updated passkey into it.
pub fn login(
    passkeys: &Passkeys,
    device: &mut impl AuthenticatorBackend,
    account: &mut [StoredPasskey],
) -> Result<Authenticated, PasskeyError> {
    let (options, pending) = passkeys.start_authentication(account)?;
    let response = get(device, ORIGIN, options).expect("authenticator signs");
    let done = passkeys.finish_authentication(&response, db(&pending), account)?;
    save(account, &done);
    Ok(done)
}

/// The provider saving `done.updated` in place of the stored passkey.
pub fn save(account: &mut [StoredPasskey], done: &Authenticated) {
    if let Some(updated) = &done.updated {
        let slot = account
            .iter_mut()
            .find(|s| s.credential_id() == done.credential_id.as_slice())
            .expect("updated passkey is the account's");
        *slot = db(updated);
    }
}

/// Lends a device to one `WebauthnAuthenticator` (which otherwise owns it).
struct Borrowed<'a, T>(&'a mut T);

impl<T: AuthenticatorBackend> AuthenticatorBackend for Borrowed<'_, T> {
    fn perform_register(
        &mut self,
        origin: Url,
        options: PublicKeyCredentialCreationOptions,
        timeout_ms: u32,
    ) -> Result<RegisterPublicKeyCredential, WebauthnCError> {
        self.0.perform_register(origin, options, timeout_ms)
    }

    fn perform_auth(
        &mut self,
        origin: Url,
        options: PublicKeyCredentialRequestOptions,
        timeout_ms: u32,
    ) -> Result<PublicKeyCredential, WebauthnCError> {
        self.0.perform_auth(origin, options, timeout_ms)
    }
}
