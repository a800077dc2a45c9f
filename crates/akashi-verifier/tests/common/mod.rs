//! One issuer (SD-JWT and BBS keys, a signed status list), a wallet holder, a verifier with
//! two relying parties (a shop and a city service) on a SQLite store.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use rand_core::OsRng;
use serde_json::{json, Value};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

use akashi_bbs::{
    issue as bbs_issue, request_issuance, Credential, HolderSecret, NymEntropy,
    PresentationRequest, RangePredicate, SecretKey, Suite,
};
use akashi_credential::{
    born_on_or_before, epoch_days, BbsMessage, IdentityClaims, BBS_PROFILE, DISCLOSABLE, VCT,
};
use akashi_crypto::OsRandom;
use akashi_jpki::{BasicFourAttributes, Sex};
use akashi_oid4vc::bbs::{presentation_header, BbsPresentation};
use akashi_oid4vc::dcql::DcqlQuery;
use akashi_oid4vc::vp::AuthorizationResponse;
use akashi_sdjwt::status_list::{status, status_list_token, StatusList};
use akashi_sdjwt::{issue, present, EcPrivateKey, Issuance, KeyBinding};
use akashi_store::Store;
use akashi_verifier::{
    BoxFuture, CreatedRequest, RelyingParty, StatusFetcher, TrustedIssuer, VerifierConfig,
    VerifierError, VerifierService,
};

pub const NOW: OffsetDateTime = datetime!(2026-11-23 01:00 UTC);
pub const TODAY: Date = date!(2026 - 11 - 23);
pub const ISSUER: &str = "https://issuer.akashi.example";
pub const STATUS_URI: &str = "https://issuer.akashi.example/status/1";
pub const VALID_IDX: usize = 1;
pub const REVOKED_IDX: usize = 5;
pub const SUSPENDED_IDX: usize = 6;

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Serves status list tokens from memory and counts the fetches.
#[derive(Default)]
pub struct MemoryFetcher {
    pub tokens: Mutex<HashMap<String, String>>,
    pub fetches: Mutex<usize>,
}

impl StatusFetcher for MemoryFetcher {
    fn fetch<'a>(&'a self, uri: &'a str) -> BoxFuture<'a, Result<String, VerifierError>> {
        Box::pin(async move {
            *self.fetches.lock().unwrap() += 1;
            self.tokens
                .lock()
                .unwrap()
                .get(uri)
                .cloned()
                .ok_or_else(|| VerifierError::StatusUnavailable("not found".into()))
        })
    }
}

pub struct Issuer {
    pub name: String,
    pub sd_jwt: EcPrivateKey,
    pub bbs: SecretKey,
}

impl Issuer {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            sd_jwt: EcPrivateKey::generate(&OsRandom).unwrap(),
            bbs: SecretKey::generate(Suite::Sha256, &mut OsRng),
        }
    }

    pub fn trusted(&self) -> TrustedIssuer {
        TrustedIssuer {
            issuer: self.name.clone(),
            sd_jwt_keys: vec![self.sd_jwt.public_key().to_jwk()],
            bbs_public_key: Some(b64(&self.bbs.public_key().to_bytes())),
        }
    }

    /// An SD-JWT VC for `person`, bound to `holder`, at status index `idx`.
    pub fn sd_jwt_vc(&self, person: &IdentityClaims, holder: &EcPrivateKey, idx: usize) -> String {
        let iat = NOW.unix_timestamp() - 3600;
        let mut claims = person.sd_jwt_vc_claims(&self.name, iat, iat + 365 * 86400, TODAY);
        claims.insert(
            "status".into(),
            json!({"status_list": {"idx": idx, "uri": STATUS_URI}}),
        );
        issue(
            &Issuance {
                claims,
                disclosable: DISCLOSABLE,
                decoys: 2,
                typ: "dc+sd-jwt",
                holder: Some(&holder.public_key()),
            },
            &self.sd_jwt,
            &OsRandom,
        )
        .unwrap()
    }

    /// A blind-issued BBS credential for `person`, valid until a week from today.
    pub fn bbs_credential(&self, person: &IdentityClaims) -> Credential {
        let header = BBS_PROFILE.as_bytes();
        let pk = self.bbs.public_key();
        let messages = person.bbs_messages(date!(2026 - 11 - 30));
        let holder = HolderSecret::generate(&mut OsRng);
        let (req, pending) = request_issuance(Suite::Sha256, &holder, &mut OsRng);
        let signed = bbs_issue(
            &self.bbs,
            &req,
            &NymEntropy::random(&mut OsRng),
            header,
            &messages,
        )
        .unwrap();
        pending.finish(&pk, &signed, header, messages).unwrap()
    }

    /// The status list token: VALID_IDX valid, REVOKED_IDX revoked, SUSPENDED_IDX suspended.
    pub fn status_token(&self) -> String {
        let mut list = StatusList::new(2, 64).unwrap();
        list.set(REVOKED_IDX, status::INVALID).unwrap();
        list.set(SUSPENDED_IDX, status::SUSPENDED).unwrap();
        let iat = NOW.unix_timestamp() - 60;
        status_list_token(&list, STATUS_URI, iat, iat + 86400, 300, &self.sd_jwt).unwrap()
    }
}

pub fn hanako() -> IdentityClaims {
    person(date!(1990 - 04 - 01))
}

pub fn person(born: Date) -> IdentityClaims {
    IdentityClaims::from_attributes(&BasicFourAttributes {
        name: "山田\u{3000}花子".into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: born,
        sex: Sex::Female,
    })
    .unwrap()
}

pub struct World {
    pub _dir: tempfile::TempDir,
    pub service: VerifierService,
    pub fetcher: Arc<MemoryFetcher>,
    pub issuer: Issuer,
    pub holder: EcPrivateKey,
    pub shop: RelyingParty,
    pub city: RelyingParty,
}

pub async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in_dir(dir.path()).await.unwrap();
    let issuer = Issuer::new(ISSUER);
    let fetcher = Arc::new(MemoryFetcher::default());
    fetcher
        .tokens
        .lock()
        .unwrap()
        .insert(STATUS_URI.into(), issuer.status_token());
    let service = VerifierService::new(store, VerifierConfig::default(), fetcher.clone());
    let (shop, _) = service
        .register(
            "Age-restricted shop",
            vec![issuer.trusted()],
            NOW,
            &OsRandom,
        )
        .await
        .unwrap();
    let (city, _) = service
        .register("City service", vec![issuer.trusted()], NOW, &OsRandom)
        .await
        .unwrap();
    World {
        _dir: dir,
        service,
        fetcher,
        issuer,
        holder: EcPrivateKey::generate(&OsRandom).unwrap(),
        shop,
        city,
    }
}

/// Asks `address.municipality` and `age_equal_or_over.20` of an identity SD-JWT VC.
pub fn sd_jwt_query() -> DcqlQuery {
    serde_json::from_value(json!({
        "credentials": [{
            "id": "pid",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [VCT]},
            "claims": [
                {"path": ["address", "municipality"]},
                {"path": ["age_equal_or_over", "20"]},
            ],
        }]
    }))
    .unwrap()
}

/// Asks the municipality, "20 or older today" and "still valid today" of a BBS credential.
pub fn bbs_query() -> DcqlQuery {
    serde_json::from_value(json!({
        "credentials": [{
            "id": "anon",
            "format": "akashi-bbs-1",
            "meta": {
                "profile_values": [BBS_PROFILE],
                "predicates": [
                    {"claim": "birthdate", "lte": born_on_or_before(TODAY, 20).to_string()},
                    {"claim": "valid_until", "gte": TODAY.to_string()},
                ],
            },
            "claims": [{"path": ["municipality"]}],
        }]
    }))
    .unwrap()
}

/// The holder's SD-JWT presentation for `audience` and `nonce`.
pub fn sd_jwt_presentation(
    sd_jwt: &str,
    holder: &EcPrivateKey,
    disclose: &[&str],
    audience: &str,
    nonce: &str,
) -> String {
    present(
        sd_jwt,
        disclose,
        Some(&KeyBinding {
            key: holder,
            audience,
            nonce,
            issued_at: NOW.unix_timestamp(),
        }),
    )
    .unwrap()
}

/// The wallet's side of [`bbs_query`] with the birth-date bound `cutoff`.
pub fn bbs_presentation(
    w: &World,
    credential: &Credential,
    client_id: &str,
    nonce: &str,
    cutoff: Date,
) -> Value {
    let request = PresentationRequest {
        verifier_id: client_id.as_bytes().to_vec(),
        presentation_header: presentation_header(client_id, nonce),
        disclose: vec![BbsMessage::Municipality.index()],
        predicates: vec![
            (
                BbsMessage::BirthDate.index(),
                RangePredicate::at_most(epoch_days(cutoff), 16).unwrap(),
            ),
            (
                BbsMessage::ValidUntil.index(),
                RangePredicate::at_least(epoch_days(TODAY), 16).unwrap(),
            ),
        ],
    };
    let p = credential
        .present(&w.issuer.bbs.public_key(), &request, &mut OsRng)
        .unwrap();
    serde_json::to_value(BbsPresentation {
        iss: w.issuer.name.clone(),
        profile: BBS_PROFILE.into(),
        proof: b64(&p.to_bytes()),
    })
    .unwrap()
}

/// The form a wallet posts: `vp_token` = `{id: [entry]}` and the state.
pub fn form(created: &CreatedRequest, id: &str, entry: Value) -> Vec<u8> {
    AuthorizationResponse {
        vp_token: Some(json!({ id: [entry] }).to_string()),
        state: Some(created.request.state.clone()),
        ..Default::default()
    }
    .to_form()
    .into_bytes()
}

pub async fn status_of(w: &World, rp: &RelyingParty, created: &CreatedRequest) -> String {
    w.service
        .result(rp, &created.transaction_id)
        .await
        .unwrap()
        .status
}
