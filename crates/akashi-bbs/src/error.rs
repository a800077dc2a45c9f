//! The crate's one error type: each variant says what failed.

/// Why a BBS operation did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An encoded value (signature, proof, key, commitment) could not be decoded.
    #[error("malformed {what} at byte {offset}: {reason}")]
    Malformed {
        what: &'static str,
        offset: usize,
        reason: &'static str,
    },
    /// KeyGen input outside what the draft allows.
    #[error("key generation: {0}")]
    KeyGen(&'static str),
    /// A signature does not verify for this key, header and messages.
    #[error("signature does not verify")]
    SignatureInvalid,
    /// A proof does not verify for this key, headers and disclosed messages.
    #[error("proof does not verify")]
    ProofInvalid,
    /// A commitment's proof of knowledge does not verify.
    #[error("commitment proof does not verify")]
    CommitmentInvalid,
    /// A disclosed index is not below the number of messages.
    #[error("disclosed index {index} is out of range for {count} messages")]
    IndexOutOfRange { index: usize, count: usize },
    /// Disclosed indexes must be strictly ascending.
    #[error("disclosed indexes are not strictly ascending")]
    IndexesNotAscending,
    /// The number of disclosed messages differs from the number of indexes.
    #[error("{indexes} disclosed indexes but {messages} disclosed messages")]
    DisclosureMismatch { indexes: usize, messages: usize },
    /// A predicate names a message that is disclosed, or not an integer message.
    #[error("predicate on message {index}: {reason}")]
    Predicate { index: usize, reason: &'static str },
    /// A range predicate that cannot be proved: empty range or unsupported width.
    #[error("invalid range predicate: {0}")]
    InvalidRange(&'static str),
    /// The hidden value does not satisfy the predicate, so no proof can be made.
    #[error("message {index} does not satisfy the predicate")]
    PredicateUnsatisfied { index: usize },
    /// The secret key and hash produced a degenerate signature (probability ~2^-255).
    #[error("degenerate signature value")]
    Degenerate,
    /// The versioned encoding names a version or suite this build does not know.
    #[error("unsupported {what} {value}")]
    Unsupported { what: &'static str, value: u32 },
}
