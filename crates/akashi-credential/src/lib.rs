//! The Japanese identity credential that a private ID issuer (民間ID事業者) issues after
//! proofing a person with the JPKI signature certificate (IAL3), in two formats:
//!
//! - **SD-JWT VC**, type [`VCT`]: every personal claim selectively disclosable, the address
//!   split into prefecture / municipality / rest, derived `age_equal_or_over` claims.
//! - **BBS**, profile [`BBS_PROFILE`]: the messages in the fixed order of [`BbsMessage`], dates
//!   as integer days since 1970-01-01 so that range predicates ("born on or before …", "valid
//!   until at least today") work without revealing the date.
//!
//! The claims come only from the basic four attributes of a validated signature certificate
//! (or J-LIS's latest four with consent); time is a parameter.
#![forbid(unsafe_code)]

mod bbs_profile;
mod bbs_request;
mod claims;

pub use bbs_profile::{
    bbs_claim_value, bbs_messages_from_claims, date_of_epoch_days, epoch_days, parse_date,
    BbsMessage, BBS_CLAIM_NAMES, BBS_PROFILE,
};
pub use bbs_request::{bbs_claim_index, bbs_meta, bbs_predicate, bbs_request, RANGE_BITS};
pub use claims::{
    age_on, born_on_or_before, CredentialError, IdentityClaims, AGE_THRESHOLDS, DISCLOSABLE, VCT,
};
