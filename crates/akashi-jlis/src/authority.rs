//! The J-LIS certificate authority: a signature CA and a user-authentication CA, each a list of
//! generations (same DN, new key, overlapping validity), kept in a data directory.
//!
//! ```text
//! DIR/jlis/state.json                    generations and serial counters
//! DIR/jlis/<kind>-gen<N>.pem             the generation's self-signed root
//! DIR/jlis/<kind>-gen<N>.key.sealed      its private key, sealed (AES-256-GCM)
//! ```
//! Every change rewrites `state.json` atomically after the files it names exist, so a crash
//! leaves the previous state or the new one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use akashi_crypto::{write_atomic, FileLock, RsaPrivateKey, SealingKey, SecureRandom};
use akashi_jpki::profile::{build_ca, CaParams, IssuerRef};
use akashi_jpki::{lifetime, CertificateKind, JpkiCertificate, SerialNumber};

use crate::JlisError;

const STATE_FILE: &str = "state.json";
const LOCK_FILE: &str = "lock";
/// How long opening waits for another process to finish with the directory.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

fn lock(dir: &Path) -> Result<FileLock, JlisError> {
    FileLock::acquire_within(&dir.join(LOCK_FILE), LOCK_PATIENCE)?
        .ok_or_else(|| JlisError::Busy(dir.display().to_string()))
}
const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct GenerationRecord {
    number: u32,
    certificate: String,
    sealed_key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CaRecord {
    generations: Vec<GenerationRecord>,
    /// The next end-entity serial number; never reused, even across a crash.
    next_serial: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct State {
    version: u32,
    signature: CaRecord,
    authentication: CaRecord,
}

impl State {
    fn ca(&self, kind: CertificateKind) -> &CaRecord {
        match kind {
            CertificateKind::Signature => &self.signature,
            CertificateKind::Authentication => &self.authentication,
        }
    }

    fn ca_mut(&mut self, kind: CertificateKind) -> &mut CaRecord {
        match kind {
            CertificateKind::Signature => &mut self.signature,
            CertificateKind::Authentication => &mut self.authentication,
        }
    }
}

/// One generation of a CA: its root certificate; the key stays sealed on disk until it signs.
#[derive(Debug, Clone)]
pub struct Generation {
    pub kind: CertificateKind,
    pub number: u32,
    pub certificate: JpkiCertificate,
    sealed_key: PathBuf,
}

impl Generation {
    /// What end-entity certificates of this generation carry in their AKI.
    pub fn issuer_ref(&self) -> Result<IssuerRef, JlisError> {
        let key_id = self
            .certificate
            .subject_key_id()?
            .ok_or_else(|| JlisError::CorruptState("root without subject key identifier".into()))?;
        Ok(IssuerRef {
            name: self.certificate.subject().clone(),
            key_id,
            serial: self
                .certificate
                .certificate()
                .tbs_certificate
                .serial_number
                .clone(),
        })
    }
}

/// The J-LIS authority over a data directory, opened with the key that seals its CA keys.
pub struct Authority {
    dir: PathBuf,
    sealing_key: SealingKey,
    state: State,
    /// Held while the authority is open: one process at a time changes the CA state.
    _lock: FileLock,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn jlis_dir(data: &Path) -> PathBuf {
    data.join("jlis")
}

fn key_label(kind: CertificateKind, number: u32) -> String {
    format!("akashi/jlis/{kind}-ca/gen{number}")
}

impl Authority {
    /// Creates both CAs (generation 1) in `data`, valid from `now`.
    pub fn init(
        data: &Path,
        sealing_key: SealingKey,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Self, JlisError> {
        let dir = jlis_dir(data);
        std::fs::create_dir_all(&dir).map_err(|e| JlisError::io(&dir, e))?;
        let lock = lock(&dir)?;
        if dir.join(STATE_FILE).exists() {
            return Err(JlisError::AlreadyInitialised(data.display().to_string()));
        }
        let empty = || CaRecord {
            generations: Vec::new(),
            next_serial: 0,
        };
        let mut authority = Self {
            dir,
            sealing_key,
            state: State {
                version: STATE_VERSION,
                signature: empty(),
                authentication: empty(),
            },
            _lock: lock,
        };
        for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
            // Start serials at a random 31-bit value so that two authorities do not collide.
            let mut start = [0u8; 4];
            rng.fill(&mut start)?;
            authority.state.ca_mut(kind).next_serial =
                u64::from(u32::from_be_bytes(start) >> 1).max(1);
            authority.add_generation(kind, now)?;
        }
        Ok(authority)
    }

    /// Opens an initialised data directory.
    pub fn open(data: &Path, sealing_key: SealingKey) -> Result<Self, JlisError> {
        let dir = jlis_dir(data);
        if !dir.is_dir() {
            return Err(JlisError::NotInitialised(data.display().to_string()));
        }
        let lock = lock(&dir)?;
        let path = dir.join(STATE_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(JlisError::NotInitialised(data.display().to_string()))
            }
            Err(e) => return Err(JlisError::io(&path, e)),
        };
        let state: State =
            serde_json::from_slice(&bytes).map_err(|e| JlisError::CorruptState(e.to_string()))?;
        if state.version != STATE_VERSION {
            return Err(JlisError::CorruptState(format!(
                "unsupported state version {}",
                state.version
            )));
        }
        Ok(Self {
            dir,
            sealing_key,
            state,
            _lock: lock,
        })
    }

    /// Starts a new generation of `kind`'s CA: a new key under the same DN, valid from `now`
    /// for ten years, overlapping the generations before it.
    pub fn add_generation(
        &mut self,
        kind: CertificateKind,
        now: OffsetDateTime,
    ) -> Result<Generation, JlisError> {
        let number = self
            .state
            .ca(kind)
            .generations
            .last()
            .map_or(1, |g| g.number + 1);
        let key = RsaPrivateKey::generate()?;
        let serial = self.take_serial(kind);
        let unsigned = build_ca(&CaParams {
            kind,
            serial,
            not_before: now,
            not_after: lifetime::ca_not_after(now),
            public_key_der: &key.public_key_der()?,
        })?;
        let signature = key.sign_pkcs1_sha256(unsigned.to_be_signed())?;
        let certificate = JpkiCertificate::from_der(&unsigned.complete(&signature)?)?;
        let cert_name = format!("{kind}-gen{number}.pem");
        let key_name = format!("{kind}-gen{number}.key.sealed");
        self.write(&cert_name, certificate.to_pem().as_bytes())?;
        self.write(
            &key_name,
            &key.seal(&self.sealing_key, &key_label(kind, number))?,
        )?;
        self.state.ca_mut(kind).generations.push(GenerationRecord {
            number,
            certificate: cert_name,
            sealed_key: key_name.clone(),
        });
        self.save()?;
        Ok(Generation {
            kind,
            number,
            certificate,
            sealed_key: self.dir.join(key_name),
        })
    }

    /// All generations of `kind`'s CA, oldest first.
    pub fn generations(&self, kind: CertificateKind) -> Result<Vec<Generation>, JlisError> {
        self.state
            .ca(kind)
            .generations
            .iter()
            .map(|g| {
                let path = self.dir.join(&g.certificate);
                let pem = std::fs::read(&path).map_err(|e| JlisError::io(&path, e))?;
                Ok(Generation {
                    kind,
                    number: g.number,
                    certificate: JpkiCertificate::from_pem(&pem)?,
                    sealed_key: self.dir.join(&g.sealed_key),
                })
            })
            .collect()
    }

    /// The generation that issues at `at`: the newest one whose validity covers `at`.
    pub fn issuing_generation(
        &self,
        kind: CertificateKind,
        at: OffsetDateTime,
    ) -> Result<Generation, JlisError> {
        self.generations(kind)?
            .into_iter()
            .rev()
            .find(|g| g.certificate.not_before() <= at && at <= g.certificate.not_after())
            .ok_or(JlisError::NoValidGeneration(kind))
    }

    /// Signs `tbs` (a DER TBSCertificate) with generation `generation`'s key.
    pub(crate) fn sign_with(
        &self,
        generation: &Generation,
        tbs: &[u8],
    ) -> Result<Vec<u8>, JlisError> {
        let sealed = std::fs::read(&generation.sealed_key)
            .map_err(|e| JlisError::io(&generation.sealed_key, e))?;
        let key = RsaPrivateKey::unseal(
            &self.sealing_key,
            &key_label(generation.kind, generation.number),
            &sealed,
        )?;
        Ok(key.sign_pkcs1_sha256(tbs)?)
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    pub(crate) fn sealing_key(&self) -> &SealingKey {
        &self.sealing_key
    }

    /// Reserves the next serial number of `kind` (persisted by the caller's next save).
    pub(crate) fn take_serial(&mut self, kind: CertificateKind) -> SerialNumber {
        let ca = self.state.ca_mut(kind);
        let serial = ca.next_serial;
        ca.next_serial += 1;
        SerialNumber::from(serial)
    }

    pub(crate) fn save(&self) -> Result<(), JlisError> {
        let json = serde_json::to_vec_pretty(&self.state).expect("state serialises");
        self.write(STATE_FILE, &json)
    }

    fn write(&self, name: &str, data: &[u8]) -> Result<(), JlisError> {
        Ok(write_atomic(&self.dir.join(name), data)?)
    }
}
