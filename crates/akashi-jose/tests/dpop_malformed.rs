//! DPoP proofs (RFC 9449 §4.3) refused for what they are rather than for what they ask:
//! private key material, the wrong typ, a missing or foreign jwk, missing claims, a broken
//! signature, alg none, excessive size.

mod support;

use serde_json::json;

use akashi_jose::dpop::{create_proof, verify_proof};
use akashi_jose::jws::JwsSigner;
use akashi_jose::JoseError;

use support::dpop::{claims, expect, good_payload, handmade, header};
use support::{alter_part, ec_scalar_b64, ec_signer, rsa_signer};

#[test]
fn a_private_key_in_jwk_is_refused() {
    let signer = ec_signer(None, 1);
    let mut h = header(&signer);
    h["jwk"]["d"] = ec_scalar_b64(1).into();
    assert!(matches!(
        verify_proof(&handmade(&signer, h, good_payload()), &expect()),
        Err(JoseError::InvalidJwk(why)) if why.contains("private")
    ));
    // The same proof without d passes: it was the d.
    verify_proof(
        &handmade(&signer, header(&signer), good_payload()),
        &expect(),
    )
    .unwrap();
}

#[test]
fn wrong_typ_missing_jwk_and_foreign_jwk_are_refused() {
    let signer = ec_signer(None, 1);
    for typ in [json!("JWT"), json!("DPoP+JWT"), json!("at+jwt")] {
        let mut h = header(&signer);
        h["typ"] = typ.clone();
        assert_eq!(
            verify_proof(&handmade(&signer, h, good_payload()), &expect()),
            Err(JoseError::DpopType(typ.as_str().map(str::to_owned)))
        );
    }
    let mut h = header(&signer);
    h.remove("typ");
    assert_eq!(
        verify_proof(&handmade(&signer, h, good_payload()), &expect()),
        Err(JoseError::DpopType(None))
    );
    let mut h = header(&signer);
    h.remove("jwk");
    assert_eq!(
        verify_proof(&handmade(&signer, h, good_payload()), &expect()),
        Err(JoseError::DpopMissingJwk)
    );
    // Signed by one key, naming another: the signature does not verify under the named key.
    let mut h = header(&signer);
    h["jwk"] = ec_signer(None, 2).public_jwk().to_json();
    assert_eq!(
        verify_proof(&handmade(&signer, h, good_payload()), &expect()),
        Err(JoseError::BadSignature)
    );
    // An RSA jwk with alg ES256.
    let mut h = header(&signer);
    h["jwk"] = rsa_signer(None).public_jwk().to_json();
    assert!(matches!(
        verify_proof(&handmade(&signer, h, good_payload()), &expect()),
        Err(JoseError::KeyMismatch { .. })
    ));
}

#[test]
fn missing_claims_tampering_and_size_are_refused() {
    let signer = ec_signer(None, 1);
    for claim in ["jti", "htm", "htu", "iat"] {
        let mut payload = good_payload();
        payload.as_object_mut().unwrap().remove(claim);
        assert_eq!(
            verify_proof(&handmade(&signer, header(&signer), payload), &expect()),
            Err(JoseError::DpopMissingClaim(claim)),
        );
    }
    let mut payload = good_payload();
    payload["jti"] = json!(42);
    assert_eq!(
        verify_proof(&handmade(&signer, header(&signer), payload), &expect()),
        Err(JoseError::DpopMissingClaim("jti"))
    );
    let proof = create_proof(&signer, &claims()).unwrap();
    let altered = alter_part(&proof, 2, |s| s[0] ^= 1);
    assert_eq!(
        verify_proof(&altered, &expect()),
        Err(JoseError::BadSignature)
    );
    let none = format!(
        "{}.{}.",
        akashi_jose::b64url_encode(br#"{"alg":"none","typ":"dpop+jwt"}"#),
        proof.split('.').nth(1).unwrap()
    );
    assert_eq!(verify_proof(&none, &expect()), Err(JoseError::AlgNone));
    let huge = "a".repeat(9000);
    assert_eq!(
        verify_proof(&huge, &expect()),
        Err(JoseError::DpopTooLong(8192))
    );
}
