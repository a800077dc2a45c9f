//! The claim model, version 1.

use serde_json::{json, Map, Value};
use time::Date;

use akashi_jpki::address::SplitAddress;
use akashi_jpki::BasicFourAttributes;

/// The SD-JWT VC type of version 1 of the credential.
pub const VCT: &str = "urn:akashi:credential:jp-identity:1";

/// The ages for which `age_equal_or_over` claims are derived.
pub const AGE_THRESHOLDS: [u8; 4] = [16, 18, 20, 65];

/// The claim paths an SD-JWT VC of this type makes selectively disclosable.
pub const DISCLOSABLE: &[&str] = &[
    "family_name",
    "given_name",
    "birthdate",
    "sex",
    "address.prefecture",
    "address.municipality",
    "address.rest",
    "age_equal_or_over.16",
    "age_equal_or_over.18",
    "age_equal_or_over.20",
    "age_equal_or_over.65",
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialError {
    #[error("the name has no ideographic space between family and given name")]
    UnsplittableName,
    #[error("the address does not start with a prefecture and municipality")]
    UnsplittableAddress,
    #[error("claim {0}: missing or not of the profile's form")]
    BadClaim(String),
    #[error("query: {0}")]
    BadQuery(String),
}

/// The personal claims of one credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityClaims {
    pub family_name: String,
    pub given_name: String,
    pub birthdate: Date,
    /// `male`, `female` or `unknown` (the JPKI codes 1, 2, 3).
    pub sex: &'static str,
    pub prefecture: String,
    pub municipality: String,
    pub address_rest: String,
}

/// Age in whole years on `today`. Under the Act on Calculation of Age (年齢計算ニ関スル法律) a
/// year is completed at the end of the day before the birthday, so the person is a year older
/// on the birthday itself; someone born on 29 February is older from 1 March in common years.
pub fn age_on(birthdate: Date, today: Date) -> i32 {
    let before_birthday =
        (today.month() as u8, today.day()) < (birthdate.month() as u8, birthdate.day());
    today.year() - birthdate.year() - i32::from(before_birthday)
}

/// The latest birth date of a person who is at least `years` old on `today` (a predicate's
/// bound: "born on or before this day"). A 29 February that does not exist in the target year
/// becomes 28 February.
pub fn born_on_or_before(today: Date, years: i32) -> Date {
    let year = today.year() - years;
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), 28))
        .expect("28 exists in every month")
}

impl IdentityClaims {
    /// The claims of the basic four attributes.
    pub fn from_attributes(a: &BasicFourAttributes) -> Result<Self, CredentialError> {
        let (family, given) = a
            .name
            .split_once('\u{3000}')
            .ok_or(CredentialError::UnsplittableName)?;
        let address =
            SplitAddress::parse(&a.address).ok_or(CredentialError::UnsplittableAddress)?;
        Ok(Self {
            family_name: family.to_owned(),
            given_name: given.to_owned(),
            birthdate: a.birth_date,
            sex: a.sex.as_str(),
            prefecture: address.prefecture,
            municipality: address.municipality,
            address_rest: address.rest,
        })
    }

    /// `age_equal_or_over` on `today`, for [`AGE_THRESHOLDS`].
    pub fn age_equal_or_over(&self, today: Date) -> Map<String, Value> {
        let age = age_on(self.birthdate, today);
        AGE_THRESHOLDS
            .iter()
            .map(|t| (t.to_string(), Value::Bool(age >= i32::from(*t))))
            .collect()
    }

    /// The SD-JWT VC payload in the clear (before issuance hides [`DISCLOSABLE`]):
    /// `iss`, `iat`, `exp`, `vct`, the personal claims, `age_equal_or_over` as of `today`,
    /// and the assurance (IAL3 on a JPKI signature certificate).
    pub fn sd_jwt_vc_claims(
        &self,
        issuer: &str,
        issued_at: i64,
        expires_at: i64,
        today: Date,
    ) -> Map<String, Value> {
        let Value::Object(map) = json!({
            "iss": issuer,
            "iat": issued_at,
            "exp": expires_at,
            "vct": VCT,
            "family_name": self.family_name,
            "given_name": self.given_name,
            "birthdate": self.birthdate.to_string(),
            "sex": self.sex,
            "address": {
                "prefecture": self.prefecture,
                "municipality": self.municipality,
                "rest": self.address_rest,
            },
            "age_equal_or_over": self.age_equal_or_over(today),
            "assurance": { "ial": "IAL3", "evidence": "jpki-signature-certificate" },
        }) else {
            unreachable!("a JSON object")
        };
        map
    }
}
