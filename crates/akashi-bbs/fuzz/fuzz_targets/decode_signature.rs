//! Signature::from_bytes and PublicKey::from_bytes never panic, and whatever they
//! accept re-encodes to the same bytes. PublicKey keeps its input bytes, so its point
//! is re-encoded through curve::G2 to check the encoding is canonical.
#![no_main]
use akashi_bbs::{curve::G2, PublicKey, Signature};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(sig) = Signature::from_bytes(data) {
        assert_eq!(sig.to_bytes().as_slice(), data);
    }
    if let Ok(pk) = PublicKey::from_bytes(data) {
        assert_eq!(pk.to_bytes().as_slice(), data);
        let raw: &[u8; 96] = data.try_into().expect("a public key is 96 bytes");
        let point = G2::from_bytes(raw).expect("PublicKey accepted it");
        assert_eq!(point.to_bytes().as_slice(), data);
    }
});
