//! Plain records as the store keeps them; domain layers convert to their own types.

/// 住民基本台帳 status of a resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResidentStatus {
    Resident,
    Dead,
    Emigrated,
}

impl ResidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResidentStatus::Resident => "resident",
            ResidentStatus::Dead => "dead",
            ResidentStatus::Emigrated => "emigrated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "resident" => ResidentStatus::Resident,
            "dead" => ResidentStatus::Dead,
            "emigrated" => ResidentStatus::Emigrated,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentRecord {
    pub id: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// `male` | `female` | `unknown`.
    pub sex: String,
    pub prefecture: String,
    pub municipality: String,
    pub address_rest: String,
    pub status: ResidentStatus,
    /// Optimistic-concurrency version: every update must name the version it read.
    pub version: i64,
    pub updated_at: i64,
}

/// Revocation state of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStatus {
    Good,
    /// Revoked for good (CRL reason in `reason`).
    Revoked,
    /// certificateHold: revoked until released (card found) or made final.
    Held,
}

impl CertificateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Good => "good",
            CertificateStatus::Revoked => "revoked",
            CertificateStatus::Held => "held",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "good" => CertificateStatus::Good,
            "revoked" => CertificateStatus::Revoked,
            "held" => CertificateStatus::Held,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// `signature` | `authentication`.
    pub kind: String,
    /// Uppercase hex, as J-LIS prints serials.
    pub serial: String,
    pub resident_id: String,
    pub card_id: Option<String>,
    pub generation: i64,
    pub der: Vec<u8>,
    pub issued_at: i64,
    pub not_after: i64,
    pub status: CertificateStatus,
    pub revoked_at: Option<i64>,
    /// RFC 5280 CRLReason code.
    pub reason: Option<i64>,
}

/// A revoked or held entry as a CRL lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedRecord {
    pub serial: String,
    pub revoked_at: i64,
    pub reason: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeEventRecord {
    pub resident_id: String,
    pub kind: String,
    pub at: i64,
    /// JSON detail (which certificates changed); never the basic four attributes.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierRecord {
    pub id: String,
    pub name: String,
    /// SHA-256 of the verifier's API credential; the credential itself is never stored.
    pub credential_hash: Vec<u8>,
    pub registered_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub verifier_id: String,
    pub action: String,
    pub serial: String,
    pub outcome: String,
    pub at: i64,
}
