//! The BBS presentation request of a DCQL credential query in the `akashi-bbs-1` format
//! (see `akashi_oid4vc::bbs`): wallet and verifier build it the same way from the query, the
//! client id and the nonce, so the proof binds exactly what was asked.

use akashi_bbs::{PresentationRequest, RangePredicate};
use akashi_oid4vc::bbs::{presentation_header, BbsMeta, Predicate};
use akashi_oid4vc::dcql::CredentialQuery;

use crate::{epoch_days, parse_date, BbsMessage, CredentialError};

/// Bits of every range proof: covers 179 years of days.
pub const RANGE_BITS: u32 = 16;

/// The query's `meta`, parsed.
pub fn bbs_meta(query: &CredentialQuery) -> Result<BbsMeta, CredentialError> {
    let meta = query
        .meta
        .clone()
        .ok_or_else(|| CredentialError::BadQuery("meta is required".into()))?;
    serde_json::from_value(meta).map_err(|e| CredentialError::BadQuery(format!("meta: {e}")))
}

/// The message index of a one-element claims path naming a profile claim.
pub fn bbs_claim_index(path: &[serde_json::Value]) -> Result<usize, CredentialError> {
    match path {
        [serde_json::Value::String(name)] => BbsMessage::index_of(name).ok_or_else(|| {
            CredentialError::BadQuery(format!("{name} is not a claim of the profile"))
        }),
        _ => Err(CredentialError::BadQuery(
            "a claims path names one claim of the profile".into(),
        )),
    }
}

/// `(index, predicate)` of a date predicate.
pub fn bbs_predicate(p: &Predicate) -> Result<(usize, RangePredicate), CredentialError> {
    let bad = |why: &str| CredentialError::BadQuery(format!("predicate on {}: {why}", p.claim));
    let index = BbsMessage::index_of(&p.claim).ok_or_else(|| bad("not a claim of the profile"))?;
    if !BbsMessage::is_date(index) {
        return Err(bad("only date claims take predicates"));
    }
    let date = |s: &str| {
        parse_date(s)
            .map(epoch_days)
            .ok_or_else(|| bad("not a date"))
    };
    let range = match (&p.lte, &p.gte) {
        (Some(v), None) => RangePredicate::at_most(date(v)?, RANGE_BITS),
        (None, Some(v)) => RangePredicate::at_least(date(v)?, RANGE_BITS),
        _ => return Err(bad("exactly one of lte and gte")),
    }
    .map_err(|e| bad(&e.to_string()))?;
    Ok((index, range))
}

/// The presentation request for `query`, answered to `client_id` under `nonce`.
pub fn bbs_request(
    query: &CredentialQuery,
    client_id: &str,
    nonce: &str,
) -> Result<PresentationRequest, CredentialError> {
    let meta = bbs_meta(query)?;
    let mut disclose = query
        .claims
        .iter()
        .flatten()
        .map(|c| bbs_claim_index(&c.path))
        .collect::<Result<Vec<_>, _>>()?;
    disclose.sort_unstable();
    disclose.dedup();
    let predicates = meta
        .predicates
        .iter()
        .map(bbs_predicate)
        .collect::<Result<Vec<_>, _>>()?;
    if predicates.iter().any(|(i, _)| disclose.contains(i)) {
        return Err(CredentialError::BadQuery(
            "a claim is both disclosed and under a predicate".into(),
        ));
    }
    Ok(PresentationRequest {
        verifier_id: client_id.as_bytes().to_vec(),
        presentation_header: presentation_header(client_id, nonce),
        disclose,
        predicates,
    })
}
