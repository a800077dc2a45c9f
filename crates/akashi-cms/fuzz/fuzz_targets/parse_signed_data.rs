//! parse_signed_data never panics on hostile input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = akashi_cms::parse_signed_data(data);
});
