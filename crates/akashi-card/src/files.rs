//! The applications and elementary files of a My Number Card, and their contents.
//!
//! | application | AID | EF | content | READ BINARY needs |
//! |---|---|---|---|---|
//! | JPKI | `D3 92 F0 00 26 01 00 00 00 01` | `0001` | signature certificate | signature PIN |
//! | | | `0002` | signature CA certificate | — |
//! | | | `000A` | authentication certificate | — |
//! | | | `000B` | authentication CA certificate | — |
//! | | | `0006` | token info `JPKIAPICCTOKEN2` | — |
//! | | | `0017`/`0018` | authentication key / PIN | never (`6986`) |
//! | | | `001A`/`001B` | signature key / PIN | never (`6986`) |
//! | text (券面事項入力補助) | `D3 92 10 00 31 00 01 01 04 08` | `0011` | PIN (4 digits) | never |
//! | | | `0002` | `FF20 { DF21 DF22 DF23 DF24 DF25 }` | text PIN |
//!
//! Certificate EFs are 4096 bytes and the face EF 1024 bytes; bytes after the data are `FF`,
//! as on a real card, so a reader takes the DER length from the first bytes.
//!
//! `DF21` holds, in this implementation, four big-endian 16-bit offsets of the `DF22`…`DF25`
//! TLVs from the start of the `FF20` value (real cards keep an offset header there too; its
//! exact layout is not public).

use crate::state::CardState;
use crate::tlv;

pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
pub const TEXT_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];
pub const TOKEN_INFO: &[u8; 32] = b"JPKIAPICCTOKEN2                 ";
pub const CERTIFICATE_EF_SIZE: usize = 4096;
pub const FACE_EF_SIZE: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Application {
    Jpki,
    Text,
}

impl Application {
    pub fn by_aid(aid: &[u8]) -> Option<Self> {
        match aid {
            a if a == JPKI_AID => Some(Application::Jpki),
            a if a == TEXT_AID => Some(Application::Text),
            _ => None,
        }
    }
}

/// Which PIN protects something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinRef {
    Authentication,
    Signature,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ef {
    SignatureCertificate,
    SignatureCa,
    AuthenticationCertificate,
    AuthenticationCa,
    TokenInfo,
    Key(PinRef),
    Pin(PinRef),
    Face,
}

impl Ef {
    pub fn lookup(app: Application, fid: u16) -> Option<Self> {
        Some(match (app, fid) {
            (Application::Jpki, 0x0001) => Ef::SignatureCertificate,
            (Application::Jpki, 0x0002) => Ef::SignatureCa,
            (Application::Jpki, 0x000A) => Ef::AuthenticationCertificate,
            (Application::Jpki, 0x000B) => Ef::AuthenticationCa,
            (Application::Jpki, 0x0006) => Ef::TokenInfo,
            (Application::Jpki, 0x0017) => Ef::Key(PinRef::Authentication),
            (Application::Jpki, 0x0018) => Ef::Pin(PinRef::Authentication),
            (Application::Jpki, 0x001A) => Ef::Key(PinRef::Signature),
            (Application::Jpki, 0x001B) => Ef::Pin(PinRef::Signature),
            (Application::Text, 0x0011) => Ef::Pin(PinRef::Text),
            (Application::Text, 0x0002) => Ef::Face,
            _ => return None,
        })
    }

    /// The PIN READ BINARY needs, if any.
    pub fn read_requires(self) -> Option<PinRef> {
        match self {
            Ef::SignatureCertificate => Some(PinRef::Signature),
            Ef::Face => Some(PinRef::Text),
            _ => None,
        }
    }

    /// The transparent content as READ BINARY sees it, `None` for key and PIN EFs.
    pub(crate) fn content(self, state: &CardState) -> Option<Vec<u8>> {
        let c = &state.certificates;
        let (data, size) = match self {
            Ef::SignatureCertificate => (c.signature.clone(), CERTIFICATE_EF_SIZE),
            Ef::SignatureCa => (c.signature_ca.clone(), CERTIFICATE_EF_SIZE),
            Ef::AuthenticationCertificate => (c.authentication.clone(), CERTIFICATE_EF_SIZE),
            Ef::AuthenticationCa => (c.authentication_ca.clone(), CERTIFICATE_EF_SIZE),
            Ef::TokenInfo => (TOKEN_INFO.to_vec(), TOKEN_INFO.len()),
            Ef::Face => (face_tlv(state), FACE_EF_SIZE),
            Ef::Key(_) | Ef::Pin(_) => return None,
        };
        let mut padded = data;
        padded.resize(size.max(padded.len()), 0xFF);
        Some(padded)
    }
}

/// `FF20 { DF21 offsets, DF22 name, DF23 address, DF24 birth date, DF25 sex }`.
pub(crate) fn face_tlv(state: &CardState) -> Vec<u8> {
    let f = &state.face;
    let mut items = Vec::new();
    let mut offsets = Vec::new();
    let header_len = 2 + 1 + 8;
    for (tag, value) in [
        ([0xDF, 0x22], f.name.as_bytes()),
        ([0xDF, 0x23], f.address.as_bytes()),
        ([0xDF, 0x24], f.birth_date.as_bytes()),
        ([0xDF, 0x25], f.sex.as_bytes()),
    ] {
        offsets.extend_from_slice(&((header_len + items.len()) as u16).to_be_bytes());
        tlv::push(&mut items, &tag, value);
    }
    let mut value = Vec::new();
    tlv::push(&mut value, &[0xDF, 0x21], &offsets);
    value.extend_from_slice(&items);
    let mut out = Vec::new();
    tlv::push(&mut out, &[0xFF, 0x20], &value);
    out
}
