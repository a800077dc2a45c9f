//! The issuer service: configuration, keys, the J-LIS link, and the metadata it publishes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use time::Duration;

use akashi_credential::{BBS_PROFILE, DISCLOSABLE, VCT};
use akashi_jpki::TrustAnchors;
use akashi_oid4vc::vci::{
    AuthorizationServerMetadata, BatchIssuance, CredentialConfiguration, IssuerMetadata,
    GRANT_AUTHORIZATION_CODE, GRANT_PRE_AUTHORIZED, GRANT_REFRESH_TOKEN,
};
use akashi_oid4vc::{FORMAT_AKASHI_BBS, FORMAT_SD_JWT_VC};
use akashi_pf::link::JlisLink;
use akashi_pf::{certs::CertificateCache, RevocationChecker};
use akashi_store::Store;

use crate::keys::IssuerKeys;

/// The credential configuration of the SD-JWT VC.
pub const CONFIG_SD_JWT: &str = "jp-identity-sd-jwt";
/// The credential configuration of the BBS credential.
pub const CONFIG_BBS: &str = "jp-identity-bbs";

#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// The Credential Issuer Identifier, e.g. `https://id.example/issuer`; the endpoints are
    /// below it.
    pub issuer_url: String,
    /// How long an SD-JWT VC is valid.
    pub sd_jwt_validity: Duration,
    /// How long a BBS credential is valid (renewed in the background before it ends).
    pub bbs_validity_days: i64,
    /// The most key proofs (SD-JWT copies) one credential request may carry.
    pub batch_size: u32,
    pub code_ttl: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub nonce_ttl: Duration,
    /// Number of entries in the status list (indexes are drawn at random).
    pub status_list_size: usize,
    /// `ttl` of the status list token: how long verifiers may cache it.
    pub status_list_ttl: i64,
}

impl IssuerConfig {
    pub fn new(issuer_url: &str) -> Self {
        Self {
            issuer_url: issuer_url.trim_end_matches('/').to_owned(),
            sd_jwt_validity: Duration::days(365),
            bbs_validity_days: 7,
            batch_size: 10,
            code_ttl: Duration::minutes(10),
            access_token_ttl: Duration::minutes(5),
            refresh_token_ttl: Duration::days(90),
            nonce_ttl: Duration::minutes(5),
            status_list_size: 1 << 17,
            status_list_ttl: 60,
        }
    }

    pub fn endpoint(&self, name: &str) -> String {
        format!("{}/{name}", self.issuer_url)
    }

    pub fn status_list_uri(&self) -> String {
        self.endpoint("status/1")
    }
}

pub struct IssuerService {
    pub(crate) store: Store,
    pub(crate) keys: IssuerKeys,
    pub(crate) config: IssuerConfig,
    pub(crate) anchors: TrustAnchors,
    pub(crate) link: Arc<dyn JlisLink>,
    pub(crate) certificates: CertificateCache,
    pub(crate) revocation: RevocationChecker,
    /// The signed status list token and when it was made.
    pub(crate) status_token: Mutex<Option<(i64, String)>>,
}

impl IssuerService {
    pub fn new(
        store: Store,
        keys: IssuerKeys,
        config: IssuerConfig,
        anchors: TrustAnchors,
        link: Arc<dyn JlisLink>,
    ) -> Self {
        Self {
            store,
            keys,
            config,
            anchors,
            link,
            certificates: CertificateCache::default(),
            // Proofing asks J-LIS every time: it happens once per person.
            revocation: RevocationChecker::new(Duration::ZERO),
            status_token: Mutex::new(None),
        }
    }

    pub fn config(&self) -> &IssuerConfig {
        &self.config
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The public key that verifies SD-JWT VCs and status lists, as a JWK with its `kid`.
    pub fn sd_jwt_jwk(&self) -> Value {
        let mut jwk = self.keys.sd_jwt.public_key().to_jwk();
        jwk["kid"] = "sd-jwt-1".into();
        jwk["use"] = "sig".into();
        jwk["alg"] = "ES256".into();
        jwk
    }

    /// base64url of the BBS public key (96 bytes).
    pub fn bbs_public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.keys.bbs.public_key().to_bytes())
    }

    /// Credential Issuer Metadata (OpenID4VCI §12.2).
    pub fn metadata(&self) -> IssuerMetadata {
        let c = &self.config;
        let jwt_proofs = json!({ "proof_signing_alg_values_supported": ["ES256"] });
        let claims: Vec<Value> = DISCLOSABLE
            .iter()
            .map(|p| json!({ "path": p.split('.').collect::<Vec<_>>() }))
            .collect();
        let mut configurations = BTreeMap::new();
        configurations.insert(
            CONFIG_SD_JWT.to_owned(),
            CredentialConfiguration {
                format: FORMAT_SD_JWT_VC.into(),
                scope: Some("jp_identity".into()),
                vct: Some(VCT.into()),
                cryptographic_binding_methods_supported: vec!["jwk".into()],
                credential_signing_alg_values_supported: vec!["ES256".into()],
                proof_types_supported: [("jwt".to_owned(), jwt_proofs)].into_iter().collect(),
                credential_metadata: Some(json!({
                    "display": [{ "name": "本人確認済みID (JPKI)", "locale": "ja-JP" },
                                { "name": "Identity (JPKI-proofed)", "locale": "en" }],
                    "claims": claims,
                })),
                extra: Default::default(),
            },
        );
        let mut bbs_extra = serde_json::Map::new();
        bbs_extra.insert("akashi_bbs_profile".into(), BBS_PROFILE.into());
        bbs_extra.insert("akashi_bbs_public_key".into(), self.bbs_public_key().into());
        bbs_extra.insert(
            "akashi_bbs_suite".into(),
            crate::keys::BBS_SUITE.name().into(),
        );
        configurations.insert(
            CONFIG_BBS.to_owned(),
            CredentialConfiguration {
                format: FORMAT_AKASHI_BBS.into(),
                scope: Some("jp_identity_bbs".into()),
                vct: None,
                cryptographic_binding_methods_supported: vec!["akashi_bbs_holder_secret".into()],
                credential_signing_alg_values_supported: vec![],
                proof_types_supported: [(
                    "akashi_bbs_commitment".to_owned(),
                    json!({ "suite": crate::keys::BBS_SUITE.name() }),
                )]
                .into_iter()
                .collect(),
                credential_metadata: None,
                extra: bbs_extra,
            },
        );
        IssuerMetadata {
            credential_issuer: c.issuer_url.clone(),
            authorization_servers: vec![c.issuer_url.clone()],
            credential_endpoint: c.endpoint("credential"),
            nonce_endpoint: Some(c.endpoint("nonce")),
            deferred_credential_endpoint: Some(c.endpoint("deferred_credential")),
            batch_credential_issuance: Some(BatchIssuance {
                batch_size: c.batch_size,
            }),
            credential_configurations_supported: configurations,
            display: vec![json!({ "name": "Akashi private ID", "locale": "en" })],
        }
    }

    /// OAuth Authorization Server Metadata (RFC 8414) of the issuer's own AS.
    pub fn authorization_server_metadata(&self) -> AuthorizationServerMetadata {
        let c = &self.config;
        AuthorizationServerMetadata {
            issuer: c.issuer_url.clone(),
            authorization_endpoint: c.endpoint("authorize"),
            token_endpoint: c.endpoint("token"),
            response_types_supported: vec!["code".into()],
            grant_types_supported: vec![
                GRANT_AUTHORIZATION_CODE.into(),
                GRANT_PRE_AUTHORIZED.into(),
                GRANT_REFRESH_TOKEN.into(),
            ],
            code_challenge_methods_supported: vec!["S256".into()],
            pre_authorized_grant_anonymous_access_supported: true,
        }
    }

    /// SD-JWT VC Issuer Metadata (`/.well-known/jwt-vc-issuer`): the key set.
    pub fn jwt_vc_issuer_metadata(&self) -> Value {
        json!({ "issuer": self.config.issuer_url, "jwks": { "keys": [self.sd_jwt_jwk()] } })
    }
}
