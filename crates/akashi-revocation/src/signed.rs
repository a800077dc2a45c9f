//! The shape every signed structure here shares, assembled around exact TBS bytes.
//!
//! ```text
//! Signed ::= SEQUENCE {
//!     tbs                  ANY,                 -- TBSCertList, ResponseData
//!     signatureAlgorithm   AlgorithmIdentifier,
//!     signature            BIT STRING,
//!     ...                                       -- [0] EXPLICIT certs (BasicOCSPResponse)
//! }
//! ```

use std::ops::Range;

use der::asn1::BitString;
use der::{Decode, Encode, Header, Reader, SliceReader, Tag};

use crate::RevocationError;

/// Streams `SEQUENCE { tbs, sha256WithRSAEncryption, BIT STRING signature, tail }` without
/// re-encoding `tbs`, so what was signed is byte for byte what is embedded.
pub(crate) fn assemble(
    tbs: &[u8],
    signature: &[u8],
    tail: &[u8],
) -> Result<Vec<u8>, RevocationError> {
    let algorithm = akashi_jpki::profile::sha256_with_rsa().to_der()?;
    let bits = BitString::from_bytes(signature)?.to_der()?;
    let len = tbs.len() + algorithm.len() + bits.len() + tail.len();
    let header = Header::new(Tag::Sequence, len)?.to_der()?;
    let mut out = Vec::with_capacity(header.len() + len);
    for part in [&header[..], tbs, &algorithm, &bits, tail] {
        out.extend_from_slice(part);
    }
    Ok(out)
}

/// The byte range of the first element (the TBS part) inside the outer SEQUENCE of `der`.
pub(crate) fn tbs_range(der: &[u8]) -> Result<Range<usize>, RevocationError> {
    let mut reader = SliceReader::new(der)?;
    Header::decode(&mut reader)?;
    let start = usize::try_from(reader.position())?;
    let len = reader.tlv_bytes()?.len();
    Ok(start..start + len)
}

/// The signature bits, refusing a BIT STRING with unused bits.
pub(crate) fn signature_bytes(bits: &BitString) -> Result<Vec<u8>, RevocationError> {
    bits.as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or_else(|| RevocationError::invalid("signature", "BIT STRING has unused bits"))
}
