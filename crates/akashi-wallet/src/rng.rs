//! The wallet's injected randomness as the `rand_core` RNG the BBS crate takes.

use akashi_crypto::SecureRandom;

pub(crate) struct Rng<'a>(pub &'a dyn SecureRandom);

impl rand_core::RngCore for Rng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // The OS random source does not fail on supported systems; a failure must not
        // silently yield predictable scalars.
        self.0.fill(dest).expect("the system random source failed");
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest).map_err(|_| {
            rand_core::Error::from(
                core::num::NonZeroU32::new(rand_core::Error::CUSTOM_START).expect("non-zero"),
            )
        })
    }
}

impl rand_core::CryptoRng for Rng<'_> {}
