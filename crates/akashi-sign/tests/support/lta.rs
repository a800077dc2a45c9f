//! A J-LIS, TSAs (a second generation when wanted) and a card at chosen times, for the
//! CAdES-B-LTA tests.

use cms::content_info::ContentInfo;
use cms::revocation::RevocationInfoChoice;
use cms::signed_data::SignedData;
use der::{Decode, Encode};
use sha2::Digest;
use time::{Duration, OffsetDateTime};

use akashi_card::Card;
use akashi_crypto::OsRandom;
use akashi_jlis::{Authority, Registry};
use akashi_jpki::JpkiCertificate;
use akashi_sign::{
    add_signature_timestamp, add_validation_data, prepare_cades, Anchors, Evidence, LocalJlis,
    LocalTsa,
};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

pub const CONTRACT: &[u8] = "賃貸借契約書\n第1条 甲は乙に建物を賃貸する。\n".as_bytes();
pub const YEAR: Duration = Duration::days(365);

pub struct World {
    pub dir: tempfile::TempDir,
    pub authority: Authority,
    pub registry: Registry,
    pub store: Store,
    pub anchors: Anchors,
}

impl World {
    pub async fn new(t0: OffsetDateTime) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let authority = super::jlis(dir.path(), t0);
        let store = Store::open_in_dir(dir.path()).await.unwrap();
        let mut anchors = Anchors::default();
        anchors.add(
            JpkiCertificate::from_pem_or_der(
                &std::fs::read(dir.path().join("sign-root.pem")).unwrap(),
            )
            .unwrap(),
        );
        World {
            registry: Registry::new(store.clone()),
            dir,
            authority,
            store,
            anchors,
        }
    }

    /// A TSA whose CA and 10-year certificate start at `now`, in `dir/<name>`; its root
    /// becomes a trust anchor.
    pub fn tsa(&mut self, name: &str, now: OffsetDateTime) -> Tsa {
        let data = self.dir.path().join(name);
        let tsa = Tsa::new(
            TsaAuthority::open_or_create(&data, &super::sealing_key(), now, &OsRandom).unwrap(),
        );
        self.anchors
            .add(JpkiCertificate::from_der(tsa.authority().ca_certificate()).unwrap());
        tsa
    }

    pub fn stamp<'a>(&'a self, tsa: &'a Tsa, now: OffsetDateTime) -> LocalTsa<'a> {
        LocalTsa {
            tsa,
            store: &self.store,
            now,
        }
    }

    /// J-LIS CRLs at `now`, and the validation data of `tsa` (its CA and the CA's CRL).
    pub fn services(&self, tsa: &Tsa, name: &str, now: OffsetDateTime) -> LocalJlis<'_> {
        let data = self.dir.path().join(name);
        LocalJlis {
            authority: &self.authority,
            store: &self.store,
            now,
            tsa: Evidence {
                certificates: vec![tsa.authority().ca_certificate().to_vec()],
                crls: vec![tsa
                    .authority()
                    .crl(&data, &super::sealing_key(), now)
                    .unwrap()],
                ocsp_responses: Vec::new(),
            },
        }
    }

    /// B-B, B-T and B-LT of a card signature at `t0`, timestamped by `tsa`.
    pub async fn sign(&mut self, tsa: &Tsa, t0: OffsetDateTime) -> [Vec<u8>; 3] {
        let person = super::person("高橋\u{3000}美咲", time::macros::date!(1988 - 11 - 03));
        let mut card =
            super::registered_card(&mut self.authority, &self.registry, "r1", &person, t0).await;
        let certificate = super::signature_certificate(&mut card);
        let prepared = prepare_cades(CONTRACT, &certificate, t0).unwrap();
        let signature = card.sign(prepared.to_be_signed(), super::PIN).unwrap();
        let b_b = prepared.complete(&signature).unwrap();
        let b_t = add_signature_timestamp(&b_b, &self.stamp(tsa, t0))
            .await
            .unwrap();
        let b_lt =
            add_validation_data(&b_t, &self.services(tsa, "tsa1", t0 + Duration::minutes(5)))
                .await
                .unwrap();
        [b_b, b_t, b_lt]
    }
}

pub fn digest(content: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(content).into()
}

pub fn crls(cms: &[u8]) -> Vec<Vec<u8>> {
    signed_data(cms)
        .crls
        .iter()
        .flat_map(|c| c.0.iter())
        .map(|c| match c {
            RevocationInfoChoice::Crl(crl) => crl.to_der().unwrap(),
            RevocationInfoChoice::Other(_) => unreachable!(),
        })
        .collect()
}

pub fn signed_data(cms: &[u8]) -> SignedData {
    ContentInfo::from_der(cms)
        .unwrap()
        .content
        .decode_as()
        .unwrap()
}
