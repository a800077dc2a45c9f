//! A J-LIS, a PF registered with it, and people with virtual cards, all in one process. The
//! cards are driven through their APDU interface, as an SP's app drives a real card.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use time::macros::{date, datetime};
use time::OffsetDateTime;

use akashi_card::{JpkiCard, MemoryStore, VirtualTransport};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{
    issue_card, reissue_signature, Authority, CardIssueRequest, LifeEvent, OcspResponder, Registry,
    Verifier,
};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex, TrustAnchors};
use akashi_pf::link::BoxFuture;
use akashi_pf::{InProcessJlis, PfConfig, PfKeys, PfService, ServiceProvider, WebhookSender};
use akashi_pf_protocol::{CompleteRequest, Purpose, StartRequest};
use akashi_store::Store;

pub const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);
pub const AUTH_PIN: &str = "1234";
pub const SIGN_PIN: &str = "ABC123";
pub const NEW_ADDRESS: &str = "神奈川県横浜市中区日本大通1";

pub fn hanako() -> BasicFourAttributes {
    BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: date!(1990 - 04 - 01),
        sex: Sex::Female,
    }
}

pub type TestCard = JpkiCard<VirtualTransport<MemoryStore>>;

pub struct World {
    pub dir: tempfile::TempDir,
    pub authority: Authority,
    pub registry: Registry,
    pub store: Store,
    pub pf_verifier: Verifier,
    pub anchors: TrustAnchors,
    pub ocsp: Arc<OcspResponder>,
    pub keys_path: std::path::PathBuf,
}

pub async fn world(postgres: bool, name: &str) -> Option<World> {
    let dir = tempfile::tempdir().unwrap();
    let store = if postgres {
        akashi_store::testing::fresh_postgres(name).await?
    } else {
        Store::open_in_dir(dir.path()).await.unwrap()
    };
    let authority =
        Authority::init(dir.path(), SealingKey::from_bytes([3; 32]), NOW, &OsRandom).unwrap();
    let registry = Registry::new(store.clone());
    let (pf_verifier, _) = registry
        .register_verifier("Akashi PF", NOW, &OsRandom)
        .await
        .unwrap();
    let mut anchors = TrustAnchors::default();
    for kind in [CertificateKind::Signature, CertificateKind::Authentication] {
        for g in authority.generations(kind).unwrap() {
            anchors.push(g.certificate);
        }
    }
    let ocsp = Arc::new(OcspResponder::new(
        authority.responders(NOW, &OsRandom).unwrap(),
        store.clone(),
        time::Duration::ZERO,
    ));
    let keys_path = dir.path().join("pf/keys.sealed");
    Some(World {
        dir,
        authority,
        registry,
        store,
        pf_verifier,
        anchors,
        ocsp,
        keys_path,
    })
}

impl World {
    /// A PF over this world's store (a fresh instance is a restart: same keys and data).
    pub fn pf(&self, config: PfConfig) -> PfService {
        let keys =
            PfKeys::load_or_create(&self.keys_path, &SealingKey::from_bytes([4; 32]), &OsRandom)
                .unwrap();
        let link = InProcessJlis {
            registry: self.registry.clone(),
            ocsp: self.ocsp.clone(),
            verifier: self.pf_verifier.clone(),
        };
        PfService::new(
            self.store.clone(),
            keys,
            self.anchors.clone(),
            Arc::new(link),
            config,
        )
    }

    /// Registers `resident` and issues their card.
    pub async fn enrol(&mut self, resident: &str, person: &BasicFourAttributes) -> TestCard {
        self.registry
            .add_resident(resident, person, NOW)
            .await
            .unwrap();
        let issued = issue_card(
            &mut self.authority,
            &CardIssueRequest {
                person,
                auth_pin: AUTH_PIN,
                sign_pin: SIGN_PIN,
            },
            MemoryStore::default(),
            NOW,
            &OsRandom,
        )
        .unwrap();
        let c = &issued.certificates;
        self.registry
            .record_issued(
                resident,
                &format!("card-{resident}"),
                &[(&c.signature, None), (&c.authentication, None)],
                NOW,
            )
            .await
            .unwrap();
        JpkiCard::new(VirtualTransport(issued.card))
    }

    /// A life event at the municipality.
    pub async fn event(&self, resident: &str, event: LifeEvent, at: OffsetDateTime) {
        self.registry.apply(resident, &event, at).await.unwrap();
    }

    /// Re-issues the signature certificate onto the card (after a move).
    pub async fn reissue(
        &mut self,
        resident: &str,
        card: TestCard,
        at: OffsetDateTime,
    ) -> TestCard {
        let VirtualTransport(virtual_card) = card.into_transport();
        let (card, _) = reissue_signature(
            &mut self.authority,
            &self.registry,
            resident,
            virtual_card,
            at,
            &OsRandom,
        )
        .await
        .unwrap();
        JpkiCard::new(VirtualTransport(card))
    }
}

/// What the SP's app does with the card for `purpose` (the SP library, through the card's
/// APDU interface): the signature PIN for proofing, the authentication PIN for login.
pub fn card_signs(
    card: &mut TestCard,
    purpose: Purpose,
    transaction: &str,
    to_be_signed: &str,
) -> CompleteRequest {
    let start = akashi_pf_protocol::StartResponse {
        transaction: transaction.to_owned(),
        to_be_signed: to_be_signed.to_owned(),
        expires_at: 0,
    };
    let pin = match purpose {
        Purpose::IdentityProofing => SIGN_PIN,
        Purpose::Login => AUTH_PIN,
    };
    akashi_sp::card_signs(card, purpose, &start, akashi_sp::Pin(pin)).unwrap()
}

/// Registers an SP without a webhook URL.
pub async fn register_sp(pf: &PfService, name: &str) -> ServiceProvider {
    pf.register_service_provider(name, None, NOW, &OsRandom)
        .await
        .unwrap()
        .service_provider
}

/// Start + card signature: the request an SP would send to complete.
pub fn signed_request(
    pf: &PfService,
    sp: &ServiceProvider,
    card: &mut TestCard,
    purpose: Purpose,
    subscribe: bool,
    at: OffsetDateTime,
) -> CompleteRequest {
    let start = pf
        .start(
            sp,
            &StartRequest {
                purpose,
                transaction_data: (purpose == Purpose::IdentityProofing)
                    .then(|| "普通預金口座開設申込書 2026-11-23".to_owned()),
                subscribe_updates: subscribe,
            },
            at,
            &OsRandom,
        )
        .unwrap();
    card_signs(card, purpose, &start.transaction, &start.to_be_signed)
}

/// One webhook as sent: (URL, headers, body).
pub type SentWebhook = (String, Vec<(&'static str, String)>, Vec<u8>);

/// A webhook endpoint double: records what it was sent; fails while `failing` says so.
#[derive(Default)]
pub struct RecordingSender {
    pub received: Mutex<Vec<SentWebhook>>,
    pub failing: Mutex<Vec<String>>,
}

impl WebhookSender for RecordingSender {
    fn send<'a>(
        &'a self,
        url: &'a str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> BoxFuture<'a, Result<u16, String>> {
        Box::pin(async move {
            if self.failing.lock().unwrap().iter().any(|f| f == url) {
                return Ok(503);
            }
            self.received
                .lock()
                .unwrap()
                .push((url.to_owned(), headers, body));
            Ok(204)
        })
    }
}
