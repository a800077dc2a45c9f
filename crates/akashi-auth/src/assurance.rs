//! Assurance levels after NIST SP 800-63-3, as seeds 000 and 004 summarise them:
//! identity (IAL: how well the person was proofed), authenticator (AAL: how strongly this
//! login proved control) and federation (FAL: how the assertion reaches the relying party).
//! A session's level is the lower of its IAL and AAL; each level is one `acr` value.

use serde::{Deserialize, Serialize};

/// Identity assurance. IAL3: proofed with the card's signature certificate and its PIN
/// (JPKI, which the seeds place at IAL3); IAL2: evidence checked remotely; IAL1: self-asserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ial {
    Ial1 = 1,
    Ial2 = 2,
    Ial3 = 3,
}

/// Authenticator assurance. AAL3: a hardware-bound key plus a PIN (the card's authentication
/// certificate; a passkey whose attestation shows a hardware key); AAL2: two factors (a wallet
/// device key with a PIN; a user-verified passkey); AAL1: one factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Aal {
    Aal1 = 1,
    Aal2 = 2,
    Aal3 = 3,
}

/// Federation assurance (SP 800-63C-3). FAL1: a signed bearer assertion; FAL2: also
/// encrypted to the relying party; FAL3: the holder proves a key the assertion is bound to
/// (DPoP-bound tokens here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Fal {
    Fal1 = 1,
    Fal2 = 2,
    Fal3 = 3,
}

macro_rules! numbered {
    ($t:ident, $($n:literal => $v:ident),+) => {
        impl $t {
            pub fn number(self) -> u8 {
                self as u8
            }
            pub fn from_number(n: i64) -> Option<Self> {
                match n {
                    $($n => Some($t::$v),)+
                    _ => None,
                }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}{}", stringify!($t).to_uppercase(), self.number())
            }
        }
    };
}
numbered!(Ial, 1 => Ial1, 2 => Ial2, 3 => Ial3);
numbered!(Aal, 1 => Aal1, 2 => Aal2, 3 => Aal3);
numbered!(Fal, 1 => Fal1, 2 => Fal2, 3 => Fal3);

/// A session's level of assurance: the lower of IAL and AAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    Level1 = 1,
    Level2 = 2,
    Level3 = 3,
}

/// The `acr` URIs, one per level (documented in README: "Assurance levels").
pub const ACR_LEVEL1: &str = "urn:akashi:acr:level1";
pub const ACR_LEVEL2: &str = "urn:akashi:acr:level2";
pub const ACR_LEVEL3: &str = "urn:akashi:acr:level3";

impl Level {
    pub const ALL: [Level; 3] = [Level::Level1, Level::Level2, Level::Level3];

    pub fn of(ial: Ial, aal: Aal) -> Level {
        match (ial as u8).min(aal as u8) {
            1 => Level::Level1,
            2 => Level::Level2,
            _ => Level::Level3,
        }
    }

    pub fn number(self) -> u8 {
        self as u8
    }

    pub fn acr(self) -> &'static str {
        match self {
            Level::Level1 => ACR_LEVEL1,
            Level::Level2 => ACR_LEVEL2,
            Level::Level3 => ACR_LEVEL3,
        }
    }

    pub fn from_acr(acr: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.acr() == acr)
    }

    /// The AAL a login needs to reach this level (given an IAL at least as high).
    pub fn needed_aal(self) -> Aal {
        match self {
            Level::Level1 => Aal::Aal1,
            Level::Level2 => Aal::Aal2,
            Level::Level3 => Aal::Aal3,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "level {}", self.number())
    }
}

/// The lowest level an `acr_values` request accepts: the RP lists the values it takes, so
/// any of them satisfies it. Unknown values are ignored; none known → `None` (no demand).
pub fn required_level(acr_values: &str) -> Option<Level> {
    acr_values
        .split_whitespace()
        .filter_map(Level::from_acr)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_is_the_lower_of_ial_and_aal() {
        assert_eq!(Level::of(Ial::Ial3, Aal::Aal2), Level::Level2);
        assert_eq!(Level::of(Ial::Ial1, Aal::Aal3), Level::Level1);
        assert_eq!(Level::of(Ial::Ial3, Aal::Aal3), Level::Level3);
    }

    #[test]
    fn acr_values_round_trip_and_demand_the_lowest_listed() {
        for l in Level::ALL {
            assert_eq!(Level::from_acr(l.acr()), Some(l));
        }
        assert_eq!(
            required_level("urn:akashi:acr:level3 urn:akashi:acr:level2"),
            Some(Level::Level2)
        );
        assert_eq!(required_level("urn:other:acr gold"), None);
        assert_eq!(Aal::from_number(4), None);
        assert_eq!(Aal::Aal2.to_string(), "AAL2");
    }
}
