//! Akashi credentials: what a credential layer uses without knowing the maths.
//!
//! * typed messages ([`Message`]: bytes or integers, integers kept as scalars so
//!   range predicates work on them);
//! * blind issuance bound to a [`HolderSecret`] the issuer never sees (it is the
//!   holder's `prover_nym` of the pseudonym draft);
//! * presentations ([`present`](Credential::present)) with selective disclosure,
//!   a pseudonym per verifier and range predicates, verified by
//!   [`verify_presentation`](crate::verify_presentation).
//!
//! Interface: the pseudonym interface of draft-irtf-cfrg-bbs-per-verifier-linkability
//! with one nym secret, under its own identifier because its message mapping differs
//! (bytes: MapMessageToScalarAsHash; integers: the integer itself):
//! `api_id = ciphersuite_id || "H2G_TM2S_AKASHI-PSEUDONYM-V1_"`.

use crate::commitment::{Commitment, ProverBlind};
use crate::core::Signature;
use crate::curve::Scalar;
use crate::encoding::Reader;
use crate::error::Error;
use crate::keys::{PublicKey, SecretKey};
use crate::nym::{NymBbs, NymSecrets};
use crate::random::RandomScalars;
use crate::range::integer_to_scalar;
use crate::suite::Suite;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, Zeroizing};

pub(crate) const CREDENTIAL_API_SUFFIX: &[u8] = b"H2G_TM2S_AKASHI-PSEUDONYM-V1_";
pub(crate) const VERSION: u8 = 1;

pub(crate) fn interface(suite: Suite) -> NymBbs {
    NymBbs::with_api(suite, CREDENTIAL_API_SUFFIX)
}

/// One signed message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Bytes(Vec<u8>),
    /// An integer (dates as days since 1970-01-01, counts, amounts), usable in range predicates.
    Integer(i64),
}

impl Message {
    /// Bytes: MapMessageToScalarAsHash under `map_dst`; integers: the integer itself.
    fn to_scalar(&self, suite: Suite, map_dst: &[u8]) -> Scalar {
        match self {
            Message::Bytes(b) => suite.hash_to_scalar(b, map_dst),
            Message::Integer(i) => integer_to_scalar(*i),
        }
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Message::Bytes(b) => {
                out.push(0);
                out.extend_from_slice(&(b.len() as u32).to_be_bytes());
                out.extend_from_slice(b);
            }
            Message::Integer(i) => {
                out.push(1);
                out.extend_from_slice(&i.to_be_bytes());
            }
        }
    }

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Message, Error> {
        match r.u8()? {
            0 => {
                let len = r.u32()? as usize;
                Ok(Message::Bytes(r.bytes(len)?.to_vec()))
            }
            1 => Ok(Message::Integer(i64::from_be_bytes(
                r.bytes(8)?.try_into().expect("8 bytes"),
            ))),
            _ => Err(r.error("unknown message type")),
        }
    }
}

pub(crate) fn to_scalars(suite: Suite, messages: &[Message]) -> Vec<Scalar> {
    let map_dst = [
        suite.api_id(CREDENTIAL_API_SUFFIX).as_slice(),
        b"MAP_MSG_TO_SCALAR_AS_HASH_",
    ]
    .concat();
    messages
        .iter()
        .map(|m| m.to_scalar(suite, &map_dst))
        .collect()
}

/// The holder's long-term secret: every credential is bound to it, and the
/// pseudonyms derive from it. Never leaves the wallet; zeroized on drop.
pub struct HolderSecret(Scalar);

impl HolderSecret {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut s = rng.random_scalars(1);
        HolderSecret(s.pop().expect("one scalar"))
    }
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_be_bytes())
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let raw: [u8; 32] = bytes.try_into().map_err(|_| Error::Malformed {
            what: "holder secret",
            offset: 0,
            reason: "expected 32 bytes",
        })?;
        match Scalar::from_be_bytes(&raw) {
            Some(s) if !s.is_zero() => Ok(HolderSecret(s)),
            _ => Err(Error::Malformed {
                what: "holder secret",
                offset: 0,
                reason: "not in 1..r-1",
            }),
        }
    }
}

impl Drop for HolderSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The issuer's contribution to the holder's nym secret. Reuse the same value for
/// one holder's renewals to keep that holder's pseudonyms stable across renewals.
#[derive(Clone)]
pub struct NymEntropy(pub(crate) Scalar);

impl NymEntropy {
    pub fn random(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        NymEntropy(rng.random_scalars(1)[0])
    }
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_be_bytes()
    }
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        Scalar::from_be_bytes(bytes)
            .map(NymEntropy)
            .ok_or(Error::Malformed {
                what: "nym entropy",
                offset: 0,
                reason: "not below r",
            })
    }
}

/// What the holder sends the issuer: a commitment to the holder secret, with proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuanceRequest {
    pub suite: Suite,
    pub(crate) commitment: Commitment,
}

impl IssuanceRequest {
    /// `"AKIR" || version || suite || commitment_with_proof`.
    pub fn to_bytes(&self) -> Vec<u8> {
        [
            b"AKIR".as_slice(),
            &[VERSION, self.suite.code()],
            &self.commitment.to_bytes(),
        ]
        .concat()
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let suite = header(bytes, b"AKIR", "issuance request")?;
        Ok(IssuanceRequest {
            suite,
            commitment: Commitment::from_bytes(&bytes[6..])?,
        })
    }
}

/// Checks magic and version, returns the suite.
pub(crate) fn header(bytes: &[u8], magic: &[u8; 4], what: &'static str) -> Result<Suite, Error> {
    if bytes.len() < 6 || &bytes[..4] != magic {
        return Err(Error::Malformed {
            what,
            offset: 0,
            reason: "bad magic",
        });
    }
    if bytes[4] != VERSION {
        return Err(Error::Unsupported {
            what: "encoding version",
            value: u32::from(bytes[4]),
        });
    }
    Suite::from_code(bytes[5]).ok_or(Error::Unsupported {
        what: "ciphersuite",
        value: u32::from(bytes[5]),
    })
}

/// The holder's state between request and signature.
pub struct PendingIssuance {
    suite: Suite,
    holder: Scalar,
    blind: ProverBlind,
}

impl Drop for PendingIssuance {
    fn drop(&mut self) {
        self.holder.zeroize();
    }
}

/// Holder, step 1: commit to the holder secret for the issuer.
pub fn request_issuance(
    suite: Suite,
    holder: &HolderSecret,
    rng: &mut impl RandomScalars,
) -> (IssuanceRequest, PendingIssuance) {
    let (commitment, blind) = interface(suite).commit_scalars(vec![holder.0], rng);
    (
        IssuanceRequest { suite, commitment },
        PendingIssuance {
            suite,
            holder: holder.0,
            blind,
        },
    )
}

/// What the issuer returns: the signature and its nym entropy.
#[derive(Clone)]
pub struct IssuedCredential {
    pub signature: Signature,
    pub entropy: NymEntropy,
}

/// Issuer: checks the holder's commitment and signs `messages` with it.
pub fn issue(
    sk: &SecretKey,
    request: &IssuanceRequest,
    entropy: &NymEntropy,
    header: &[u8],
    messages: &[Message],
) -> Result<IssuedCredential, Error> {
    let nym = interface(request.suite);
    let scalars = to_scalars(request.suite, messages);
    let pk = sk.public_key();
    let signature = nym.sign_scalars(
        sk,
        &pk,
        &request.commitment,
        1,
        &entropy.0,
        header,
        &scalars,
    )?;
    Ok(IssuedCredential {
        signature,
        entropy: entropy.clone(),
    })
}

impl PendingIssuance {
    /// Holder, step 2: verify the signature over exactly these messages and keep the credential.
    pub fn finish(
        self,
        pk: &PublicKey,
        issued: &IssuedCredential,
        header: &[u8],
        messages: Vec<Message>,
    ) -> Result<Credential, Error> {
        let nym = interface(self.suite);
        let scalars = to_scalars(self.suite, &messages);
        let nym_secrets = nym.verify_finalize_scalars(
            pk,
            &issued.signature,
            header,
            &scalars,
            &[],
            &[self.holder],
            &issued.entropy.0,
            &self.blind,
        )?;
        Ok(Credential {
            suite: self.suite,
            header: header.to_vec(),
            messages,
            signature: issued.signature,
            nym_secrets,
            blind: self.blind.clone(),
        })
    }
}

/// A credential in the wallet: messages, signature and the holder's secrets.
pub struct Credential {
    pub(crate) suite: Suite,
    pub(crate) header: Vec<u8>,
    pub(crate) messages: Vec<Message>,
    pub(crate) signature: Signature,
    pub(crate) nym_secrets: NymSecrets,
    pub(crate) blind: ProverBlind,
}

impl Credential {
    pub fn suite(&self) -> Suite {
        self.suite
    }
    pub fn header(&self) -> &[u8] {
        &self.header
    }
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// `"AKCR" || version || suite || I2OSP(len(header), 4) || header || I2OSP(L, 2) ||
    /// messages || signature || nym_secret || prover_blind`. Holds secrets: the
    /// wallet must store it encrypted.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        out.extend_from_slice(b"AKCR");
        out.extend_from_slice(&[VERSION, self.suite.code()]);
        out.extend_from_slice(&(self.header.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.header);
        out.extend_from_slice(&(self.messages.len() as u16).to_be_bytes());
        self.messages.iter().for_each(|m| m.encode(&mut out));
        out.extend_from_slice(&self.signature.to_bytes());
        out.extend_from_slice(&self.nym_secrets.0[0].to_be_bytes());
        out.extend_from_slice(&self.blind.0.to_be_bytes());
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let suite = header(bytes, b"AKCR", "credential")?;
        let mut r = Reader::new(bytes, "credential");
        r.bytes(6)?;
        let header_len = r.u32()? as usize;
        let header = r.bytes(header_len)?.to_vec();
        let count = r.u16()? as usize;
        let messages = (0..count)
            .map(|_| Message::decode(&mut r))
            .collect::<Result<Vec<_>, _>>()?;
        let signature = Signature::from_bytes(r.bytes(Signature::LEN)?)?;
        let nym = r.scalar()?;
        let blind = ProverBlind(r.scalar()?);
        r.finish()?;
        Ok(Credential {
            suite,
            header,
            messages,
            signature,
            nym_secrets: NymSecrets(vec![nym]),
            blind,
        })
    }
}
