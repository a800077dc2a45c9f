//! Validation anyone can run without the PF: a per-signature report from the signature, the
//! document and the trust anchors alone, using only the validation data embedded in them.

mod anchors;
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

/// Validates a detached CAdES signature `cms_der` over `content` at time `at`.
pub fn validate_cades(
    content: &[u8],
    cms_der: &[u8],
    anchors: &Anchors,
    at: OffsetDateTime,
) -> Report {
    let digest = sha256(content);
    let outside = Evidence::default();
    let cx = Context {
        anchors,
        at,
        outside: &outside,
        archive_poe: None,
    };
    Report {
        validation_time: report::iso(at),
        signatures: vec![check_signature(cms_der, &digest, None, &cx)],
        archive_timestamps: Vec::new(),
        document_findings: Vec::new(),
    }
}
