//! What validation found, per signature, in the terms of ETSI EN 319 102-1 §5.1.3: an
//! indication (TOTAL-PASSED, INDETERMINATE, TOTAL-FAILED), a sub-indication naming the failed
//! check, and the reason in words.

use serde::Serialize;
use time::OffsetDateTime;

use akashi_jpki::BasicFourAttributes;

/// ETSI EN 319 102-1 main indications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Indication {
    #[serde(rename = "TOTAL-PASSED")]
    TotalPassed,
    #[serde(rename = "INDETERMINATE")]
    Indeterminate,
    #[serde(rename = "TOTAL-FAILED")]
    TotalFailed,
}

impl std::fmt::Display for Indication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Indication::TotalPassed => "TOTAL-PASSED",
            Indication::Indeterminate => "INDETERMINATE",
            Indication::TotalFailed => "TOTAL-FAILED",
        })
    }
}

/// ETSI EN 319 102-1 sub-indications used by this validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    RevokedNoPoe,
    NoSigningCertificateFound,
    NoCertificateChainFound,
    ChainConstraintsFailure,
    OutOfBoundsNoPoe,
    TryLater,
    RevocationOutOfBounds,
    SignedDataNotFound,
    NoPoe,
}

/// The baseline level a signature reached (ETSI EN 319 122-1 / 319 142-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    #[serde(rename = "B-B")]
    BB,
    #[serde(rename = "B-T")]
    BT,
    #[serde(rename = "B-LT")]
    BLt,
    #[serde(rename = "B-LTA")]
    BLta,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::BB => "B-B",
            Level::BT => "B-T",
            Level::BLt => "B-LT",
            Level::BLta => "B-LTA",
        })
    }
}

/// Who signed, as the signature certificate says.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub subject: String,
    /// The basic four attributes, when the certificate carries them (JPKI signature certificates).
    pub attributes: Option<BasicFourAttributes>,
    pub certificate_serial: String,
    pub certificate_not_after: String,
}

/// The validation of one signature.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// The PDF signature field, for PAdES.
    pub field: Option<String>,
    pub signer: Option<Signer>,
    /// The signing time the signer claimed (signed attribute; not proof).
    pub claimed_signing_time: Option<String>,
    /// The time of a valid signature timestamp: proof the signature existed then.
    pub signature_timestamp: Option<String>,
    pub level: Option<Level>,
    pub indication: Indication,
    pub sub_indication: Option<SubIndication>,
    /// Why, when the indication is not TOTAL-PASSED.
    pub reason: Option<String>,
    /// What else the validator noticed (revoked after the signature, renewed timestamps…).
    pub notes: Vec<String>,
}

impl SignatureReport {
    pub(crate) fn new(field: Option<String>) -> Self {
        Self {
            field,
            signer: None,
            claimed_signing_time: None,
            signature_timestamp: None,
            level: None,
            indication: Indication::TotalPassed,
            sub_indication: None,
            reason: None,
            notes: Vec::new(),
        }
    }

    /// Ends the report with a failure (the first one found decides).
    pub(crate) fn fail(
        mut self,
        indication: Indication,
        sub: SubIndication,
        reason: String,
    ) -> Self {
        self.indication = indication;
        self.sub_indication = Some(sub);
        self.reason = Some(reason);
        self
    }
}

/// An archive (document) timestamp of a PAdES-LTA document.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampReport {
    pub field: Option<String>,
    pub time: Option<String>,
    pub tsa: Option<String>,
    pub tsa_certificate_not_after: Option<String>,
    pub valid: bool,
    pub reason: Option<String>,
}

/// Everything a validation found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub validation_time: String,
    pub signatures: Vec<SignatureReport>,
    pub archive_timestamps: Vec<TimestampReport>,
    /// Problems of the document as a whole (e.g. content changed after the last signature).
    pub document_findings: Vec<String>,
}

impl Report {
    /// True only when there is at least one signature, every one is TOTAL-PASSED, and the
    /// document as a whole has no finding.
    pub fn all_passed(&self) -> bool {
        !self.signatures.is_empty()
            && self.document_findings.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.indication == Indication::TotalPassed)
    }
}

pub(crate) fn iso(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
