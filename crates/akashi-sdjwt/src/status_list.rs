//! Token Status List (draft-ietf-oauth-status-list): a compressed bit array where each
//! credential has an index, published by its issuer as a signed Status List Token
//! (`typ: statuslist+jwt`). A credential refers to it with
//! `"status": {"status_list": {"idx": N, "uri": "…"}}`.
//!
//! ```text
//! StatusList = { "bits": 1|2|4|8, "lst": base64url(zlib(byte array)) }
//! ```
//! Index `i` occupies bits `(i·bits) mod 8 …` of byte `⌊i·bits/8⌋`, least significant first.

use std::io::{Read, Write};

use serde_json::{json, Map, Value};

use crate::keys::{EcPrivateKey, EcPublicKey};
use crate::{b64, jws, unb64, SdJwtError};

/// Status values of the registry.
pub mod status {
    pub const VALID: u8 = 0;
    pub const INVALID: u8 = 1;
    pub const SUSPENDED: u8 = 2;
}

/// Decompressed lists larger than this are refused (a compression bomb is not a status list).
const MAX_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

fn malformed(why: &str) -> SdJwtError {
    SdJwtError::Malformed(format!("status list: {why}"))
}

impl StatusList {
    /// `size` entries of `bits` bits each, all VALID.
    pub fn new(bits: u8, size: usize) -> Result<Self, SdJwtError> {
        if ![1, 2, 4, 8].contains(&bits) {
            return Err(malformed("bits must be 1, 2, 4 or 8"));
        }
        Ok(Self {
            bits,
            bytes: vec![0; (size * bits as usize).div_ceil(8)],
        })
    }

    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// How many entries the list holds.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8 / self.bits as usize
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The uncompressed byte array.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn position(&self, index: usize) -> Option<(usize, u32, u8)> {
        let bit = index.checked_mul(self.bits as usize)?;
        let byte = bit / 8;
        (byte < self.bytes.len()).then(|| {
            let mask = ((1u16 << self.bits) - 1) as u8;
            (byte, (bit % 8) as u32, mask)
        })
    }

    pub fn get(&self, index: usize) -> Option<u8> {
        let (byte, shift, mask) = self.position(index)?;
        Some((self.bytes[byte] >> shift) & mask)
    }

    pub fn set(&mut self, index: usize, value: u8) -> Result<(), SdJwtError> {
        let (byte, shift, mask) = self
            .position(index)
            .ok_or_else(|| malformed("index beyond the list"))?;
        if value > mask {
            return Err(malformed("value does not fit in bits"));
        }
        self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | (value << shift);
        Ok(())
    }

    /// zlib (RFC 1950) at the highest compression level.
    pub fn compressed(&self) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&self.bytes).expect("writing to a Vec");
        z.finish().expect("writing to a Vec")
    }

    /// The list from its compressed bytes.
    pub fn from_compressed(bits: u8, compressed: &[u8]) -> Result<Self, SdJwtError> {
        let mut list = Self::new(bits, 0)?;
        flate2::read::ZlibDecoder::new(compressed)
            .take(MAX_BYTES + 1)
            .read_to_end(&mut list.bytes)
            .map_err(|_| malformed("lst is not zlib data"))?;
        if list.bytes.len() as u64 > MAX_BYTES {
            return Err(malformed("the decompressed list is too large"));
        }
        Ok(list)
    }

    /// `{"bits": …, "lst": …}`.
    pub fn to_json(&self) -> Value {
        json!({ "bits": self.bits, "lst": b64(&self.compressed()) })
    }

    pub fn from_json(value: &Value) -> Result<Self, SdJwtError> {
        let bits = value
            .get("bits")
            .and_then(Value::as_u64)
            .and_then(|b| u8::try_from(b).ok())
            .ok_or_else(|| malformed("bits missing"))?;
        let lst = value
            .get("lst")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("lst missing"))?;
        Self::from_compressed(bits, &unb64("lst", lst)?)
    }
}

/// The Status List Token for `list` published at `uri` (`sub`), signed by the issuer.
pub fn status_list_token(
    list: &StatusList,
    uri: &str,
    issued_at: i64,
    expires_at: i64,
    ttl: i64,
    key: &EcPrivateKey,
) -> Result<String, SdJwtError> {
    let mut header = Map::new();
    header.insert("typ".into(), "statuslist+jwt".into());
    let payload = json!({
        "sub": uri,
        "iat": issued_at,
        "exp": expires_at,
        "ttl": ttl,
        "status_list": list.to_json(),
    });
    jws::sign(header, &payload, key)
}

/// Verifies a Status List Token fetched from `uri` at `now`; returns its list.
pub fn verify_status_list_token(
    token: &str,
    key: &EcPublicKey,
    uri: &str,
    now: i64,
) -> Result<StatusList, SdJwtError> {
    let jwt = jws::decode("status list token", token)?;
    if jwt.header.get("typ").and_then(Value::as_str) != Some("statuslist+jwt") {
        return Err(malformed("typ must be statuslist+jwt"));
    }
    if !jwt.verify(key) {
        return Err(SdJwtError::IssuerSignature);
    }
    if jwt.payload.get("sub").and_then(Value::as_str) != Some(uri) {
        return Err(malformed("sub is not the URI it was fetched from"));
    }
    if let Some(exp) = jwt.payload.get("exp").and_then(Value::as_i64) {
        if now > exp {
            return Err(malformed("the token expired"));
        }
    }
    StatusList::from_json(
        jwt.payload
            .get("status_list")
            .ok_or_else(|| malformed("status_list missing"))?,
    )
}
