//! Compact JWE: RSA-OAEP-256 and ECDH-ES round trips, tampering, wrong keys, the RFC 7518
//! Appendix C key agreement end to end, and recipient key import/export.

mod support;

use std::sync::OnceLock;

use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_jose::jwe::{
    decrypt_compact, encrypt_compact, ContentEncryption, JweAlgorithm, RecipientKey,
};
use akashi_jose::{b64url_decode, b64url_encode, protected_header, JoseError};

use support::{alter_part, replace_in_part};

const ID_TOKEN: &[u8] = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJwYWlyd2lzZS0xIn0.c2lnbmF0dXJl";

/// One RSA recipient per test binary (key generation is slow), rebuilt from PKCS#8.
fn rsa_recipient() -> RecipientKey {
    static DER: OnceLock<Vec<u8>> = OnceLock::new();
    let der = DER.get_or_init(|| {
        RecipientKey::generate_rsa(2048, None)
            .unwrap()
            .to_pkcs8_der()
            .unwrap()
            .to_vec()
    });
    RecipientKey::from_pkcs8_der(der, Some("rp-enc-rsa".into())).unwrap()
}

fn ec_recipient() -> RecipientKey {
    RecipientKey::generate_p256(&OsRandom, Some("rp-enc-ec".into())).unwrap()
}

fn cases() -> Vec<(RecipientKey, JweAlgorithm, ContentEncryption)> {
    vec![
        (
            rsa_recipient(),
            JweAlgorithm::RsaOaep256,
            ContentEncryption::A256Gcm,
        ),
        (
            rsa_recipient(),
            JweAlgorithm::RsaOaep256,
            ContentEncryption::A128Gcm,
        ),
        (
            ec_recipient(),
            JweAlgorithm::EcdhEs,
            ContentEncryption::A256Gcm,
        ),
        (
            ec_recipient(),
            JweAlgorithm::EcdhEs,
            ContentEncryption::A128Gcm,
        ),
    ]
}

#[test]
fn round_trips() {
    for (key, alg, enc) in cases() {
        let public = key.public_jwk().unwrap();
        let jwe = encrypt_compact(ID_TOKEN, &public, alg, enc, Some("JWT"), &OsRandom).unwrap();
        let header = protected_header(&jwe).unwrap();
        assert_eq!(header["alg"], alg.name());
        assert_eq!(header["enc"], enc.name());
        assert_eq!(header["cty"], "JWT");
        assert_eq!(header["kid"], json!(key.kid()));
        let parts: Vec<&str> = jwe.split('.').collect();
        assert_eq!(parts.len(), 5);
        match alg {
            JweAlgorithm::RsaOaep256 => {
                assert_eq!(b64url_decode(parts[1]).unwrap().len(), 256);
                assert!(header.get("epk").is_none());
            }
            _ => {
                assert_eq!(parts[1], "", "ECDH-ES direct has no encrypted key");
                assert_eq!(header["epk"]["crv"], "P-256");
                assert!(header["epk"].get("d").is_none());
            }
        }
        let decrypted = decrypt_compact(&jwe, &key, &OsRandom).unwrap();
        assert_eq!(decrypted.plaintext, ID_TOKEN);
        assert_eq!((decrypted.algorithm, decrypted.encryption), (alg, enc));
        assert_eq!(decrypted.header, header);
        // Two encryptions of the same plaintext differ (fresh CEK or ephemeral key, fresh IV).
        let again = encrypt_compact(ID_TOKEN, &public, alg, enc, None, &OsRandom).unwrap();
        assert_ne!(again.split('.').nth(3), jwe.split('.').nth(3));
        assert!(protected_header(&again).unwrap().get("cty").is_none());
    }
}

#[test]
fn tampering_and_wrong_keys_are_refused() {
    for (key, alg, enc) in cases() {
        let public = key.public_jwk().unwrap();
        let jwe = encrypt_compact(ID_TOKEN, &public, alg, enc, Some("JWT"), &OsRandom).unwrap();
        let mut altered = vec![
            // The header is the AAD: a changed cty fails the tag.
            replace_in_part(&jwe, 0, "\"JWT\"", "\"JWU\""),
            alter_part(&jwe, 2, |iv| iv[0] ^= 1),
            alter_part(&jwe, 3, |c| c[10] ^= 1),
            alter_part(&jwe, 4, |t| t[15] ^= 1),
        ];
        if alg == JweAlgorithm::RsaOaep256 {
            altered.push(alter_part(&jwe, 1, |k| k[100] ^= 1));
        } else {
            // Another ephemeral public key (a valid point) gives another Z.
            let other = RecipientKey::generate_p256(&OsRandom, None).unwrap();
            let epk = other.public_jwk().unwrap();
            altered.push(alter_part(&jwe, 0, |h| {
                let mut header: Value = serde_json::from_slice(h).unwrap();
                header["epk"]["x"] = epk.to_json()["x"].clone();
                header["epk"]["y"] = epk.to_json()["y"].clone();
                *h = header.to_string().into_bytes();
            }));
        }
        for bad in altered {
            assert_ne!(bad, jwe);
            assert_eq!(
                decrypt_compact(&bad, &key, &OsRandom),
                Err(JoseError::Decryption),
                "{bad}"
            );
        }
        // Another key of the right type cannot decrypt it.
        let stranger = match alg {
            JweAlgorithm::RsaOaep256 => RecipientKey::generate_rsa(2048, None).unwrap(),
            _ => ec_recipient(),
        };
        assert_eq!(
            decrypt_compact(&jwe, &stranger, &OsRandom),
            Err(JoseError::Decryption)
        );
        decrypt_compact(&jwe, &key, &OsRandom).unwrap();
    }
}

#[test]
fn structural_problems_are_reported() {
    let key = ec_recipient();
    let public = key.public_jwk().unwrap();
    let jwe = encrypt_compact(
        ID_TOKEN,
        &public,
        JweAlgorithm::EcdhEs,
        ContentEncryption::A256Gcm,
        None,
        &OsRandom,
    )
    .unwrap();
    let malformed = |r| matches!(r, Err(JoseError::Malformed { .. }));
    assert!(malformed(decrypt_compact(
        &format!("{jwe}.x"),
        &key,
        &OsRandom
    )));
    assert!(malformed(decrypt_compact(
        &jwe.replacen('.', "", 1),
        &key,
        &OsRandom
    )));
    // An off-curve ephemeral key is refused before any key agreement.
    let off_curve = alter_part(&jwe, 0, |h| {
        let mut header: Value = serde_json::from_slice(h).unwrap();
        let mut y = b64url_decode(header["epk"]["y"].as_str().unwrap()).unwrap();
        y[0] ^= 1;
        header["epk"]["y"] = b64url_encode(&y).into();
        *h = header.to_string().into_bytes();
    });
    assert!(matches!(
        decrypt_compact(&off_curve, &key, &OsRandom),
        Err(JoseError::InvalidJwk(_))
    ));
    // An ECDH-ES JWE with an encrypted key, zip, crit, an unknown enc or alg.
    let with_key = {
        let mut parts: Vec<&str> = jwe.split('.').collect();
        parts[1] = "AAAA";
        parts.join(".")
    };
    assert!(malformed(decrypt_compact(&with_key, &key, &OsRandom)));
    let header_with = |name: &str, value: Value| {
        alter_part(&jwe, 0, |h| {
            let mut header: Value = serde_json::from_slice(h).unwrap();
            header[name] = value;
            *h = header.to_string().into_bytes();
        })
    };
    assert_eq!(
        decrypt_compact(&header_with("zip", "DEF".into()), &key, &OsRandom),
        Err(JoseError::UnsupportedHeader("zip".into()))
    );
    assert!(matches!(
        decrypt_compact(&header_with("crit", json!(["x"])), &key, &OsRandom),
        Err(JoseError::CriticalHeader(_))
    ));
    assert_eq!(
        decrypt_compact(&header_with("enc", "A128CBC-HS256".into()), &key, &OsRandom),
        Err(JoseError::UnsupportedAlgorithm("A128CBC-HS256".into()))
    );
    assert_eq!(
        decrypt_compact(&header_with("alg", "RSA1_5".into()), &key, &OsRandom),
        Err(JoseError::UnsupportedAlgorithm("RSA1_5".into()))
    );
    // RSA-OAEP-256 presented to an EC key.
    assert!(matches!(
        decrypt_compact(&header_with("alg", "RSA-OAEP-256".into()), &key, &OsRandom),
        Err(JoseError::KeyMismatch { .. })
    ));
}

#[test]
fn encryption_refuses_unsuitable_recipient_keys() {
    let rsa = rsa_recipient().public_jwk().unwrap();
    let ec = ec_recipient().public_jwk().unwrap();
    let enc = ContentEncryption::A256Gcm;
    let mismatch = |r: Result<String, JoseError>| matches!(r, Err(JoseError::KeyMismatch { .. }));
    assert!(mismatch(encrypt_compact(
        b"x",
        &rsa,
        JweAlgorithm::EcdhEs,
        enc,
        None,
        &OsRandom
    )));
    assert!(mismatch(encrypt_compact(
        b"x",
        &ec,
        JweAlgorithm::RsaOaep256,
        enc,
        None,
        &OsRandom
    )));
    let signing_key = ec.clone().with_use("sig");
    assert!(mismatch(encrypt_compact(
        b"x",
        &signing_key,
        JweAlgorithm::EcdhEs,
        enc,
        None,
        &OsRandom
    )));
    let other_alg = ec.clone().with_alg("ECDH-ES+A128KW");
    assert!(mismatch(encrypt_compact(
        b"x",
        &other_alg,
        JweAlgorithm::EcdhEs,
        enc,
        None,
        &OsRandom
    )));
    let right_alg = ec.with_alg("ECDH-ES");
    encrypt_compact(b"x", &right_alg, JweAlgorithm::EcdhEs, enc, None, &OsRandom).unwrap();
}

/// RFC 7518 Appendix C end to end: a JWE built by hand (OpenSSL AES-GCM under the RFC's
/// derived key "VqqN6vgjbSBcIijNcacQGg", with its header including apu/apv) decrypts with
/// Bob's key — so the receiving side honours apu/apv in the Concat KDF.
#[test]
fn rfc7518_appendix_c_end_to_end() {
    let bob = RecipientKey::from_private_jwk(&json!({
        "kty": "EC", "crv": "P-256",
        "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
        "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
        "d": "VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"
    }))
    .unwrap();
    let header = json!({
        "alg": "ECDH-ES", "enc": "A128GCM", "apu": "QWxpY2U", "apv": "Qm9i",
        "epk": {"kty": "EC", "crv": "P-256",
                "x": "gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
                "y": "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"}
    });
    let header_b64 = b64url_encode(header.to_string().as_bytes());
    let cek = b64url_decode("VqqN6vgjbSBcIijNcacQGg").unwrap();
    let iv = [7u8; 12];
    let mut tag = [0u8; 16];
    let ciphertext = openssl::symm::encrypt_aead(
        openssl::symm::Cipher::aes_128_gcm(),
        &cek,
        Some(&iv),
        header_b64.as_bytes(),
        ID_TOKEN,
        &mut tag,
    )
    .unwrap();
    let jwe = format!(
        "{header_b64}..{}.{}.{}",
        b64url_encode(&iv),
        b64url_encode(&ciphertext),
        b64url_encode(&tag)
    );
    assert_eq!(
        decrypt_compact(&jwe, &bob, &OsRandom).unwrap().plaintext,
        ID_TOKEN
    );
    // Without apu, the KDF gives another key.
    let no_apu = alter_part(&jwe, 0, |h| {
        let mut header: Value = serde_json::from_slice(h).unwrap();
        header.as_object_mut().unwrap().remove("apu");
        *h = header.to_string().into_bytes();
    });
    assert_eq!(
        decrypt_compact(&no_apu, &bob, &OsRandom),
        Err(JoseError::Decryption)
    );
}

#[test]
fn recipient_keys_import_and_export() {
    for key in [rsa_recipient(), ec_recipient()] {
        let private: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
        assert_eq!(private["kid"], json!(key.kid()));
        assert!(private.get("d").is_some());
        let back = RecipientKey::from_private_jwk(&private).unwrap();
        assert_eq!(back.public_jwk().unwrap(), key.public_jwk().unwrap());
        let again = RecipientKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap(), None).unwrap();
        assert_eq!(
            again.public_jwk().unwrap().thumbprint(),
            key.public_jwk().unwrap().thumbprint()
        );
        // The public JWK is public: feeding it back as a public key works, as private fails.
        let public = key.public_jwk().unwrap();
        assert_eq!(public.key_use.as_deref(), Some("enc"));
        assert!(RecipientKey::from_private_jwk(&public.to_json()).is_err());
        // Debug output shows no key material.
        let debug = format!("{key:?}");
        assert!(!debug.contains(private["d"].as_str().unwrap()), "{debug}");
    }
    // An EC private JWK whose x/y belong to another d is refused.
    let a: Value = serde_json::from_str(&ec_recipient().to_private_jwk().unwrap()).unwrap();
    let b: Value = serde_json::from_str(&ec_recipient().to_private_jwk().unwrap()).unwrap();
    let mut mixed = a.clone();
    mixed["d"] = b["d"].clone();
    assert!(matches!(
        RecipientKey::from_private_jwk(&mixed),
        Err(JoseError::InvalidJwk(_))
    ));
}
