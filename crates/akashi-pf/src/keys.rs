//! The PF's own secrets, sealed at rest under the operator's master key: the transaction-token
//! MAC key, the identifier key that derives per-SP identifiers, and the vault key that
//! encrypts stored certificates and SP webhook secrets.

use std::path::Path;

use zeroize::Zeroizing;

use akashi_crypto::{SealingKey, SecureRandom};

use crate::PfError;

const LABEL: &str = "akashi/pf/keys/v1";

/// The PF's keys. Never serialised except sealed; zeroized on drop.
pub struct PfKeys {
    pub(crate) token: Zeroizing<[u8; 32]>,
    pub(crate) identifier: Zeroizing<[u8; 32]>,
    pub(crate) vault: SealingKey,
}

impl std::fmt::Debug for PfKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PfKeys(..)")
    }
}

impl PfKeys {
    /// Fresh keys (for tests and `PfKeys::load_or_create`).
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, PfError> {
        let mut bytes = Zeroizing::new([0u8; 96]);
        rng.fill(bytes.as_mut())
            .map_err(|e| PfError::Keys(e.to_string()))?;
        Ok(Self::from_bytes(&bytes))
    }

    fn from_bytes(bytes: &[u8; 96]) -> Self {
        let part = |i: usize| {
            let mut k = [0u8; 32];
            k.copy_from_slice(&bytes[32 * i..32 * (i + 1)]);
            k
        };
        let vault = part(2);
        Self {
            token: Zeroizing::new(part(0)),
            identifier: Zeroizing::new(part(1)),
            vault: SealingKey::from_bytes(vault),
        }
    }

    /// Loads `path` (sealed under `master`), creating it with fresh keys the first time.
    pub fn load_or_create(
        path: &Path,
        master: &SealingKey,
        rng: &dyn SecureRandom,
    ) -> Result<Self, PfError> {
        let bytes = master
            .load_or_create_seed::<96>(path, LABEL, rng)
            .map_err(|e| PfError::Keys(format!("{}: {e}", path.display())))?;
        Ok(Self::from_bytes(&bytes))
    }
}
