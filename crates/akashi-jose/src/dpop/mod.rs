//! DPoP proofs (RFC 9449): a client proves possession of a key with a short-lived JWT per
//! request, and the server binds tokens to that key's thumbprint (`jkt`).
//!
//! [`verify_proof`] performs the checks of RFC 9449 §4.3 except one: replay. Whether a `jti`
//! was seen before within the proof's lifetime needs storage shared by every server instance,
//! so the caller must record [`VerifiedProof::jti`] (keyed with the `htu`, for as long as
//! `max_age_seconds` + `clock_skew_seconds`) and refuse a proof whose `jti` it has already
//! stored. Likewise issuing server nonces and comparing a token's `cnf.jkt` with
//! [`VerifiedProof::jkt`] are the caller's.

mod htu;

use serde_json::{Map, Value};

use crate::jwk::PublicJwk;
use crate::jws::{self, JwsAlgorithm, JwsSigner};
use crate::{b64url_encode, header_str, json_object, JoseError};

/// The `typ` of a DPoP proof.
pub const DPOP_TYP: &str = "dpop+jwt";
/// The algorithms accepted for proofs unless the caller narrows them.
pub const DPOP_ALGORITHMS: &[JwsAlgorithm] = &[JwsAlgorithm::Es256, JwsAlgorithm::Rs256];
/// Proofs longer than this are refused before any parsing (an RSA-8192 JWK fits easily).
pub const MAX_PROOF_LEN: usize = 8192;

/// The `ath` claim: base64url(SHA-256(ASCII access token)) (RFC 9449 §4.2).
pub fn access_token_hash(access_token: &str) -> String {
    b64url_encode(&akashi_crypto::sha256(access_token.as_bytes()))
}

/// What a client puts in a proof.
#[derive(Debug, Clone, Copy)]
pub struct ProofClaims<'a> {
    /// The HTTP method, e.g. "POST".
    pub htm: &'a str,
    /// The request URI; its query and fragment are left out of the proof.
    pub htu: &'a str,
    /// Unix seconds.
    pub iat: i64,
    /// A unique identifier (at least 96 random bits, from the caller's generator).
    pub jti: &'a str,
    /// The access token the request presents, if any: it becomes `ath`.
    pub access_token: Option<&'a str>,
    /// The server's latest `DPoP-Nonce`, if it sent one.
    pub nonce: Option<&'a str>,
}

/// A DPoP proof JWT signed by `signer`: header `typ` = "dpop+jwt", `alg`, and `jwk` = the
/// signer's public key (without `kid`, `use`, `alg`: the key is named by its thumbprint).
pub fn create_proof(signer: &dyn JwsSigner, claims: &ProofClaims<'_>) -> Result<String, JoseError> {
    let jwk = signer.public_jwk();
    let bare = match jwk.key() {
        crate::jwk::JwkKey::Rsa { n, e } => PublicJwk::rsa(n, e)?,
        crate::jwk::JwkKey::P256 { x, y } => PublicJwk::p256(x, y)?,
    };
    let mut header = Map::new();
    header.insert("typ".into(), DPOP_TYP.into());
    header.insert("jwk".into(), bare.to_json());
    let htu = claims.htu.split('#').next().unwrap_or_default();
    let htu = htu.split('?').next().unwrap_or_default();
    let mut payload = Map::new();
    payload.insert("jti".into(), claims.jti.into());
    payload.insert("htm".into(), claims.htm.into());
    payload.insert("htu".into(), htu.into());
    payload.insert("iat".into(), claims.iat.into());
    if let Some(token) = claims.access_token {
        payload.insert("ath".into(), access_token_hash(token).into());
    }
    if let Some(nonce) = claims.nonce {
        payload.insert("nonce".into(), nonce.into());
    }
    let payload = Value::Object(payload).to_string();
    jws::sign_with_header(header, payload.as_bytes(), signer)
}

/// What the server expects of a proof.
#[derive(Debug, Clone, Copy)]
pub struct ProofExpectations<'a> {
    /// The method of the request the proof came with.
    pub htm: &'a str,
    /// The URI of that request (query and fragment are ignored on both sides).
    pub htu: &'a str,
    /// Unix seconds.
    pub now: i64,
    /// How old a proof may be, e.g. 300.
    pub max_age_seconds: i64,
    /// How far in the future `iat` may be, for clients whose clocks run ahead, e.g. 5.
    pub clock_skew_seconds: i64,
    /// The access token presented with the proof (at a resource server or userinfo): `ath`
    /// must then be its hash. `None` at the token endpoint.
    pub access_token: Option<&'a str>,
    /// The nonce the server issued and requires, if it uses nonces.
    pub nonce: Option<&'a str>,
    /// Accepted signature algorithms, usually [`DPOP_ALGORITHMS`].
    pub algorithms: &'a [JwsAlgorithm],
}

/// A proof that passed every check but replay (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// RFC 7638 thumbprint of the proof's key: what a token is bound to (`cnf.jkt`).
    pub jkt: String,
    pub jwk: PublicJwk,
    pub jti: String,
    pub iat: i64,
    pub htm: String,
    pub htu: String,
    pub nonce: Option<String>,
}

/// Verifies a DPoP proof (RFC 9449 §4.3): size, a well-formed JWS with `typ` "dpop+jwt" and an
/// allowed asymmetric `alg` (never `none`), a public `jwk` header without private members
/// whose type suits `alg`, the signature under that key, the required claims, `htm`, `htu`
/// (normalized, without query and fragment), `iat` within
/// [now − max_age, now + skew], `ath` when an access token is presented, and the nonce when
/// one is required. Replay is left to the caller.
pub fn verify_proof(
    proof: &str,
    expect: &ProofExpectations<'_>,
) -> Result<VerifiedProof, JoseError> {
    if proof.len() > MAX_PROOF_LEN {
        return Err(JoseError::DpopTooLong(MAX_PROOF_LEN));
    }
    let parsed = jws::parse(proof, expect.algorithms)?;
    let typ = header_str(&parsed.header, "typ")?;
    if typ != Some(DPOP_TYP) {
        return Err(JoseError::DpopType(typ.map(str::to_owned)));
    }
    let jwk = PublicJwk::from_json(parsed.header.get("jwk").ok_or(JoseError::DpopMissingJwk)?)?;
    parsed.verify_with(&jwk)?;
    let claims = json_object("DPoP proof payload", &parsed.payload)?;
    let text = |name: &'static str| -> Result<String, JoseError> {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or(JoseError::DpopMissingClaim(name))
    };
    let jti = text("jti")?;
    let htm = text("htm")?;
    let htu = text("htu")?;
    let iat = claims
        .get("iat")
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
        })
        .ok_or(JoseError::DpopMissingClaim("iat"))?;
    if let Some(required) = expect.nonce {
        if claims.get("nonce").and_then(Value::as_str) != Some(required) {
            return Err(JoseError::DpopNonce);
        }
    }
    if htm != expect.htm {
        return Err(JoseError::DpopMethodMismatch {
            expected: expect.htm.into(),
            found: htm,
        });
    }
    let expected_htu = htu::normalize(expect.htu);
    if expected_htu.is_none() || htu::normalize(&htu) != expected_htu {
        return Err(JoseError::DpopUriMismatch {
            expected: expect.htu.into(),
            found: htu,
        });
    }
    if iat < expect.now.saturating_sub(expect.max_age_seconds) {
        return Err(JoseError::DpopTooOld {
            iat,
            now: expect.now,
            max_age: expect.max_age_seconds,
        });
    }
    if iat > expect.now.saturating_add(expect.clock_skew_seconds) {
        return Err(JoseError::DpopIssuedInFuture {
            iat,
            now: expect.now,
            skew: expect.clock_skew_seconds,
        });
    }
    if let Some(token) = expect.access_token {
        let ath = claims
            .get("ath")
            .and_then(Value::as_str)
            .ok_or(JoseError::DpopAthMissing)?;
        if !akashi_crypto::constant_time_eq(ath.as_bytes(), access_token_hash(token).as_bytes()) {
            return Err(JoseError::DpopAthMismatch);
        }
    }
    Ok(VerifiedProof {
        jkt: jwk.thumbprint(),
        jwk,
        jti,
        iat,
        htm,
        htu,
        nonce: claims
            .get("nonce")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}
