//! Certificate revocation lists of one J-LIS CA generation (RFC 5280 §5), in both directions.
//!
//! ```text
//! CertificateList  ::=  SEQUENCE  {
//!      tbsCertList          TBSCertList,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//!
//! TBSCertList  ::=  SEQUENCE  {
//!      version                 Version OPTIONAL,   -- if present, MUST be v2
//!      signature               AlgorithmIdentifier,
//!      issuer                  Name,
//!      thisUpdate              Time,
//!      nextUpdate              Time OPTIONAL,
//!      revokedCertificates     SEQUENCE OF SEQUENCE  {
//!           userCertificate         CertificateSerialNumber,
//!           revocationDate          Time,
//!           crlEntryExtensions      Extensions OPTIONAL  -- if present, version MUST be v2
//!                                }  OPTIONAL,
//!      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! Built CRLs are v2 with sha256WithRSAEncryption, the CA certificate's subject as issuer,
//! crlExtensions authorityKeyIdentifier (keyid = the CA's SKI) then cRLNumber, and a reasonCode
//! entry extension on every entry except `unspecified` (RFC 5280 §5.3.1 says to omit it then).
//! An empty CRL omits `revokedCertificates` altogether, as RFC 5280 requires.
//!
//! Encoding and decoding are linear in the number of entries: a CRL of a million entries is
//! built from der's derived types once, and the signature is wrapped around the exact TBS bytes
//! without re-encoding them.

use std::ops::Range;

use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm};
use akashi_jpki::profile::{ext, key_identifier, sha256_with_rsa};
use akashi_jpki::JpkiCertificate;
use const_oid::AssociatedOid;
use der::asn1::{OctetString, Uint};
use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::crl::CrlNumber;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlReason, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Version;

use crate::{asn1_time, signed, RevocationError, RevocationReason};

/// One revoked certificate to list.
#[derive(Debug, Clone)]
pub struct RevokedEntry {
    pub serial: SerialNumber,
    pub revoked_at: OffsetDateTime,
    pub reason: RevocationReason,
}

/// A CRL of one CA generation at one moment.
#[derive(Debug, Clone)]
pub struct CrlParams<'a> {
    /// The CA certificate of the generation that signs the CRL.
    pub issuer: &'a JpkiCertificate,
    pub this_update: OffsetDateTime,
    pub next_update: OffsetDateTime,
    pub crl_number: u64,
    pub entries: &'a [RevokedEntry],
}

/// A CRL awaiting its CA's signature.
#[derive(Debug, Clone)]
pub struct UnsignedCrl {
    tbs_der: Vec<u8>,
}

impl UnsignedCrl {
    /// The exact DER TBSCertList the CA signs with sha256WithRSAEncryption.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.tbs_der
    }

    /// Assembles the CRL DER from the CA's signature over [`Self::to_be_signed`].
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, RevocationError> {
        signed::assemble(&self.tbs_der, signature, &[])
    }
}

/// Builds the TBSCertList of a v2 CRL.
pub fn build_crl(params: &CrlParams<'_>) -> Result<UnsignedCrl, RevocationError> {
    if params.next_update <= params.this_update {
        return Err(RevocationError::invalid(
            "CRL",
            "nextUpdate must be after thisUpdate",
        ));
    }
    let ca = params.issuer.certificate();
    let key_id = match params.issuer.subject_key_id()? {
        Some(ski) => ski,
        None => key_identifier(&ca.tbs_certificate.subject_public_key_info),
    };
    let revoked = params
        .entries
        .iter()
        .map(|entry| {
            let extensions = match entry.reason {
                RevocationReason::Unspecified => None,
                reason => Some(vec![ext(&reason.to_x509(), false)?]),
            };
            Ok(RevokedCert {
                serial_number: entry.serial.clone(),
                revocation_date: asn1_time::x509(entry.revoked_at)?,
                crl_entry_extensions: extensions,
            })
        })
        .collect::<Result<Vec<_>, RevocationError>>()?;
    let crl_extensions = vec![
        ext(
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(key_id)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
            false,
        )?,
        ext(
            &CrlNumber(Uint::new(&params.crl_number.to_be_bytes())?),
            false,
        )?,
    ];
    let tbs = TbsCertList {
        version: Version::V2,
        signature: sha256_with_rsa(),
        issuer: params.issuer.subject().clone(),
        this_update: asn1_time::x509(params.this_update)?,
        next_update: Some(asn1_time::x509(params.next_update)?),
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(crl_extensions),
    };
    Ok(UnsignedCrl {
        tbs_der: tbs.to_der()?,
    })
}

/// One entry of a parsed CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlEntry {
    pub serial: SerialNumber,
    pub revoked_at: OffsetDateTime,
    /// `None` when the entry carries no reasonCode (which means `unspecified`).
    pub reason: Option<RevocationReason>,
}

/// A decoded CRL that keeps its exact DER, so its signature is checked over the signed bytes.
#[derive(Debug, Clone)]
pub struct ParsedCrl {
    der: Vec<u8>,
    tbs: Range<usize>,
    pub issuer: Name,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    pub crl_number: Option<u64>,
    pub authority_key_id: Option<Vec<u8>>,
    pub entries: Vec<CrlEntry>,
    pub signature_algorithm: const_oid::ObjectIdentifier,
    pub signature: Vec<u8>,
}

impl ParsedCrl {
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The exact signed bytes of the TBSCertList.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// The entry for `serial`, if listed (a linear scan; index `entries` for repeated lookups).
    pub fn find(&self, serial: &SerialNumber) -> Option<&CrlEntry> {
        self.entries.iter().find(|e| &e.serial == serial)
    }

    /// Whether `at` lies in `[thisUpdate, nextUpdate)`; a CRL without nextUpdate is never current.
    pub fn is_current_at(&self, at: OffsetDateTime) -> bool {
        self.next_update
            .is_some_and(|next| self.this_update <= at && at < next)
    }
}

/// Decodes a DER CRL (trailing bytes are an error). Unknown critical extensions, on the CRL or
/// on an entry, are refused (RFC 5280 §5.2, §5.3); the signature is not checked here.
pub fn parse_crl(der: &[u8]) -> Result<ParsedCrl, RevocationError> {
    let crl = CertificateList::from_der(der)?;
    let tbs = signed::tbs_range(der)?;
    let list = crl.tbs_cert_list;
    if list.signature != crl.signature_algorithm {
        return Err(RevocationError::invalid(
            "CRL",
            "signature algorithms inside and outside the TBSCertList differ",
        ));
    }
    let mut crl_number = None;
    let mut authority_key_id = None;
    for extension in list.crl_extensions.iter().flatten() {
        match extension.extn_id {
            CrlNumber::OID => {
                let number = CrlNumber::from_der(extension.extn_value.as_bytes())?;
                crl_number = Some(uint_to_u64(&number.0)?);
            }
            AuthorityKeyIdentifier::OID => {
                let aki = AuthorityKeyIdentifier::from_der(extension.extn_value.as_bytes())?;
                authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
            other if extension.critical => {
                return Err(RevocationError::invalid(
                    "CRL",
                    format!("unknown critical extension {other}"),
                ))
            }
            _ => {}
        }
    }
    let entries = list
        .revoked_certificates
        .unwrap_or_default()
        .into_iter()
        .map(entry)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ParsedCrl {
        der: der.to_vec(),
        tbs,
        issuer: list.issuer,
        this_update: asn1_time::from_x509(list.this_update)?,
        next_update: list.next_update.map(asn1_time::from_x509).transpose()?,
        crl_number,
        authority_key_id,
        entries,
        signature_algorithm: crl.signature_algorithm.oid,
        signature: signed::signature_bytes(&crl.signature)?,
    })
}

fn entry(revoked: RevokedCert) -> Result<CrlEntry, RevocationError> {
    let mut reason = None;
    for extension in revoked.crl_entry_extensions.iter().flatten() {
        if extension.extn_id == CrlReason::OID {
            let code = CrlReason::from_der(extension.extn_value.as_bytes())?;
            reason = Some(RevocationReason::from_x509(code));
        } else if extension.critical {
            return Err(RevocationError::invalid(
                "CRL entry",
                format!("unknown critical extension {}", extension.extn_id),
            ));
        }
    }
    Ok(CrlEntry {
        serial: revoked.serial_number,
        revoked_at: asn1_time::from_x509(revoked.revocation_date)?,
        reason,
    })
}

fn uint_to_u64(number: &Uint) -> Result<u64, RevocationError> {
    let bytes = number.as_bytes();
    if bytes.len() > 8 {
        return Err(RevocationError::invalid("cRLNumber", "larger than 64 bits"));
    }
    Ok(bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
}

/// Parses `der` and checks that `issuer` (one CA generation) signed it: issuer name, the
/// authority key identifier if present, the CA's cRLSign key usage, sha256WithRSAEncryption,
/// and the signature over the exact TBS bytes. Freshness is the caller's: see
/// [`ParsedCrl::is_current_at`].
pub fn verify_crl(der: &[u8], issuer: &JpkiCertificate) -> Result<ParsedCrl, RevocationError> {
    let crl = parse_crl(der)?;
    if crl.signature_algorithm != akashi_jpki::oid::SHA_256_WITH_RSA_ENCRYPTION {
        return Err(RevocationError::Verification(format!(
            "CRL signature algorithm {} is not sha256WithRSAEncryption",
            crl.signature_algorithm
        )));
    }
    if &crl.issuer != issuer.subject() {
        return Err(RevocationError::Verification(format!(
            "CRL issuer {} is not the CA {}",
            crl.issuer,
            issuer.subject()
        )));
    }
    if let (Some(aki), Some(ski)) = (&crl.authority_key_id, issuer.subject_key_id()?) {
        if aki != &ski {
            return Err(RevocationError::Verification(
                "CRL authority key identifier is another CA generation's".into(),
            ));
        }
    }
    if let Some(KeyUsage(usage)) = issuer.key_usage()? {
        if !usage.contains(KeyUsages::CRLSign) {
            return Err(RevocationError::Verification(
                "issuer key usage lacks cRLSign".into(),
            ));
        }
    }
    verify_rsa_pkcs1(
        &issuer.public_key_der()?,
        HashAlgorithm::Sha256,
        crl.tbs_der(),
        &crl.signature,
    )
    .map_err(|e| RevocationError::Verification(format!("CRL signature: {e}")))?;
    Ok(crl)
}
