//! Property: no sequence of APDUs gets anything out of the card but public EF content and
//! valid signatures, and no sequence unblocks a blocked PIN.

mod common;

use akashi_card::{MemoryStore, VirtualCard};
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use common::*;
use proptest::prelude::*;

fn fid_strategy() -> impl Strategy<Value = [u8; 2]> {
    prop_oneof![
        Just([0x00, 0x01]),
        Just([0x00, 0x02]),
        Just([0x00, 0x06]),
        Just([0x00, 0x0A]),
        Just([0x00, 0x0B]),
        Just([0x00, 0x11]),
        Just([0x00, 0x17]),
        Just([0x00, 0x18]),
        Just([0x00, 0x1A]),
        Just([0x00, 0x1B]),
        any::<[u8; 2]>(),
    ]
}

fn apdu_strategy() -> impl Strategy<Value = Vec<u8>> {
    let pin = prop_oneof![
        Just(AUTH_PIN.as_bytes().to_vec()),
        Just(SIGN_PIN.as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..20),
    ];
    prop_oneof![
        Just(hex(SELECT_JPKI)),
        Just(hex(SELECT_TEXT)),
        fid_strategy().prop_map(|f| vec![0x00, 0xA4, 0x02, 0x0C, 0x02, f[0], f[1]]),
        (any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(p1, p2, le)| vec![0x00, 0xB0, p1, p2, le]),
        pin.prop_map(|p| {
            let mut v = vec![0x00, 0x20, 0x00, 0x80, p.len() as u8];
            v.extend(p);
            v
        }),
        proptest::collection::vec(any::<u8>(), 0..80).prop_map(|d| {
            let mut v = vec![0x80, 0x2A, 0x00, 0x80, d.len() as u8];
            v.extend(d);
            v.push(0);
            v
        }),
        proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

thread_local! {
    /// One personalised card (key generation is slow); each case runs on a fresh copy.
    static TEMPLATE: (MemoryStore, Vec<u8>, Vec<u8>) = {
        let p = personalise(MemoryStore::default());
        (p.card.store().clone(), p.signature_key, p.authentication_key)
    };
}

fn fresh_card() -> Personalised<MemoryStore> {
    TEMPLATE.with(|(store, signature_key, authentication_key)| Personalised {
        card: VirtualCard::open(store.clone()).unwrap(),
        signature_key: signature_key.clone(),
        authentication_key: authentication_key.clone(),
    })
}

/// Every byte string READ BINARY may legitimately return, by EF.
fn public_contents() -> Vec<Vec<u8>> {
    let c = certificates();
    let face = read_face(&mut fresh_card().card);
    vec![
        c.signature,
        c.signature_ca,
        c.authentication,
        c.authentication_ca,
        b"JPKIAPICCTOKEN2".to_vec(),
        face,
    ]
}

fn read_face(card: &mut VirtualCard<MemoryStore>) -> Vec<u8> {
    send(card, SELECT_TEXT);
    send(card, &select_ef("0011"));
    send(card, &verify(AUTH_PIN));
    send(card, &select_ef("0002"));
    let mut out = Vec::new();
    for off in (0..1024).step_by(256) {
        let r = card.transmit(&[0x00, 0xB0, (off >> 8) as u8, off as u8, 0x00]);
        out.extend_from_slice(&r[..r.len() - 2]);
    }
    let end = out.iter().rposition(|b| *b != 0xFF).map_or(0, |i| i + 1);
    out.truncate(end);
    out
}

fn is_public(data: &[u8], contents: &[Vec<u8>]) -> bool {
    data.iter().all(|b| *b == 0xFF)
        || contents.iter().any(|c| {
            // A read may run from inside an object into its FF filler.
            let significant = data.iter().rposition(|b| *b != 0xFF).map_or(0, |i| i + 1);
            c.windows(significant.max(1))
                .any(|w| w == &data[..significant.max(1)])
        })
        || b"JPKIAPICCTOKEN2                 "
            .windows(data.len().max(1))
            .any(|w| w == data)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn responses_are_public_content_or_valid_signatures(apdus in proptest::collection::vec(apdu_strategy(), 1..40)) {
        let Personalised { card: mut c, signature_key, authentication_key } = fresh_card();
        let contents = public_contents();
        for apdu in apdus {
            let r = c.transmit(&apdu);
            prop_assert!(r.len() >= 2);
            let data = &r[..r.len() - 2];
            if data.is_empty() {
                continue;
            }
            let is_sign = apdu.len() > 5 && apdu[..2] == [0x80, 0x2A];
            if is_sign && data.len() == 256 {
                let digest_info = &apdu[5..apdu.len() - 1];
                let signed_by = |key: &[u8]| {
                    // The card signs the DigestInfo as given; recover it with the public key.
                    let rsa = openssl::rsa::Rsa::public_key_from_der(key).unwrap();
                    let mut out = vec![0u8; 256];
                    rsa.public_decrypt(data, &mut out, openssl::rsa::Padding::PKCS1)
                        .map(|n| &out[..n] == digest_info)
                        .unwrap_or(false)
                };
                prop_assert!(signed_by(&signature_key) || signed_by(&authentication_key));
                continue;
            }
            prop_assert!(is_public(data, &contents), "unexpected bytes out of the card: {:02X?}", &data[..data.len().min(16)]);
        }
    }

    #[test]
    fn a_blocked_signature_pin_stays_blocked(apdus in proptest::collection::vec(apdu_strategy(), 1..40)) {
        let mut c = fresh_card().card;
        send(&mut c, SELECT_JPKI);
        send(&mut c, &select_ef("001B"));
        for _ in 0..5 {
            send(&mut c, &verify("WRONG1"));
        }
        prop_assert_eq!(sw(&send(&mut c, "00 20 00 80")), "6984");
        let mut selected_sign_key = false;
        for apdu in apdus {
            let r = c.transmit(&apdu);
            if apdu.len() == 7 && apdu[..5] == [0x00, 0xA4, 0x02, 0x0C, 0x02] && sw(&r) == "9000" {
                selected_sign_key = apdu[5..] == [0x00, 0x1A];
            }
            if apdu.len() > 4 && apdu[..2] == [0x80, 0x2A] && selected_sign_key {
                prop_assert_ne!(sw(&r), "9000", "signed with a blocked PIN");
            }
        }
        send(&mut c, SELECT_JPKI);
        send(&mut c, &select_ef("001B"));
        prop_assert_eq!(sw(&send(&mut c, &verify(SIGN_PIN))), "6984");
    }
}

#[test]
fn verify_rsa_helper_is_used() {
    // Keeps the akashi-crypto verification path in this test binary honest.
    let p = fresh_card();
    assert!(verify_rsa_pkcs1(&p.signature_key, HashAlgorithm::Sha256, b"x", &[0u8; 256]).is_err());
}
