//! Issuing the two end-entity certificates of a person.

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

/// Both certificates of a card, with the roots that issued them.
#[derive(Debug, Clone)]
pub struct IssuedCertificates {
    pub signature: JpkiCertificate,
    pub signature_ca: JpkiCertificate,
    pub authentication: JpkiCertificate,
    pub authentication_ca: JpkiCertificate,
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
    /// Issues a signature certificate (with the basic four attributes) for `sign_public_key` and
    /// a user-authentication certificate for `auth_public_key`, both valid from `now` to the
    /// person's fifth birthday after today, from the newest CA generations.
    pub fn issue_certificates(
        &mut self,
        person: &BasicFourAttributes,
        sign_public_key: &[u8],
        auth_public_key: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<IssuedCertificates, JlisError> {
        let address = SplitAddress::parse(&person.address)
            .ok_or_else(|| JlisError::UnsplittableAddress(person.address.clone()))?;
        let location = (address.prefecture_romaji(), address.municipality.as_str());
        let not_after = lifetime::end_entity_not_after(now, person.birth_date);
        let name_substitutes = no_substitutes(&person.name);
        let address_substitutes = no_substitutes(&person.address);

        let mut issue = |holder: Holder<'_>,
                         public_key: &[u8]|
         -> Result<(JpkiCertificate, JpkiCertificate), JlisError> {
            let kind = holder.kind();
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
            Ok((
                JpkiCertificate::from_der(&unsigned.complete(&signature)?)?,
                generation.certificate,
            ))
        };

        let (signature, signature_ca) = issue(
            Holder::Signature {
                attributes: person,
                name_substitutes,
                address_substitutes,
                locality: location,
            },
            sign_public_key,
        )?;
        let (authentication, authentication_ca) = issue(Holder::Authentication, auth_public_key)?;
        debug_assert_eq!(
            signature.kind().ok().flatten(),
            Some(CertificateKind::Signature)
        );
        Ok(IssuedCertificates {
            signature,
            signature_ca,
            authentication,
            authentication_ca,
        })
    }
}
