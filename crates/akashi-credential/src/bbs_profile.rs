//! The BBS message profile, version 1: which message is at which index, and how it is encoded.
//!
//! | index | message | encoding |
//! |---|---|---|
//! | 0 | family name | UTF-8 bytes |
//! | 1 | given name | UTF-8 bytes |
//! | 2 | birth date | integer: days since 1970-01-01 (range predicates on age) |
//! | 3 | sex | UTF-8 `male` / `female` / `unknown` |
//! | 4 | prefecture | UTF-8 bytes |
//! | 5 | municipality | UTF-8 bytes |
//! | 6 | rest of the address | UTF-8 bytes |
//! | 7 | valid until | integer: days since 1970-01-01 (predicate "still valid today") |
//! | 8 | assurance | UTF-8 `IAL3/jpki-signature-certificate` |
//!
//! The holder's secret (blind, for the per-verifier pseudonym) is committed separately by the
//! BBS issuance protocol and is not one of these messages.

use time::Date;

use akashi_bbs::Message;

use crate::IdentityClaims;

/// The profile identifier, carried beside the credential.
pub const BBS_PROFILE: &str = "urn:akashi:credential:jp-identity:bbs:1";

/// The messages of the profile, in index order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum BbsMessage {
    FamilyName = 0,
    GivenName = 1,
    BirthDate = 2,
    Sex = 3,
    Prefecture = 4,
    Municipality = 5,
    AddressRest = 6,
    ValidUntil = 7,
    Assurance = 8,
}

impl BbsMessage {
    pub const COUNT: usize = 9;

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Days since 1970-01-01.
pub fn epoch_days(date: Date) -> i64 {
    i64::from(date.to_julian_day() - time::macros::date!(1970 - 01 - 01).to_julian_day())
}

impl IdentityClaims {
    /// The BBS messages of this credential, valid until `valid_until` (inclusive).
    pub fn bbs_messages(&self, valid_until: Date) -> Vec<Message> {
        let bytes = |s: &str| Message::Bytes(s.as_bytes().to_vec());
        vec![
            bytes(&self.family_name),
            bytes(&self.given_name),
            Message::Integer(epoch_days(self.birthdate)),
            bytes(self.sex),
            bytes(&self.prefecture),
            bytes(&self.municipality),
            bytes(&self.address_rest),
            Message::Integer(epoch_days(valid_until)),
            bytes("IAL3/jpki-signature-certificate"),
        ]
    }
}
