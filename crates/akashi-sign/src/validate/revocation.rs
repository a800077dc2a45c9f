//! The signer certificate's revocation status from embedded validation data only (CRLs and
//! OCSP responses in the CMS or a PDF's DSS): nothing is fetched, so a validation gives the
//! same answer with the network off, years later.
//!
//! Data counts when its issuer's signature verifies (the J-LIS generation, or a delegated OCSP
//! responder it certified). A revocation dated at or before the best signature time decides;
//! otherwise the status is good only if some data was issued at or after that time (fresh).

use time::OffsetDateTime;

use akashi_jpki::JpkiCertificate;
use akashi_revocation::{matches_issuer, verify_basic_response, verify_crl, CertStatus};

use super::report::iso;
use super::Evidence;

pub(crate) enum RevocationFinding {
    Good {
        source: String,
    },
    RevokedAfter {
        at: OffsetDateTime,
        source: String,
    },
    RevokedBefore {
        at: OffsetDateTime,
        source: String,
    },
    /// No usable data, and why.
    None(String),
}

/// One piece of data's answer: (issued at, revoked at, what it was).
type Answer = (OffsetDateTime, Option<OffsetDateTime>, String);

pub(crate) fn revocation_status(
    cert: &JpkiCertificate,
    issuer: &JpkiCertificate,
    evidence: &Evidence,
    best: OffsetDateTime,
) -> RevocationFinding {
    let serial = &cert.certificate().tbs_certificate.serial_number;
    let mut answers: Vec<Answer> = Vec::new();
    for der in &evidence.crls {
        if let Ok(crl) = verify_crl(der, issuer) {
            let revoked = crl.find(serial).map(|e| e.revoked_at);
            answers.push((
                crl.this_update,
                revoked,
                format!("CRL of {}", iso(crl.this_update)),
            ));
        }
    }
    for der in &evidence.ocsp_responses {
        let Ok(basic) = verify_basic_response(der, issuer) else {
            continue;
        };
        for single in basic
            .responses
            .iter()
            .filter(|r| &r.cert_id.serial == serial && matches_issuer(&r.cert_id, issuer))
        {
            let revoked = match single.status {
                CertStatus::Revoked { at, .. } => Some(at),
                CertStatus::Good => None,
                CertStatus::Unknown => continue,
            };
            answers.push((
                single.this_update,
                revoked,
                format!("OCSP response of {}", iso(single.this_update)),
            ));
        }
    }
    if let Some((_, Some(at), source)) = answers
        .iter()
        .find(|(_, r, _)| r.is_some_and(|r| r <= best))
    {
        return RevocationFinding::RevokedBefore {
            at: *at,
            source: source.clone(),
        };
    }
    if let Some((_, Some(at), source)) = answers.iter().find(|(_, r, _)| r.is_some()) {
        return RevocationFinding::RevokedAfter {
            at: *at,
            source: source.clone(),
        };
    }
    match answers
        .iter()
        .filter(|(issued, _, _)| *issued >= best)
        .max_by_key(|a| a.0)
    {
        Some((_, _, source)) => RevocationFinding::Good {
            source: source.clone(),
        },
        None if answers.is_empty() => RevocationFinding::None(
            "no revocation data for the signer's certificate is embedded (B-LT adds it); \
             the signature cannot be validated offline"
                .into(),
        ),
        None => RevocationFinding::None(format!(
            "the embedded revocation data was issued before the signature time {}: it says \
             nothing about revocation at that time",
            iso(best)
        )),
    }
}
