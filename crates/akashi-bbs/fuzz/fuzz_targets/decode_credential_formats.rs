//! The credential layer's decoders (commitment, issuance request, credential,
//! pseudonym, presentation) never panic on hostile bytes.
#![no_main]
use akashi_bbs::{
    Commitment, Credential, IssuanceRequest, Presentation, PresentationRequest, Pseudonym,
    RangePredicate,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Commitment::from_bytes(data) {
        assert_eq!(c.to_bytes(), data);
    }
    let _ = IssuanceRequest::from_bytes(data);
    let _ = Credential::from_bytes(data);
    let _ = Pseudonym::from_bytes(data);
    let request = PresentationRequest {
        verifier_id: b"v".to_vec(),
        presentation_header: vec![],
        disclose: vec![0],
        predicates: vec![(2, RangePredicate::at_most(100, 4).unwrap())],
    };
    if let Ok(p) = Presentation::from_bytes(data, &request) {
        assert_eq!(p.to_bytes(), data);
    }
});
