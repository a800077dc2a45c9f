//! Validating a signed PDF (ETSI EN 319 142-1): every CAdES signature over its byte range,
//! what later incremental updates changed, and the chain of document (archive) timestamps
//! that carries proof of existence past the expiry of the certificates inside.

use time::OffsetDateTime;

use akashi_pdf::{Change, SignatureInfo, SubFilter};

use super::report::{iso, Indication, Report, SubIndication, TimestampReport};
use super::token::{verify_timestamp, VerifiedTimestamp};
use super::{check_signature, Anchors, Context, Evidence};

/// Validates every signature of `pdf` at `at`, with the validation data of its DSS only.
pub fn validate_pades(pdf: &[u8], anchors: &Anchors, at: OffsetDateTime) -> Report {
    let mut report = Report {
        validation_time: iso(at),
        signatures: Vec::new(),
        archive_timestamps: Vec::new(),
        document_findings: Vec::new(),
    };
    let signatures = match akashi_pdf::signatures(pdf) {
        Ok(s) => s,
        Err(e) => {
            report
                .document_findings
                .push(format!("not a readable signed PDF: {e}"));
            return report;
        }
    };
    if signatures.is_empty() {
        report
            .document_findings
            .push("the PDF holds no signature".into());
        return report;
    }
    let outside = match akashi_pdf::dss(pdf) {
        Ok(Some(dss)) => Evidence {
            certificates: dss.certificates,
            crls: dss.crls,
            ocsp_responses: dss.ocsp_responses,
        },
        Ok(None) => Evidence::default(),
        Err(e) => {
            report
                .document_findings
                .push(format!("the DSS cannot be read: {e}"));
            Evidence::default()
        }
    };
    match akashi_pdf::revisions(pdf) {
        Ok(ends) => {
            let complete = ends.last().copied().unwrap_or(0);
            let tail = pdf
                .get(usize::try_from(complete).unwrap_or(usize::MAX)..)
                .unwrap_or(&[]);
            if tail.iter().any(|b| !b.is_ascii_whitespace()) {
                report.document_findings.push(format!(
                    "{} bytes after the last complete revision (the file is truncated or has \
                     something appended)",
                    tail.len()
                ));
            }
        }
        Err(e) => report
            .document_findings
            .push(format!("the revisions cannot be read: {e}")),
    }
    let chain = archive_chain(pdf, &signatures, anchors, &outside, at, &mut report);
    if let Some(last) = signatures.iter().map(|s| s.signed_len).max() {
        for why in disallowed_changes(pdf, last) {
            report
                .document_findings
                .push(format!("changed after the last signature: {why}"));
        }
    }
    for sig in signatures
        .iter()
        .filter(|s| s.sub_filter != SubFilter::Rfc3161)
    {
        let archive_poe = chain
            .iter()
            .filter(|(len, _)| *len > sig.signed_len)
            .map(|(_, t)| *t)
            .min();
        let cx = Context {
            anchors,
            at,
            outside: &outside,
            archive_poe,
        };
        report.signatures.push(check_one(pdf, sig, &cx));
    }
    report
}

fn check_one(pdf: &[u8], sig: &SignatureInfo, cx: &Context) -> super::SignatureReport {
    let field = Some(sig.field_name.clone());
    if !sig.byte_range_ok {
        return super::SignatureReport::new(field).fail(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            "the /ByteRange does not cover its whole revision except the /Contents value".into(),
        );
    }
    let digest = match akashi_pdf::covered_digest(pdf, sig.byte_range) {
        Ok(d) => d,
        Err(e) => {
            return super::SignatureReport::new(field).fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!("the signed bytes cannot be read: {e}"),
            )
        }
    };
    let mut report = check_signature(&sig.cms, &digest, field, cx);
    if report.claimed_signing_time.is_none() {
        report.claimed_signing_time = sig.signing_time.map(iso);
    }
    if let SubFilter::Unknown(name) = &sig.sub_filter {
        report
            .notes
            .push(format!("/SubFilter {name} is not PAdES baseline"));
    }
    let changes = disallowed_changes(pdf, sig.signed_len);
    if !changes.is_empty() && report.indication != Indication::TotalFailed {
        report = report.fail(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            format!(
                "a later incremental update changed what this signature covers: {}",
                changes.join("; ")
            ),
        );
    }
    report
}

fn disallowed_changes(pdf: &[u8], signed_len: u64) -> Vec<String> {
    match akashi_pdf::changes_after(pdf, signed_len) {
        Ok(changes) => changes
            .into_iter()
            .filter_map(|c| match c {
                Change::Disallowed { object, why } => {
                    Some(format!("object {} {}: {why}", object.0, object.1))
                }
                _ => None,
            })
            .collect(),
        Err(e) => vec![format!("the later revisions cannot be read: {e}")],
    }
}

/// Checks the document timestamps, newest first: the newest must have a TSA certificate
/// valid at `at`; each earlier one must have had a valid TSA certificate when the next one
/// was made (renewal). Returns (signed length, time) of each timestamp in the unbroken chain.
fn archive_chain(
    pdf: &[u8],
    signatures: &[SignatureInfo],
    anchors: &Anchors,
    outside: &Evidence,
    at: OffsetDateTime,
    report: &mut Report,
) -> Vec<(u64, OffsetDateTime)> {
    let stamps: Vec<&SignatureInfo> = signatures
        .iter()
        .filter(|s| s.sub_filter == SubFilter::Rfc3161)
        .collect();
    let mut reports = Vec::new();
    let mut chain = Vec::new();
    let mut horizon = Some(at);
    for stamp in stamps.iter().rev() {
        let checked = check_stamp(pdf, stamp, anchors, outside);
        let mut r = TimestampReport {
            field: Some(stamp.field_name.clone()),
            time: None,
            tsa: None,
            tsa_certificate_not_after: None,
            valid: false,
            reason: None,
        };
        match checked {
            Ok(ts) => {
                r.time = Some(iso(ts.gen_time));
                r.tsa = Some(ts.tsa.subject().to_string());
                r.tsa_certificate_not_after = Some(iso(ts.tsa.not_after()));
                match horizon {
                    Some(h) if ts.tsa.not_after() >= h => {
                        r.valid = true;
                        chain.push((stamp.signed_len, ts.gen_time));
                        horizon = Some(ts.gen_time);
                    }
                    Some(h) => {
                        r.reason = Some(format!(
                            "its TSA certificate expired at {}, before {} (no renewal in time)",
                            iso(ts.tsa.not_after()),
                            iso(h)
                        ));
                        horizon = None;
                    }
                    None => r.reason = Some("a later archive timestamp in the chain failed".into()),
                }
            }
            Err(e) => r.reason = Some(e),
        }
        reports.push(r);
    }
    reports.reverse();
    report.archive_timestamps = reports;
    chain
}

fn check_stamp(
    pdf: &[u8],
    stamp: &SignatureInfo,
    anchors: &Anchors,
    outside: &Evidence,
) -> Result<VerifiedTimestamp, String> {
    if !stamp.byte_range_ok {
        return Err("its /ByteRange does not cover its whole revision".into());
    }
    let digest = akashi_pdf::covered_digest(pdf, stamp.byte_range).map_err(|e| e.to_string())?;
    if let Some(why) = disallowed_changes(pdf, stamp.signed_len).first() {
        return Err(format!("a later update changed what it covers: {why}"));
    }
    verify_timestamp(&stamp.cms, &digest, anchors, &outside.certificates)
}
