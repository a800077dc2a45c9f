//! The My Number Card as an APDU device.
//!
//! - [`VirtualCard`]: the JPKI application and the text application (券面事項入力補助AP),
//!   answering command APDUs byte for byte, with PIN counters persisted in a [`CardStore`]
//!   (a sealed file, [`SealedFileStore`]).
//! - [`JpkiCard`]: the host side, speaking APDUs over a [`Transport`]: the virtual card, or a
//!   real card in a PC/SC reader (feature `pcsc`).
//!
//! No API returns a private key: keys are generated inside personalisation, sealed in the
//! card image, and used only by COMPUTE DIGITAL SIGNATURE.
#![forbid(unsafe_code)]

pub mod apdu;
mod error;
pub mod files;
mod host;
mod personalize;
mod state;
mod status;
mod store;
mod tlv;
mod virtual_card;

pub use error::{CardError, HostError, TransportError};
#[cfg(feature = "pcsc")]
pub use host::pcsc::PcscTransport;
pub use host::{
    parse_face, sha256_digest_info, Card, CertificateSlot, JpkiCard, PinKind, PinStatus, Transport,
    TriesLeft, VirtualTransport,
};
pub use personalize::{
    CardCertificates, CardPersonalization, SignatureRenewal, AUTHENTICATION_PIN_TRIES,
    SIGNATURE_PIN_TRIES, TEXT_PIN_TRIES,
};
pub use state::{CardFace, PinRule};
pub use status::StatusWord;
pub use store::{CardStore, MemoryStore, SealedFileStore};
pub use virtual_card::VirtualCard;
