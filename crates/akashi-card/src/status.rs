//! ISO 7816-4 status words as a JPKI card returns them.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusWord(pub u16);

impl StatusWord {
    pub const OK: Self = Self(0x9000);
    /// End of file reached before Le bytes were read.
    pub const END_OF_FILE: Self = Self(0x6282);
    /// Persisting the card state failed (EEPROM write error).
    pub const MEMORY_FAILURE: Self = Self(0x6581);
    pub const WRONG_LENGTH: Self = Self(0x6700);
    pub const SECURITY_STATUS_NOT_SATISFIED: Self = Self(0x6982);
    /// Reference data not usable: the PIN is blocked.
    pub const PIN_BLOCKED: Self = Self(0x6984);
    /// Command not allowed: no current EF, or the current EF does not support the command.
    pub const COMMAND_NOT_ALLOWED: Self = Self(0x6986);
    pub const INCORRECT_DATA: Self = Self(0x6A80);
    pub const FILE_NOT_FOUND: Self = Self(0x6A82);
    pub const INCORRECT_P1P2: Self = Self(0x6A86);
    /// Wrong parameters P1-P2: offset outside the EF.
    pub const OFFSET_OUTSIDE_EF: Self = Self(0x6B00);
    pub const INS_NOT_SUPPORTED: Self = Self(0x6D00);
    pub const CLA_NOT_SUPPORTED: Self = Self(0x6E00);

    /// `63Cx`: verification failed or queried, `x` tries left.
    pub fn tries_left(x: u8) -> Self {
        Self(0x63C0 | u16::from(x.min(15)))
    }

    /// The `x` of a `63Cx` status word.
    pub fn as_tries_left(self) -> Option<u8> {
        (self.0 & 0xFFF0 == 0x63C0).then_some((self.0 & 0x000F) as u8)
    }

    pub fn bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    pub fn from_bytes(sw1: u8, sw2: u8) -> Self {
        Self(u16::from_be_bytes([sw1, sw2]))
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.0)
    }
}
