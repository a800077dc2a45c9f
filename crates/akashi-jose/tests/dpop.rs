//! DPoP proofs (RFC 9449): the RFC's own example proofs, our proofs, and the request-binding
//! checks of §4.3 (method, URI, time window, access token hash, nonce).

mod support;

use serde_json::{json, Value};

use akashi_jose::dpop::{
    access_token_hash, create_proof, verify_proof, ProofClaims, ProofExpectations,
};
use akashi_jose::jws::{JwsAlgorithm, JwsSigner};
use akashi_jose::{protected_header, JoseError};

use support::dpop::{claims, expect, handmade, header, NOW, TOKEN_ENDPOINT};
use support::{ec_signer, rsa_signer};

const RFC_TOKEN_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
/// RFC 9449 Figure 13 (§7.1): a proof for a protected resource, with `ath`.
const RFC_RESOURCE_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
const RFC_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const RFC_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

#[test]
fn the_rfc_example_proofs_verify() {
    let token = verify_proof(
        RFC_TOKEN_PROOF,
        &ProofExpectations {
            htu: "https://server.example.com/token",
            now: 1_562_262_616,
            ..expect()
        },
    )
    .unwrap();
    assert_eq!(token.jkt, RFC_JKT);
    assert_eq!(token.jti, "-BwC3ESc6acc2lTc");
    assert_eq!((token.iat, token.htm.as_str()), (1_562_262_616, "POST"));

    assert_eq!(
        access_token_hash(RFC_ACCESS_TOKEN),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
    let resource = ProofExpectations {
        htm: "GET",
        htu: "https://resource.example.org/protectedresource",
        now: 1_562_262_618,
        access_token: Some(RFC_ACCESS_TOKEN),
        ..expect()
    };
    let verified = verify_proof(RFC_RESOURCE_PROOF, &resource).unwrap();
    assert_eq!(verified.jkt, RFC_JKT);
    assert_eq!(
        verify_proof(
            RFC_RESOURCE_PROOF,
            &ProofExpectations {
                access_token: Some("other"),
                ..resource
            }
        ),
        Err(JoseError::DpopAthMismatch)
    );
}

#[test]
fn our_proofs_verify_es256_and_rs256() {
    let ec = ec_signer(Some("ignored-kid"), 1);
    let rsa = rsa_signer(None);
    for signer in [&ec as &dyn JwsSigner, &rsa] {
        let proof = create_proof(signer, &claims()).unwrap();
        let header = protected_header(&proof).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], signer.algorithm().name());
        // The jwk is bare: key members only, no kid/use/alg.
        let jwk = header["jwk"].as_object().unwrap();
        assert!(jwk
            .keys()
            .all(|k| ["kty", "crv", "x", "y", "n", "e"].contains(&k.as_str())));
        assert!(header.get("kid").is_none());
        let verified = verify_proof(&proof, &expect()).unwrap();
        assert_eq!(verified.jkt, signer.public_jwk().thumbprint());
        assert_eq!(verified.jti, "jti-0001-unique");
        assert_eq!(
            (verified.iat, verified.htm.as_str(), verified.htu.as_str()),
            (NOW, "POST", TOKEN_ENDPOINT)
        );
        // Only ES256 allowed: the RS256 proof is refused.
        let es_only = ProofExpectations {
            algorithms: &[JwsAlgorithm::Es256],
            ..expect()
        };
        assert_eq!(
            verify_proof(&proof, &es_only).is_ok(),
            signer.algorithm() == JwsAlgorithm::Es256
        );
    }
}

#[test]
fn wrong_method_and_uri_are_refused() {
    let proof = create_proof(&ec_signer(None, 1), &claims()).unwrap();
    assert!(matches!(
        verify_proof(
            &proof,
            &ProofExpectations {
                htm: "GET",
                ..expect()
            }
        ),
        Err(JoseError::DpopMethodMismatch { .. })
    ));
    // Methods are case-sensitive (RFC 9110 §9.1).
    assert!(matches!(
        verify_proof(
            &proof,
            &ProofExpectations {
                htm: "post",
                ..expect()
            }
        ),
        Err(JoseError::DpopMethodMismatch { .. })
    ));
    for other in [
        "https://op.akashi.example/token2",
        "https://op.akashi.example/Token",
        "http://op.akashi.example/token",
        "https://rp.akashi.example/token",
        "https://op.akashi.example:8443/token",
    ] {
        assert!(
            matches!(
                verify_proof(
                    &proof,
                    &ProofExpectations {
                        htu: other,
                        ..expect()
                    }
                ),
                Err(JoseError::DpopUriMismatch { .. })
            ),
            "{other}"
        );
    }
}

#[test]
fn query_and_fragment_are_ignored_and_uris_normalized() {
    // The proof leaves the query out; the request URI has one: they match.
    let with_query = ProofClaims {
        htu: "https://op.akashi.example/token?x=1#f",
        ..claims()
    };
    let proof = create_proof(&ec_signer(None, 1), &with_query).unwrap();
    let payload: Value = serde_json::from_slice(
        &akashi_jose::b64url_decode(proof.split('.').nth(1).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(payload["htu"], TOKEN_ENDPOINT);
    for request_uri in [
        "https://op.akashi.example/token?grant_type=x",
        "https://op.akashi.example/token#frag",
        "HTTPS://OP.akashi.example:443/./token",
    ] {
        verify_proof(
            &proof,
            &ProofExpectations {
                htu: request_uri,
                ..expect()
            },
        )
        .unwrap();
    }
    // A client that put a query into htu anyway is still compared without it.
    let signer = ec_signer(None, 1);
    let raw = handmade(
        &signer,
        header(&signer),
        json!({
            "jti": "j", "htm": "POST", "htu": "https://op.akashi.example/token?a=b", "iat": NOW
        }),
    );
    verify_proof(&raw, &expect()).unwrap();
}

#[test]
fn stale_and_future_proofs_are_refused() {
    let signer = ec_signer(None, 1);
    let at = |iat| create_proof(&signer, &ProofClaims { iat, ..claims() }).unwrap();
    assert!(verify_proof(&at(NOW - 300), &expect()).is_ok());
    assert_eq!(
        verify_proof(&at(NOW - 301), &expect()),
        Err(JoseError::DpopTooOld {
            iat: NOW - 301,
            now: NOW,
            max_age: 300
        })
    );
    assert!(verify_proof(&at(NOW + 5), &expect()).is_ok());
    assert_eq!(
        verify_proof(&at(NOW + 6), &expect()),
        Err(JoseError::DpopIssuedInFuture {
            iat: NOW + 6,
            now: NOW,
            skew: 5
        })
    );
}

#[test]
fn access_token_binding() {
    let signer = ec_signer(None, 1);
    let at_resource = ProofExpectations {
        htm: "GET",
        access_token: Some("access-token-1"),
        ..expect()
    };
    let without = create_proof(
        &signer,
        &ProofClaims {
            htm: "GET",
            ..claims()
        },
    )
    .unwrap();
    assert_eq!(
        verify_proof(&without, &at_resource),
        Err(JoseError::DpopAthMissing)
    );
    let for_other = create_proof(
        &signer,
        &ProofClaims {
            htm: "GET",
            access_token: Some("access-token-2"),
            ..claims()
        },
    )
    .unwrap();
    assert_eq!(
        verify_proof(&for_other, &at_resource),
        Err(JoseError::DpopAthMismatch)
    );
    let right = create_proof(
        &signer,
        &ProofClaims {
            htm: "GET",
            access_token: Some("access-token-1"),
            ..claims()
        },
    )
    .unwrap();
    verify_proof(&right, &at_resource).unwrap();
}

#[test]
fn nonces() {
    let signer = ec_signer(None, 1);
    let needs = ProofExpectations {
        nonce: Some("server-nonce-1"),
        ..expect()
    };
    let none = create_proof(&signer, &claims()).unwrap();
    assert_eq!(verify_proof(&none, &needs), Err(JoseError::DpopNonce));
    let old = create_proof(
        &signer,
        &ProofClaims {
            nonce: Some("server-nonce-0"),
            ..claims()
        },
    )
    .unwrap();
    assert_eq!(verify_proof(&old, &needs), Err(JoseError::DpopNonce));
    let fresh = create_proof(
        &signer,
        &ProofClaims {
            nonce: Some("server-nonce-1"),
            ..claims()
        },
    )
    .unwrap();
    assert_eq!(
        verify_proof(&fresh, &needs).unwrap().nonce.as_deref(),
        Some("server-nonce-1")
    );
}
