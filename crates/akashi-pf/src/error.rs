use thiserror::Error;

/// Everything the PF can refuse or fail at. Each variant has a stable [`PfError::code`] and an
/// HTTP status; none of the messages carries a serial, a certificate or an attribute.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PfError {
    #[error("not a registered service provider")]
    UnregisteredServiceProvider,
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("the transaction reference is not one this PF issued to this service provider")]
    UnknownTransaction,
    #[error("the transaction expired; start a new one")]
    TransactionExpired,
    #[error("the transaction was already completed; each transaction is accepted once")]
    TransactionReplayed,
    #[error("the signed data is not the transaction's to-be-signed bytes")]
    SignedDataMismatch,
    #[error("unsupported signed-request format {0:?}: use jpki-simple-v1")]
    UnsupportedFormat(String),
    #[error(
        "certificate type: {purpose} needs the {expected} certificate, got the {found} certificate"
    )]
    WrongCertificateType {
        purpose: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    #[error("certificate: {0}")]
    InvalidCertificate(String),
    #[error("certificate expired")]
    CertificateExpired,
    #[error("the signature does not verify with the certificate")]
    BadSignature,
    #[error("certificate revoked ({reason})")]
    CertificateRevoked { reason: &'static str },
    #[error("certificate suspended (the card was reported lost)")]
    CertificateSuspended,
    #[error("J-LIS does not know the certificate")]
    CertificateUnknown,
    #[error("revocation status unavailable: {0}")]
    RevocationUnavailable(String),
    #[error("service provider {0:?} is already registered")]
    DuplicateServiceProvider(String),
    #[error("unknown service provider {0:?}")]
    UnknownServiceProvider(String),
    #[error("no such notification for this service provider")]
    UnknownNotification,
    #[error("J-LIS: {0}")]
    Jlis(String),
    #[error("PF keys: {0}")]
    Keys(String),
    #[error("storage: {0}")]
    Store(#[from] akashi_store::StoreError),
}

impl PfError {
    /// A stable machine-readable code for problem documents and CLI exit paths.
    pub fn code(&self) -> &'static str {
        match self {
            PfError::UnregisteredServiceProvider => "unregistered-service-provider",
            PfError::Malformed(_) => "malformed-request",
            PfError::UnknownTransaction => "unknown-transaction",
            PfError::TransactionExpired => "transaction-expired",
            PfError::TransactionReplayed => "transaction-replayed",
            PfError::SignedDataMismatch => "signed-data-mismatch",
            PfError::UnsupportedFormat(_) => "unsupported-format",
            PfError::WrongCertificateType { .. } => "wrong-certificate-type",
            PfError::InvalidCertificate(_) => "invalid-certificate",
            PfError::CertificateExpired => "certificate-expired",
            PfError::BadSignature => "bad-signature",
            PfError::CertificateRevoked { .. } => "certificate-revoked",
            PfError::CertificateSuspended => "certificate-suspended",
            PfError::CertificateUnknown => "certificate-unknown",
            PfError::RevocationUnavailable(_) => "revocation-unavailable",
            PfError::DuplicateServiceProvider(_) => "duplicate-service-provider",
            PfError::UnknownServiceProvider(_) => "unknown-service-provider",
            PfError::UnknownNotification => "unknown-notification",
            PfError::Jlis(_) => "jlis-unavailable",
            PfError::Keys(_) => "pf-keys",
            PfError::Store(_) => "storage",
        }
    }

    /// The HTTP status a handler answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            PfError::UnregisteredServiceProvider => 401,
            PfError::Malformed(_) | PfError::UnsupportedFormat(_) => 400,
            PfError::UnknownTransaction => 404,
            PfError::TransactionExpired => 410,
            PfError::TransactionReplayed | PfError::DuplicateServiceProvider(_) => 409,
            PfError::UnknownServiceProvider(_) | PfError::UnknownNotification => 404,
            PfError::SignedDataMismatch
            | PfError::WrongCertificateType { .. }
            | PfError::InvalidCertificate(_)
            | PfError::CertificateExpired
            | PfError::BadSignature
            | PfError::CertificateRevoked { .. }
            | PfError::CertificateSuspended
            | PfError::CertificateUnknown => 422,
            PfError::RevocationUnavailable(_) | PfError::Jlis(_) | PfError::Store(_) => 503,
            PfError::Keys(_) => 500,
        }
    }
}
