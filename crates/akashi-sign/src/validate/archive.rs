//! The archive timestamps of a CAdES-B-LTA signature (ETSI EN 319 122-1 §5.5.3) as proof of
//! existence, like the PAdES document-timestamp chain: each archive timestamp is checked (its
//! hash index against the signature as it is now, its imprint recomputed over the covered
//! fields, the TSA's signature, the TSA chained to a trusted root at its time); the newest
//! must have a TSA certificate valid at the validation time, each earlier one a TSA
//! certificate still valid when the next one, which covers it, was made.

use time::OffsetDateTime;

use super::report::{iso, SubIndication, TimestampReport};
use super::token::check_timestamp;
use super::Anchors;
use crate::archive::{
    expected_imprint, token_order, token_time, value_hash, ID_ARCHIVE_TIME_STAMP_V3,
};
use crate::raw_cms::RawSignedData;
use crate::ID_SIGNATURE_TIME_STAMP;

/// What the archive timestamps of one signature give.
#[derive(Debug, Default)]
pub(crate) struct ArchiveFindings {
    /// Oldest first.
    pub reports: Vec<TimestampReport>,
    /// The time the unbroken chain proves the signature, its signature timestamp and its
    /// validation data existed.
    pub poe: Option<OffsetDateTime>,
    /// The first archive timestamp whose integrity failed (malformed, covered data changed,
    /// signature broken): the file was altered after it was made.
    pub broken: Option<(SubIndication, String)>,
}

/// A verified archive timestamp: where its report is, when, until when its TSA certificate
/// holds, what it covers, and its own unsignedAttrValuesHashIndex entry.
struct Verified {
    report: usize,
    gen_time: OffsetDateTime,
    tsa_not_after: OffsetDateTime,
    covers: Vec<Vec<u8>>,
    own_hash: Vec<u8>,
}

fn integrity(sub: SubIndication) -> bool {
    matches!(
        sub,
        SubIndication::FormatFailure | SubIndication::HashFailure | SubIndication::SigCryptoFailure
    )
}

/// Checks every archive-time-stamp-v3 of `cms_der`, a signature over content whose SHA-256
/// is `content_sha256`, at `at`.
pub(crate) fn check_archive_timestamps(
    cms_der: &[u8],
    content_sha256: &[u8; 32],
    anchors: &Anchors,
    at: OffsetDateTime,
) -> ArchiveFindings {
    let mut findings = ArchiveFindings::default();
    // An unreadable signature is reported by the signature check.
    let Ok(raw) = RawSignedData::parse(cms_der) else {
        return findings;
    };
    let values_of = |oid| -> Vec<(&[u8], Vec<u8>)> {
        raw.unsigned
            .iter()
            .filter(|a| a.oid == oid)
            .flat_map(|a| a.values.iter().map(|v| (*v, value_hash(a.oid_tlv, v))))
            .collect()
    };
    let mut tokens = values_of(ID_ARCHIVE_TIME_STAMP_V3);
    // The SET OF order is the encodings' order: put them in the order they were made.
    tokens.sort_by_key(|(token, _)| token_order(token));
    let certificates: Vec<Vec<u8>> = raw.certificates.iter().map(|c| c.to_vec()).collect();
    let mut verified = Vec::new();
    for (token, own_hash) in tokens {
        let time = token_time(token);
        let mut report = TimestampReport {
            field: None,
            time: time.map(iso),
            tsa: None,
            tsa_certificate_not_after: None,
            valid: false,
            reason: None,
        };
        let checked = expected_imprint(&raw, token, content_sha256).and_then(|(imprint, index)| {
            check_timestamp(token, &imprint, anchors, &certificates).map(|ts| (ts, index))
        });
        match checked {
            Ok((ts, index)) => {
                report.tsa = Some(ts.tsa.subject().to_string());
                report.tsa_certificate_not_after = Some(iso(ts.tsa.not_after()));
                verified.push(Verified {
                    report: findings.reports.len(),
                    gen_time: ts.gen_time,
                    tsa_not_after: ts.tsa.not_after(),
                    covers: index.unsigned_values,
                    own_hash,
                });
            }
            Err(failure) => {
                if integrity(failure.sub) && findings.broken.is_none() {
                    findings.broken = Some((
                        failure.sub,
                        format!(
                            "the archive timestamp of {} is broken: {}",
                            report.time.as_deref().unwrap_or("unknown time"),
                            failure.reason
                        ),
                    ));
                }
                report.reason = Some(failure.reason);
            }
        }
        findings.reports.push(report);
    }

    // Newest first: each must hold up to the time the next one (or the validation) proves.
    let mut chain: Vec<&Verified> = Vec::new();
    let mut horizon = Some(at);
    for ts in verified.iter().rev() {
        let report = &mut findings.reports[ts.report];
        let Some(h) = horizon else {
            report.reason = Some("a later archive timestamp in the chain failed".into());
            continue;
        };
        if chain
            .last()
            .is_some_and(|later| !later.covers.contains(&ts.own_hash))
        {
            report.reason = Some("the next archive timestamp does not cover it".into());
            horizon = None;
        } else if ts.tsa_not_after < h {
            report.reason = Some(format!(
                "its TSA certificate expired at {}, before {} (no renewal in time)",
                iso(ts.tsa_not_after),
                iso(h)
            ));
            horizon = None;
        } else {
            report.valid = true;
            horizon = Some(ts.gen_time);
            chain.push(ts);
        }
    }
    // Proof for the signature timestamp comes from the earliest link that covers it.
    let signature_timestamps = values_of(ID_SIGNATURE_TIME_STAMP);
    findings.poe = chain
        .iter()
        .filter(|ts| {
            signature_timestamps
                .iter()
                .all(|(_, hash)| ts.covers.contains(hash))
        })
        .map(|ts| ts.gen_time)
        .min();
    findings
}
