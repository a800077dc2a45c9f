//! The engine's secrets, sealed at rest under the operator's master key: the key that seals
//! account claims, and the pepper of PIN verifiers (an offline guess at a stolen PIN verifier
//! needs it). One 64-byte seed, zeroized after use.

use std::path::Path;

use zeroize::Zeroizing;

use akashi_crypto::{SealingKey, SecureRandom};

use crate::error::internal;
use crate::AuthError;

const LABEL: &str = "akashi/auth/keys/v1";

pub struct AuthKeys {
    pub(crate) seal: SealingKey,
    pub(crate) pepper: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for AuthKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthKeys(..)")
    }
}

impl AuthKeys {
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, AuthError> {
        let mut seed = Zeroizing::new([0u8; 64]);
        rng.fill(seed.as_mut()).map_err(internal)?;
        Ok(Self::from_seed(&seed))
    }

    fn from_seed(seed: &[u8; 64]) -> Self {
        let mut seal = [0u8; 32];
        seal.copy_from_slice(&seed[..32]);
        let mut pepper = Zeroizing::new([0u8; 32]);
        pepper.copy_from_slice(&seed[32..]);
        Self {
            seal: SealingKey::from_bytes(seal),
            pepper,
        }
    }

    /// Loads `path` (sealed under `master`), creating it with fresh keys the first time.
    pub fn load_or_create(
        path: &Path,
        master: &SealingKey,
        rng: &dyn SecureRandom,
    ) -> Result<Self, AuthError> {
        let seed = master
            .load_or_create_seed::<64>(path, LABEL, rng)
            .map_err(|e| AuthError::Internal(format!("{}: {e}", path.display())))?;
        Ok(Self::from_seed(&seed))
    }
}
