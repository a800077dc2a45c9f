//! Validation anyone can run without the PF: a per-signature report from the signature, the
//! document and the trust anchors alone, using only the validation data embedded in them.

mod anchors;
mod archive;
mod pades;
pub mod report;
mod revocation;
mod signer;
mod token;

use time::OffsetDateTime;

pub(crate) use anchors::issued_by;
pub use anchors::Anchors;
pub use pades::validate_pades;
pub use report::{Indication, Level, Report, SignatureReport, SubIndication, TimestampReport};
pub(crate) use token::TimestampFailure;
pub use token::{verify_timestamp, VerifiedTimestamp};

pub(crate) use signer::{check_signature, Context};
pub(crate) use token::sha256;

/// Certificates and revocation data (DER), as embedded for B-LT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    pub certificates: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    pub ocsp_responses: Vec<Vec<u8>>,
}

impl Evidence {
    pub(crate) fn extend(&mut self, other: &Evidence) {
        for (mine, theirs) in [
            (&mut self.certificates, &other.certificates),
            (&mut self.crls, &other.crls),
            (&mut self.ocsp_responses, &other.ocsp_responses),
        ] {
            for item in theirs {
                if !mine.contains(item) {
                    mine.push(item.clone());
                }
            }
        }
    }
}

/// Validates a detached CAdES signature `cms_der` over `content` at time `at`. Archive
/// timestamps (B-LTA) give proof of existence past the expiry of the TSA certificates inside;
/// one whose integrity fails makes the signature TOTAL-FAILED, since the file was altered
/// after it was made.
pub fn validate_cades(
    content: &[u8],
    cms_der: &[u8],
    anchors: &Anchors,
    at: OffsetDateTime,
) -> Report {
    let digest = sha256(content);
    let archive = archive::check_archive_timestamps(cms_der, &digest, anchors, at);
    let outside = Evidence::default();
    let cx = Context {
        anchors,
        at,
        outside: &outside,
        archive_poe: archive.poe,
    };
    let mut signature = check_signature(cms_der, &digest, None, &cx);
    let valid = archive.reports.iter().filter(|r| r.valid).count();
    match (archive.poe, archive.reports.is_empty()) {
        (Some(poe), _) => signature.notes.push(format!(
            "{valid} of {} archive timestamps hold: proof of existence at {}",
            archive.reports.len(),
            report::iso(poe)
        )),
        (None, false) => signature.notes.push(format!(
            "no archive timestamp gives proof of existence at {} ({valid} of {} hold)",
            report::iso(at),
            archive.reports.len()
        )),
        (None, true) => {}
    }
    if let Some((sub, why)) = archive.broken {
        if signature.indication != Indication::TotalFailed {
            signature = signature.fail(Indication::TotalFailed, sub, why);
        }
    }
    Report {
        validation_time: report::iso(at),
        signatures: vec![signature],
        archive_timestamps: archive.reports,
        document_findings: Vec::new(),
    }
}
