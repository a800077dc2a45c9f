//! What this verifier accepts in a DCQL query, and the BBS presentation request a BBS
//! credential query stands for (both sides must derive the same one from the query).

use serde_json::Value;

use akashi_bbs::{PresentationRequest, RangePredicate};
use akashi_credential::{epoch_days, parse_date, BbsMessage, BBS_PROFILE};
use akashi_oid4vc::bbs::{BbsMeta, Predicate};
use akashi_oid4vc::dcql::{CredentialQuery, DcqlQuery};
use akashi_oid4vc::{FORMAT_AKASHI_BBS, FORMAT_SD_JWT_VC};

use crate::VerifierError;

/// SD-JWT claims a relying party never receives as claims: the issuer comes separately, the
/// rest are the credential's machinery.
const RESERVED: [&str; 6] = ["iss", "cnf", "status", "_sd", "_sd_alg", "..."];

/// Bits of each range proof: 2^16 days is about 179 years, wide enough for any birth date
/// and validity end against a bound near today.
pub(crate) const RANGE_BITS: u32 = 16;

fn bad(why: impl Into<String>) -> VerifierError {
    VerifierError::MalformedRequest(why.into())
}

/// The names of a claims path made only of strings (this verifier's credentials have no
/// arrays worth selecting into).
pub(crate) fn string_path(path: &[Value]) -> Option<Vec<&str>> {
    path.iter().map(Value::as_str).collect()
}

/// Checks `query` is one this verifier can answer: [`DcqlQuery::check`], then per format.
pub(crate) fn check(query: &DcqlQuery) -> Result<(), VerifierError> {
    query.check().map_err(|e| bad(e.to_string()))?;
    if query.credential_sets.is_some() {
        return Err(bad("credential_sets is not supported"));
    }
    for c in &query.credentials {
        if c.claim_sets.is_some() {
            return Err(bad(format!("query {}: claim_sets is not supported", c.id)));
        }
        match c.format.as_str() {
            FORMAT_SD_JWT_VC => check_sd_jwt(c)?,
            FORMAT_AKASHI_BBS => {
                bbs_meta(c)?;
            }
            other => return Err(VerifierError::UnsupportedFormat(other.to_owned())),
        }
    }
    Ok(())
}

fn check_sd_jwt(c: &CredentialQuery) -> Result<(), VerifierError> {
    let vct_ok = c
        .meta
        .as_ref()
        .and_then(|m| m.get("vct_values"))
        .and_then(Value::as_array)
        .is_some_and(|v| !v.is_empty() && v.iter().all(Value::is_string));
    if !vct_ok {
        return Err(bad(format!(
            "query {}: meta.vct_values must list credential types",
            c.id
        )));
    }
    let mut seen = Vec::new();
    for claim in c.claims.iter().flatten() {
        let path = string_path(&claim.path).ok_or_else(|| {
            bad(format!(
                "query {}: claims paths must be names (no array selection)",
                c.id
            ))
        })?;
        if path.iter().any(|p| RESERVED.contains(p) || p.is_empty()) {
            return Err(bad(format!(
                "query {}: a claims path names a reserved or empty claim",
                c.id
            )));
        }
        if seen.contains(&path) {
            return Err(bad(format!("query {}: a claims path is repeated", c.id)));
        }
        seen.push(path);
    }
    Ok(())
}

/// The profile claim index a one-element BBS claims path names.
fn bbs_index(path: &[Value]) -> Option<usize> {
    match path {
        [Value::String(name)] => BbsMessage::index_of(name),
        _ => None,
    }
}

/// The (message index, range predicate) a DCQL predicate stands for.
fn bbs_predicate(p: &Predicate) -> Option<(usize, RangePredicate)> {
    let index = BbsMessage::index_of(&p.claim).filter(|i| BbsMessage::is_date(*i))?;
    let predicate = match (&p.lte, &p.gte) {
        (Some(d), None) => RangePredicate::at_most(epoch_days(parse_date(d)?), RANGE_BITS),
        (None, Some(d)) => RangePredicate::at_least(epoch_days(parse_date(d)?), RANGE_BITS),
        _ => return None,
    };
    Some((index, predicate.ok()?))
}

/// The disclosed indexes, ascending, of a BBS query's claims.
fn bbs_disclose(c: &CredentialQuery) -> Result<Vec<usize>, VerifierError> {
    let mut disclose = Vec::new();
    for claim in c.claims.iter().flatten() {
        let index = bbs_index(&claim.path).ok_or_else(|| {
            bad(format!(
                "query {}: a BBS claims path must be one claim name of the profile",
                c.id
            ))
        })?;
        if disclose.contains(&index) {
            return Err(bad(format!("query {}: a claim is requested twice", c.id)));
        }
        disclose.push(index);
    }
    disclose.sort_unstable();
    Ok(disclose)
}

/// The query's `meta` as [`BbsMeta`], checked: the profile this verifier knows, and predicates
/// on the profile's date claims that are not also disclosed.
pub(crate) fn bbs_meta(c: &CredentialQuery) -> Result<BbsMeta, VerifierError> {
    let meta: BbsMeta = c
        .meta
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|_| bad(format!("query {}: meta is not a BBS meta object", c.id)))?
        .ok_or_else(|| bad(format!("query {}: meta.profile_values is required", c.id)))?;
    if meta.profile_values.is_empty() || meta.profile_values.iter().any(|p| p != BBS_PROFILE) {
        return Err(bad(format!(
            "query {}: profile_values must name {BBS_PROFILE}",
            c.id
        )));
    }
    let disclose = bbs_disclose(c)?;
    for p in &meta.predicates {
        let (index, _) = bbs_predicate(p).ok_or_else(|| {
            bad(format!(
                "query {}: a predicate must bound a date claim of the profile with exactly one ISO date (lte or gte)",
                c.id
            ))
        })?;
        if disclose.contains(&index) {
            return Err(bad(format!(
                "query {}: a predicate's claim is also disclosed",
                c.id
            )));
        }
    }
    Ok(meta)
}

/// The BBS presentation request of a (checked) BBS query for the client id and nonce: the
/// one the wallet builds ([`akashi_credential::bbs_request`]).
pub(crate) fn bbs_request(
    c: &CredentialQuery,
    client_id: &str,
    nonce: &str,
) -> Result<PresentationRequest, VerifierError> {
    akashi_credential::bbs_request(c, client_id, nonce).map_err(|e| bad(e.to_string()))
}
