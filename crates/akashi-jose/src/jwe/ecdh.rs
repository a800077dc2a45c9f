//! ECDH-ES on P-256 in Direct Key Agreement mode (RFC 7518 §4.6): an ephemeral key from the
//! injected generator, OpenSSL's ECDH for the shared secret Z, and the Concat KDF of NIST
//! SP 800-56A §5.8.1 with SHA-256 to turn Z into the content encryption key.

use openssl::bn::{BigNum, BigNumContext};
use openssl::derive::Deriver;
use openssl::ec::{EcGroup, EcKey, EcPoint};
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private, Public};
use zeroize::Zeroizing;

use akashi_crypto::SecureRandom;

use crate::JoseError;

pub(crate) fn group() -> EcGroup {
    EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("OpenSSL knows P-256")
}

/// An OpenSSL public key from affine coordinates, after `akashi-crypto` has checked that the
/// point is on P-256 (an off-curve peer key would leak the private scalar: invalid-curve
/// attack).
pub(crate) fn public_key(x: &[u8], y: &[u8]) -> Result<EcKey<Public>, JoseError> {
    crate::jwk::checked_p256(x, y)?;
    let x = BigNum::from_slice(x).map_err(JoseError::crypto)?;
    let y = BigNum::from_slice(y).map_err(JoseError::crypto)?;
    let key = EcKey::from_public_key_affine_coordinates(&group(), &x, &y)
        .map_err(|e| JoseError::InvalidJwk(format!("EC P-256: {e}")))?;
    key.check_key()
        .map_err(|e| JoseError::InvalidJwk(format!("EC P-256: {e}")))?;
    Ok(key)
}

/// A P-256 private key from its scalar `d` (1 ≤ d < n).
pub(crate) fn private_key(d: &[u8]) -> Result<EcKey<Private>, JoseError> {
    let group = group();
    let mut ctx = BigNumContext::new().map_err(JoseError::crypto)?;
    let mut order = BigNum::new().map_err(JoseError::crypto)?;
    group
        .order(&mut order, &mut ctx)
        .map_err(JoseError::crypto)?;
    let d = BigNum::from_slice(d).map_err(JoseError::crypto)?;
    if d.num_bits() == 0 || d >= order {
        return Err(JoseError::InvalidJwk("P-256 scalar out of range".into()));
    }
    let mut public = EcPoint::new(&group).map_err(JoseError::crypto)?;
    public
        .mul_generator2(&group, &d, &mut ctx)
        .map_err(JoseError::crypto)?;
    let key = EcKey::from_private_components(&group, &d, &public).map_err(JoseError::crypto)?;
    key.check_key().map_err(JoseError::crypto)?;
    Ok(key)
}

/// A fresh P-256 key whose scalar comes from `rng` (rejection sampling below the order).
pub(crate) fn generate(rng: &dyn SecureRandom) -> Result<EcKey<Private>, JoseError> {
    loop {
        let mut d = Zeroizing::new([0u8; 32]);
        rng.fill(d.as_mut())?;
        match private_key(d.as_ref()) {
            Ok(key) => return Ok(key),
            Err(JoseError::InvalidJwk(_)) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The affine coordinates of `key`'s public point.
pub(crate) fn affine<T: openssl::pkey::HasPublic>(
    key: &EcKey<T>,
) -> Result<([u8; 32], [u8; 32]), JoseError> {
    let mut ctx = BigNumContext::new().map_err(JoseError::crypto)?;
    let (mut x, mut y) = (
        BigNum::new().map_err(JoseError::crypto)?,
        BigNum::new().map_err(JoseError::crypto)?,
    );
    key.public_key()
        .affine_coordinates(&group(), &mut x, &mut y, &mut ctx)
        .map_err(JoseError::crypto)?;
    let pad = |n: &BigNum| -> Result<[u8; 32], JoseError> {
        let v = n.to_vec_padded(32).map_err(JoseError::crypto)?;
        Ok(v.try_into().expect("32 bytes"))
    };
    Ok((pad(&x)?, pad(&y)?))
}

/// Z: the x coordinate of `ours`·`theirs`.
pub(crate) fn shared_secret(
    ours: &EcKey<Private>,
    theirs: &EcKey<Public>,
) -> Result<Zeroizing<Vec<u8>>, JoseError> {
    let ours = PKey::from_ec_key(ours.clone()).map_err(JoseError::crypto)?;
    let theirs = PKey::from_ec_key(theirs.clone()).map_err(JoseError::crypto)?;
    let mut deriver = Deriver::new(&ours).map_err(JoseError::crypto)?;
    deriver.set_peer(&theirs).map_err(JoseError::crypto)?;
    Ok(Zeroizing::new(
        deriver.derive_to_vec().map_err(JoseError::crypto)?,
    ))
}

/// The Concat KDF of RFC 7518 §4.6.2 with SHA-256: `key_len` bytes from Z for algorithm
/// `algorithm_id` (the `enc` value in Direct Key Agreement), with PartyUInfo `apu` and
/// PartyVInfo `apv`, each length-prefixed, SuppPubInfo the key length in bits, and no
/// SuppPrivInfo.
pub(crate) fn concat_kdf(
    z: &[u8],
    algorithm_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut other_info = Vec::new();
    for field in [algorithm_id.as_bytes(), apu, apv] {
        other_info.extend_from_slice(&(field.len() as u32).to_be_bytes());
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&((key_len * 8) as u32).to_be_bytes());
    let mut out = Zeroizing::new(Vec::with_capacity(key_len + 32));
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let mut round = Zeroizing::new(Vec::with_capacity(4 + z.len() + other_info.len()));
        round.extend_from_slice(&counter.to_be_bytes());
        round.extend_from_slice(z);
        round.extend_from_slice(&other_info);
        out.extend_from_slice(&akashi_crypto::sha256(&round));
        counter += 1;
    }
    out.truncate(key_len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{b64url_decode, b64url_encode};

    /// RFC 7518 Appendix C: Alice's ephemeral key, Bob's key, "Alice"/"Bob", A128GCM.
    #[test]
    fn rfc7518_appendix_c() {
        let d = |s: &str| b64url_decode(s).unwrap();
        let alice = private_key(&d("0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo")).unwrap();
        let bob = private_key(&d("VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw")).unwrap();
        let (bx, by) = affine(&bob).unwrap();
        assert_eq!(
            b64url_encode(&bx),
            "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ"
        );
        let bob_public = public_key(&bx, &by).unwrap();
        let z = shared_secret(&alice, &bob_public).unwrap();
        assert_eq!(
            z.as_slice(),
            [
                158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
                110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196
            ]
        );
        let key = concat_kdf(&z, "A128GCM", b"Alice", b"Bob", 16);
        assert_eq!(b64url_encode(&key), "VqqN6vgjbSBcIijNcacQGg");
        // Bob derives the same Z from Alice's public key.
        let (ax, ay) = affine(&alice).unwrap();
        let z_bob = shared_secret(&bob, &public_key(&ax, &ay).unwrap()).unwrap();
        assert_eq!(z_bob.as_slice(), z.as_slice());
    }

    #[test]
    fn off_curve_points_are_refused() {
        let bob =
            private_key(&b64url_decode("VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw").unwrap())
                .unwrap();
        let (x, mut y) = affine(&bob).unwrap();
        y[31] ^= 1;
        assert!(matches!(public_key(&x, &y), Err(JoseError::InvalidJwk(_))));
    }
}
