//! The virtual My Number Card: a command APDU in, a response APDU out, byte for byte as the
//! JPKI and text applications answer.
//!
//! ```text
//! SELECT AP        00 A4 04 0C 0A <AID>          9000 | 6A82
//! SELECT EF        00 A4 02 0C 02 <FID>          9000 | 6A82
//! READ BINARY      00 B0 <off hi> <off lo> <Le>  data 9000 | data 6282 | 6B00 | 6982 | 6986
//! VERIFY           00 20 00 80 [<Lc> <PIN>]      9000 | 63Cx | 6984 | 6700 | 6A80 | 6581
//! COMPUTE DIGITAL  80 2A 00 80 <Lc> <DigestInfo> 00   signature 9000 | 6982 | 6986 | 6700
//! SIGNATURE
//! ```
//! Selecting an application clears the verified PINs. A wrong PIN is written to the store
//! before the card answers; if the write fails the card answers `6581` without comparing.

use akashi_crypto::RsaPrivateKey;

use crate::apdu::{response, CommandApdu};
use crate::files::{Application, Ef, PinRef};
use crate::state::{CardState, PinRecord, AUTHENTICATION_KEY_LABEL, SIGNATURE_KEY_LABEL};
use crate::{CardError, CardStore, StatusWord};

const INS_SELECT: u8 = 0xA4;
const INS_READ_BINARY: u8 = 0xB0;
const INS_VERIFY: u8 = 0x20;
const INS_SIGN: u8 = 0x2A;
/// PKCS#1 v1.5 type 1 needs 11 bytes of a 256-byte block.
const MAX_DIGEST_INFO: usize = 256 - 11;

#[derive(Debug, Default, Clone, Copy)]
struct Verified {
    authentication: bool,
    signature: bool,
    text: bool,
}

impl Verified {
    fn get(&self, pin: PinRef) -> bool {
        match pin {
            PinRef::Authentication => self.authentication,
            PinRef::Signature => self.signature,
            PinRef::Text => self.text,
        }
    }

    fn set(&mut self, pin: PinRef, value: bool) {
        match pin {
            PinRef::Authentication => self.authentication = value,
            PinRef::Signature => self.signature = value,
            PinRef::Text => self.text = value,
        }
    }
}

/// A card opened from its store. Session state (selection, verified PINs) lives only here, as
/// on a real card it lives only while the card is powered.
pub struct VirtualCard<S: CardStore> {
    store: S,
    state: CardState,
    application: Option<Application>,
    ef: Option<Ef>,
    verified: Verified,
}

impl<S: CardStore> std::fmt::Debug for VirtualCard<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("application", &self.application)
            .finish_non_exhaustive()
    }
}

impl<S: CardStore> VirtualCard<S> {
    /// Powers the card up from its stored image.
    pub fn open(store: S) -> Result<Self, CardError> {
        let state = CardState::from_image(&store.read()?)?;
        Ok(Self::with_state(store, state))
    }

    pub(crate) fn with_state(store: S, state: CardState) -> Self {
        Self {
            store,
            state,
            application: None,
            ef: None,
            verified: Verified::default(),
        }
    }

    /// Processes one command APDU. Never panics; every failure is a status word.
    pub fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        let outcome = CommandApdu::parse(command).and_then(|apdu| self.dispatch(&apdu));
        match outcome {
            Ok((data, sw)) => response(&data, sw),
            Err(sw) => response(&[], sw),
        }
    }

    fn dispatch(&mut self, apdu: &CommandApdu) -> Result<(Vec<u8>, StatusWord), StatusWord> {
        match (apdu.cla, apdu.ins) {
            (0x00, INS_SELECT) => self.select(apdu).map(|()| (Vec::new(), StatusWord::OK)),
            (0x00, INS_READ_BINARY) => self.read_binary(apdu),
            (0x00, INS_VERIFY) => self.verify(apdu).map(|sw| (Vec::new(), sw)),
            (0x80, INS_SIGN) => self.sign(apdu).map(|sig| (sig, StatusWord::OK)),
            (0x00 | 0x80, INS_SELECT | INS_READ_BINARY | INS_VERIFY | INS_SIGN) => {
                Err(StatusWord::CLA_NOT_SUPPORTED)
            }
            (0x00 | 0x80, _) => Err(StatusWord::INS_NOT_SUPPORTED),
            _ => Err(StatusWord::CLA_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, apdu: &CommandApdu) -> Result<(), StatusWord> {
        match (apdu.p1, apdu.p2) {
            (0x04, 0x0C) => {
                let app = Application::by_aid(&apdu.data).ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.application = Some(app);
                self.ef = None;
                self.verified = Verified::default();
                Ok(())
            }
            (0x02, 0x0C) => {
                let [hi, lo] = apdu.data[..] else {
                    return Err(StatusWord::WRONG_LENGTH);
                };
                let app = self.application.ok_or(StatusWord::FILE_NOT_FOUND)?;
                let ef = Ef::lookup(app, u16::from_be_bytes([hi, lo]))
                    .ok_or(StatusWord::FILE_NOT_FOUND)?;
                self.ef = Some(ef);
                Ok(())
            }
            _ => Err(StatusWord::INCORRECT_P1P2),
        }
    }

    fn read_binary(&mut self, apdu: &CommandApdu) -> Result<(Vec<u8>, StatusWord), StatusWord> {
        if apdu.p1 & 0x80 != 0 {
            // Short-EF addressing is not offered by the JPKI application.
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let le = match (apdu.le, apdu.data.is_empty()) {
            (Some(le), true) => le,
            _ => return Err(StatusWord::WRONG_LENGTH),
        };
        let ef = self.ef.ok_or(StatusWord::COMMAND_NOT_ALLOWED)?;
        if ef
            .read_requires()
            .is_some_and(|pin| !self.verified.get(pin))
        {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let content = ef
            .content(&self.state)
            .ok_or(StatusWord::COMMAND_NOT_ALLOWED)?;
        let offset = usize::from(u16::from_be_bytes([apdu.p1, apdu.p2]));
        if offset >= content.len() {
            return Err(StatusWord::OFFSET_OUTSIDE_EF);
        }
        let end = (offset + le).min(content.len());
        let sw = if end - offset < le {
            StatusWord::END_OF_FILE
        } else {
            StatusWord::OK
        };
        Ok((content[offset..end].to_vec(), sw))
    }

    fn pin_mut(&mut self, pin: PinRef) -> &mut PinRecord {
        let pins = &mut self.state.pins;
        match pin {
            PinRef::Authentication => &mut pins.authentication,
            PinRef::Signature => &mut pins.signature,
            PinRef::Text => &mut pins.text,
        }
    }

    fn persist(&self) -> Result<(), StatusWord> {
        self.store
            .write(&self.state.to_image())
            .map_err(|_| StatusWord::MEMORY_FAILURE)
    }

    fn verify(&mut self, apdu: &CommandApdu) -> Result<StatusWord, StatusWord> {
        if (apdu.p1, apdu.p2) != (0x00, 0x80) {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        if apdu.le.is_some() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let Some(Ef::Pin(pin)) = self.ef else {
            return Err(StatusWord::COMMAND_NOT_ALLOWED);
        };
        let record = self.pin_mut(pin);
        if record.blocked() {
            return Err(StatusWord::PIN_BLOCKED);
        }
        if apdu.data.is_empty() {
            let left = record.remaining;
            return Ok(StatusWord::tries_left(left));
        }
        record.rule.check(&apdu.data)?;
        // Decrement and persist before comparing: pulling the card mid-command costs a try.
        record.remaining -= 1;
        if self.persist().is_err() {
            self.pin_mut(pin).remaining += 1;
            return Err(StatusWord::MEMORY_FAILURE);
        }
        let record = self.pin_mut(pin);
        if !record.matches(&apdu.data) {
            let left = record.remaining;
            self.verified.set(pin, false);
            return Err(if left == 0 {
                StatusWord::PIN_BLOCKED
            } else {
                StatusWord::tries_left(left)
            });
        }
        let before = record.remaining;
        record.remaining = record.max;
        if let Err(sw) = self.persist() {
            self.pin_mut(pin).remaining = before;
            return Err(sw);
        }
        self.verified.set(pin, true);
        Ok(StatusWord::OK)
    }

    fn sign(&mut self, apdu: &CommandApdu) -> Result<Vec<u8>, StatusWord> {
        if (apdu.p1, apdu.p2) != (0x00, 0x80) {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        let Some(Ef::Key(pin)) = self.ef else {
            return Err(StatusWord::COMMAND_NOT_ALLOWED);
        };
        if apdu.data.is_empty() || apdu.data.len() > MAX_DIGEST_INFO {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if !self.verified.get(pin) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let (blob, label) = match pin {
            PinRef::Signature => (&self.state.signature_key, SIGNATURE_KEY_LABEL),
            _ => (&self.state.authentication_key, AUTHENTICATION_KEY_LABEL),
        };
        let key = RsaPrivateKey::unseal(self.store.sealing_key(), label, blob)
            .map_err(|_| StatusWord::MEMORY_FAILURE)?;
        key.sign_padded_pkcs1(&apdu.data)
            .map_err(|_| StatusWord::INCORRECT_DATA)
    }

    pub(crate) fn state(&self) -> &CardState {
        &self.state
    }

    /// Replaces the image after a privileged update; the session starts over.
    pub(crate) fn replace_state(&mut self, state: CardState) {
        self.state = state;
        self.application = None;
        self.ef = None;
        self.verified = Verified::default();
    }

    /// The store this card writes to.
    pub fn store(&self) -> &S {
        &self.store
    }
}
