//! Conversions between `OffsetDateTime` and the two ASN.1 time encodings.
//!
//! ```text
//! Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }   -- RFC 5280 (CRLs)
//! GeneralizedTime                                                    -- RFC 6960 (OCSP)
//! ```

use der::asn1::GeneralizedTime;
use time::OffsetDateTime;
use x509_cert::time::Time;

use crate::RevocationError;

/// RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050.
pub(crate) fn x509(t: OffsetDateTime) -> Result<Time, RevocationError> {
    Ok(akashi_jpki::profile::time(t)?)
}

/// A GeneralizedTime in UTC with whole seconds, as RFC 6960 (via RFC 5280 §4.1.2.5.2) wants.
pub(crate) fn generalized(t: OffsetDateTime) -> Result<GeneralizedTime, RevocationError> {
    let unix = u64::try_from(t.unix_timestamp())
        .map_err(|_| RevocationError::invalid("time", format!("{t} is before 1970")))?;
    Ok(GeneralizedTime::from_unix_duration(
        std::time::Duration::from_secs(unix),
    )?)
}

pub(crate) fn from_x509(t: Time) -> Result<OffsetDateTime, RevocationError> {
    from_unix(t.to_unix_duration())
}

pub(crate) fn from_generalized(t: GeneralizedTime) -> Result<OffsetDateTime, RevocationError> {
    from_unix(t.to_unix_duration())
}

fn from_unix(d: std::time::Duration) -> Result<OffsetDateTime, RevocationError> {
    i64::try_from(d.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .ok_or_else(|| RevocationError::invalid("time", "out of range"))
}
