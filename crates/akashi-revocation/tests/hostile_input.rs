//! Hostile input never panics the parsers: random bytes and mutated valid requests, CRLs and
//! responses are refused with an error (or, for mutations, never verify).

mod common;

use std::sync::OnceLock;

use akashi_jpki::profile::key_identifier;
use akashi_jpki::SerialNumber;
use akashi_revocation::{
    build_basic_response, build_crl, parse_crl, parse_request, parse_response,
    request_from_get_path, verify_basic_response, verify_crl, BasicResponseParams, CertId,
    CertStatus, CrlParams, RevocationError, RevocationReason, RevokedEntry, SingleResponseParams,
};
use common::{now, Pki};
use proptest::prelude::*;
use time::Duration;

struct Fixture {
    pki: Pki,
    request: Vec<u8>,
    response: Vec<u8>,
    crl: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let pki = Pki::new();
        let (ok, out) = pki.openssl(&[
            "ocsp", "-issuer", "ca.pem", "-cert", "ee.pem", "-reqout", "req.der",
        ]);
        assert!(ok, "{out}");
        let request = pki.read("req.der");
        let parsed = parse_request(&request).unwrap();
        let now = now();
        let singles = [SingleResponseParams {
            cert_id: &parsed.requests[0],
            status: CertStatus::Revoked {
                at: now,
                reason: Some(RevocationReason::AffiliationChanged),
            },
            this_update: now,
            next_update: Some(now + Duration::hours(1)),
        }];
        let unsigned = build_basic_response(&BasicResponseParams {
            responder_key_id: key_identifier(
                &pki.responder
                    .certificate()
                    .tbs_certificate
                    .subject_public_key_info,
            ),
            produced_at: now,
            responses: &singles,
            nonce: parsed.nonce.as_deref(),
            certs: &[pki.responder.der()],
        })
        .unwrap();
        let sig = pki
            .responder_key
            .sign_pkcs1_sha256(unsigned.to_be_signed())
            .unwrap();
        let response = unsigned.complete(&sig).unwrap();
        let entries: Vec<RevokedEntry> = (0..5u32)
            .map(|i| RevokedEntry {
                serial: SerialNumber::from(0x4000 + i),
                revoked_at: now,
                reason: RevocationReason::from_code(i as u8).unwrap(),
            })
            .collect();
        let unsigned = build_crl(&CrlParams {
            issuer: &pki.ca,
            this_update: now,
            next_update: now + Duration::days(1),
            crl_number: 9,
            entries: &entries,
        })
        .unwrap();
        let sig = pki
            .ca_key
            .sign_pkcs1_sha256(unsigned.to_be_signed())
            .unwrap();
        let crl = unsigned.complete(&sig).unwrap();
        Fixture {
            pki,
            request,
            response,
            crl,
        }
    })
}

fn mutate(
    original: &[u8],
    edits: &[(prop::sample::Index, u8)],
    cut: Option<prop::sample::Index>,
) -> Vec<u8> {
    let mut der = original.to_vec();
    for (index, value) in edits {
        let i = index.index(der.len());
        der[i] = *value;
    }
    if let Some(cut) = cut {
        der.truncate(cut.index(der.len()));
    }
    der
}

fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, u8)>> {
    proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let f = fixture();
        let err = parse_request(&bytes).unwrap_err();
        prop_assert!(matches!(err, RevocationError::MalformedRequest(_)));
        prop_assert!(request_from_get_path(&String::from_utf8_lossy(&bytes)).is_err());
        prop_assert!(parse_crl(&bytes).is_err());
        prop_assert!(verify_crl(&bytes, &f.pki.ca).is_err());
        prop_assert!(parse_response(&bytes).is_err() || bytes.len() <= 5);
        prop_assert!(verify_basic_response(&bytes, &f.pki.ca).is_err());
        let _ = CertId::from_der(&bytes);
    }

    #[test]
    fn random_get_paths_never_panic(path in "[A-Za-z0-9+/=%]{0,300}") {
        let _ = request_from_get_path(&path);
    }

    #[test]
    fn mutated_requests_never_panic(edits in edits(), cut in proptest::option::of(any::<prop::sample::Index>())) {
        let f = fixture();
        let der = mutate(&f.request, &edits, cut);
        match parse_request(&der) {
            Ok(parsed) => {
                for id in &parsed.requests {
                    prop_assert_eq!(&CertId::from_der(id.der()).unwrap(), id);
                }
            }
            Err(e) => prop_assert!(matches!(e, RevocationError::MalformedRequest(_))),
        }
    }

    #[test]
    fn mutated_responses_never_verify(edits in edits(), cut in proptest::option::of(any::<prop::sample::Index>())) {
        let f = fixture();
        let der = mutate(&f.response, &edits, cut);
        prop_assume!(der != f.response);
        let _ = parse_response(&der);
        prop_assert!(verify_basic_response(&der, &f.pki.ca).is_err());
    }

    #[test]
    fn mutated_crls_never_verify(edits in edits(), cut in proptest::option::of(any::<prop::sample::Index>())) {
        let f = fixture();
        let der = mutate(&f.crl, &edits, cut);
        prop_assume!(der != f.crl);
        let _ = parse_crl(&der);
        prop_assert!(verify_crl(&der, &f.pki.ca).is_err());
    }
}

#[test]
fn the_unmutated_fixtures_verify() {
    let f = fixture();
    assert!(parse_request(&f.request).is_ok());
    assert!(verify_basic_response(&f.response, &f.pki.ca).is_ok());
    assert!(verify_crl(&f.crl, &f.pki.ca).is_ok());
}
