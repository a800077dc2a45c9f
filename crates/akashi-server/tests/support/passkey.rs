//! The browser's WebAuthn calls with the soft authenticators of webauthn-authenticator-rs:
//! a user-verifying software passkey, and a security key with its own attestation CA.

use serde_json::Value;
use webauthn_authenticator_rs::prelude::{Url, WebauthnAuthenticator, WebauthnCError};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::softtoken::SoftToken;
use webauthn_authenticator_rs::AuthenticatorBackend;
use webauthn_rs_proto::{
    PublicKeyCredential, PublicKeyCredentialCreationOptions, PublicKeyCredentialRequestOptions,
    RegisterPublicKeyCredential,
};

/// A software passkey that verifies its user (as a platform authenticator would).
pub fn soft_passkey() -> SoftPasskey {
    SoftPasskey::new(true)
}

/// A security key with its own attestation CA; returns the CA's DER.
pub fn soft_token() -> (SoftToken, Vec<u8>) {
    let (token, ca) = SoftToken::new(true).expect("soft token");
    (token, ca.to_der().expect("CA DER"))
}

/// The same key material and counter in a second token: a cloned authenticator.
pub fn clone_token(token: &SoftToken) -> SoftToken {
    SoftToken::from_cbor(&token.to_cbor().expect("to CBOR")).expect("from CBOR")
}

fn without_ceremony(mut options: Value) -> Value {
    if let Some(o) = options.as_object_mut() {
        o.remove("ceremony");
    }
    options
}

/// `navigator.credentials.create()` on `origin` with the provider's options.
pub fn create(
    device: &mut impl AuthenticatorBackend,
    origin: &str,
    options: Value,
) -> Result<Value, WebauthnCError> {
    let options = serde_json::from_value(without_ceremony(options)).expect("creation options");
    let response = WebauthnAuthenticator::new(Borrowed(device))
        .do_registration(Url::parse(origin).expect("origin"), options)?;
    Ok(serde_json::to_value(response).expect("response JSON"))
}

/// `navigator.credentials.get()` on `origin` with the provider's options.
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
