//! Personalisation: what J-LIS and the municipality do to a blank card with privileged
//! commands (here a Rust API, not APDUs). The key pairs are generated on the card; only the
//! public keys leave it, to be certified.

use zeroize::Zeroizing;

use akashi_crypto::{OsRandom, RsaPrivateKey};

use crate::state::{
    CardState, Certificates, PinRecord, PinRule, Pins, AUTHENTICATION_KEY_LABEL,
    SIGNATURE_KEY_LABEL, STATE_VERSION,
};
use crate::{CardError, CardFace, CardStore, VirtualCard};

/// Tries before each PIN blocks.
pub const AUTHENTICATION_PIN_TRIES: u8 = 3;
pub const SIGNATURE_PIN_TRIES: u8 = 5;
pub const TEXT_PIN_TRIES: u8 = 3;

/// The four certificates J-LIS writes onto the card (DER).
#[derive(Debug, Clone)]
pub struct CardCertificates {
    pub signature: Vec<u8>,
    pub signature_ca: Vec<u8>,
    pub authentication: Vec<u8>,
    pub authentication_ca: Vec<u8>,
}

/// A card being personalised: keys generated, PINs set, certificates not yet written.
pub struct CardPersonalization {
    face: CardFace,
    pins: Pins,
    signature_key: RsaPrivateKey,
    authentication_key: RsaPrivateKey,
}

impl std::fmt::Debug for CardPersonalization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardPersonalization")
            .finish_non_exhaustive()
    }
}

impl CardPersonalization {
    /// Checks the face and the PIN formats, and generates both RSA-2048 key pairs.
    /// The text application's PIN is the authentication PIN, as municipalities set it.
    pub fn new(face: CardFace, auth_pin: &str, sign_pin: &str) -> Result<Self, CardError> {
        face.check()?;
        let auth_pin = Zeroizing::new(auth_pin.to_owned());
        let sign_pin = Zeroizing::new(sign_pin.to_owned());
        let pins = Pins {
            authentication: PinRecord::new(
                PinRule::FourDigits,
                &auth_pin,
                AUTHENTICATION_PIN_TRIES,
                &OsRandom,
            )
            .map_err(|_| {
                CardError::InvalidPin("the authentication PIN must be exactly 4 digits")
            })?,
            signature: PinRecord::new(
                PinRule::SignaturePassword,
                &sign_pin,
                SIGNATURE_PIN_TRIES,
                &OsRandom,
            )
            .map_err(|_| {
                CardError::InvalidPin("the signature PIN must be 6 to 16 characters of A-Z and 0-9")
            })?,
            text: PinRecord::new(PinRule::FourDigits, &auth_pin, TEXT_PIN_TRIES, &OsRandom)?,
        };
        Ok(Self {
            face,
            pins,
            signature_key: RsaPrivateKey::generate()?,
            authentication_key: RsaPrivateKey::generate()?,
        })
    }

    /// SubjectPublicKeyInfo of the signature key, for J-LIS to certify.
    pub fn signature_public_key(&self) -> Result<Vec<u8>, CardError> {
        Ok(self.signature_key.public_key_der()?)
    }

    /// SubjectPublicKeyInfo of the authentication key, for J-LIS to certify.
    pub fn authentication_public_key(&self) -> Result<Vec<u8>, CardError> {
        Ok(self.authentication_key.public_key_der()?)
    }

    /// Writes the certificates, seals the keys into `store`, and returns the powered card.
    pub fn finish<S: CardStore>(
        self,
        certificates: CardCertificates,
        store: S,
    ) -> Result<VirtualCard<S>, CardError> {
        let too_big = [
            &certificates.signature,
            &certificates.signature_ca,
            &certificates.authentication,
            &certificates.authentication_ca,
        ]
        .iter()
        .any(|c| c.is_empty() || c.len() > crate::files::CERTIFICATE_EF_SIZE);
        if too_big {
            return Err(CardError::CertificateSize(
                "a certificate is empty or larger than its 4096-byte EF",
            ));
        }
        let key = store.sealing_key();
        let state = CardState {
            version: STATE_VERSION,
            certificates: Certificates {
                signature: certificates.signature,
                signature_ca: certificates.signature_ca,
                authentication: certificates.authentication,
                authentication_ca: certificates.authentication_ca,
            },
            face: self.face,
            pins: self.pins,
            signature_key: self.signature_key.seal(key, SIGNATURE_KEY_LABEL)?,
            authentication_key: self
                .authentication_key
                .seal(key, AUTHENTICATION_KEY_LABEL)?,
        };
        store.write(&state.to_image())?;
        Ok(VirtualCard::with_state(store, state))
    }
}

/// A new signature key pair generated on an existing card, awaiting its certificate — what
/// the municipal office does after a move or a name change (the authentication key stays).
pub struct SignatureRenewal<S: CardStore> {
    card: VirtualCard<S>,
    key: RsaPrivateKey,
}

impl<S: CardStore> std::fmt::Debug for SignatureRenewal<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureRenewal").finish_non_exhaustive()
    }
}

impl<S: CardStore> VirtualCard<S> {
    /// Generates a new signature key pair on the card (privileged; not an APDU).
    pub fn renew_signature_key(self) -> Result<SignatureRenewal<S>, CardError> {
        Ok(SignatureRenewal {
            card: self,
            key: RsaPrivateKey::generate()?,
        })
    }
}

impl<S: CardStore> SignatureRenewal<S> {
    /// SubjectPublicKeyInfo of the new key, for J-LIS to certify.
    pub fn public_key(&self) -> Result<Vec<u8>, CardError> {
        Ok(self.key.public_key_der()?)
    }

    /// Installs the new key, its certificate and issuing root, and (after a move or a name
    /// change) the updated card face, in one write of the card image.
    pub fn finish(
        self,
        certificate: Vec<u8>,
        ca_certificate: Vec<u8>,
        face: Option<CardFace>,
    ) -> Result<VirtualCard<S>, CardError> {
        if [&certificate, &ca_certificate]
            .iter()
            .any(|c| c.is_empty() || c.len() > crate::files::CERTIFICATE_EF_SIZE)
        {
            return Err(CardError::CertificateSize(
                "a certificate is empty or larger than its 4096-byte EF",
            ));
        }
        if let Some(face) = &face {
            face.check()?;
        }
        let mut card = self.card;
        let mut state = card.state().clone();
        state.signature_key = self
            .key
            .seal(card.store().sealing_key(), SIGNATURE_KEY_LABEL)?;
        state.certificates.signature = certificate;
        state.certificates.signature_ca = ca_certificate;
        if let Some(face) = face {
            state.face = face;
        }
        card.store().write(&state.to_image())?;
        card.replace_state(state);
        Ok(card)
    }
}
