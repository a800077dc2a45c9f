//! Where a virtual card keeps its image: a sealed file, or memory (tests).

use std::cell::{Cell, RefCell};
use std::path::PathBuf;

use zeroize::Zeroizing;

use akashi_crypto::{write_atomic, FileLock, OsRandom, SealingKey, SecureRandom};

use crate::CardError;

const IMAGE_LABEL: &str = "akashi/virtual-card/v1";

/// Persistent storage of a card image (the card's EEPROM).
pub trait CardStore {
    /// Reads the current image.
    fn read(&self) -> Result<Zeroizing<Vec<u8>>, CardError>;
    /// Replaces the image; after `Ok` the new image survives a crash.
    fn write(&self, image: &[u8]) -> Result<(), CardError>;
    /// The key that seals the private keys inside the image.
    fn sealing_key(&self) -> &SealingKey;
}

/// A card file: the image sealed with AES-256-GCM, replaced atomically on every write, and
/// held exclusively (like a card in a reader opened in exclusive mode) while the store lives,
/// so two processes cannot interleave PIN-counter updates.
#[derive(Debug)]
pub struct SealedFileStore {
    path: PathBuf,
    key: SealingKey,
    _lock: FileLock,
}

impl SealedFileStore {
    /// Takes the card file `path` (which need not exist yet); fails if another process has it.
    pub fn open(path: PathBuf, key: SealingKey) -> Result<Self, CardError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let lock_path = path.with_file_name(format!(".{name}.lock"));
        let lock = FileLock::try_acquire(&lock_path)?.ok_or_else(|| CardError::Storage {
            path: path.display().to_string(),
            reason: "the card is in use by another process".into(),
        })?;
        Ok(Self {
            path,
            key,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn storage_error(&self, reason: impl ToString) -> CardError {
        CardError::Storage {
            path: self.path.display().to_string(),
            reason: reason.to_string(),
        }
    }
}

impl CardStore for SealedFileStore {
    fn read(&self) -> Result<Zeroizing<Vec<u8>>, CardError> {
        let sealed = std::fs::read(&self.path).map_err(|e| self.storage_error(e))?;
        self.key
            .open(IMAGE_LABEL, &sealed)
            .map_err(|e| self.storage_error(e))
    }

    fn write(&self, image: &[u8]) -> Result<(), CardError> {
        let sealed = self.key.seal(IMAGE_LABEL, image)?;
        write_atomic(&self.path, &sealed).map_err(|e| self.storage_error(e))
    }

    fn sealing_key(&self) -> &SealingKey {
        &self.key
    }
}

/// An in-memory store for tests, whose writes can be made to fail. A clone is an independent
/// copy of the card (same keys, same counters at the time of cloning).
#[derive(Clone)]
pub struct MemoryStore {
    image: RefCell<Option<Zeroizing<Vec<u8>>>>,
    key: SealingKey,
    fail_writes: Cell<bool>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        let mut key = [0u8; 32];
        OsRandom.fill(&mut key).expect("randomness");
        Self {
            image: RefCell::new(None),
            key: SealingKey::from_bytes(key),
            fail_writes: Cell::new(false),
        }
    }
}

impl MemoryStore {
    /// From now on every write fails (as a worn-out EEPROM would).
    pub fn fail_writes(&self, fail: bool) {
        self.fail_writes.set(fail);
    }
}

impl CardStore for MemoryStore {
    fn read(&self) -> Result<Zeroizing<Vec<u8>>, CardError> {
        self.image
            .borrow()
            .clone()
            .ok_or_else(|| CardError::Storage {
                path: "memory".into(),
                reason: "no card image written".into(),
            })
    }

    fn write(&self, image: &[u8]) -> Result<(), CardError> {
        if self.fail_writes.get() {
            return Err(CardError::Storage {
                path: "memory".into(),
                reason: "write failed".into(),
            });
        }
        *self.image.borrow_mut() = Some(Zeroizing::new(image.to_vec()));
        Ok(())
    }

    fn sealing_key(&self) -> &SealingKey {
        &self.key
    }
}

impl<S: CardStore + ?Sized> CardStore for &S {
    fn read(&self) -> Result<Zeroizing<Vec<u8>>, CardError> {
        (**self).read()
    }
    fn write(&self, image: &[u8]) -> Result<(), CardError> {
        (**self).write(image)
    }
    fn sealing_key(&self) -> &SealingKey {
        (**self).sealing_key()
    }
}
