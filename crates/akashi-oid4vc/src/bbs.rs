//! The Akashi BBS credential format, `akashi-bbs-1`, in OpenID4VCI and OpenID4VP.
//!
//! No OpenID specification defines a BBS format yet; this is Akashi's, documented here so
//! another wallet or verifier can implement it.
//!
//! **Issuance.** The Credential Request carries `proofs.akashi_bbs_commitment`: one
//! base64url string, the holder's blind commitment to its holder secret with its proof of
//! knowledge (`akashi_bbs::IssuanceRequest` encoding). The issuer answers one credential object
//! [`BbsIssued`]: the claims in the profile's names, the validity end, the blind signature
//! and the issuer's pseudonym entropy.
//!
//! **Presentation.** A DCQL Credential Query with `format: "akashi-bbs-1"` asks for claims
//! to disclose with `claims` (paths of one element: a claim name of the profile) and for range
//! predicates with `meta` ([`BbsMeta`]). Every presentation carries the holder's pseudonym
//! for the verifier: its context is the full client id. The VP Token entry is a
//! [`BbsPresentation`] object. The BBS presentation header is [`presentation_header`], which
//! binds the client id and the nonce; the verifier's single-use nonce makes it fresh.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `meta` of a BBS credential query.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BbsMeta {
    /// Accepted profiles (e.g. `urn:akashi:credential:jp-identity:bbs:1`).
    pub profile_values: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predicates: Vec<Predicate>,
}

/// A range predicate on a date claim of the profile, proven without disclosing the date.
/// Exactly one of `lte` / `gte` (an ISO 8601 date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Predicate {
    /// A claim name of the profile (`birthdate`, `valid_until`).
    pub claim: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<String>,
}

impl Predicate {
    /// `birthdate <= 2006-11-23`.
    pub fn describe(&self) -> String {
        match (&self.lte, &self.gte) {
            (Some(v), None) => format!("{} <= {v}", self.claim),
            (None, Some(v)) => format!("{} >= {v}", self.claim),
            _ => format!("{} (malformed predicate)", self.claim),
        }
    }
}

/// The credential object of a BBS Credential Response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BbsIssued {
    pub profile: String,
    /// The ciphersuite name (`BLS12381G1_XMD:SHA-256_SSWU_RO_` …).
    pub suite: String,
    /// Claim name → value, by the profile's names (dates as ISO 8601).
    pub claims: Map<String, Value>,
    /// base64url of the blind signature.
    pub signature: String,
    /// base64url of the issuer's pseudonym entropy for this holder.
    pub nym_entropy: String,
}

/// A BBS entry of a VP Token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BbsPresentation {
    /// The issuer whose public key verifies the proof.
    pub iss: String,
    pub profile: String,
    /// base64url of the presentation encoding.
    pub proof: String,
}

/// The BBS presentation header: `"AKASHI-OID4VP-BBS-1" || len(client_id) || client_id ||
/// len(nonce) || nonce`, lengths as 8-byte big-endian.
pub fn presentation_header(client_id: &str, nonce: &str) -> Vec<u8> {
    let mut ph = b"AKASHI-OID4VP-BBS-1".to_vec();
    for part in [client_id, nonce] {
        ph.extend_from_slice(&(part.len() as u64).to_be_bytes());
        ph.extend_from_slice(part.as_bytes());
    }
    ph
}
