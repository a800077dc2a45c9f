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

/// The profile's claim names, in message order (the names of BBS credential objects and of
/// DCQL claim paths).
pub const BBS_CLAIM_NAMES: [&str; BbsMessage::COUNT] = [
    "family_name",
    "given_name",
    "birthdate",
    "sex",
    "prefecture",
    "municipality",
    "address_rest",
    "valid_until",
    "assurance",
];

/// The claims that are dates (integer messages).
const DATE_MESSAGES: [usize; 2] = [
    BbsMessage::BirthDate as usize,
    BbsMessage::ValidUntil as usize,
];

impl BbsMessage {
    /// The index of the claim named `name`.
    pub fn index_of(name: &str) -> Option<usize> {
        BBS_CLAIM_NAMES.iter().position(|n| *n == name)
    }

    pub fn is_date(index: usize) -> bool {
        DATE_MESSAGES.contains(&index)
    }
}

/// The date `days` after 1970-01-01.
pub fn date_of_epoch_days(days: i64) -> Option<Date> {
    let julian = i64::from(time::macros::date!(1970 - 01 - 01).to_julian_day()) + days;
    Date::from_julian_day(i32::try_from(julian).ok()?).ok()
}

/// An ISO 8601 calendar date (`2006-11-23`).
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// A message as a JSON claim value: dates as ISO 8601, text as strings.
pub fn bbs_claim_value(index: usize, message: &Message) -> serde_json::Value {
    match message {
        Message::Integer(days) if BbsMessage::is_date(index) => date_of_epoch_days(*days)
            .map(|d| d.to_string().into())
            .unwrap_or(serde_json::Value::Null),
        Message::Integer(n) => (*n).into(),
        Message::Bytes(b) => String::from_utf8_lossy(b).into_owned().into(),
    }
}

impl IdentityClaims {
    /// The BBS credential's claims by name (the issuance response's `claims`).
    pub fn bbs_claims(&self, valid_until: Date) -> serde_json::Map<String, serde_json::Value> {
        self.bbs_messages(valid_until)
            .iter()
            .enumerate()
            .map(|(i, m)| (BBS_CLAIM_NAMES[i].to_owned(), bbs_claim_value(i, m)))
            .collect()
    }
}

/// The messages of a BBS credential object's `claims`, in profile order, and its validity end.
pub fn bbs_messages_from_claims(
    claims: &serde_json::Map<String, serde_json::Value>,
) -> Result<(Vec<Message>, Date), crate::CredentialError> {
    let bad = |name: &str| crate::CredentialError::BadClaim(name.to_owned());
    let mut messages = Vec::with_capacity(BbsMessage::COUNT);
    let mut valid_until = None;
    if claims.len() != BbsMessage::COUNT {
        return Err(bad("claims (wrong number of claims for the profile)"));
    }
    for (index, name) in BBS_CLAIM_NAMES.iter().enumerate() {
        let text = claims
            .get(*name)
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad(name))?;
        if BbsMessage::is_date(index) {
            let date = parse_date(text).ok_or_else(|| bad(name))?;
            if index == BbsMessage::ValidUntil.index() {
                valid_until = Some(date);
            }
            messages.push(Message::Integer(epoch_days(date)));
        } else {
            messages.push(Message::Bytes(text.as_bytes().to_vec()));
        }
    }
    Ok((messages, valid_until.expect("the profile has valid_until")))
}
