//! The two BLS12-381 ciphersuites of draft-irtf-cfrg-bbs-signatures §6.2 and the
//! hashing they define: expand_message (RFC 9380 §5.3), hash_to_scalar (§4.2.2)
//! and hash_to_curve_g1.

use crate::curve::{Fp, Scalar, G1};
use sha2::{Digest, Sha256};
use sha3::digest::{ExtendableOutput, Update, XofReader};
use sha3::Shake256;
use std::sync::OnceLock;

/// `expand_len = ceil((ceil(log2(r)) + k) / 8)` for both suites.
pub const EXPAND_LEN: usize = 48;
pub const SCALAR_LEN: usize = 32;
pub const POINT_LEN: usize = 48;

/// A BBS ciphersuite over BLS12-381.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Suite {
    /// BLS12-381-SHA-256: expand_message_xmd with SHA-256.
    Sha256,
    /// BLS12-381-SHAKE-256: expand_message_xof with SHAKE-256.
    Shake256,
}

impl Suite {
    pub const ALL: [Suite; 2] = [Suite::Sha256, Suite::Shake256];

    /// `ciphersuite_id` (§6.2.1 / §6.2.2).
    pub fn id(self) -> &'static [u8] {
        match self {
            Suite::Sha256 => b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_",
            Suite::Shake256 => b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_",
        }
    }

    /// The api_id of an interface: `ciphersuite_id || suffix`, e.g. "H2G_HM2S_".
    pub fn api_id(self, suffix: &[u8]) -> Vec<u8> {
        [self.id(), suffix].concat()
    }

    /// The short name used in fixture paths and encodings.
    pub fn name(self) -> &'static str {
        match self {
            Suite::Sha256 => "bls12-381-sha-256",
            Suite::Shake256 => "bls12-381-shake-256",
        }
    }

    /// One-byte code used in Akashi's versioned encodings.
    pub fn code(self) -> u8 {
        match self {
            Suite::Sha256 => 1,
            Suite::Shake256 => 2,
        }
    }

    pub fn from_code(code: u8) -> Option<Suite> {
        Suite::ALL.into_iter().find(|s| s.code() == code)
    }

    /// expand_message (RFC 9380 §5.3) of the suite's hash-to-curve suite.
    pub fn expand_message(self, msg: &[u8], dst: &[u8], len: usize) -> Vec<u8> {
        match self {
            Suite::Sha256 => expand_message_xmd(msg, dst, len),
            Suite::Shake256 => expand_message_xof(msg, dst, len),
        }
    }

    /// hash_to_scalar: OS2IP(expand_message(msg, dst, 48)) mod r.
    pub fn hash_to_scalar(self, msg: &[u8], dst: &[u8]) -> Scalar {
        Scalar::from_be_bytes_reduced(&self.expand_message(msg, dst, EXPAND_LEN))
    }

    /// hash_to_curve_g1 of the suite (random-oracle encoding).
    pub fn hash_to_g1(self, msg: &[u8], dst: &[u8]) -> G1 {
        match self {
            Suite::Sha256 => G1::hash_to_curve_xmd_sha256(msg, dst),
            Suite::Shake256 => {
                // hash_to_field with count 2, m 1, L 64 (Appendix A.1), then map.
                let uniform = expand_message_xof(msg, dst, 128);
                let u0 = Fp::from_be_bytes_reduced(&uniform[..64]);
                let u1 = Fp::from_be_bytes_reduced(&uniform[64..]);
                G1::map_to_curve(&u0, &u1)
            }
        }
    }

    /// The fixed point P1 (§6.2): create_generators(1) with the "BP" seed.
    pub fn p1(self) -> G1 {
        static P1: [OnceLock<G1>; 2] = [OnceLock::new(), OnceLock::new()];
        *P1[(self.code() - 1) as usize].get_or_init(|| {
            let api = self.api_id(b"H2G_HM2S_");
            let seed = [api.as_slice(), b"BP_MESSAGE_GENERATOR_SEED"].concat();
            let seed_dst = [api.as_slice(), b"SIG_GENERATOR_SEED_"].concat();
            let gen_dst = [api.as_slice(), b"SIG_GENERATOR_DST_"].concat();
            let mut v = self.expand_message(&seed, &seed_dst, EXPAND_LEN);
            v = self.expand_message(
                &[v.as_slice(), &1u64.to_be_bytes()].concat(),
                &seed_dst,
                EXPAND_LEN,
            );
            self.hash_to_g1(&v, &gen_dst)
        })
    }
}

/// RFC 9380 §5.3.1, SHA-256 (b_in_bytes 32, s_in_bytes 64).
pub fn expand_message_xmd(msg: &[u8], dst: &[u8], len: usize) -> Vec<u8> {
    let long_dst;
    let dst = if dst.len() > 255 {
        long_dst = Sha256::new()
            .chain_update(b"H2C-OVERSIZE-DST-")
            .chain_update(dst)
            .finalize();
        &long_dst[..]
    } else {
        dst
    };
    let ell = len.div_ceil(32);
    assert!(
        ell <= 255 && len <= 65535,
        "expand_message_xmd: output too long"
    );
    let dst_prime = [dst, &[dst.len() as u8]].concat();
    let b0 = Sha256::new()
        .chain_update([0u8; 64])
        .chain_update(msg)
        .chain_update((len as u16).to_be_bytes())
        .chain_update([0u8])
        .chain_update(&dst_prime)
        .finalize();
    let mut bi = Sha256::new()
        .chain_update(b0)
        .chain_update([1u8])
        .chain_update(&dst_prime)
        .finalize();
    let mut out = Vec::with_capacity(ell * 32);
    out.extend_from_slice(&bi);
    for i in 2..=ell {
        let x: Vec<u8> = b0.iter().zip(bi.iter()).map(|(a, b)| a ^ b).collect();
        bi = Sha256::new()
            .chain_update(&x)
            .chain_update([i as u8])
            .chain_update(&dst_prime)
            .finalize();
        out.extend_from_slice(&bi);
    }
    out.truncate(len);
    out
}

/// RFC 9380 §5.3.2 with SHAKE-256 (k = 128).
pub fn expand_message_xof(msg: &[u8], dst: &[u8], len: usize) -> Vec<u8> {
    assert!(len <= 65535, "expand_message_xof: output too long");
    let mut long_dst = [0u8; 64];
    let dst = if dst.len() > 255 {
        let mut h = Shake256::default();
        h.update(b"H2C-OVERSIZE-DST-");
        h.update(dst);
        h.finalize_xof().read(&mut long_dst);
        &long_dst[..]
    } else {
        dst
    };
    let mut h = Shake256::default();
    h.update(msg);
    h.update(&(len as u16).to_be_bytes());
    h.update(dst);
    h.update(&[dst.len() as u8]);
    let mut out = vec![0u8; len];
    h.finalize_xof().read(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9380 Appendix K.1, expand_message_xmd(SHA-256), DST
    /// "QUUX-V01-CS02-with-expander-SHA256-128", msg "", len 0x20.
    #[test]
    fn xmd_matches_rfc9380_vector() {
        let out = expand_message_xmd(b"", b"QUUX-V01-CS02-with-expander-SHA256-128", 0x20);
        assert_eq!(
            crate::curve::hex_string(&out),
            "68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235"
        );
    }

    /// RFC 9380 Appendix K.6, expand_message_xof(SHAKE256), DST
    /// "QUUX-V01-CS02-with-expander-SHAKE256", msg "", len 0x20.
    #[test]
    fn xof_matches_rfc9380_vector() {
        let out = expand_message_xof(b"", b"QUUX-V01-CS02-with-expander-SHAKE256", 0x20);
        assert_eq!(
            crate::curve::hex_string(&out),
            "2ffc05c48ed32b95d72e807f6eab9f7530dd1c2f013914c8fed38c5ccc15ad76"
        );
    }
}
