//! The sealed wallet file and its operations.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use akashi_bbs::HolderSecret;
use akashi_crypto::{write_atomic, FileLock, SealingKey, SecureRandom};
use akashi_sdjwt::EcPrivateKey;

pub const FORMAT_SD_JWT: &str = "dc+sd-jwt";
pub const FORMAT_BBS: &str = akashi_oid4vc::FORMAT_AKASHI_BBS;

const FILE_LABEL: &str = "akashi/wallet/v1";
const P256_LABEL: &str = "akashi/wallet/holder-p256";
const BBS_LABEL: &str = "akashi/wallet/holder-bbs";
const COPY_LABEL: &str = "akashi/wallet/copy-p256";
const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    #[error("wallet {0}: already exists")]
    Exists(PathBuf),
    #[error("wallet {0}: does not exist (create it first)")]
    Missing(PathBuf),
    #[error("wallet {0}: in use by another process")]
    Busy(PathBuf),
    #[error("wallet: cannot be opened with this key, or the file is damaged")]
    Sealed,
    #[error("wallet: unsupported version {0}")]
    Version(u32),
    #[error("wallet: no credential {0}")]
    UnknownCredential(String),
    #[error("wallet: every SD-JWT copy of credential {0} is used; renew it for another verifier")]
    NoFreshCopy(String),
    #[error("wallet: {0}")]
    Io(String),
    #[error("wallet: HTTP: {0}")]
    Http(String),
    #[error("wallet: the other party refused: {0}")]
    Refused(akashi_oid4vc::OAuthError),
    #[error("wallet: the credential received does not verify: {0}")]
    BadCredential(String),
    #[error("wallet: cannot answer the request: {0}")]
    Unsatisfiable(String),
    #[error("wallet: the request is not acceptable: {0}")]
    BadRequest(String),
    #[error("wallet: the card: {0}")]
    Card(String),
}

/// One SD-JWT copy and the verifier it went to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Copy {
    sd_jwt: String,
    /// This copy's own holder key (sealed, base64), so copies share no key; `None`: the
    /// wallet's device key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    used_by: Option<String>,
}

/// A credential the wallet holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCredential {
    pub id: String,
    /// [`FORMAT_SD_JWT`] or [`FORMAT_BBS`].
    pub format: String,
    pub issuer: String,
    /// The credential type (`vct`, or the BBS profile).
    pub kind: String,
    /// SD-JWT copies (one per verifier), or the one BBS credential (base64 of its encoding).
    copies: Vec<Copy>,
    pub received_at: i64,
    pub expires_at: Option<i64>,
    /// Set when the issuer reports that the JPKI anchor was revoked: "renew your ID".
    pub anchor_revoked: bool,
    /// The OpenID4VCI credential configuration it was issued under (for renewal).
    #[serde(default)]
    pub configuration_id: Option<String>,
    /// The refresh token that renews it without the card.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Every claim the credential holds (what the wallet can disclose from it).
    #[serde(default)]
    pub claims: serde_json::Value,
    /// The issuer's public key that verifies it (JWK for SD-JWT, base64url for BBS).
    #[serde(default)]
    pub issuer_key: serde_json::Value,
}

impl StoredCredential {
    pub fn new(
        id: &str,
        format: &str,
        issuer: &str,
        kind: &str,
        copies: Vec<String>,
        received_at: i64,
        expires_at: Option<i64>,
    ) -> Self {
        Self {
            id: id.to_owned(),
            format: format.to_owned(),
            issuer: issuer.to_owned(),
            kind: kind.to_owned(),
            copies: copies
                .into_iter()
                .map(|sd_jwt| Copy {
                    sd_jwt,
                    key: None,
                    used_by: None,
                })
                .collect(),
            received_at,
            expires_at,
            anchor_revoked: false,
            configuration_id: None,
            refresh_token: None,
            claims: serde_json::Value::Null,
            issuer_key: serde_json::Value::Null,
        }
    }

    /// Gives copy `i` its own sealed holder key (from [`Wallet::seal_copy_key`]).
    pub fn set_copy_key(&mut self, i: usize, sealed: String) {
        if let Some(c) = self.copies.get_mut(i) {
            c.key = Some(sealed);
        }
    }

    /// Whether `verifier` already has its copy.
    pub fn has_copy_for(&self, verifier: &str) -> bool {
        self.copies
            .iter()
            .any(|c| c.used_by.as_deref() == Some(verifier))
    }

    /// The single stored value of a BBS credential (base64 of its encoding).
    pub fn bbs_encoding(&self) -> Option<&str> {
        (self.format == FORMAT_BBS)
            .then(|| self.copies.first().map(|c| c.sd_jwt.as_str()))
            .flatten()
    }

    /// The SD-JWT copies as issued (each bound to its own key), used or not.
    pub fn sd_jwt_copies(&self) -> Vec<&str> {
        match self.format.as_str() {
            FORMAT_BBS => Vec::new(),
            _ => self.copies.iter().map(|c| c.sd_jwt.as_str()).collect(),
        }
    }

    /// Copies not yet presented to any verifier.
    pub fn fresh_copies(&self) -> usize {
        self.copies.iter().filter(|c| c.used_by.is_none()).count()
    }
}

/// A consent the holder gave (to an issuer for attribute updates, to a verifier for a claim set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub party: String,
    pub scope: String,
    pub granted: bool,
    pub at: i64,
}

/// What was disclosed to whom, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    pub verifier: String,
    pub credential: String,
    /// Claim paths disclosed and predicates proven (e.g. `age_equal_or_over.20`,
    /// `birthdate <= 2006-11-23`).
    pub disclosed: Vec<String>,
    pub at: i64,
}

#[derive(Serialize, Deserialize)]
struct WalletFile {
    version: u32,
    /// Sealed again under the wallet key, so the plaintext of the file holds no key bytes.
    holder_p256: String,
    holder_bbs: String,
    credentials: Vec<StoredCredential>,
    consents: Vec<Consent>,
    history: Vec<DisclosureRecord>,
}

/// An open wallet (locked until dropped).
pub struct Wallet {
    path: PathBuf,
    key: SealingKey,
    file: WalletFile,
    holder_p256: EcPrivateKey,
    holder_bbs: HolderSecret,
    _lock: FileLock,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wallet({})", self.path.display())
    }
}

fn io(e: impl std::fmt::Display) -> WalletError {
    WalletError::Io(e.to_string())
}

fn lock(path: &Path) -> Result<FileLock, WalletError> {
    let lock_path = path.with_extension("lock");
    FileLock::acquire_within(&lock_path, Duration::from_secs(2))
        .map_err(io)?
        .ok_or_else(|| WalletError::Busy(path.to_path_buf()))
}

impl Wallet {
    /// Creates a wallet at `path` with fresh holder keys.
    pub fn create(
        path: &Path,
        key: SealingKey,
        rng: &dyn SecureRandom,
    ) -> Result<Self, WalletError> {
        let guard = lock(path)?;
        if path.exists() {
            return Err(WalletError::Exists(path.to_path_buf()));
        }
        let holder_p256 = EcPrivateKey::generate(rng).map_err(io)?;
        // A uniform scalar by rejection: 32 random bytes (top bits cleared) below the order.
        let holder_bbs = loop {
            let mut seed = Zeroizing::new([0u8; 32]);
            rng.fill(seed.as_mut()).map_err(io)?;
            seed[0] &= 0x7f;
            if let Ok(secret) = HolderSecret::from_bytes(seed.as_ref()) {
                break secret;
            }
        };
        let file = WalletFile {
            version: VERSION,
            holder_p256: STANDARD.encode(holder_p256.seal(&key, P256_LABEL).map_err(io)?),
            holder_bbs: STANDARD.encode(
                key.seal(BBS_LABEL, holder_bbs.to_bytes().as_ref())
                    .map_err(io)?,
            ),
            credentials: Vec::new(),
            consents: Vec::new(),
            history: Vec::new(),
        };
        let wallet = Self {
            path: path.to_path_buf(),
            key,
            file,
            holder_p256,
            holder_bbs,
            _lock: guard,
        };
        wallet.save()?;
        Ok(wallet)
    }

    /// Opens the wallet at `path` with `key`.
    pub fn open(path: &Path, key: SealingKey) -> Result<Self, WalletError> {
        let guard = lock(path)?;
        let sealed = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => WalletError::Missing(path.to_path_buf()),
            _ => io(e),
        })?;
        let plain = key
            .open(FILE_LABEL, &sealed)
            .map_err(|_| WalletError::Sealed)?;
        let file: WalletFile = serde_json::from_slice(&plain).map_err(|_| WalletError::Sealed)?;
        if file.version != VERSION {
            return Err(WalletError::Version(file.version));
        }
        let unb64 = |s: &str| STANDARD.decode(s).map_err(|_| WalletError::Sealed);
        let holder_p256 = EcPrivateKey::unseal(&key, P256_LABEL, &unb64(&file.holder_p256)?)
            .map_err(|_| WalletError::Sealed)?;
        let bbs = key
            .open(BBS_LABEL, &unb64(&file.holder_bbs)?)
            .map_err(|_| WalletError::Sealed)?;
        let holder_bbs = HolderSecret::from_bytes(&bbs).map_err(|_| WalletError::Sealed)?;
        Ok(Self {
            path: path.to_path_buf(),
            key,
            file,
            holder_p256,
            holder_bbs,
            _lock: guard,
        })
    }

    /// Writes the wallet: sealed, then atomically replacing the old file.
    pub fn save(&self) -> Result<(), WalletError> {
        let plain = Zeroizing::new(serde_json::to_vec(&self.file).map_err(io)?);
        let sealed = self.key.seal(FILE_LABEL, &plain).map_err(io)?;
        write_atomic(&self.path, &sealed).map_err(io)
    }

    pub fn holder_key(&self) -> &EcPrivateKey {
        &self.holder_p256
    }

    /// A fresh P-256 holder key for one SD-JWT copy, and its sealed form for the file.
    pub fn new_copy_key(
        &self,
        rng: &dyn SecureRandom,
    ) -> Result<(EcPrivateKey, String), WalletError> {
        let key = EcPrivateKey::generate(rng).map_err(io)?;
        let sealed = STANDARD.encode(key.seal(&self.key, COPY_LABEL).map_err(io)?);
        Ok((key, sealed))
    }

    /// The holder key of the copy `verifier` got from [`Wallet::copy_for`].
    pub fn copy_key(&self, credential: &str, verifier: &str) -> Result<EcPrivateKey, WalletError> {
        let c = self
            .file
            .credentials
            .iter()
            .find(|c| c.id == credential)
            .ok_or_else(|| WalletError::UnknownCredential(credential.to_owned()))?;
        let copy = c
            .copies
            .iter()
            .find(|k| k.used_by.as_deref() == Some(verifier))
            .ok_or_else(|| WalletError::UnknownCredential(credential.to_owned()))?;
        match &copy.key {
            None => EcPrivateKey::unseal(
                &self.key,
                P256_LABEL,
                &self.unseal_b64(&self.file.holder_p256)?,
            )
            .map_err(|_| WalletError::Sealed),
            Some(sealed) => EcPrivateKey::unseal(&self.key, COPY_LABEL, &self.unseal_b64(sealed)?)
                .map_err(|_| WalletError::Sealed),
        }
    }

    fn unseal_b64(&self, s: &str) -> Result<Vec<u8>, WalletError> {
        STANDARD.decode(s).map_err(|_| WalletError::Sealed)
    }

    pub fn credential(&self, id: &str) -> Result<&StoredCredential, WalletError> {
        self.file
            .credentials
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| WalletError::UnknownCredential(id.to_owned()))
    }

    /// Applies `change` to every credential; saved at once.
    pub fn update_credentials(
        &mut self,
        mut change: impl FnMut(&mut StoredCredential),
    ) -> Result<(), WalletError> {
        self.file.credentials.iter_mut().for_each(&mut change);
        self.save()
    }

    /// Removes a credential (replaced by its renewal); saved at once.
    pub fn remove_credential(&mut self, id: &str) -> Result<(), WalletError> {
        self.file.credentials.retain(|c| c.id != id);
        self.save()
    }

    pub fn bbs_holder_secret(&self) -> &HolderSecret {
        &self.holder_bbs
    }

    pub fn credentials(&self) -> &[StoredCredential] {
        &self.file.credentials
    }

    /// Adds (or replaces, on renewal) a credential; saved at once.
    pub fn put_credential(&mut self, credential: StoredCredential) -> Result<(), WalletError> {
        self.file.credentials.retain(|c| c.id != credential.id);
        self.file.credentials.push(credential);
        self.save()
    }

    /// The SD-JWT copy for `verifier`: the one it saw before, or a fresh one, now marked as
    /// its own (saved before it is returned, so a crash never hands one copy to two verifiers).
    pub fn copy_for(&mut self, credential: &str, verifier: &str) -> Result<String, WalletError> {
        let c = self
            .file
            .credentials
            .iter_mut()
            .find(|c| c.id == credential)
            .ok_or_else(|| WalletError::UnknownCredential(credential.to_owned()))?;
        if let Some(copy) = c
            .copies
            .iter()
            .find(|k| k.used_by.as_deref() == Some(verifier))
        {
            return Ok(copy.sd_jwt.clone());
        }
        let copy = c
            .copies
            .iter_mut()
            .find(|k| k.used_by.is_none())
            .ok_or_else(|| WalletError::NoFreshCopy(credential.to_owned()))?;
        copy.used_by = Some(verifier.to_owned());
        let sd_jwt = copy.sd_jwt.clone();
        self.save()?;
        Ok(sd_jwt)
    }

    /// The issuer reports that the credential's JPKI anchor was revoked.
    pub fn mark_anchor_revoked(&mut self, credential: &str) -> Result<(), WalletError> {
        let c = self
            .file
            .credentials
            .iter_mut()
            .find(|c| c.id == credential)
            .ok_or_else(|| WalletError::UnknownCredential(credential.to_owned()))?;
        c.anchor_revoked = true;
        self.save()
    }

    /// Notices for the holder: revoked anchors, and credentials expiring before `soon`.
    pub fn notices(&self, soon: i64) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.file.credentials {
            if c.anchor_revoked {
                out.push(format!(
                    "{}: your My Number Card certificate changed — renew your ID",
                    c.id
                ));
            } else if c.expires_at.is_some_and(|e| e <= soon) {
                out.push(format!("{}: expires soon — it will be renewed", c.id));
            }
        }
        out
    }

    pub fn record_consent(&mut self, consent: Consent) -> Result<(), WalletError> {
        self.file.consents.push(consent);
        self.save()
    }

    pub fn consents(&self) -> &[Consent] {
        &self.file.consents
    }

    pub fn record_disclosure(&mut self, record: DisclosureRecord) -> Result<(), WalletError> {
        self.file.history.push(record);
        self.save()
    }

    pub fn history(&self) -> &[DisclosureRecord] {
        &self.file.history
    }
}
