//! serialize (draft-irtf-cfrg-bbs-signatures §4.2.4.1) and the signature / proof
//! octet formats (§4.2.4.2–§4.2.4.5). Decoding errors carry the byte offset.

use crate::curve::{PointError, Scalar, G1};
use crate::error::Error;
use crate::suite::{POINT_LEN, SCALAR_LEN};

/// Concatenation of I2OSP'd integers, scalars and compressed points.
#[derive(Default, Clone)]
pub struct Transcript(Vec<u8>);

impl Transcript {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn scalar(&mut self, s: &Scalar) -> &mut Self {
        self.0.extend_from_slice(&s.to_be_bytes());
        self
    }
    pub fn g1(&mut self, p: &G1) -> &mut Self {
        self.0.extend_from_slice(&p.to_bytes());
        self
    }
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    /// `I2OSP(length(b), 8) || b`.
    pub fn prefixed(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64).bytes(b)
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// Reads scalars and points from an octet string, tracking the offset.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader {
            bytes,
            pos: 0,
            what,
        }
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub fn error(&self, reason: &'static str) -> Error {
        Error::Malformed {
            what: self.what,
            offset: self.pos,
            reason,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.remaining() < n {
            return Err(self.error("truncated"));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// A G1 point in the subgroup, not the identity (octets_to_point_E1 + checks).
    pub fn g1(&mut self) -> Result<G1, Error> {
        let start = self.pos;
        let raw: &[u8; POINT_LEN] = self.take(POINT_LEN)?.try_into().expect("length checked");
        let at = |reason| Error::Malformed {
            what: self.what,
            offset: start,
            reason,
        };
        match G1::from_bytes(raw) {
            Ok(p) if p.is_identity() => Err(at("identity point")),
            Ok(p) => Ok(p),
            Err(PointError::Encoding) => Err(at("not a compressed G1 point")),
            Err(PointError::NotInSubgroup) => Err(at("point not in the G1 subgroup")),
        }
    }

    /// A scalar with 0 < s < r.
    pub fn nonzero_scalar(&mut self) -> Result<Scalar, Error> {
        let start = self.pos;
        let raw: &[u8; SCALAR_LEN] = self.take(SCALAR_LEN)?.try_into().expect("length checked");
        let at = |reason| Error::Malformed {
            what: self.what,
            offset: start,
            reason,
        };
        match Scalar::from_be_bytes(raw) {
            None => Err(at("scalar not below the group order r")),
            Some(s) if s.is_zero() => Err(at("zero scalar")),
            Some(s) => Ok(s),
        }
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        self.take(n)
    }

    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }

    pub fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    /// A canonical scalar (zero allowed).
    pub fn scalar(&mut self) -> Result<Scalar, Error> {
        let start = self.pos;
        let raw: &[u8; SCALAR_LEN] = self.take(SCALAR_LEN)?.try_into().expect("length checked");
        Scalar::from_be_bytes(raw).ok_or(Error::Malformed {
            what: self.what,
            offset: start,
            reason: "scalar not below the group order r",
        })
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.remaining() != 0 {
            return Err(self.error("trailing bytes"));
        }
        Ok(())
    }
}
