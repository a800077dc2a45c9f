//! A parsed JPKI certificate that keeps its exact DER, so signatures are checked over the bytes
//! the CA signed, never over a re-serialisation.
//!
//! ```text
//! Certificate ::= SEQUENCE {
//!     tbsCertificate       TBSCertificate,
//!     signatureAlgorithm   AlgorithmIdentifier,
//!     signatureValue       BIT STRING }
//! ```

use std::ops::Range;

use const_oid::{AssociatedOid, ObjectIdentifier};
use der::{Decode, Header, Reader, SliceReader, Tag, Tagged};
use time::OffsetDateTime;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::Certificate;

use crate::attributes::{decode_birth_date, BasicFourAttributes, Sex};
use crate::{names, oid, CertificateKind, JpkiError};

#[derive(Debug, Clone)]
pub struct JpkiCertificate {
    der: Vec<u8>,
    tbs: Range<usize>,
    cert: Certificate,
}

impl JpkiCertificate {
    /// Parses one DER certificate; trailing bytes are an error.
    pub fn from_der(der: &[u8]) -> Result<Self, JpkiError> {
        let cert = Certificate::from_der(der)?;
        let mut reader = SliceReader::new(der)?;
        Header::decode(&mut reader)?;
        let start = usize::try_from(reader.position())?;
        let tbs_len = reader.tlv_bytes()?.len();
        Ok(Self {
            der: der.to_vec(),
            tbs: start..start + tbs_len,
            cert,
        })
    }

    /// Parses a PEM `CERTIFICATE` block.
    pub fn from_pem(pem: &[u8]) -> Result<Self, JpkiError> {
        let (label, der) = der::pem::decode_vec(pem)?;
        if label != "CERTIFICATE" {
            return Err(JpkiError::Profile(format!(
                "PEM label is {label:?}, expected CERTIFICATE"
            )));
        }
        Self::from_der(&der)
    }

    /// Parses PEM or DER, whichever `bytes` holds.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, JpkiError> {
        if bytes.starts_with(b"-----BEGIN") {
            Self::from_pem(bytes)
        } else {
            Self::from_der(bytes)
        }
    }

    pub fn to_pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .expect("PEM encoding of held DER")
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The exact signed bytes of the TBSCertificate.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    pub fn issuer(&self) -> &Name {
        &self.cert.tbs_certificate.issuer
    }

    pub fn subject(&self) -> &Name {
        &self.cert.tbs_certificate.subject
    }

    /// The serial number as uppercase hex, as J-LIS prints it (`06BFC341`).
    pub fn serial_hex(&self) -> String {
        crate::serial_hex(&self.cert.tbs_certificate.serial_number)
    }

    pub fn not_before(&self) -> OffsetDateTime {
        to_offset(self.cert.tbs_certificate.validity.not_before)
    }

    pub fn not_after(&self) -> OffsetDateTime {
        to_offset(self.cert.tbs_certificate.validity.not_after)
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> Result<Vec<u8>, JpkiError> {
        Ok(der::Encode::to_der(
            &self.cert.tbs_certificate.subject_public_key_info,
        )?)
    }

    /// The subject's common name: for end entities, J-LIS's identifier of the certificate holder.
    pub fn subject_identifier(&self) -> Option<String> {
        names::attribute(self.subject(), oid::COMMON_NAME)
    }

    /// The certificate type, decided by the JPKI certificate policy it carries.
    pub fn kind(&self) -> Result<Option<CertificateKind>, JpkiError> {
        let policies = self.policies()?;
        Ok(
            [CertificateKind::Signature, CertificateKind::Authentication]
                .into_iter()
                .find(|k| policies.contains(&k.policy())),
        )
    }

    pub fn policies(&self) -> Result<Vec<ObjectIdentifier>, JpkiError> {
        Ok(self
            .extension::<CertificatePolicies>()?
            .map(|(_, p)| p.0.into_iter().map(|i| i.policy_identifier).collect())
            .unwrap_or_default())
    }

    pub fn key_usage(&self) -> Result<Option<KeyUsage>, JpkiError> {
        Ok(self.extension::<KeyUsage>()?.map(|(_, ku)| ku))
    }

    pub fn is_ca(&self) -> Result<bool, JpkiError> {
        Ok(self
            .extension::<BasicConstraints>()?
            .is_some_and(|(_, bc)| bc.ca))
    }

    pub fn subject_key_id(&self) -> Result<Option<Vec<u8>>, JpkiError> {
        Ok(self
            .extension::<SubjectKeyIdentifier>()?
            .map(|(_, s)| s.0.as_bytes().to_vec()))
    }

    pub fn authority_key_id(&self) -> Result<Option<Vec<u8>>, JpkiError> {
        Ok(self
            .extension::<AuthorityKeyIdentifier>()?
            .and_then(|(_, a)| a.key_identifier.map(|k| k.as_bytes().to_vec())))
    }

    /// The OIDs of all extensions marked critical.
    pub fn critical_extensions(&self) -> Vec<ObjectIdentifier> {
        self.extensions()
            .filter(|e| e.critical)
            .map(|e| e.extn_id)
            .collect()
    }

    fn extensions(&self) -> impl Iterator<Item = &x509_cert::ext::Extension> {
        self.cert.tbs_certificate.extensions.iter().flatten()
    }

    /// Decodes the extension of type `T`, with its criticality; an error names the extension.
    pub fn extension<T>(&self) -> Result<Option<(bool, T)>, JpkiError>
    where
        T: AssociatedOid + for<'a> Decode<'a>,
    {
        let mut found = self.extensions().filter(|e| e.extn_id == T::OID);
        let Some(ext) = found.next() else {
            return Ok(None);
        };
        if found.next().is_some() {
            return Err(JpkiError::Profile(format!(
                "extension {} appears twice",
                T::OID
            )));
        }
        let value = T::from_der(ext.extn_value.as_bytes())
            .map_err(|e| JpkiError::Profile(format!("extension {} is malformed: {e}", T::OID)))?;
        Ok(Some((ext.critical, value)))
    }

    /// The basic four attributes from the subjectAltName of a signature certificate;
    /// `None` for a certificate without them (the authentication certificate).
    pub fn basic_four(&self) -> Result<Option<BasicFourAttributes>, JpkiError> {
        let Some((_, SubjectAltName(names))) = self.extension::<SubjectAltName>()? else {
            return Ok(None);
        };
        let value = |wanted: ObjectIdentifier| -> Result<Option<String>, JpkiError> {
            names
                .iter()
                .find_map(|n| match n {
                    GeneralName::OtherName(o) if o.type_id == wanted => Some(&o.value),
                    _ => None,
                })
                .map(|v| {
                    if v.tag() != Tag::Utf8String {
                        return Err(JpkiError::attribute(
                            "subjectAltName",
                            format!("{wanted} is not a UTF8String"),
                        ));
                    }
                    String::from_utf8(v.value().to_vec()).map_err(|_| {
                        JpkiError::attribute("subjectAltName", format!("{wanted} is not UTF-8"))
                    })
                })
                .transpose()
        };
        let Some(name) = value(oid::PD_NAME)? else {
            return Ok(None);
        };
        let missing = |field| JpkiError::attribute(field, "missing from subjectAltName".to_owned());
        let birth = value(oid::PD_DATE_OF_BIRTH)?.ok_or_else(|| missing("date of birth"))?;
        let sex = value(oid::PD_SEX)?.ok_or_else(|| missing("sex"))?;
        let address = value(oid::PD_ADDRESS)?.ok_or_else(|| missing("address"))?;
        Ok(Some(BasicFourAttributes {
            name,
            address,
            birth_date: decode_birth_date(&birth)?,
            sex: Sex::from_code(&sex)?,
        }))
    }
}

fn to_offset(t: x509_cert::time::Time) -> OffsetDateTime {
    let secs = t.to_unix_duration().as_secs();
    OffsetDateTime::from_unix_timestamp(secs as i64).expect("X.509 times fit in OffsetDateTime")
}
