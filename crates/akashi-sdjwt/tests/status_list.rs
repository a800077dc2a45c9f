//! Token Status List: the draft's byte-array examples, and the signed token.

use akashi_crypto::OsRandom;
use akashi_sdjwt::status_list::{status, status_list_token, verify_status_list_token, StatusList};
use akashi_sdjwt::{EcPrivateKey, SdJwtError};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// § "Status List" examples: the statuses, the byte array and the draft's compressed bytes.
#[test]
fn the_drafts_examples() {
    let one_bit = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1];
    let mut list = StatusList::new(1, 16).unwrap();
    for (i, v) in one_bit.iter().enumerate() {
        list.set(i, *v).unwrap();
    }
    assert_eq!(list.as_bytes(), [0xB9, 0xA3]);
    let theirs = StatusList::from_compressed(1, &hex("78dadbb918000217015d")).unwrap();
    assert_eq!(theirs, list);
    assert_eq!(
        StatusList::from_compressed(1, &list.compressed()).unwrap(),
        list
    );

    let two_bit = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3];
    let mut list = StatusList::new(2, 12).unwrap();
    for (i, v) in two_bit.iter().enumerate() {
        list.set(i, *v).unwrap();
    }
    assert_eq!(list.as_bytes(), [0xC9, 0x44, 0xF9]);
    let theirs = StatusList::from_compressed(2, &hex("78da3be9f2130003df0207")).unwrap();
    assert_eq!(theirs, list);
    for (i, v) in two_bit.iter().enumerate() {
        assert_eq!(theirs.get(i), Some(*v));
    }
    assert_eq!(theirs.get(12), None);
    assert!(list.set(0, 4).is_err(), "4 does not fit in 2 bits");
    assert!(StatusList::new(3, 8).is_err());
}

#[test]
fn the_signed_token() {
    let issuer = EcPrivateKey::generate(&OsRandom).unwrap();
    let mut list = StatusList::new(2, 1 << 20).unwrap();
    list.set(1993, status::INVALID).unwrap();
    list.set(25460, status::SUSPENDED).unwrap();
    let uri = "https://issuer.akashi.example/status/1";
    let token = status_list_token(&list, uri, 1000, 2000, 300, &issuer).unwrap();
    // A million entries, mostly VALID, compress to almost nothing.
    assert!(token.len() < 2000, "{}", token.len());
    let got = verify_status_list_token(&token, &issuer.public_key(), uri, 1500).unwrap();
    assert_eq!(got.get(1993), Some(status::INVALID));
    assert_eq!(got.get(25460), Some(status::SUSPENDED));
    assert_eq!(got.get(0), Some(status::VALID));
    let other = EcPrivateKey::generate(&OsRandom).unwrap().public_key();
    assert_eq!(
        verify_status_list_token(&token, &other, uri, 1500),
        Err(SdJwtError::IssuerSignature)
    );
    assert!(
        verify_status_list_token(&token, &issuer.public_key(), "https://elsewhere", 1500).is_err()
    );
    assert!(verify_status_list_token(&token, &issuer.public_key(), uri, 2001).is_err());
    // A compression bomb is refused, not inflated.
    let bomb = {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&vec![0u8; 32 * 1024 * 1024]).unwrap();
        z.finish().unwrap()
    };
    assert!(StatusList::from_compressed(1, &bomb).is_err());
    assert!(StatusList::from_compressed(1, b"not zlib").is_err());
}
