//! Proof::from_bytes never panics, and whatever it accepts re-encodes to the same bytes.
#![no_main]
use akashi_bbs::Proof;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(proof) = Proof::from_bytes(data) {
        assert_eq!(proof.to_bytes(), data);
    }
});
