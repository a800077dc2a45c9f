//! JWK parsing, serialization and thumbprints; the base64url helpers.

mod support;

use serde_json::{json, Value};

use akashi_jose::jwk::{JwkKey, JwkSet, PublicJwk};
use akashi_jose::{b64url_decode, b64url_encode, JoseError};

/// RFC 7638 §3.1: the example RSA key and its thumbprint.
const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

fn rfc7638_key() -> Value {
    json!({"kty": "RSA", "n": RFC7638_N, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"})
}

/// RFC 9449 §4.1 / §6.1: the example proof key and its `jkt`.
fn rfc9449_key() -> Value {
    json!({
        "kty": "EC",
        "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
        "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
        "crv": "P-256"
    })
}

#[test]
fn rfc7638_thumbprint_vector() {
    let jwk = PublicJwk::from_json(&rfc7638_key()).unwrap();
    assert_eq!(
        jwk.thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(jwk.kid.as_deref(), Some("2011-04-29"));
    assert_eq!(jwk.alg.as_deref(), Some("RS256"));
    // Metadata does not enter the thumbprint; the key does.
    let bare = PublicJwk::from_json(&json!({"kty": "RSA", "n": RFC7638_N, "e": "AQAB"})).unwrap();
    assert_eq!(bare.thumbprint(), jwk.thumbprint());
    let other_e = PublicJwk::from_json(&json!({"kty": "RSA", "n": RFC7638_N, "e": "Aw"})).unwrap();
    assert_ne!(other_e.thumbprint(), jwk.thumbprint());
}

#[test]
fn rfc9449_ec_thumbprint() {
    let jwk = PublicJwk::from_json(&rfc9449_key()).unwrap();
    assert_eq!(
        jwk.thumbprint(),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
}

#[test]
fn json_round_trip_and_metadata() {
    for value in [rfc7638_key(), rfc9449_key()] {
        let jwk = PublicJwk::from_json(&value).unwrap();
        assert_eq!(jwk.to_json(), value);
        assert_eq!(PublicJwk::from_json(&jwk.to_json()).unwrap(), jwk);
    }
    let with = PublicJwk::from_json(&rfc9449_key())
        .unwrap()
        .with_kid("k")
        .with_use("sig")
        .with_alg("ES256");
    assert_eq!(with.to_json()["kid"], "k");
    assert_eq!(with.to_json()["use"], "sig");
    assert_eq!(with.to_json()["alg"], "ES256");
}

fn refused(value: Value) -> String {
    match PublicJwk::from_json(&value) {
        Err(JoseError::InvalidJwk(why)) => why,
        other => panic!("{value} was not refused as an invalid JWK: {other:?}"),
    }
}

fn with(mut base: Value, name: &str, v: Value) -> Value {
    base[name] = v;
    base
}

fn without(mut base: Value, name: &str) -> Value {
    base.as_object_mut().unwrap().remove(name);
    base
}

#[test]
fn private_members_are_refused() {
    let ec_d = support::ec_scalar_b64(1);
    assert!(refused(with(rfc9449_key(), "d", ec_d.into())).contains("\"d\""));
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(refused(with(rfc7638_key(), member, "AQAB".into())).contains(member));
    }
    assert!(refused(json!({"kty": "oct", "k": "AAAA"})).contains("\"k\""));
}

#[test]
fn wrong_types_curves_and_lengths_are_refused() {
    assert!(refused(with(rfc7638_key(), "kty", "rsa".into())).contains("kty"));
    assert!(refused(json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"})).contains("kty"));
    assert!(refused(with(rfc9449_key(), "crv", "P-384".into())).contains("P-384"));
    assert!(refused(without(rfc9449_key(), "crv")).contains("crv"));
    assert!(refused(without(rfc9449_key(), "y")).contains("\"y\""));
    assert!(refused(without(rfc7638_key(), "e")).contains("\"e\""));
    assert!(refused(json!("not an object")).contains("object"));
    // A coordinate of 31 bytes, one of 33 bytes, a point off the curve.
    let x = b64url_decode(rfc9449_key()["x"].as_str().unwrap()).unwrap();
    assert!(refused(with(rfc9449_key(), "x", b64url_encode(&x[1..]).into())).contains("32"));
    let mut long = vec![0u8];
    long.extend_from_slice(&x);
    assert!(refused(with(rfc9449_key(), "x", b64url_encode(&long).into())).contains("32"));
    let mut off = x.clone();
    off[5] ^= 1;
    assert!(refused(with(rfc9449_key(), "x", b64url_encode(&off).into())).contains("curve"));
    // RSA: a leading zero octet, a 1024-bit modulus, an even exponent.
    let n = b64url_decode(RFC7638_N).unwrap();
    let mut padded = vec![0u8];
    padded.extend_from_slice(&n);
    assert!(refused(with(rfc7638_key(), "n", b64url_encode(&padded).into())).contains("leading"));
    assert!(refused(with(rfc7638_key(), "n", b64url_encode(&n[..128]).into())).contains("1024"));
    assert!(refused(with(rfc7638_key(), "e", "Ag".into())).contains("exponent"));
    // Padding, the standard alphabet, non-string metadata.
    assert!(refused(with(rfc7638_key(), "e", "AQAB=".into())).contains("base64url"));
    let standard = RFC7638_N.replace('_', "/");
    assert!(refused(with(rfc7638_key(), "n", standard.into())).contains("base64url"));
    assert!(refused(with(rfc7638_key(), "kid", json!(7))).contains("kid"));
}

#[test]
fn from_key_material() {
    let signer_key = support::rsa_key();
    let der = signer_key.public_key_der().unwrap();
    let jwk = PublicJwk::from_rsa_spki_der(&der).unwrap();
    let JwkKey::Rsa { n, e } = jwk.key() else {
        panic!("not RSA")
    };
    assert_eq!((n.len(), e.as_slice()), (256, &[1u8, 0, 1][..]));
    assert_eq!(jwk.to_rsa_spki_der().unwrap(), der);
    assert!(jwk.to_p256().is_none());

    let ec = support::ec_key(3).public_key();
    let jwk = PublicJwk::from_p256(&ec);
    assert_eq!(jwk.to_p256().unwrap(), ec);
    let (x, y) = ec.affine();
    assert_eq!(jwk.to_json()["x"], b64url_encode(&x));
    assert_eq!(jwk.to_json()["y"], b64url_encode(&y));
    // An EC SPKI is not an RSA key, and garbage is not an SPKI.
    let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).unwrap();
    let ec_spki = openssl::pkey::PKey::from_ec_key(openssl::ec::EcKey::generate(&group).unwrap())
        .unwrap()
        .public_key_to_der()
        .unwrap();
    for der in [&ec_spki[..], b"\x30\x00"] {
        assert!(matches!(
            PublicJwk::from_rsa_spki_der(der),
            Err(JoseError::InvalidJwk(_))
        ));
    }
}

#[test]
fn jwk_set_parsing_and_lookup() {
    let set = json!({"keys": [
        rfc7638_key(),
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
        with(rfc9449_key(), "kid", "proof-key".into()),
    ]});
    let parsed = JwkSet::from_json(&set).unwrap();
    // The Ed25519 and P-521 keys are skipped (RFC 7517 §5), the others kept in order.
    assert_eq!(parsed.keys.len(), 2);
    assert_eq!(
        parsed.find("proof-key").unwrap().thumbprint(),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
    assert_eq!(
        parsed.find("2011-04-29").unwrap().thumbprint(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert!(parsed.find("nope").is_none());
    assert_eq!(JwkSet::from_json(&parsed.to_json()).unwrap(), parsed);
    // A supported key that is broken, or private, fails the set.
    let broken = json!({"keys": [with(rfc9449_key(), "d", support::ec_scalar_b64(1).into())]});
    assert!(matches!(
        JwkSet::from_json(&broken),
        Err(JoseError::InvalidJwk(_))
    ));
    assert!(JwkSet::from_json(&json!({"keys": {}})).is_err());
    assert!(JwkSet::from_json(&json!([])).is_err());
}

#[test]
fn base64url_is_strict() {
    assert_eq!(b64url_encode(b"\xfb\xff"), "-_8");
    assert_eq!(b64url_decode("-_8").unwrap(), b"\xfb\xff");
    for bad in ["-_8=", "+/8", "-_ 8", "-_9", "A"] {
        assert!(
            matches!(b64url_decode(bad), Err(JoseError::Base64 { .. })),
            "{bad:?} accepted"
        );
    }
    assert_eq!(b64url_decode("").unwrap(), b"");
}
