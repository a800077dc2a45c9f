//! Issuing a My Number Card: the card generates its keys, J-LIS certifies them, and the
//! certificates, the card face and the PINs are written to the card.

use time::OffsetDateTime;

use akashi_card::{CardCertificates, CardFace, CardPersonalization, CardStore, VirtualCard};
use akashi_crypto::SecureRandom;
use akashi_jpki::{BasicFourAttributes, CertificateKind};
use akashi_store::CertificateStatus;

use crate::{Authority, Issued, IssuedCertificates, JlisError, Registry};

/// What the municipal office enters when a card is issued.
#[derive(Debug, Clone, Copy)]
pub struct CardIssueRequest<'a> {
    pub person: &'a BasicFourAttributes,
    /// 4 digits; also the text application's PIN.
    pub auth_pin: &'a str,
    /// 6–16 characters of A–Z and 0–9.
    pub sign_pin: &'a str,
}

/// A freshly issued card, powered up, with the certificates now on it.
pub struct IssuedCard<S: CardStore> {
    pub card: VirtualCard<S>,
    pub certificates: IssuedCertificates,
}

impl<S: CardStore> std::fmt::Debug for IssuedCard<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCard")
            .field("certificates", &self.certificates)
            .finish_non_exhaustive()
    }
}

/// The card face as the text application stores it.
pub fn card_face(person: &BasicFourAttributes) -> CardFace {
    let d = person.birth_date;
    CardFace {
        name: person.name.clone(),
        address: person.address.clone(),
        birth_date: format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day()),
        sex: person.sex.code().to_string(),
    }
}

/// Issues a card for `request.person` into `store`, certified by `authority` at `now`.
/// PIN formats are checked before anything is certified.
pub fn issue_card<S: CardStore>(
    authority: &mut Authority,
    request: &CardIssueRequest<'_>,
    store: S,
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<IssuedCard<S>, JlisError> {
    let personalization = CardPersonalization::new(
        card_face(request.person),
        request.auth_pin,
        request.sign_pin,
    )?;
    let certificates = authority.issue_certificates(
        request.person,
        &personalization.signature_public_key()?,
        &personalization.authentication_public_key()?,
        now,
        rng,
    )?;
    let card = personalization.finish(
        CardCertificates {
            signature: certificates.signature.certificate.der().to_vec(),
            signature_ca: certificates.signature.ca_certificate.der().to_vec(),
            authentication: certificates.authentication.certificate.der().to_vec(),
            authentication_ca: certificates.authentication.ca_certificate.der().to_vec(),
        },
        store,
    )?;
    Ok(IssuedCard { card, certificates })
}

/// After a move or a name change: a new signature key on `card`, certified with the
/// registry's current attributes of `resident`, recorded as the successor of the latest
/// signature serial (J-LIS's serial history), and the card face updated. Refused while the
/// latest signature certificate is still good.
pub async fn reissue_signature<S: CardStore>(
    authority: &mut Authority,
    registry: &Registry,
    resident: &str,
    card: VirtualCard<S>,
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<(VirtualCard<S>, Issued), JlisError> {
    let (person, _) = registry.resident(resident).await?;
    let latest = registry
        .latest_certificate(resident, CertificateKind::Signature)
        .await?;
    if latest
        .as_ref()
        .is_some_and(|c| c.status == CertificateStatus::Good)
    {
        return Err(JlisError::EventNotApplicable(
            "the signature certificate is still valid: nothing to re-issue",
        ));
    }
    let renewal = card.renew_signature_key()?;
    let issued = authority.issue(
        CertificateKind::Signature,
        &person,
        &renewal.public_key()?,
        now,
        rng,
    )?;
    let card_id = registry
        .latest_certificate(resident, CertificateKind::Authentication)
        .await?
        .and_then(|a| a.card_id)
        .unwrap_or_else(|| "card".into());
    registry
        .record_issued(
            resident,
            &card_id,
            &[(&issued, latest.as_ref().map(|c| c.serial.as_str()))],
            now,
        )
        .await?;
    let card = renewal.finish(
        issued.certificate.der().to_vec(),
        issued.ca_certificate.der().to_vec(),
        Some(card_face(&person)),
    )?;
    Ok((card, issued))
}
