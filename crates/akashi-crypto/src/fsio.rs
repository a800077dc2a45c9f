//! Files at rest: atomic replacement and exclusive locks, so that a crash leaves the old or the
//! new state and two processes never interleave their read-modify-write cycles.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::CryptoError;

/// Replaces `path` with `data` so that a crash leaves either the old or the new file: write a
/// temporary file in the same directory, flush it to disk, rename it over the target, and
/// flush the directory. New files are created with mode 0600.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), CryptoError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| CryptoError::io(path, std::io::ErrorKind::InvalidInput.into()))?;
    let tmp = dir.join(format!(".{}.tmp", file_name.to_string_lossy()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| CryptoError::io(&tmp, e))?;
    file.write_all(data)
        .and_then(|()| file.sync_all())
        .map_err(|e| CryptoError::io(&tmp, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| CryptoError::io(path, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An exclusive advisory lock on `path` (created if missing), held until the value is dropped.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Waits up to `patience` for the lock; `Ok(None)` if it stayed taken.
    pub fn acquire_within(
        path: &Path,
        patience: std::time::Duration,
    ) -> Result<Option<Self>, CryptoError> {
        let give_up = std::time::Instant::now() + patience;
        loop {
            if let Some(lock) = Self::try_acquire(path)? {
                return Ok(Some(lock));
            }
            if std::time::Instant::now() >= give_up {
                return Ok(None);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Takes the lock if it is free; `Ok(None)` if another holder has it.
    pub fn try_acquire(path: &Path) -> Result<Option<Self>, CryptoError> {
        let file = open_lock_file(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(CryptoError::io(path, e)),
        }
    }
}

fn open_lock_file(path: &Path) -> Result<File, CryptoError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| CryptoError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_not_granted_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = FileLock::try_acquire(&path).unwrap().unwrap();
        assert!(FileLock::try_acquire(&path).unwrap().is_none());
        let waited = FileLock::acquire_within(&path, std::time::Duration::from_millis(50)).unwrap();
        assert!(waited.is_none());
        drop(held);
        assert!(FileLock::try_acquire(&path).unwrap().is_some());
    }

    #[test]
    fn atomic_write_replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new state").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new state");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
