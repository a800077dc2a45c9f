//! BBS signatures for Akashi's anonymous credentials.
//!
//! * [`Bbs`]: draft-irtf-cfrg-bbs-signatures (both BLS12-381 ciphersuites).
//! * [`NymBbs`]: draft-irtf-cfrg-bbs-per-verifier-linkability (pseudonyms per verifier).
//! * [`BlindBbs`]: draft-irtf-cfrg-bbs-blind-signatures (holder-committed messages).
//! * [`RangeProof`]: range predicates on a hidden integer message, sharing the
//!   BBS proof's challenge and message response.
//! * [`Credential`]: the API a credential layer uses: typed messages, blind issuance
//!   bound to a [`HolderSecret`], [`Presentation`]s with disclosure, pseudonym and
//!   predicates, versioned encodings.
//!
//! Randomness is injected ([`RandomScalars`]); nothing here reads a clock.
//! All curve arithmetic is blst's (constant time for secret scalars); `curve`
//! is the only module with `unsafe`, confined to FFI calls.

mod bbs;
mod blind;
mod commitment;
mod core;
mod credential;
pub mod curve;
mod encoding;
mod error;
mod generators;
mod keys;
mod nym;
mod presentation;
mod proof;
mod random;
mod range;
pub mod suite;

pub use crate::bbs::{messages_to_scalars, Bbs};
pub use crate::blind::BlindBbs;
pub use crate::commitment::{Commitment, ProverBlind};
pub use crate::core::Signature;
pub use crate::credential::{
    issue, request_issuance, Credential, HolderSecret, IssuanceRequest, IssuedCredential, Message,
    NymEntropy, PendingIssuance,
};
pub use crate::curve::Scalar;
pub use crate::error::Error;
pub use crate::generators::{create_generators, Generators};
pub use crate::keys::{PublicKey, SecretKey};
pub use crate::nym::{NymBbs, NymSecrets, Pseudonym};
pub use crate::presentation::{
    verify_presentation, Presentation, PresentationRequest, VerifiedPresentation,
};
pub use crate::proof::Proof;
pub use crate::random::{FixedScalars, RandomScalars, SeededScalars};
pub use crate::range::{integer_to_scalar, Bound, RangePredicate, RangeProof};
pub use crate::suite::Suite;
