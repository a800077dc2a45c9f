//! The TSA's keys and certificates in `DIR/tsa`: a trust-services root CA (self-signed) and
//! the TSA certificate it issues. Keys are sealed at rest under the data directory's sealing
//! key; certificates are written as DER and PEM (for validators such as `openssl ts`).
//!
//! A deployment may instead have the TSA certified by an external CA ([`crate::install`]):
//! `installed.pem` (the TSA certificate, then its CA and the CA's issuers) is then what the
//! TSA uses, and `tsa.*`, `ca.*` are re-exported from it. The policy OID is in `policy`
//! (default [`TSA_POLICY`]).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use const_oid::db::rfc5280::ID_KP_TIME_STAMPING;
use der::{Decode, EncodePem};
use spki::SubjectPublicKeyInfoOwned;
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::Certificate;

use akashi_crypto::{write_atomic, RsaPrivateKey, SealingKey, SecureRandom};
use akashi_jpki::profile::{ext, tbs};
use akashi_revocation::{build_crl, CrlParams};

use crate::TsaError;

/// The TSA's policy (TSAPolicyId), under Akashi's private arc.
pub const TSA_POLICY: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.65530.1.3.1");

const CA_NAME: &str = "CN=Akashi Trust Services Root CA,O=Akashi,C=JP";
const TSA_NAME: &str = "CN=Akashi Time-Stamping Authority 1,O=Akashi,C=JP";
const CA_KEY_LABEL: &str = "akashi-tsa-ca-key";
const TSA_KEY_LABEL: &str = "akashi-tsa-key";

/// The TSA's signing key and certificate, and the CA certificate validators trust.
pub struct TsaAuthority {
    pub(crate) key: RsaPrivateKey,
    pub(crate) certificate: Vec<u8>,
    pub(crate) ca_certificate: Vec<u8>,
    /// Certificates above the CA (external CAs only), nearest first.
    pub(crate) chain: Vec<Vec<u8>>,
    pub(crate) policy: const_oid::ObjectIdentifier,
    /// Certified by an external CA: its CRLs come from it, not from here.
    pub(crate) external: bool,
}

pub(crate) fn io(path: &Path, why: impl std::fmt::Display) -> TsaError {
    TsaError::Io {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

fn serial(rng: &dyn SecureRandom) -> Result<SerialNumber, TsaError> {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes)?;
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x01; // and 16 bytes long
    Ok(SerialNumber::new(&bytes)?)
}

fn spki(key: &RsaPrivateKey) -> Result<SubjectPublicKeyInfoOwned, TsaError> {
    Ok(SubjectPublicKeyInfoOwned::from_der(&key.public_key_der()?)?)
}

fn name(text: &str) -> Result<Name, TsaError> {
    Ok(Name::from_str(text)?)
}

impl TsaAuthority {
    pub(crate) fn dir(data: &Path) -> PathBuf {
        data.join("tsa")
    }

    /// Opens the TSA in `data`, creating its CA and certificate the first time (the CA for 20
    /// years, the TSA certificate for 10 from `now`).
    pub fn open_or_create(
        data: &Path,
        sealing_key: &SealingKey,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Self, TsaError> {
        let dir = Self::dir(data);
        let key_path = dir.join("tsa.key.sealed");
        if key_path.exists() {
            let read = |p: PathBuf| std::fs::read(&p).map_err(|e| io(&p, e));
            let mut tsa = Self {
                key: RsaPrivateKey::unseal(sealing_key, TSA_KEY_LABEL, &read(key_path)?)?,
                certificate: read(dir.join("tsa.der"))?,
                ca_certificate: read(dir.join("ca.der"))?,
                chain: Vec::new(),
                policy: crate::install::read_policy(&dir)?,
                external: false,
            };
            crate::install::load_installed(&mut tsa, &dir)?;
            return Ok(tsa);
        }
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let ca_key = RsaPrivateKey::generate()?;
        let ca = tbs(
            &serial(rng)?,
            name(CA_NAME)?,
            name(CA_NAME)?,
            (now, now + Duration::days(20 * 365)),
            spki(&ca_key)?,
            vec![
                ext(&KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign), true)?,
                ext(
                    &BasicConstraints {
                        ca: true,
                        path_len_constraint: Some(0),
                    },
                    true,
                )?,
            ],
        )?;
        let signature = ca_key.sign_pkcs1_sha256(ca.to_be_signed())?;
        let ca_certificate = ca.complete(&signature)?;
        let key = RsaPrivateKey::generate()?;
        let tsa = tbs(
            &serial(rng)?,
            name(CA_NAME)?,
            name(TSA_NAME)?,
            (now, now + Duration::days(10 * 365)),
            spki(&key)?,
            vec![
                ext(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?,
                // RFC 3161 §2.3: the only extended key usage, critical.
                ext(&ExtendedKeyUsage(vec![ID_KP_TIME_STAMPING]), true)?,
            ],
        )?;
        let signature = ca_key.sign_pkcs1_sha256(tsa.to_be_signed())?;
        let certificate = tsa.complete(&signature)?;
        let write = |file: &str, bytes: &[u8]| {
            let p = dir.join(file);
            write_atomic(&p, bytes).map_err(|e| io(&p, e))
        };
        write("ca.key.sealed", &ca_key.seal(sealing_key, CA_KEY_LABEL)?)?;
        write("ca.der", &ca_certificate)?;
        write("ca.pem", pem(&ca_certificate)?.as_bytes())?;
        write("tsa.der", &certificate)?;
        write("tsa.pem", pem(&certificate)?.as_bytes())?;
        // Last: its presence marks a complete TSA directory.
        write("tsa.key.sealed", &key.seal(sealing_key, TSA_KEY_LABEL)?)?;
        Ok(Self {
            key,
            certificate,
            ca_certificate,
            chain: Vec::new(),
            policy: TSA_POLICY,
            external: false,
        })
    }

    /// The TSA certificate (DER).
    pub fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    /// The CA certificate a validator trusts (DER): the issuer of the TSA certificate.
    pub fn ca_certificate(&self) -> &[u8] {
        &self.ca_certificate
    }

    /// The certificates above the CA, nearest first (an external CA's issuers, if given).
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The policy (TSAPolicyId) stated in every token.
    pub fn policy(&self) -> const_oid::ObjectIdentifier {
        self.policy
    }

    /// Whether an external CA certified the TSA (then CRLs come from that CA).
    pub fn is_external(&self) -> bool {
        self.external
    }

    /// A CRL of the TSA's CA at `now` (nothing revoked), valid for a week. Long-term
    /// validators (pyHanko, ETSI EN 319 102-1) want revocation data for the TSA certificate
    /// too; the signer embeds this in the DSS. The CA key is unsealed only for this. Refused
    /// ([`TsaError::ExternalCa`]) when an external CA certified the TSA.
    pub fn crl(
        &self,
        data: &Path,
        sealing_key: &SealingKey,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, TsaError> {
        if self.external {
            return Err(TsaError::ExternalCa);
        }
        let path = Self::dir(data).join("ca.key.sealed");
        let sealed = std::fs::read(&path).map_err(|e| io(&path, e))?;
        let ca_key = RsaPrivateKey::unseal(sealing_key, CA_KEY_LABEL, &sealed)?;
        let issuer = akashi_jpki::JpkiCertificate::from_der(&self.ca_certificate)?;
        let unsigned = build_crl(&CrlParams {
            issuer: &issuer,
            this_update: now,
            next_update: now + Duration::days(7),
            crl_number: u64::try_from(now.unix_timestamp()).unwrap_or(0),
            entries: &[],
        })
        .map_err(|e| TsaError::Revocation(e.to_string()))?;
        let signature = ca_key.sign_pkcs1_sha256(unsigned.to_be_signed())?;
        unsigned
            .complete(&signature)
            .map_err(|e| TsaError::Revocation(e.to_string()))
    }
}

pub(crate) fn pem(der: &[u8]) -> Result<String, TsaError> {
    let cert = Certificate::from_der(der)?;
    Ok(cert.to_pem(der::pem::LineEnding::LF)?)
}
