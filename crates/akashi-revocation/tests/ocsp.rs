//! OCSP requests made by the real openssl CLI, answered by this crate, and checked again by
//! openssl (signature, responder certificate chain, CertID match, nonce echo).

mod common;

use akashi_jpki::profile::key_identifier;
use akashi_revocation::{
    build_basic_response, error_response, matches_issuer, parse_request, parse_response,
    request_from_get_path, verify_basic_response, BasicResponseParams, CertId, CertIdHash,
    CertStatus, OcspResponseStatus, ParsedRequest, RevocationError, RevocationReason,
    SingleResponseParams,
};
use base64::Engine;
use common::{now, Pki};
use time::Duration;

/// openssl makes a request for ee.pem; returns its DER.
fn openssl_request(pki: &Pki, name: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["ocsp", "-issuer", "ca.pem"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-cert", "ee.pem", "-reqout", name]);
    let (ok, out) = pki.openssl(&args);
    assert!(ok, "{out}");
    pki.read(name)
}

/// Answers every CertID of `request` with `status`, signed by the delegated responder.
fn respond(
    pki: &Pki,
    request: &ParsedRequest,
    status: CertStatus,
    nonce: Option<&[u8]>,
) -> Vec<u8> {
    let now = now();
    let singles: Vec<SingleResponseParams<'_>> = request
        .requests
        .iter()
        .map(|cert_id| SingleResponseParams {
            cert_id,
            status,
            this_update: now - Duration::minutes(1),
            next_update: Some(now + Duration::hours(1)),
        })
        .collect();
    let responder_cert = pki.responder.der();
    let unsigned = build_basic_response(&BasicResponseParams {
        responder_key_id: key_identifier(
            &pki.responder
                .certificate()
                .tbs_certificate
                .subject_public_key_info,
        ),
        produced_at: now,
        responses: &singles,
        nonce,
        certs: &[responder_cert],
    })
    .unwrap();
    let sig = pki
        .responder_key
        .sign_pkcs1_sha256(unsigned.to_be_signed())
        .unwrap();
    unsigned.complete(&sig).unwrap()
}

/// `openssl ocsp -respin … -reqin …` (nonce checked) then with `-cert` (status printed);
/// `-verify_other ca.pem` lets openssl find the signer of a response the CA signs itself.
fn openssl_check(pki: &Pki, resp: &[u8], req_file: &str, digest: Option<&str>) -> String {
    pki.write("resp.der", resp);
    let (ok, with_req) = pki.openssl(&[
        "ocsp",
        "-respin",
        "resp.der",
        "-reqin",
        req_file,
        "-CAfile",
        "ca.pem",
        "-resp_text",
        "-verify_other",
        "ca.pem",
    ]);
    assert!(ok, "{with_req}");
    let mut args = vec!["ocsp", "-respin", "resp.der", "-issuer", "ca.pem"];
    args.extend(digest);
    args.extend_from_slice(&["-cert", "ee.pem", "-CAfile", "ca.pem", "-no_nonce"]);
    // A response signed by the CA itself names no certificate: openssl finds the signer here.
    args.extend_from_slice(&["-verify_other", "ca.pem"]);
    let (ok, with_cert) = pki.openssl(&args);
    assert!(ok, "{with_cert}");
    format!("{with_req}\n{with_cert}")
}

#[test]
fn a_good_answer_with_nonce_satisfies_openssl() {
    let pki = Pki::new();
    let req_der = openssl_request(&pki, "req.der", &[]);
    let request = parse_request(&req_der).unwrap();
    assert_eq!(request.requests.len(), 1);
    let id = &request.requests[0];
    assert_eq!(id.hash, CertIdHash::Sha1);
    assert_eq!(
        id.serial,
        pki.ee.certificate().tbs_certificate.serial_number
    );
    assert!(matches_issuer(id, &pki.ca));
    assert!(!matches_issuer(id, &pki.responder));
    let ours = CertId::new(CertIdHash::Sha1, &pki.ca, id.serial.clone()).unwrap();
    assert_eq!(
        ours.der(),
        id.der(),
        "our CertID is byte-identical to openssl's"
    );
    let nonce = request
        .nonce
        .clone()
        .expect("openssl sends a nonce by default");
    assert_eq!(
        nonce[0], 0x04,
        "the nonce extnValue holds a DER OCTET STRING"
    );

    let resp = respond(&pki, &request, CertStatus::Good, Some(&nonce));
    let out = openssl_check(&pki, &resp, "req.der", None);
    println!("{out}");
    assert!(out.contains("Response verify OK"), "{out}");
    assert!(out.contains("ee.pem: good"), "{out}");
    assert!(out.contains("OCSP Nonce"), "{out}");
    assert!(!out.contains("WARNING"), "{out}");

    let verified = verify_basic_response(&resp, &pki.ca).unwrap();
    assert_eq!(verified.nonce.as_deref(), Some(&nonce[..]));
    assert_eq!(verified.status_of(id).unwrap().status, CertStatus::Good);
    assert_eq!(verified.certs[0].der(), pki.responder.der());
}

#[test]
fn a_missing_or_wrong_nonce_is_caught_by_openssl() {
    let pki = Pki::new();
    let request = parse_request(&openssl_request(&pki, "req.der", &[])).unwrap();
    pki.write("none.der", &respond(&pki, &request, CertStatus::Good, None));
    let (_, out) = pki.openssl(&[
        "ocsp", "-respin", "none.der", "-reqin", "req.der", "-CAfile", "ca.pem",
    ]);
    assert!(out.contains("WARNING: no nonce in response"), "{out}");
    let mut wrong = request.nonce.clone().unwrap();
    *wrong.last_mut().unwrap() ^= 1;
    pki.write(
        "wrong.der",
        &respond(&pki, &request, CertStatus::Good, Some(&wrong)),
    );
    let (ok, out) = pki.openssl(&[
        "ocsp",
        "-respin",
        "wrong.der",
        "-reqin",
        "req.der",
        "-CAfile",
        "ca.pem",
    ]);
    assert!(!ok && out.contains("Nonce Verify error"), "{out}");
}

#[test]
fn a_revoked_answer_to_a_sha256_request_satisfies_openssl() {
    let pki = Pki::new();
    let req_der = openssl_request(&pki, "req256.der", &["-sha256"]);
    let request = parse_request(&req_der).unwrap();
    let id = &request.requests[0];
    assert_eq!(id.hash, CertIdHash::Sha256);
    assert_eq!(id.issuer_name_hash.len(), 32);
    assert!(matches_issuer(id, &pki.ca));
    let revoked_at = now() - Duration::days(2);
    let status = CertStatus::Revoked {
        at: revoked_at,
        reason: Some(RevocationReason::AffiliationChanged),
    };
    let resp = respond(&pki, &request, status, request.nonce.as_deref());
    let out = openssl_check(&pki, &resp, "req256.der", Some("-sha256"));
    println!("{out}");
    assert!(out.contains("Response verify OK"), "{out}");
    assert!(out.contains("ee.pem: revoked"), "{out}");
    assert!(out.contains("Reason: affiliationChanged"), "{out}");

    let parsed = parse_response(&resp).unwrap();
    assert_eq!(parsed.status, OcspResponseStatus::Successful);
    let basic = verify_basic_response(&resp, &pki.ca).unwrap();
    assert_eq!(basic.responses[0].status, status);
    assert_eq!(basic.responses[0].cert_id.der(), id.der());
}

#[test]
fn an_unknown_answer_without_nonce_satisfies_openssl() {
    let pki = Pki::new();
    let request = parse_request(&openssl_request(&pki, "plain.der", &["-no_nonce"])).unwrap();
    assert_eq!(request.nonce, None);
    let resp = respond(&pki, &request, CertStatus::Unknown, None);
    let out = openssl_check(&pki, &resp, "plain.der", None);
    assert!(out.contains("Response verify OK"), "{out}");
    assert!(out.contains("ee.pem: unknown"), "{out}");
    let basic = verify_basic_response(&resp, &pki.ca).unwrap();
    assert_eq!(basic.responses[0].status, CertStatus::Unknown);
    assert_eq!(basic.nonce, None);
}

#[test]
fn the_error_response_prints_as_malformedrequest() {
    let pki = Pki::new();
    let der = error_response(OcspResponseStatus::MalformedRequest).unwrap();
    assert_eq!(der, [0x30, 0x03, 0x0a, 0x01, 0x01]);
    pki.write("err.der", &der);
    let (_, out) = pki.openssl(&["ocsp", "-respin", "err.der", "-resp_text", "-noverify"]);
    assert!(out.contains("malformedrequest"), "{out}");
    let parsed = parse_response(&der).unwrap();
    assert_eq!(parsed.status, OcspResponseStatus::MalformedRequest);
    assert!(parsed.basic.is_none());
    assert!(error_response(OcspResponseStatus::Successful).is_err());
    assert!(matches!(
        verify_basic_response(&der, &pki.ca),
        Err(RevocationError::Verification(_))
    ));
}

#[test]
fn unauthorised_or_tampered_responses_fail_verification() {
    let pki = Pki::new();
    let other = Pki::new();
    let request = parse_request(&openssl_request(&pki, "req.der", &[])).unwrap();
    let resp = respond(&pki, &request, CertStatus::Good, request.nonce.as_deref());
    // Another CA generation did not authorise this responder.
    assert!(verify_basic_response(&resp, &other.ca).is_err());
    // A responder of another CA may not answer for this CA's certificates.
    let foreign = respond(&other, &request, CertStatus::Good, None);
    assert!(verify_basic_response(&foreign, &other.ca).is_err());
    pki.write("foreign.der", &foreign);
    let (ok, out) = pki.openssl(&[
        "ocsp",
        "-respin",
        "foreign.der",
        "-CAfile",
        "ca.pem",
        "-issuer",
        "ca.pem",
        "-cert",
        "ee.pem",
        "-no_nonce",
    ]);
    assert!(!ok && out.contains("Response Verify Failure"), "{out}");
    // Change one digit of producedAt (the first GeneralizedTime inside tbsResponseData).
    let basic = parse_response(&resp).unwrap().basic.unwrap();
    let tbs = basic.tbs_der().to_vec();
    let at = resp.windows(tbs.len()).position(|w| w == tbs).unwrap();
    // GeneralizedTime is tag 0x18, length 15: YYYYMMDDHHMMSSZ; change the last seconds digit.
    let time = at + tbs.windows(2).position(|w| w == [0x18, 0x0f]).unwrap();
    let digit = time + 2 + 13;
    let mut tampered = resp.clone();
    tampered[digit] = if tampered[digit] == b'0' { b'1' } else { b'0' };
    assert!(matches!(
        verify_basic_response(&tampered, &pki.ca),
        Err(RevocationError::Verification(_))
    ));
    pki.write("tampered.der", &tampered);
    let (ok, out) = pki.openssl(&[
        "ocsp",
        "-respin",
        "tampered.der",
        "-CAfile",
        "ca.pem",
        "-issuer",
        "ca.pem",
        "-cert",
        "ee.pem",
        "-no_nonce",
    ]);
    assert!(!ok && out.contains("Response Verify Failure"), "{out}");
}

#[test]
fn the_ca_may_sign_its_own_responses() {
    let pki = Pki::new();
    let request = parse_request(&openssl_request(&pki, "req.der", &["-no_nonce"])).unwrap();
    let now = now();
    let singles = [SingleResponseParams {
        cert_id: &request.requests[0],
        status: CertStatus::Good,
        this_update: now,
        next_update: None,
    }];
    let unsigned = build_basic_response(&BasicResponseParams {
        responder_key_id: pki.ca.subject_key_id().unwrap().unwrap(),
        produced_at: now,
        responses: &singles,
        nonce: None,
        certs: &[],
    })
    .unwrap();
    let sig = pki
        .ca_key
        .sign_pkcs1_sha256(unsigned.to_be_signed())
        .unwrap();
    let resp = unsigned.complete(&sig).unwrap();
    assert!(verify_basic_response(&resp, &pki.ca)
        .unwrap()
        .certs
        .is_empty());
    let out = openssl_check(&pki, &resp, "req.der", None);
    assert!(
        out.contains("Response verify OK") && out.contains("ee.pem: good"),
        "{out}"
    );
}

#[test]
fn the_get_form_decodes_to_the_same_request() {
    let pki = Pki::new();
    // Retry until the base64 holds a '+' or '/', so the escapes are exercised.
    let (der, b64) = (0..20)
        .map(|i| {
            let der = openssl_request(&pki, &format!("get{i}.der"), &[]);
            let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
            (der, b64)
        })
        .find(|(_, b64)| b64.contains('+') || b64.contains('/'))
        .unwrap();
    let expected = parse_request(&der).unwrap();
    let upper = b64
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let lower = b64
        .replace('+', "%2b")
        .replace('/', "%2f")
        .replace('=', "%3d");
    for path in [
        format!("/{upper}"),
        lower,
        b64.clone(),
        b64.trim_end_matches('=').to_owned(),
    ] {
        assert_eq!(request_from_get_path(&path).unwrap(), expected, "{path}");
    }
    // '+' is base64's '+', never a space.
    let spaced = b64.replace('+', " ");
    if spaced != b64 {
        assert!(request_from_get_path(&spaced).is_err());
    }
}

#[test]
fn garbage_requests_are_typed_malformed() {
    for garbage in [
        &b"GET / HTTP/1.1"[..],
        &[0x30, 0x80, 0x00, 0x00],
        &[0x30, 0x02, 0x30, 0x00],
    ] {
        let err = parse_request(garbage).unwrap_err();
        assert!(
            matches!(err, RevocationError::MalformedRequest(_)),
            "{err:?}"
        );
        assert_eq!(err.ocsp_status(), OcspResponseStatus::MalformedRequest);
    }
    let pki = Pki::new();
    let mut trailing = openssl_request(&pki, "req.der", &[]);
    trailing.push(0);
    assert!(matches!(
        parse_request(&trailing),
        Err(RevocationError::MalformedRequest(_))
    ));
}

#[test]
fn openssl_accepts_the_responder_certificate() {
    let pki = Pki::new();
    let (ok, out) = pki.openssl(&[
        "verify",
        "-CAfile",
        "ca.pem",
        "-purpose",
        "ocsphelper",
        "responder.pem",
    ]);
    assert!(ok && out.contains("responder.pem: OK"), "{out}");
    let (ok, text) = pki.openssl(&["x509", "-in", "responder.pem", "-noout", "-text"]);
    assert!(ok, "{text}");
    for expected in [
        "CN = OCSP Responder 2019",
        "OU = JPKI for user authentication",
        "X509v3 Key Usage: critical",
        "Digital Signature",
        "OCSP Signing",
        "OCSP No Check",
        "X509v3 Authority Key Identifier",
        "X509v3 Subject Key Identifier",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert_eq!(
        pki.responder.authority_key_id().unwrap(),
        pki.ca.subject_key_id().unwrap()
    );
}
