//! Validating one CMS signature (a CAdES file or a PAdES /Contents) following the shape of
//! ETSI EN 319 102-1: format and cryptographic checks, the best signature time from a
//! signature timestamp, the signer's certificate at that time, revocation from the embedded
//! validation data, and the proof of existence an archive timestamp gives.

use cms::content_info::ContentInfo;
use cms::revocation::RevocationInfoChoice;
use cms::signed_data::{SignedData, SignerInfo};
use der::{Decode, Encode};
use time::OffsetDateTime;

use akashi_cms::ess::{SigningCertificateV2, ID_SIGNING_CERTIFICATE_V2};
use akashi_cms::{parse_signed_data, ID_SHA256, ID_SIGNING_TIME};
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use akashi_jpki::{validate, CertificateKind, JpkiCertificate, ValidationError};

use super::report::{iso, Indication, Level, SignatureReport, Signer, SubIndication};
use super::revocation::{revocation_status, RevocationFinding};
use super::token::{sha256, verify_timestamp};
use super::{Anchors, Evidence};
use crate::ID_SIGNATURE_TIME_STAMP;

/// What the signature is checked against.
pub(crate) struct Context<'a> {
    pub anchors: &'a Anchors,
    pub at: OffsetDateTime,
    /// Validation data found outside the CMS (a PDF's DSS).
    pub outside: &'a Evidence,
    /// The time of the earliest archive timestamp covering this signature and its validation
    /// data, when the archive timestamp chain holds up to the validation time.
    pub archive_poe: Option<OffsetDateTime>,
}

use Indication::{Indeterminate, TotalFailed};

/// Validates `cms_der` as a signature over content whose SHA-256 is `content_sha256`.
pub(crate) fn check_signature(
    cms_der: &[u8],
    content_sha256: &[u8; 32],
    field: Option<String>,
    cx: &Context,
) -> SignatureReport {
    let mut report = SignatureReport::new(field);
    let (view, signer_info, mut evidence) = match decode(cms_der) {
        Ok(v) => v,
        Err(e) => return report.fail(TotalFailed, SubIndication::FormatFailure, e),
    };
    evidence.extend(cx.outside);
    let Some(cert) = view
        .signer_certificate(&evidence.certificates)
        .and_then(|der| JpkiCertificate::from_der(der).ok())
    else {
        return report.fail(
            Indeterminate,
            SubIndication::NoSigningCertificateFound,
            "the signer's certificate is neither in the signature nor in the validation data"
                .into(),
        );
    };
    report.signer = Some(Signer {
        subject: cert.subject().to_string(),
        attributes: cert.basic_four().ok().flatten(),
        certificate_serial: cert.serial_hex(),
        certificate_not_after: iso(cert.not_after()),
    });
    report.claimed_signing_time = claimed_signing_time(&signer_info).map(iso);
    report.level = Some(Level::BB);

    // Integrity: the document digest, the signature, the certificate binding.
    if view.signer.digest_algorithm != ID_SHA256 {
        return report.fail(
            TotalFailed,
            SubIndication::FormatFailure,
            format!(
                "digest algorithm {} is not SHA-256",
                view.signer.digest_algorithm
            ),
        );
    }
    if view.signer.message_digest != content_sha256 {
        return report.fail(
            TotalFailed,
            SubIndication::HashFailure,
            "the signed document does not match the signature's message digest: the document changed".into(),
        );
    }
    let key = match cert.public_key_der() {
        Ok(k) => k,
        Err(e) => return report.fail(TotalFailed, SubIndication::FormatFailure, e.to_string()),
    };
    if verify_rsa_pkcs1(
        &key,
        HashAlgorithm::Sha256,
        &view.signer.signed_attrs,
        &view.signer.signature,
    )
    .is_err()
    {
        return report.fail(
            TotalFailed,
            SubIndication::SigCryptoFailure,
            "the signature value does not verify with the signer's certificate".into(),
        );
    }
    if let Err(e) = check_signing_certificate(&signer_info, &cert) {
        return report.fail(TotalFailed, SubIndication::FormatFailure, e);
    }

    // Best signature time: a valid signature timestamp, usable if its TSA certificate is still
    // valid now, or was when an archive timestamp proved the data existed.
    let horizon = cx.archive_poe.unwrap_or(cx.at);
    let mut best_time = None;
    if let Some(token) = timestamp_token(&signer_info) {
        let digest = sha256(&view.signer.signature);
        match verify_timestamp(&token, &digest, cx.anchors, &evidence.certificates) {
            Ok(ts) if ts.tsa.not_after() < horizon => {
                return report.fail(
                    Indeterminate,
                    SubIndication::OutOfBoundsNoPoe,
                    format!(
                        "the signature timestamp's TSA certificate expired at {} and no archive \
                         timestamp (LTA) proves the signature existed before that",
                        iso(ts.tsa.not_after())
                    ),
                );
            }
            Ok(ts) => {
                report
                    .notes
                    .extend(cx.anchors.tsa_withdrawal_note(&ts.tsa, ts.gen_time));
                report.signature_timestamp = Some(iso(ts.gen_time));
                report.level = Some(Level::BT);
                best_time = Some(ts.gen_time);
            }
            Err(e) => report
                .notes
                .push(format!("signature timestamp ignored: {e}")),
        }
    }
    let best = best_time.unwrap_or(horizon);

    // The signer's certificate at the best signature time.
    let validated = match validate(
        &cert,
        &cx.anchors.jpki,
        best,
        Some(CertificateKind::Signature),
    ) {
        Ok(v) => v,
        Err(e) => {
            let (indication, sub) = match &e {
                ValidationError::Expired { .. } | ValidationError::NotYetValid { .. } => {
                    (Indeterminate, SubIndication::OutOfBoundsNoPoe)
                }
                ValidationError::UnknownIssuer { .. } | ValidationError::BadSignature { .. } => {
                    (Indeterminate, SubIndication::NoCertificateChainFound)
                }
                _ => (Indeterminate, SubIndication::ChainConstraintsFailure),
            };
            let why = match best_time {
                Some(_) => format!("signer's certificate at the signature timestamp's time: {e}"),
                None => format!(
                    "signer's certificate at {} (no signature timestamp): {e}",
                    iso(best)
                ),
            };
            return report.fail(indication, sub, why);
        }
    };

    if let Some(withdrawn) = cx.anchors.withdrawn_at(&validated.issuer) {
        if withdrawn <= best {
            return report.fail(
                Indeterminate,
                SubIndication::NoCertificateChainFound,
                format!(
                    "the trusted list withdrew the issuing J-LIS root at {}, before the signature is proven to exist",
                    iso(withdrawn)
                ),
            );
        }
        report.notes.push(format!(
            "the trusted list withdrew the issuing J-LIS root at {}, after the signature existed",
            iso(withdrawn)
        ));
    }

    // Revocation, from the embedded validation data only.
    match revocation_status(&cert, &validated.issuer, &evidence, best) {
        RevocationFinding::Good { source } => {
            report.notes.push(format!("not revoked: {source}"));
            if report.level == Some(Level::BT) {
                report.level = Some(Level::BLt);
            }
        }
        RevocationFinding::RevokedAfter { at, source } => {
            report.notes.push(format!(
                "the certificate was revoked at {}, after the signature existed ({source})",
                iso(at)
            ));
            if report.level == Some(Level::BT) {
                report.level = Some(Level::BLt);
            }
        }
        RevocationFinding::RevokedBefore { at, source } => {
            let sub = if best_time.is_some() {
                SubIndication::Revoked
            } else {
                SubIndication::RevokedNoPoe
            };
            let indication = if best_time.is_some() {
                TotalFailed
            } else {
                Indeterminate
            };
            return report.fail(
                indication,
                sub,
                format!(
                    "the signer's certificate was revoked at {}, before the signature is proven to exist ({source})",
                    iso(at)
                ),
            );
        }
        RevocationFinding::None(why) => {
            return report.fail(Indeterminate, SubIndication::TryLater, why);
        }
    }
    if cx.archive_poe.is_some() && report.level == Some(Level::BLt) {
        report.level = Some(Level::BLta);
    }
    report
}

type Decoded = (akashi_cms::SignedDataView, SignerInfo, Evidence);

fn decode(cms_der: &[u8]) -> Result<Decoded, String> {
    let view = parse_signed_data(cms_der).map_err(|e| format!("signature: {e}"))?;
    let info = ContentInfo::from_der(cms_der).map_err(|e| format!("signature: {e}"))?;
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| format!("signature: {e}"))?;
    let signer_info = signed
        .signer_infos
        .0
        .iter()
        .next()
        .cloned()
        .ok_or("signature: no signer")?;
    let mut evidence = Evidence {
        certificates: view.certificates.clone(),
        ..Evidence::default()
    };
    for choice in signed.crls.iter().flat_map(|c| c.0.iter()) {
        match choice {
            RevocationInfoChoice::Crl(crl) => {
                evidence.crls.push(crl.to_der().map_err(|e| e.to_string())?);
            }
            // OCSP responses travel in a PDF's DSS; CAdES B-LT here embeds CRLs.
            RevocationInfoChoice::Other(_) => {}
        }
    }
    Ok((view, signer_info, evidence))
}

fn claimed_signing_time(signer: &SignerInfo) -> Option<OffsetDateTime> {
    let attr = signer
        .signed_attrs
        .as_ref()?
        .iter()
        .find(|a| a.oid == ID_SIGNING_TIME)?;
    let value = attr.values.iter().next()?.to_der().ok()?;
    let time = x509_cert::time::Time::from_der(&value).ok()?;
    Some(OffsetDateTime::from(time.to_system_time()))
}

/// CAdES baseline requires signing-certificate-v2 naming the signer's certificate by hash.
fn check_signing_certificate(signer: &SignerInfo, cert: &JpkiCertificate) -> Result<(), String> {
    let attr = signer
        .signed_attrs
        .as_ref()
        .and_then(|a| a.iter().find(|a| a.oid == ID_SIGNING_CERTIFICATE_V2))
        .ok_or("the signing-certificate-v2 signed attribute is missing")?;
    let value: SigningCertificateV2 = attr
        .values
        .iter()
        .next()
        .ok_or("signing-certificate-v2 has no value")?
        .decode_as()
        .map_err(|e| format!("signing-certificate-v2: {e}"))?;
    let first = value
        .certs
        .first()
        .ok_or("signing-certificate-v2 names no certificate")?;
    if first
        .hash_algorithm
        .as_ref()
        .is_some_and(|a| a.oid != ID_SHA256)
    {
        return Err("signing-certificate-v2 uses a hash other than SHA-256".into());
    }
    if first.cert_hash.as_bytes() != sha256(cert.der()) {
        return Err("signing-certificate-v2 names another certificate than the signer's".into());
    }
    Ok(())
}

fn timestamp_token(signer: &SignerInfo) -> Option<Vec<u8>> {
    signer
        .unsigned_attrs
        .as_ref()?
        .iter()
        .find(|a| a.oid == ID_SIGNATURE_TIME_STAMP)?
        .values
        .iter()
        .next()?
        .to_der()
        .ok()
}
