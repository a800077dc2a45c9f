//! Shared DPoP test fixtures: the expectations of a token endpoint, a proof's claims, and
//! hand-made proofs (any header, any payload) for the refusal tests.

use serde_json::{json, Map, Value};

use akashi_jose::dpop::{ProofClaims, ProofExpectations, DPOP_ALGORITHMS};
use akashi_jose::jws::{sign_compact, JwsSigner};

pub const NOW: i64 = 1_800_000_000;
pub const TOKEN_ENDPOINT: &str = "https://op.akashi.example/token";

pub fn expect() -> ProofExpectations<'static> {
    ProofExpectations {
        htm: "POST",
        htu: TOKEN_ENDPOINT,
        now: NOW,
        max_age_seconds: 300,
        clock_skew_seconds: 5,
        access_token: None,
        nonce: None,
        algorithms: DPOP_ALGORITHMS,
    }
}

pub fn claims() -> ProofClaims<'static> {
    ProofClaims {
        htm: "POST",
        htu: TOKEN_ENDPOINT,
        iat: NOW,
        jti: "jti-0001-unique",
        access_token: None,
        nonce: None,
    }
}

/// RFC 9449 Figure 2 (§4.1): a proof for the token request.
pub fn header(signer: &dyn JwsSigner) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("typ".into(), "dpop+jwt".into());
    header.insert("jwk".into(), signer.public_jwk().to_json());
    header
}

pub fn handmade(signer: &dyn JwsSigner, header: Map<String, Value>, payload: Value) -> String {
    sign_compact(header, payload.to_string().as_bytes(), signer).unwrap()
}

pub fn good_payload() -> Value {
    json!({"jti": "j", "htm": "POST", "htu": TOKEN_ENDPOINT, "iat": NOW})
}
