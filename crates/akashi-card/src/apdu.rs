//! ISO 7816-4 command APDUs, short and extended, cases 1 to 4.
//!
//! ```text
//! case 1: CLA INS P1 P2
//! case 2: CLA INS P1 P2 Le                      (short: Le 1 byte, 00 = 256)
//!         CLA INS P1 P2 00 Le1 Le2              (extended: 0000 = 65536)
//! case 3: CLA INS P1 P2 Lc data                 (short: Lc 1..255)
//!         CLA INS P1 P2 00 Lc1 Lc2 data         (extended)
//! case 4: CLA INS P1 P2 Lc data Le | extended forms with 2-byte Le
//! ```

use crate::StatusWord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandApdu {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    pub data: Vec<u8>,
    /// Expected response length; `None` when absent (case 1 and 3).
    pub le: Option<usize>,
}

impl CommandApdu {
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }

    pub fn with_data(mut self, data: &[u8]) -> Self {
        self.data = data.to_vec();
        self
    }

    pub fn with_le(mut self, le: usize) -> Self {
        self.le = Some(le);
        self
    }

    /// Parses a command; malformed length encodings are `6700`.
    pub fn parse(bytes: &[u8]) -> Result<Self, StatusWord> {
        let wrong = Err(StatusWord::WRONG_LENGTH);
        let [cla, ins, p1, p2, body @ ..] = bytes else {
            return wrong;
        };
        let mut apdu = Self::new(*cla, *ins, *p1, *p2);
        match body {
            [] => {}
            [le] => apdu.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
            [0, rest @ ..] if rest.len() >= 2 => {
                let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                let tail = &rest[2..];
                if tail.is_empty() {
                    apdu.le = Some(if n == 0 { 65536 } else { n });
                } else {
                    if n == 0 || tail.len() < n {
                        return wrong;
                    }
                    apdu.data = tail[..n].to_vec();
                    match &tail[n..] {
                        [] => {}
                        [a, b] => {
                            let le = usize::from(u16::from_be_bytes([*a, *b]));
                            apdu.le = Some(if le == 0 { 65536 } else { le });
                        }
                        _ => return wrong,
                    }
                }
            }
            [lc, rest @ ..] => {
                let n = usize::from(*lc);
                if rest.len() < n {
                    return wrong;
                }
                apdu.data = rest[..n].to_vec();
                match &rest[n..] {
                    [] => {}
                    [le] => apdu.le = Some(if *le == 0 { 256 } else { usize::from(*le) }),
                    _ => return wrong,
                }
            }
        }
        Ok(apdu)
    }

    /// Encodes the command, using the short form where it fits.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        let extended = self.data.len() > 255 || self.le.is_some_and(|le| le > 256);
        if !self.data.is_empty() {
            if extended {
                out.push(0);
                out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
            } else {
                out.push(self.data.len() as u8);
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(le) = self.le {
            if extended {
                if self.data.is_empty() {
                    out.push(0);
                }
                out.extend_from_slice(&((le % 65536) as u16).to_be_bytes());
            } else {
                out.push((le % 256) as u8);
            }
        }
        out
    }
}

/// A response: data then SW1 SW2.
pub fn response(data: &[u8], sw: StatusWord) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 2);
    out.extend_from_slice(data);
    out.extend_from_slice(&sw.bytes());
    out
}

/// Splits a response into data and status word.
pub fn split_response(bytes: &[u8]) -> Option<(&[u8], StatusWord)> {
    let (data, sw) = bytes.split_at(bytes.len().checked_sub(2)?);
    Some((data, StatusWord::from_bytes(sw[0], sw[1])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_four_cases_short_and_extended() {
        assert_eq!(CommandApdu::parse(&[0, 0xB0, 0, 0]).unwrap().le, None);
        assert_eq!(
            CommandApdu::parse(&[0, 0xB0, 0, 0, 0]).unwrap().le,
            Some(256)
        );
        assert_eq!(
            CommandApdu::parse(&[0, 0xB0, 0, 0, 0, 0x01, 0x00])
                .unwrap()
                .le,
            Some(256)
        );
        let c3 = CommandApdu::parse(&[0, 0x20, 0, 0x80, 2, b'1', b'2']).unwrap();
        assert_eq!((c3.data.as_slice(), c3.le), (&b"12"[..], None));
        let c4 = CommandApdu::parse(&[0x80, 0x2A, 0, 0x80, 1, 9, 0]).unwrap();
        assert_eq!((c4.data.as_slice(), c4.le), (&[9u8][..], Some(256)));
        let c4e = CommandApdu::parse(&[0x80, 0x2A, 0, 0x80, 0, 0, 1, 9, 0, 0]).unwrap();
        assert_eq!((c4e.data.as_slice(), c4e.le), (&[9u8][..], Some(65536)));
    }

    #[test]
    fn bad_lengths_are_6700() {
        for bad in [
            &[0u8, 0xA4][..],
            &[0, 0xA4, 2, 0x0C, 2, 0x00],
            &[0, 0x20, 0, 0x80, 1, 1, 2, 3],
        ] {
            assert_eq!(
                CommandApdu::parse(bad),
                Err(StatusWord::WRONG_LENGTH),
                "{bad:02X?}"
            );
        }
    }

    #[test]
    fn encoding_round_trips() {
        for apdu in [
            CommandApdu::new(0, 0xB0, 1, 2).with_le(256),
            CommandApdu::new(0x80, 0x2A, 0, 0x80)
                .with_data(&[1; 51])
                .with_le(256),
            CommandApdu::new(0, 0xB0, 0, 0).with_le(1000),
            CommandApdu::new(0, 0x20, 0, 0x80),
        ] {
            assert_eq!(CommandApdu::parse(&apdu.to_bytes()).unwrap(), apdu);
        }
    }
}
