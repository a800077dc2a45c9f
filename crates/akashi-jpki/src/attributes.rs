//! The basic four attributes (基本4情報) as the signature certificate carries them.
//!
//! ```text
//! subjectAltName ::= GeneralNames, in this order:
//!   otherName { 1.2.392.200149.8.5.5.1 [0] EXPLICIT UTF8String }  -- name
//!   otherName { 1.2.392.200149.8.5.5.4 [0] EXPLICIT UTF8String }  -- date of birth EYYYYMMDD
//!   otherName { 1.2.392.200149.8.5.5.3 [0] EXPLICIT UTF8String }  -- sex 1|2|3
//!   otherName { 1.2.392.200149.8.5.5.5 [0] EXPLICIT UTF8String }  -- address
//!   otherName { 1.2.392.200149.8.5.5.2 [0] EXPLICIT UTF8String }  -- name substitute positions
//!   otherName { 1.2.392.200149.8.5.5.6 [0] EXPLICIT UTF8String }  -- address substitute positions
//! ```
//! Substitute positions hold one digit per character of the name or address: `1` where J-LIS
//! replaced a character outside JIS levels 1–2 by a substitute, `0` otherwise.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::JpkiError;

/// 性別: the sex codes of the JPKI profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

impl Sex {
    pub fn code(self) -> char {
        match self {
            Sex::Male => '1',
            Sex::Female => '2',
            Sex::Unknown => '3',
        }
    }

    pub fn from_code(code: &str) -> Result<Self, JpkiError> {
        match code {
            "1" => Ok(Sex::Male),
            "2" => Ok(Sex::Female),
            "3" => Ok(Sex::Unknown),
            other => Err(JpkiError::attribute(
                "sex",
                format!("unknown sex code {other:?}"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Unknown => "unknown",
        }
    }
}

impl std::str::FromStr for Sex {
    type Err = JpkiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "male" => Ok(Sex::Male),
            "female" => Ok(Sex::Female),
            "unknown" => Ok(Sex::Unknown),
            other => Err(JpkiError::attribute(
                "sex",
                format!("{other:?} is not male, female or unknown"),
            )),
        }
    }
}

/// Japanese eras as the leading digit of `EYYYYMMDD` encodes them; `0` means unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    Unknown = 0,
    Meiji = 1,
    Taisho = 2,
    Showa = 3,
    Heisei = 4,
    Reiwa = 5,
}

impl Era {
    /// The era a Gregorian date falls in (dates before Meiji are `Unknown`).
    pub fn of(date: Date) -> Era {
        let starts = [
            (Era::Reiwa, (2019, Month::May, 1)),
            (Era::Heisei, (1989, Month::January, 8)),
            (Era::Showa, (1926, Month::December, 25)),
            (Era::Taisho, (1912, Month::July, 30)),
            (Era::Meiji, (1868, Month::October, 23)),
        ];
        for (era, (y, m, d)) in starts {
            let start = Date::from_calendar_date(y, m, d).expect("era start dates are valid");
            if date >= start {
                return era;
            }
        }
        Era::Unknown
    }
}

/// The basic four attributes of a person, typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicFourAttributes {
    /// Family and given name separated by an ideographic space (U+3000).
    pub name: String,
    /// Full address from the prefecture on, without postal code.
    pub address: String,
    pub birth_date: Date,
    pub sex: Sex,
}

impl BasicFourAttributes {
    /// `EYYYYMMDD`: era digit, then the Gregorian date.
    pub fn encoded_birth_date(&self) -> String {
        encode_birth_date(self.birth_date)
    }
}

pub fn encode_birth_date(date: Date) -> String {
    format!(
        "{}{:04}{:02}{:02}",
        Era::of(date) as u8,
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses `EYYYYMMDD`, checking that the era digit agrees with the date.
pub fn decode_birth_date(value: &str) -> Result<Date, JpkiError> {
    let bad = |why: &str| JpkiError::attribute("date of birth", format!("{value:?}: {why}"));
    if value.len() != 9 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("expected 9 digits EYYYYMMDD"));
    }
    let num = |r: std::ops::Range<usize>| value[r].parse::<u32>().expect("digits checked");
    let month = Month::try_from(num(5..7) as u8).map_err(|_| bad("month out of range"))?;
    let date = Date::from_calendar_date(num(1..5) as i32, month, num(7..9) as u8)
        .map_err(|_| bad("not a calendar date"))?;
    let era = num(0..1) as u8;
    if era != 0 && era != Era::of(date) as u8 {
        return Err(bad("era digit does not match the date"));
    }
    Ok(date)
}

/// Parses `YYYY-MM-DD` or `YYYYMMDD`.
pub fn parse_iso_date(value: &str) -> Result<Date, JpkiError> {
    let digits: String = value.chars().filter(|c| *c != '-').collect();
    let dashed_ok = value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-';
    if digits.len() != 8 || !(dashed_ok || value.len() == 8) {
        return Err(JpkiError::attribute(
            "date",
            format!("{value:?} is not YYYY-MM-DD"),
        ));
    }
    decode_birth_date(&format!("0{digits}"))
}

/// A substitute-position string for `text` with no substituted characters.
pub fn no_substitutes(text: &str) -> String {
    "0".repeat(text.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn era_digits_follow_the_era_boundaries() {
        assert_eq!(encode_birth_date(date!(1989 - 01 - 07)), "319890107");
        assert_eq!(encode_birth_date(date!(1989 - 01 - 08)), "419890108");
        assert_eq!(encode_birth_date(date!(2019 - 04 - 30)), "420190430");
        assert_eq!(encode_birth_date(date!(2019 - 05 - 01)), "520190501");
        assert_eq!(encode_birth_date(date!(1926 - 12 - 25)), "319261225");
        assert_eq!(encode_birth_date(date!(1912 - 07 - 29)), "119120729");
        assert_eq!(encode_birth_date(date!(1900 - 01 - 01)), "119000101");
    }

    #[test]
    fn birth_dates_round_trip_and_bad_ones_are_named() {
        let d = date!(1975 - 03 - 31);
        assert_eq!(decode_birth_date(&encode_birth_date(d)).unwrap(), d);
        assert_eq!(decode_birth_date("019750331").unwrap(), d);
        for bad in [
            "519750331",
            "31975033",
            "319751331",
            "319750230",
            "3197503x1",
        ] {
            let err = decode_birth_date(bad).unwrap_err().to_string();
            assert!(err.contains("date of birth"), "{err}");
        }
    }

    #[test]
    fn substitute_positions_count_characters_not_bytes() {
        assert_eq!(no_substitutes("山田\u{3000}花子"), "00000");
    }
}
