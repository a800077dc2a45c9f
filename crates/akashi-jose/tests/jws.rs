//! Compact JWS: RS256 and ES256 round trips, tampering, algorithm and key selection rules.

mod support;

use serde_json::{json, Map, Value};

use akashi_jose::jwk::PublicJwk;
use akashi_jose::jws::{sign_compact, verify_compact, JwsAlgorithm, JwsSigner};
use akashi_jose::{b64url_decode, b64url_encode, protected_header, JoseError};

use support::{alter_part, ec_signer, replace_in_part, rsa_signer};

const BOTH: &[JwsAlgorithm] = &[JwsAlgorithm::Rs256, JwsAlgorithm::Es256];

fn typ_jwt() -> Map<String, Value> {
    let Value::Object(map) = json!({"typ": "JWT"}) else {
        unreachable!()
    };
    map
}

const PAYLOAD: &[u8] = br#"{"iss":"https://op.akashi.example","sub":"pairwise-1","aud":"rp-1"}"#;

fn round_trip_and_tampering(signer: &dyn JwsSigner) {
    let compact = sign_compact(typ_jwt(), PAYLOAD, signer).unwrap();
    let keys = [signer.public_jwk()];
    let verified = verify_compact(&compact, &keys, BOTH).unwrap();
    assert_eq!(verified.payload, PAYLOAD);
    assert_eq!(verified.algorithm, signer.algorithm());
    assert_eq!(verified.header["alg"], signer.algorithm().name());
    assert_eq!(verified.header["typ"], "JWT");
    assert_eq!(verified.header["kid"], "k1");
    assert_eq!(protected_header(&compact).unwrap(), verified.header);

    // One byte changed in the header (still valid JSON, same kid), in the payload, in the
    // signature: each is refused as a bad signature.
    let header = replace_in_part(&compact, 0, "\"JWT\"", "\"JWU\"");
    let payload = replace_in_part(&compact, 1, "pairwise-1", "pairwise-2");
    let signature = alter_part(&compact, 2, |s| s[7] ^= 0x01);
    for altered in [header, payload, signature] {
        assert_ne!(altered, compact);
        assert_eq!(
            verify_compact(&altered, &keys, BOTH),
            Err(JoseError::BadSignature),
            "{altered}"
        );
    }
    // The same header re-encoded with other whitespace means the same but is other bytes:
    // only the received bytes count.
    let respaced = alter_part(&compact, 0, |h| {
        let value: Value = serde_json::from_slice(h).unwrap();
        *h = serde_json::to_vec_pretty(&value).unwrap();
    });
    assert_eq!(
        verify_compact(&respaced, &keys, BOTH),
        Err(JoseError::BadSignature)
    );
    // A truncated signature, a fourth part.
    let short = alter_part(&compact, 2, |s| {
        s.pop();
    });
    assert_eq!(
        verify_compact(&short, &keys, BOTH),
        Err(JoseError::BadSignature)
    );
    assert!(matches!(
        verify_compact(&format!("{compact}.x"), &keys, BOTH),
        Err(JoseError::Malformed { .. })
    ));
}

#[test]
fn rs256_round_trip_and_tampering() {
    round_trip_and_tampering(&rsa_signer(Some("k1")));
}

#[test]
fn es256_round_trip_and_tampering() {
    round_trip_and_tampering(&ec_signer(Some("k1"), 1));
}

#[test]
fn es256_signature_is_r_s_not_der() {
    let signer = ec_signer(None, 1);
    let compact = sign_compact(Map::new(), PAYLOAD, &signer).unwrap();
    let raw = b64url_decode(compact.rsplit('.').next().unwrap()).unwrap();
    assert_eq!(raw.len(), 64);
    let keys = [signer.public_jwk()];
    // The same signature in DER (as X.509 or CMS would carry it) is refused.
    let r = openssl::bn::BigNum::from_slice(&raw[..32]).unwrap();
    let s = openssl::bn::BigNum::from_slice(&raw[32..]).unwrap();
    let der = openssl::ecdsa::EcdsaSig::from_private_components(r, s)
        .unwrap()
        .to_der()
        .unwrap();
    let (input, _) = compact.rsplit_once('.').unwrap();
    let with_der = format!("{input}.{}", b64url_encode(&der));
    assert_eq!(
        verify_compact(&with_der, &keys, BOTH),
        Err(JoseError::BadSignature)
    );
    verify_compact(&compact, &keys, BOTH).unwrap();
}

/// A token with the given header and payload and an empty or arbitrary signature.
fn forged(header: Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64url_encode(header.to_string().as_bytes()),
        b64url_encode(PAYLOAD)
    )
}

#[test]
fn alg_none_is_refused() {
    let signer = ec_signer(None, 1);
    let keys = [signer.public_jwk()];
    for alg in ["none", "None", "NONE"] {
        for signature in ["", "AAAA"] {
            let token = forged(json!({"alg": alg, "typ": "JWT"}), signature);
            assert_eq!(verify_compact(&token, &keys, BOTH), Err(JoseError::AlgNone));
        }
    }
}

#[test]
fn algorithms_outside_the_list_and_unknown_ones_are_refused() {
    let rsa = rsa_signer(None);
    let compact = sign_compact(Map::new(), PAYLOAD, &rsa).unwrap();
    assert_eq!(
        verify_compact(&compact, &[rsa.public_jwk()], &[JwsAlgorithm::Es256]),
        Err(JoseError::AlgorithmNotAllowed("RS256".into()))
    );
    // HS256 with the public key as an HMAC secret, the classic confusion, is not even known.
    let hs = forged(json!({"alg": "HS256"}), "AAAA");
    assert_eq!(
        verify_compact(&hs, &[rsa.public_jwk()], BOTH),
        Err(JoseError::UnsupportedAlgorithm("HS256".into()))
    );
    assert!(matches!(
        verify_compact(
            &forged(json!({"typ": "JWT"}), "AAAA"),
            &[rsa.public_jwk()],
            BOTH
        ),
        Err(JoseError::Malformed { .. })
    ));
}

#[test]
fn mismatched_key_type_is_refused() {
    let ec = ec_signer(Some("k1"), 1);
    let rsa = rsa_signer(Some("k1"));
    let es256 = sign_compact(Map::new(), PAYLOAD, &ec).unwrap();
    // The only key named k1 is RSA; the token says ES256.
    assert!(matches!(
        verify_compact(&es256, &[rsa.public_jwk()], BOTH),
        Err(JoseError::KeyMismatch { .. })
    ));
    // The header claims RS256 over an EC-signed token with an EC key: also refused.
    let relabelled = replace_in_part(&es256, 0, "ES256", "RS256");
    assert!(matches!(
        verify_compact(&relabelled, &[ec.public_jwk()], BOTH),
        Err(JoseError::KeyMismatch { .. })
    ));
    // A key marked for encryption, or for another algorithm, is not used to verify.
    let enc_key = ec.public_jwk().with_use("enc");
    assert!(matches!(
        verify_compact(&es256, &[enc_key], BOTH),
        Err(JoseError::KeyMismatch { .. })
    ));
    let other_alg = ec.public_jwk().with_alg("ES384");
    assert!(matches!(
        verify_compact(&es256, &[other_alg], BOTH),
        Err(JoseError::KeyMismatch { .. })
    ));
}

#[test]
fn crit_is_refused() {
    let signer = ec_signer(None, 1);
    let mut header = typ_jwt();
    header.insert("crit".into(), json!(["exp"]));
    header.insert("exp".into(), json!(1));
    let compact = sign_compact(header, PAYLOAD, &signer).unwrap();
    assert_eq!(
        verify_compact(&compact, &[signer.public_jwk()], BOTH),
        Err(JoseError::CriticalHeader(vec!["exp".into()]))
    );
}

#[test]
fn key_selection_by_kid() {
    let a = ec_signer(Some("a"), 1);
    let b = ec_signer(Some("b"), 2);
    let rsa = rsa_signer(Some("r"));
    let keys = [a.public_jwk(), b.public_jwk(), rsa.public_jwk()];
    for signer in [&a as &dyn JwsSigner, &b, &rsa] {
        let compact = sign_compact(Map::new(), PAYLOAD, signer).unwrap();
        verify_compact(&compact, &keys, BOTH).unwrap();
    }
    // Signed by b but naming a: the kid picks a, whose signature check fails.
    let lying = sign_compact(Map::new(), PAYLOAD, &ec_signer(Some("a"), 2)).unwrap();
    assert_eq!(
        verify_compact(&lying, &keys, BOTH),
        Err(JoseError::BadSignature)
    );
    let unknown = sign_compact(Map::new(), PAYLOAD, &ec_signer(Some("zz"), 1)).unwrap();
    assert_eq!(
        verify_compact(&unknown, &keys, BOTH),
        Err(JoseError::UnknownKeyId("zz".into()))
    );
    // No kid: fine with one EC key, refused with two.
    let anonymous = sign_compact(Map::new(), PAYLOAD, &ec_signer(None, 1)).unwrap();
    verify_compact(&anonymous, &[a.public_jwk(), rsa.public_jwk()], BOTH).unwrap();
    assert!(matches!(
        verify_compact(&anonymous, &keys, BOTH),
        Err(JoseError::NoUsableKey(_))
    ));
    assert!(matches!(
        verify_compact(&anonymous, &[], BOTH),
        Err(JoseError::NoUsableKey(_))
    ));
}

#[test]
fn embedded_keys_are_not_trusted() {
    // An attacker signs with their own key and embeds it as "jwk": the verifier's keys decide.
    let attacker = ec_signer(None, 9);
    let mut header = Map::new();
    header.insert("jwk".into(), attacker.public_jwk().to_json());
    let compact = sign_compact(header, PAYLOAD, &attacker).unwrap();
    let ours: PublicJwk = ec_signer(None, 1).public_jwk();
    assert_eq!(
        verify_compact(&compact, &[ours], BOTH),
        Err(JoseError::BadSignature)
    );
}

#[test]
fn signer_public_jwks_carry_use_and_alg() {
    let rsa = rsa_signer(Some("r")).public_jwk().to_json();
    assert_eq!(
        (&rsa["kty"], &rsa["use"], &rsa["alg"]),
        (&json!("RSA"), &json!("sig"), &json!("RS256"))
    );
    let ec = ec_signer(Some("e"), 1).public_jwk().to_json();
    assert_eq!(
        (&ec["crv"], &ec["kid"], &ec["alg"]),
        (&json!("P-256"), &json!("e"), &json!("ES256"))
    );
}
