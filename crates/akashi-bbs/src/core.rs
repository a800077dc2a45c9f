//! The core operations of draft-irtf-cfrg-bbs-signatures §3.6–§3.7 over scalar
//! messages and explicit generators. Interfaces (plain BBS, blind, pseudonyms)
//! choose the generators, the message mapping and the `api_id`.

use crate::curve::{bp2_prepared, prepared_pairing_product_is_one, Scalar, G1};
use crate::encoding::{Reader, Transcript};
use crate::error::Error;
use crate::generators::GeneratorList;
use crate::keys::{PublicKey, SecretKey};
use crate::suite::{Suite, POINT_LEN, SCALAR_LEN};

/// A BBS signature `(A, e)`.
///
/// ```text
/// signature_to_octets = serialize((A, e))    -- 48 + 32 octets
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signature {
    pub(crate) a: G1,
    pub(crate) e: Scalar,
}

impl Signature {
    pub const LEN: usize = POINT_LEN + SCALAR_LEN;

    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        out[..POINT_LEN].copy_from_slice(&self.a.to_bytes());
        out[POINT_LEN..].copy_from_slice(&self.e.to_be_bytes());
        out
    }

    /// octets_to_signature: length, A in G1 and not the identity, 0 < e < r.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(bytes, "signature");
        if bytes.len() != Self::LEN {
            return Err(Error::Malformed {
                what: "signature",
                offset: 0,
                reason: "expected 80 bytes",
            });
        }
        let a = r.g1()?;
        let e = r.nonzero_scalar()?;
        r.finish()?;
        Ok(Signature { a, e })
    }
}

/// calculate_domain (§4.2.3):
/// `hash_to_scalar(PK || serialize((L, Q_1, H_1..H_L)) || api_id || I2OSP(len(header), 8) || header)`.
pub(crate) fn calculate_domain(
    suite: Suite,
    pk: &PublicKey,
    q1: &G1,
    h: &[G1],
    header: &[u8],
    api_id: &[u8],
) -> Scalar {
    let mut t = Transcript::new();
    t.bytes(&pk.to_bytes()).u64(h.len() as u64).g1(q1);
    G1::batch_to_bytes(h).iter().for_each(|p| {
        t.bytes(p);
    });
    t.bytes(api_id).prefixed(header);
    suite.hash_to_scalar(t.as_bytes(), &h2s_dst(api_id))
}

pub(crate) fn h2s_dst(api_id: &[u8]) -> Vec<u8> {
    [api_id, b"H2S_"].concat()
}

/// Whether the messages of an operation are secret to the party running it
/// (a holder's hidden messages, blind and nym secrets) or public to it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Secrecy {
    Public,
    Secret,
}

/// `B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L`: constant time for
/// secret messages; with the window tables of the standard generator lists, or
/// Pippenger, for public ones.
pub(crate) fn compute_b(
    suite: Suite,
    generators: &(impl GeneratorList + ?Sized),
    domain: &Scalar,
    messages: &[Scalar],
    secrecy: Secrecy,
) -> G1 {
    let mut scalars = Vec::with_capacity(messages.len() + 2);
    scalars.push(Scalar::one());
    scalars.push(*domain);
    scalars.extend_from_slice(messages);
    if let Some(tables) = generators.tables() {
        return match secrecy {
            Secrecy::Public => tables.fixed.msm(&scalars),
            Secrecy::Secret => {
                let rows: Vec<usize> = (0..scalars.len()).collect();
                tables.ct.msm(&rows, &scalars)
            }
        };
    }
    let mut points = Vec::with_capacity(scalars.len());
    points.push(suite.p1());
    points.extend_from_slice(generators.points());
    match secrecy {
        Secrecy::Public => G1::msm_vartime(&points, &scalars),
        Secrecy::Secret => G1::msm_ct(&points, &scalars),
    }
}

fn check_lengths(generators: &[G1], messages: usize) {
    assert_eq!(
        generators.len(),
        messages + 1,
        "one generator per message plus Q_1"
    );
}

/// CoreSign (§3.6.1).
pub(crate) fn core_sign(
    suite: Suite,
    sk: &SecretKey,
    pk: &PublicKey,
    generators: &(impl GeneratorList + ?Sized),
    header: &[u8],
    messages: &[Scalar],
    api_id: &[u8],
) -> Result<Signature, Error> {
    let points = generators.points();
    check_lengths(points, messages.len());
    let domain = calculate_domain(suite, pk, &points[0], &points[1..], header, api_id);
    let mut t = Transcript::new();
    t.scalar(sk.scalar());
    messages.iter().for_each(|m| {
        t.scalar(m);
    });
    t.scalar(&domain);
    let e = suite.hash_to_scalar(t.as_bytes(), &h2s_dst(api_id));
    zeroize::Zeroize::zeroize(&mut t.into_bytes());
    let b = compute_b(suite, generators, &domain, messages, Secrecy::Public);
    finalize_sign(sk, b, e)
}

/// `A = B * (1 / (SK + e))`, refusing the degenerate cases the draft mentions.
pub(crate) fn finalize_sign(sk: &SecretKey, b: G1, e: Scalar) -> Result<Signature, Error> {
    if b.is_identity() {
        return Err(Error::Degenerate);
    }
    let inv = (*sk.scalar() + e).invert().ok_or(Error::Degenerate)?;
    let a = b.mul(&inv);
    if a.is_identity() {
        return Err(Error::Degenerate);
    }
    Ok(Signature { a, e })
}

/// CoreVerify (§3.6.2): `h(A, W) * h(A * e - B, BP2) == Identity_GT`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn core_verify(
    suite: Suite,
    pk: &PublicKey,
    signature: &Signature,
    generators: &(impl GeneratorList + ?Sized),
    header: &[u8],
    messages: &[Scalar],
    api_id: &[u8],
    secrecy: Secrecy,
) -> Result<(), Error> {
    let points = generators.points();
    check_lengths(points, messages.len());
    let domain = calculate_domain(suite, pk, &points[0], &points[1..], header, api_id);
    let b = compute_b(suite, generators, &domain, messages, secrecy);
    let lhs = signature.a.mul(&signature.e) - b;
    if prepared_pairing_product_is_one(&[(signature.a, pk.prepared()), (lhs, bp2_prepared())]) {
        Ok(())
    } else {
        Err(Error::SignatureInvalid)
    }
}

/// Each `(indexes, messages)` pair of counts must agree; the error reports the totals.
pub(crate) fn check_disclosures(pairs: &[(usize, usize)]) -> Result<(), Error> {
    if pairs.iter().any(|(i, m)| i != m) {
        return Err(Error::DisclosureMismatch {
            indexes: pairs.iter().map(|(i, _)| i).sum(),
            messages: pairs.iter().map(|(_, m)| m).sum(),
        });
    }
    Ok(())
}

/// Checks `disclosed` is strictly ascending and below `count`; returns the complement.
pub(crate) fn undisclosed_indexes(disclosed: &[usize], count: usize) -> Result<Vec<usize>, Error> {
    for w in disclosed.windows(2) {
        if w[0] >= w[1] {
            return Err(Error::IndexesNotAscending);
        }
    }
    if let Some(&index) = disclosed.iter().find(|&&i| i >= count) {
        return Err(Error::IndexOutOfRange { index, count });
    }
    let mut next = disclosed.iter().peekable();
    Ok((0..count)
        .filter(|i| {
            if next.peek() == Some(&i) {
                next.next();
                false
            } else {
                true
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undisclosed_is_the_complement() {
        assert_eq!(undisclosed_indexes(&[0, 2], 4).unwrap(), vec![1, 3]);
        assert_eq!(undisclosed_indexes(&[], 2).unwrap(), vec![0, 1]);
        assert_eq!(
            undisclosed_indexes(&[2, 1], 4),
            Err(Error::IndexesNotAscending)
        );
        assert_eq!(
            undisclosed_indexes(&[1, 1], 4),
            Err(Error::IndexesNotAscending)
        );
        assert_eq!(
            undisclosed_indexes(&[4], 4),
            Err(Error::IndexOutOfRange { index: 4, count: 4 })
        );
    }
}
