//! The TSA certificate from an external CA: a PKCS#10 request for the TSA's key, then the
//! issued certificate checked (this TSA's key; id-kp-timeStamping as its only, critical,
//! extended key usage, RFC 3161 §2.3; valid now; issued by the given CA) and installed in one
//! atomic step: `installed.pem` (certificate, CA, the CA's issuers) is written to a temporary
//! file and renamed. A refused certificate changes nothing.

use std::path::Path;
use std::str::FromStr;

use const_oid::db::rfc5280::ID_KP_TIME_STAMPING;
use const_oid::ObjectIdentifier;
use der::asn1::{BitString, SetOfVec};
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoOwned;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::{ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq, Version};

use akashi_crypto::{verify_rsa_pkcs1, write_atomic, HashAlgorithm};
use akashi_jpki::profile::{ext, sha256_with_rsa};
use akashi_jpki::JpkiCertificate;

use crate::authority::{io, pem, TsaAuthority};
use crate::{TsaError, TSA_POLICY};

/// The TSA certificate and its CA chain, when an external CA certified the TSA.
const INSTALLED: &str = "installed.pem";
/// The policy OID (dotted text), when not the default.
const POLICY: &str = "policy";

/// Why a certificate offered for the TSA is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateRefusal {
    #[error("its public key is not this TSA's key (issued for another request?)")]
    WrongKey,
    #[error("it has no extended key usage id-kp-timeStamping (RFC 3161 §2.3)")]
    NoTimeStamping,
    #[error("its extended key usage is not critical (RFC 3161 §2.3)")]
    EkuNotCritical,
    #[error(
        "id-kp-timeStamping must be its only extended key usage (RFC 3161 §2.3); it also has {0}"
    )]
    OtherEku(String),
    #[error("its key usage allows neither digitalSignature nor nonRepudiation")]
    KeyUsage,
    #[error("{what} is not valid at {now}: valid from {not_before} to {not_after}")]
    NotValidNow {
        what: String,
        now: OffsetDateTime,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    },
    #[error("{0} is not issued by a certificate of the given chain")]
    NoIssuer(String),
    #[error("{0} is not a CA certificate (basicConstraints cA)")]
    NotCa(String),
    #[error("signature algorithm {0} is not supported (sha256/384/512WithRSAEncryption)")]
    Algorithm(String),
}

/// A certificate request (DER) as PEM (`CERTIFICATE REQUEST`), as CAs take it.
pub fn request_pem(der: &[u8]) -> Result<String, TsaError> {
    der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, der)
        .map_err(|e| TsaError::Invalid(format!("PEM: {e}")))
}

/// Every certificate of a PEM bundle (or the one certificate of a DER file), in order.
pub fn certificates_from_pem(bytes: &[u8]) -> Result<Vec<Vec<u8>>, TsaError> {
    if !bytes.starts_with(b"-----BEGIN") {
        JpkiCertificate::from_der(bytes)?;
        return Ok(vec![bytes.to_vec()]);
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| TsaError::Invalid("PEM is not text".into()))?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let end = rest[start..]
            .find("-----END ")
            .map(|i| start + i)
            .ok_or_else(|| TsaError::Invalid("a PEM block has no END line".into()))?;
        let stop = rest[end..].find('\n').map_or(rest.len(), |i| end + i + 1);
        let (label, der) = der::pem::decode_vec(&rest.as_bytes()[start..stop])
            .map_err(|e| TsaError::Invalid(format!("PEM: {e}")))?;
        if label == "CERTIFICATE" {
            out.push(der);
        }
        rest = &rest[stop..];
    }
    if out.is_empty() {
        return Err(TsaError::Invalid("no CERTIFICATE in the PEM".into()));
    }
    Ok(out)
}

fn same_key(a: &[u8], b: &[u8]) -> Result<bool, TsaError> {
    let (a, b) = (
        SubjectPublicKeyInfoOwned::from_der(a)?,
        SubjectPublicKeyInfoOwned::from_der(b)?,
    );
    Ok(a.algorithm.oid == b.algorithm.oid && a.subject_public_key == b.subject_public_key)
}

fn describe(cert: &JpkiCertificate) -> String {
    format!("{} (serial {})", cert.subject(), cert.serial_hex())
}

fn valid_now(cert: &JpkiCertificate, what: &str, now: OffsetDateTime) -> Result<(), TsaError> {
    if now < cert.not_before() || now > cert.not_after() {
        return Err(CertificateRefusal::NotValidNow {
            what: what.to_owned(),
            now,
            not_before: cert.not_before(),
            not_after: cert.not_after(),
        }
        .into());
    }
    Ok(())
}

/// Whether `issuer` signed `cert` (names match and the RSA signature verifies).
fn issued_by(cert: &JpkiCertificate, issuer: &JpkiCertificate) -> Result<bool, TsaError> {
    if cert.issuer() != issuer.subject() {
        return Ok(false);
    }
    let algorithm = &cert.certificate().signature_algorithm.oid;
    let hash = match algorithm.to_string().as_str() {
        "1.2.840.113549.1.1.11" => HashAlgorithm::Sha256,
        "1.2.840.113549.1.1.12" => HashAlgorithm::Sha384,
        "1.2.840.113549.1.1.13" => HashAlgorithm::Sha512,
        other => return Err(CertificateRefusal::Algorithm(other.to_owned()).into()),
    };
    Ok(verify_rsa_pkcs1(
        &issuer.public_key_der()?,
        hash,
        cert.tbs_der(),
        cert.certificate().signature.raw_bytes(),
    )
    .is_ok())
}

/// RFC 3161 §2.3 and this TSA's key.
fn check_tsa_certificate(
    cert: &JpkiCertificate,
    key_spki: &[u8],
    now: OffsetDateTime,
) -> Result<(), TsaError> {
    if !same_key(&cert.public_key_der()?, key_spki)? {
        return Err(CertificateRefusal::WrongKey.into());
    }
    match cert.extension::<ExtendedKeyUsage>()? {
        None => return Err(CertificateRefusal::NoTimeStamping.into()),
        Some((_, eku)) if !eku.0.contains(&ID_KP_TIME_STAMPING) => {
            return Err(CertificateRefusal::NoTimeStamping.into())
        }
        Some((_, eku)) if eku.0.len() > 1 => {
            let others: Vec<String> = eku
                .0
                .iter()
                .filter(|o| **o != ID_KP_TIME_STAMPING)
                .map(ToString::to_string)
                .collect();
            return Err(CertificateRefusal::OtherEku(others.join(", ")).into());
        }
        Some((false, _)) => return Err(CertificateRefusal::EkuNotCritical.into()),
        Some((true, _)) => {}
    }
    if cert
        .key_usage()?
        .is_some_and(|ku| !ku.digital_signature() && !ku.non_repudiation())
    {
        return Err(CertificateRefusal::KeyUsage.into());
    }
    valid_now(cert, "the TSA certificate", now)
}

/// The path from `cert` up through `chain`: its issuer first, then the issuer's issuers as
/// far as the chain goes. Every CA must be valid now.
fn path_of(
    cert: &JpkiCertificate,
    chain: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<Vec<JpkiCertificate>, TsaError> {
    let candidates = chain
        .iter()
        .map(|der| JpkiCertificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()?;
    let mut path: Vec<JpkiCertificate> = Vec::new();
    let mut current = cert.clone();
    loop {
        let mut found = None;
        for candidate in &candidates {
            if candidate.der() != current.der()
                && !path.iter().any(|p| p.der() == candidate.der())
                && issued_by(&current, candidate)?
            {
                found = Some(candidate.clone());
                break;
            }
        }
        let Some(issuer) = found else {
            if path.is_empty() {
                return Err(CertificateRefusal::NoIssuer(describe(cert)).into());
            }
            return Ok(path);
        };
        if !issuer.is_ca()? {
            return Err(CertificateRefusal::NotCa(describe(&issuer)).into());
        }
        valid_now(&issuer, &format!("the CA {}", describe(&issuer)), now)?;
        current = issuer.clone();
        path.push(issuer);
    }
}

impl TsaAuthority {
    /// A PKCS#10 request (DER) for the TSA's key with `subject` (RFC 4514), asking for key
    /// usage digitalSignature and id-kp-timeStamping as the only, critical, extended key usage;
    /// signed by the TSA key (sha256WithRSAEncryption).
    pub fn certification_request(&self, subject: &str) -> Result<Vec<u8>, TsaError> {
        let subject = Name::from_str(subject)
            .map_err(|e| TsaError::Invalid(format!("subject {subject:?}: {e}")))?;
        let extensions = ExtensionReq(vec![
            ext(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
            ext(&ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING]), true)?,
        ]);
        let mut attributes = SetOfVec::new();
        attributes.insert(Attribute::try_from(extensions)?)?;
        let info = CertReqInfo {
            version: Version::V1,
            subject,
            public_key: SubjectPublicKeyInfoOwned::from_der(&self.key.public_key_der()?)?,
            attributes,
        };
        let signature = self.key.sign_pkcs1_sha256(&info.to_der()?)?;
        Ok(CertReq {
            info,
            algorithm: sha256_with_rsa(),
            signature: BitString::from_bytes(&signature)?,
        }
        .to_der()?)
    }

    /// Checks `certificate` (DER) for this TSA and installs it with its CA (`chain`: the
    /// issuing CA, optionally followed by that CA's issuers) in `data`, effective at once
    /// for this value and for every later [`TsaAuthority::open_or_create`].
    pub fn install(
        &mut self,
        data: &Path,
        certificate: &[u8],
        chain: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Result<(), TsaError> {
        let cert = JpkiCertificate::from_der(certificate)?;
        check_tsa_certificate(&cert, &self.key.public_key_der()?, now)?;
        let path = path_of(&cert, chain, now)?;
        let mut bundle = pem(cert.der())?;
        for ca in &path {
            bundle.push_str(&pem(ca.der())?);
        }
        let dir = Self::dir(data);
        let target = dir.join(INSTALLED);
        write_atomic(&target, bundle.as_bytes()).map_err(|e| io(&target, e))?;
        self.certificate = cert.der().to_vec();
        self.ca_certificate = path[0].der().to_vec();
        self.chain = path[1..].iter().map(|c| c.der().to_vec()).collect();
        self.external = true;
        self.write_exports(&dir)
    }

    /// Checks that `policy` is a dotted OID, without changing anything.
    pub fn parse_policy_text(policy: &str) -> Result<(), TsaError> {
        parse_policy(policy).map(drop)
    }

    /// Makes `policy` (a dotted OID) the TSAPolicyId of every later token.
    pub fn set_policy(&mut self, data: &Path, policy: &str) -> Result<(), TsaError> {
        let oid = parse_policy(policy)?;
        let path = Self::dir(data).join(POLICY);
        write_atomic(&path, format!("{oid}\n").as_bytes()).map_err(|e| io(&path, e))?;
        self.policy = oid;
        Ok(())
    }

    /// `tsa.der|pem`, `ca.der|pem` and `chain.pem` (the CA and its issuers, for `openssl
    /// -CAfile`) from the installed certificates, for validators.
    fn write_exports(&self, dir: &Path) -> Result<(), TsaError> {
        let mut chain = pem(&self.ca_certificate)?;
        for c in &self.chain {
            chain.push_str(&pem(c)?);
        }
        let files: [(&str, Vec<u8>); 5] = [
            ("tsa.der", self.certificate.clone()),
            ("tsa.pem", pem(&self.certificate)?.into_bytes()),
            ("ca.der", self.ca_certificate.clone()),
            ("ca.pem", pem(&self.ca_certificate)?.into_bytes()),
            ("chain.pem", chain.into_bytes()),
        ];
        for (name, bytes) in files {
            let path = dir.join(name);
            write_atomic(&path, &bytes).map_err(|e| io(&path, e))?;
        }
        Ok(())
    }
}

fn parse_policy(text: &str) -> Result<ObjectIdentifier, TsaError> {
    ObjectIdentifier::new(text.trim())
        .map_err(|e| TsaError::Invalid(format!("policy {text:?} is not an OID: {e}")))
}

/// The policy of the TSA in `dir` (default [`TSA_POLICY`]).
pub(crate) fn read_policy(dir: &Path) -> Result<ObjectIdentifier, TsaError> {
    let path = dir.join(POLICY);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_policy(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(TSA_POLICY),
        Err(e) => Err(io(&path, e)),
    }
}

/// Takes the installed external certificate over the local one, and finishes the exports
/// an interrupted install left stale.
pub(crate) fn load_installed(tsa: &mut TsaAuthority, dir: &Path) -> Result<(), TsaError> {
    let path = dir.join(INSTALLED);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(&path, e)),
    };
    let mut certs = certificates_from_pem(&bytes)?.into_iter();
    let (Some(cert), Some(ca)) = (certs.next(), certs.next()) else {
        return Err(io(&path, "expected the TSA certificate and its CA"));
    };
    let key = tsa.key.public_key_der()?;
    if !same_key(&JpkiCertificate::from_der(&cert)?.public_key_der()?, &key)? {
        return Err(io(
            &path,
            "the installed certificate is not for the TSA's key",
        ));
    }
    let stale = tsa.certificate != cert || tsa.ca_certificate != ca;
    tsa.certificate = cert;
    tsa.ca_certificate = ca;
    tsa.chain = certs.collect();
    tsa.external = true;
    if stale {
        tsa.write_exports(dir)?;
    }
    Ok(())
}
