//! Issuing the end-entity certificates of a person.

use time::OffsetDateTime;

use akashi_crypto::SecureRandom;
use akashi_jpki::address::SplitAddress;
use akashi_jpki::attributes::no_substitutes;
use akashi_jpki::profile::{build_end_entity, EndEntityParams, Holder};
use akashi_jpki::{lifetime, BasicFourAttributes, CertificateKind, JpkiCertificate};

use crate::{Authority, JlisError};

/// Length and alphabet of the identifier J-LIS writes in the subject CN.
const IDENTIFIER_LEN: usize = 23;
const IDENTIFIER_ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// One issued certificate with the CA generation that signed it.
#[derive(Debug, Clone)]
pub struct Issued {
    pub certificate: JpkiCertificate,
    pub ca_certificate: JpkiCertificate,
    pub generation: u32,
}

/// Both certificates of a card.
#[derive(Debug, Clone)]
pub struct IssuedCertificates {
    pub signature: Issued,
    pub authentication: Issued,
}

/// A random 23-character identifier of `[0-9A-Z]`.
fn identifier(rng: &dyn SecureRandom) -> Result<String, JlisError> {
    let mut out = String::with_capacity(IDENTIFIER_LEN);
    while out.len() < IDENTIFIER_LEN {
        let mut b = [0u8; 1];
        rng.fill(&mut b)?;
        // Rejection sampling keeps the alphabet uniform: 252 = 7 × 36.
        if b[0] < 252 {
            out.push(IDENTIFIER_ALPHABET[usize::from(b[0] % 36)] as char);
        }
    }
    Ok(out)
}

impl Authority {
    /// Issues one certificate of `kind` for `public_key` from the newest CA generation, valid
    /// from `now` to the person's fifth birthday after today. The signature certificate
    /// carries the basic four attributes.
    pub fn issue(
        &mut self,
        kind: CertificateKind,
        person: &BasicFourAttributes,
        public_key: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Issued, JlisError> {
        let address = SplitAddress::parse(&person.address)
            .ok_or_else(|| JlisError::UnsplittableAddress(person.address.clone()))?;
        let location = (address.prefecture_romaji(), address.municipality.as_str());
        let not_after = lifetime::end_entity_not_after(now, person.birth_date);
        let holder = match kind {
            CertificateKind::Authentication => Holder::Authentication,
            CertificateKind::Signature => Holder::Signature {
                attributes: person,
                name_substitutes: no_substitutes(&person.name),
                address_substitutes: no_substitutes(&person.address),
                locality: location,
            },
        };
        let generation = self.issuing_generation(kind, now)?;
        if generation.certificate.not_after() < not_after {
            return Err(JlisError::NoValidGeneration(kind));
        }
        let issuer = generation.issuer_ref()?;
        let identifier = identifier(rng)?;
        let serial = self.take_serial(kind);
        // Persist the counter before the certificate exists: a serial is never used twice.
        self.save()?;
        let unsigned = build_end_entity(&EndEntityParams {
            holder,
            identifier: &identifier,
            serial,
            not_before: now,
            not_after,
            subject_public_key_der: public_key,
            crl_location: location,
            issuer: &issuer,
        })?;
        let signature = self.sign_with(&generation, unsigned.to_be_signed())?;
        Ok(Issued {
            certificate: JpkiCertificate::from_der(&unsigned.complete(&signature)?)?,
            ca_certificate: generation.certificate,
            generation: generation.number,
        })
    }

    /// Issues both certificates of a new card.
    pub fn issue_certificates(
        &mut self,
        person: &BasicFourAttributes,
        sign_public_key: &[u8],
        auth_public_key: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<IssuedCertificates, JlisError> {
        Ok(IssuedCertificates {
            signature: self.issue(
                CertificateKind::Signature,
                person,
                sign_public_key,
                now,
                rng,
            )?,
            authentication: self.issue(
                CertificateKind::Authentication,
                person,
                auth_public_key,
                now,
                rng,
            )?,
        })
    }
}
