//! Where the key that seals CA keys and virtual cards at rest comes from.
//!
//! In order: `AKASHI_PASSPHRASE` (scrypt-derived), the file named by `--key-file` or
//! `AKASHI_KEY_FILE`, or `~/.akashi/master.key` (created with mode 0600 on first use). The key
//! lives outside the data directory, so a copied data directory or card file reveals nothing.

use std::path::{Path, PathBuf};

use akashi_crypto::SealingKey;

use crate::CliError;

pub fn sealing_key(key_file: Option<&Path>) -> Result<SealingKey, CliError> {
    if let Ok(passphrase) = std::env::var("AKASHI_PASSPHRASE") {
        if passphrase.is_empty() {
            return Err(CliError::usage("AKASHI_PASSPHRASE is set but empty"));
        }
        return Ok(SealingKey::from_passphrase(&passphrase));
    }
    let path = match key_file {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("AKASHI_KEY_FILE") {
            Some(p) => PathBuf::from(p),
            None => default_key_file()?,
        },
    };
    Ok(SealingKey::load_or_create_key_file(&path)?)
}

fn default_key_file() -> Result<PathBuf, CliError> {
    let home = std::env::var_os("HOME").ok_or_else(|| {
        CliError::usage("HOME is not set: pass --key-file or set AKASHI_KEY_FILE")
    })?;
    Ok(PathBuf::from(home).join(".akashi").join("master.key"))
}
