//! BBS signatures for Akashi's anonymous credentials.
//!
//! * [`Bbs`]: draft-irtf-cfrg-bbs-signatures (both BLS12-381 ciphersuites).
//! * [`RangeProof`]: range predicates on a hidden integer message, sharing the
//!   BBS proof's challenge and message response.
//!
//! Randomness is injected ([`RandomScalars`]); nothing here reads a clock.
//! All curve arithmetic is blst's (constant time for secret scalars); `curve`
//! is the only module with `unsafe`, confined to FFI calls.

mod bbs;
mod core;
pub mod curve;
mod encoding;
mod error;
mod generators;
mod keys;
mod proof;
mod random;
mod range;
pub mod suite;

pub use crate::bbs::{messages_to_scalars, Bbs};
pub use crate::core::Signature;
pub use crate::curve::Scalar;
pub use crate::error::Error;
pub use crate::generators::{create_generators, Generators};
pub use crate::keys::{PublicKey, SecretKey};
pub use crate::proof::Proof;
pub use crate::random::{FixedScalars, RandomScalars, SeededScalars};
pub use crate::range::{integer_to_scalar, Bound, RangePredicate, RangeProof};
pub use crate::suite::Suite;
