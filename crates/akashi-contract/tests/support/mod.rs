//! A J-LIS, a TSA and a contract service in one temporary installation; cards issued to
//! registered residents. (The card set-up is akashi-sign's test support, shared by path.)
#![allow(dead_code)]

#[path = "../../../akashi-sign/tests/support/mod.rs"]
pub mod cards;

use time::{Duration, OffsetDateTime};

use akashi_card::{Card, CertificateSlot};
use akashi_contract::{ContractError, ContractView, Contracts, SigningSession};
use akashi_crypto::OsRandom;
use akashi_jlis::{Authority, Registry};
use akashi_jpki::JpkiCertificate;
use akashi_sign::{Anchors, Evidence, LocalJlis, LocalTsa};
use akashi_store::Store;
use akashi_tsa::{Tsa, TsaAuthority};

pub use cards::TestCard;

pub struct World {
    pub dir: tempfile::TempDir,
    pub authority: Authority,
    pub registry: Registry,
    pub tsa: Tsa,
    pub store: Store,
    pub contracts: Contracts,
    pub anchors: Anchors,
}

/// An installation set up at `then`, on `store` (SQLite in the directory when `None`).
pub async fn world(then: OffsetDateTime, store: Option<Store>) -> World {
    let dir = tempfile::tempdir().unwrap();
    let authority = cards::jlis(dir.path(), then);
    let store = match store {
        Some(s) => s,
        None => Store::open_in_dir(dir.path()).await.unwrap(),
    };
    let tsa = Tsa::new(
        TsaAuthority::open_or_create(dir.path(), &cards::sealing_key(), then, &OsRandom).unwrap(),
    );
    let mut anchors = Anchors::default();
    anchors.add(
        JpkiCertificate::from_pem_or_der(&std::fs::read(dir.path().join("sign-root.pem")).unwrap())
            .unwrap(),
    );
    anchors.add(JpkiCertificate::from_der(tsa.authority().ca_certificate()).unwrap());
    World {
        registry: Registry::new(store.clone()),
        contracts: Contracts::new(store.clone()),
        dir,
        authority,
        tsa,
        store,
        anchors,
    }
}

impl World {
    pub async fn card(&mut self, id: &str, name: &str, at: OffsetDateTime) -> TestCard {
        let person = cards::person(name, time::macros::date!(1980 - 04 - 01));
        cards::registered_card(&mut self.authority, &self.registry, id, &person, at).await
    }

    pub fn local_tsa(&self, at: OffsetDateTime) -> LocalTsa<'_> {
        LocalTsa {
            tsa: &self.tsa,
            store: &self.store,
            now: at,
        }
    }

    /// J-LIS CRLs and the TSA CA's CRL as of `at`.
    pub fn validation_source(&self, at: OffsetDateTime) -> LocalJlis<'_> {
        LocalJlis {
            authority: &self.authority,
            store: &self.store,
            now: at,
            tsa: Evidence {
                certificates: vec![self.tsa.authority().ca_certificate().to_vec()],
                crls: vec![self
                    .tsa
                    .authority()
                    .crl(self.dir.path(), &cards::sealing_key(), at)
                    .unwrap()],
                ocsp_responses: Vec::new(),
            },
        }
    }

    /// Both phases with `card`: begin with its signature certificate, the card signs,
    /// complete.
    pub async fn sign(
        &self,
        card: &mut TestCard,
        invitation: &str,
        at: OffsetDateTime,
    ) -> Result<ContractView, ContractError> {
        let certificate = cards::signature_certificate(card);
        let session = self
            .contracts
            .begin_signing(invitation, &certificate, at)
            .await?;
        self.finish(card, session, at).await
    }

    pub async fn finish(
        &self,
        card: &mut TestCard,
        session: SigningSession,
        at: OffsetDateTime,
    ) -> Result<ContractView, ContractError> {
        let signature = card.sign(session.to_be_signed(), cards::PIN).unwrap();
        self.contracts
            .complete_signing(
                session,
                &signature,
                &self.local_tsa(at),
                &self.validation_source(at + Duration::seconds(1)),
                &self.anchors,
                at + Duration::seconds(2),
            )
            .await
    }

    pub fn authentication_certificate(card: &mut TestCard) -> Vec<u8> {
        card.read_certificate(CertificateSlot::Authentication, None)
            .unwrap()
    }
}
