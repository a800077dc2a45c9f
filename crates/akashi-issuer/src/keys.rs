//! The issuer's secrets, sealed at rest under the operator's master key: the MAC key of its
//! stateless tokens, the key that seals stored attributes, the P-256 key that signs SD-JWT
//! VCs and status lists, and the BBS key. One 96-byte seed, zeroized after use.

use std::path::Path;

use zeroize::Zeroizing;

use akashi_bbs::{SecretKey, Suite};
use akashi_crypto::{hmac_sha256, SealingKey, SecureRandom};
use akashi_sdjwt::EcPrivateKey;

use crate::IssuerError;

const LABEL: &str = "akashi/issuer/keys/v1";
/// The BBS ciphersuite of Akashi credentials.
pub const BBS_SUITE: Suite = Suite::Sha256;

pub struct IssuerKeys {
    pub(crate) mac: Zeroizing<[u8; 32]>,
    pub(crate) seal: SealingKey,
    pub(crate) sd_jwt: EcPrivateKey,
    pub(crate) bbs: SecretKey,
}

impl std::fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuerKeys(..)")
    }
}

impl IssuerKeys {
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, IssuerError> {
        let mut seed = Zeroizing::new([0u8; 96]);
        rng.fill(seed.as_mut())
            .map_err(|e| IssuerError::Keys(e.to_string()))?;
        Self::from_seed(&seed)
    }

    fn from_seed(seed: &[u8; 96]) -> Result<Self, IssuerError> {
        let part = |i: usize| {
            let mut k = [0u8; 32];
            k.copy_from_slice(&seed[32 * i..32 * (i + 1)]);
            k
        };
        // Below 2^255, so always a valid P-256 scalar.
        let mut scalar = Zeroizing::new(hmac_sha256(&seed[64..], b"akashi/issuer/p256"));
        scalar[0] &= 0x7f;
        let keys = |e: &dyn std::fmt::Display| IssuerError::Keys(e.to_string());
        Ok(Self {
            mac: Zeroizing::new(part(0)),
            seal: SealingKey::from_bytes(part(1)),
            sd_jwt: EcPrivateKey::from_scalar(scalar.as_ref()).map_err(|e| keys(&e))?,
            bbs: SecretKey::key_gen(BBS_SUITE, &seed[64..], b"akashi/issuer/bbs")
                .map_err(|e| keys(&e))?,
        })
    }

    /// Loads `path` (sealed under `master`), creating it with fresh keys the first time.
    pub fn load_or_create(
        path: &Path,
        master: &SealingKey,
        rng: &dyn SecureRandom,
    ) -> Result<Self, IssuerError> {
        let seed = master
            .load_or_create_seed::<96>(path, LABEL, rng)
            .map_err(|e| IssuerError::Keys(format!("{}: {e}", path.display())))?;
        Self::from_seed(&seed)
    }
}
