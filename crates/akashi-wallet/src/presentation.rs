//! Answering an OpenID4VP request: a [`Plan`] says exactly what would go to whom (claims,
//! predicates, pseudonym), the holder approves or refuses, and the VP token is posted to the
//! verifier's Response URI. Nothing is disclosed on refusal or when the request cannot be
//! satisfied; each SD-JWT presentation uses the copy (and key) reserved for that verifier.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use akashi_bbs::{Credential, PublicKey};
use akashi_credential::{bbs_claim_index, bbs_meta, bbs_request, parse_date, BBS_PROFILE};
use akashi_crypto::SecureRandom;
use akashi_oid4vc::bbs::BbsPresentation;
use akashi_oid4vc::dcql::{dotted, sd_jwt_accepts, CredentialQuery};
use akashi_oid4vc::vp::{AuthorizationRequest, AuthorizationResponse, VpToken};
use akashi_oid4vc::{FORMAT_AKASHI_BBS, FORMAT_SD_JWT_VC};
use akashi_sdjwt::{present, KeyBinding};

use crate::rng::Rng;
use crate::{http, DisclosureRecord, StoredCredential, Wallet, WalletError};

/// One credential query answered from one credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    pub query_id: String,
    pub credential_id: String,
    pub format: String,
    /// Claim paths disclosed (dotted).
    pub claims: Vec<String>,
    /// Predicates proven without disclosing the value (`birthdate <= 2006-11-23`).
    pub predicates: Vec<String>,
    /// A pseudonym for this verifier is part of every BBS presentation.
    pub pseudonym: bool,
}

/// What answering the request would disclose, and to whom.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub request: AuthorizationRequest,
    pub items: Vec<PlanItem>,
}

impl Plan {
    /// The words the holder approves.
    pub fn describe(&self) -> String {
        let mut out = format!("{} asks for:\n", self.request.client_id);
        for item in &self.items {
            out.push_str(&format!(
                "  from {} ({})\n",
                item.credential_id, item.format
            ));
            for c in &item.claims {
                out.push_str(&format!("    disclose {c}\n"));
            }
            for p in &item.predicates {
                out.push_str(&format!("    prove {p} (the value stays hidden)\n"));
            }
            if item.pseudonym {
                out.push_str("    a pseudonym for this verifier only\n");
            }
        }
        out
    }
}

fn usable(c: &StoredCredential, now: i64) -> bool {
    !c.anchor_revoked && c.expires_at.is_none_or(|e| e > now)
}

fn plan_item(
    query: &CredentialQuery,
    c: &StoredCredential,
    client_id: &str,
) -> Result<PlanItem, String> {
    match query.format.as_str() {
        FORMAT_SD_JWT_VC => {
            let paths = query
                .select(&c.format, &c.kind, &c.claims, sd_jwt_accepts)
                .map_err(|e| e.to_string())?;
            if c.fresh_copies() == 0 && !c.has_copy_for(client_id) {
                return Err("no fresh copy left".into());
            }
            Ok(PlanItem {
                query_id: query.id.clone(),
                credential_id: c.id.clone(),
                format: c.format.clone(),
                claims: paths.iter().map(|p| dotted(p)).collect(),
                predicates: Vec::new(),
                pseudonym: false,
            })
        }
        FORMAT_AKASHI_BBS => {
            let meta = bbs_meta(query).map_err(|e| e.to_string())?;
            let paths = query
                .select(&c.format, &c.kind, &c.claims, |_, kind| {
                    meta.profile_values.iter().any(|p| p == kind)
                })
                .map_err(|e| e.to_string())?;
            for p in &paths {
                bbs_claim_index(p).map_err(|e| e.to_string())?;
            }
            for p in &meta.predicates {
                let value = c.claims[&p.claim].as_str().and_then(parse_date);
                let holds = match (
                    value,
                    p.lte.as_deref().and_then(parse_date),
                    p.gte.as_deref().and_then(parse_date),
                ) {
                    (Some(v), Some(bound), None) => v <= bound,
                    (Some(v), None, Some(bound)) => v >= bound,
                    _ => false,
                };
                if !holds {
                    return Err(format!("the predicate {} does not hold", p.describe()));
                }
            }
            Ok(PlanItem {
                query_id: query.id.clone(),
                credential_id: c.id.clone(),
                format: c.format.clone(),
                claims: paths.iter().map(|p| dotted(p)).collect(),
                predicates: meta.predicates.iter().map(|p| p.describe()).collect(),
                pseudonym: true,
            })
        }
        other => Err(format!("format {other} is not supported")),
    }
}

/// Parses the request and finds a credential for every query, or says why it cannot.
pub fn plan(wallet: &Wallet, request_uri: &str, now: i64) -> Result<Plan, WalletError> {
    let request = AuthorizationRequest::parse(request_uri)
        .map_err(|e| WalletError::BadRequest(e.to_string()))?;
    let mut items = Vec::new();
    for query in &request.dcql_query.credentials {
        let mut why = format!("no credential of format {}", query.format);
        let found = wallet
            .credentials()
            .iter()
            .filter(|c| c.format == query.format && usable(c, now))
            .find_map(|c| match plan_item(query, c, &request.client_id) {
                Ok(item) => Some(item),
                Err(e) => {
                    why = e;
                    None
                }
            });
        match found {
            Some(item) => items.push(item),
            None => {
                return Err(WalletError::Unsatisfiable(format!(
                    "query {}: {why}",
                    query.id
                )))
            }
        }
    }
    Ok(Plan { request, items })
}

/// Tells the verifier the holder refused (`access_denied`); nothing is disclosed.
pub async fn refuse(client: &reqwest::Client, plan: &Plan, why: &str) -> Result<(), WalletError> {
    let response = AuthorizationResponse {
        vp_token: None,
        state: Some(plan.request.state.clone()),
        error: Some("access_denied".into()),
        error_description: Some(why.to_owned()),
    };
    http::post_form(client, &plan.request.response_uri, response.to_form()).await?;
    Ok(())
}

/// Builds the approved presentations into the Authorization Response [`respond`] posts,
/// without posting it or recording the disclosure (an SD-JWT copy is reserved for the
/// verifier, as in `respond`).
pub fn build_response(
    wallet: &mut Wallet,
    plan: &Plan,
    now: i64,
    rng: &dyn SecureRandom,
) -> Result<AuthorizationResponse, WalletError> {
    let request = &plan.request;
    let audience = request.client_id.as_str();
    let mut token = VpToken::new();
    for item in &plan.items {
        let query = request
            .dcql_query
            .credentials
            .iter()
            .find(|q| q.id == item.query_id)
            .expect("the plan answers the request's queries");
        let presentation = match item.format.as_str() {
            FORMAT_SD_JWT_VC => {
                let copy = wallet.copy_for(&item.credential_id, audience)?;
                let key = wallet.copy_key(&item.credential_id, audience)?;
                let paths: Vec<&str> = item.claims.iter().map(String::as_str).collect();
                let binding = KeyBinding {
                    key: &key,
                    audience,
                    nonce: &request.nonce,
                    issued_at: now,
                };
                Value::String(
                    present(&copy, &paths, Some(&binding))
                        .map_err(|e| WalletError::BadCredential(e.to_string()))?,
                )
            }
            _ => {
                let c = wallet.credential(&item.credential_id)?;
                let bad = |e: &dyn std::fmt::Display| WalletError::BadCredential(e.to_string());
                let encoded = STANDARD
                    .decode(c.bbs_encoding().unwrap_or_default())
                    .map_err(|e| bad(&e))?;
                let credential = Credential::from_bytes(&encoded).map_err(|e| bad(&e))?;
                let pk_bytes = URL_SAFE_NO_PAD
                    .decode(c.issuer_key.as_str().unwrap_or_default())
                    .map_err(|e| bad(&e))?;
                let pk = PublicKey::from_bytes(&pk_bytes).map_err(|e| bad(&e))?;
                let bbs = bbs_request(query, audience, &request.nonce).map_err(|e| bad(&e))?;
                let proof = credential
                    .present(&pk, &bbs, &mut Rng(rng))
                    .map_err(|e| bad(&e))?;
                serde_json::to_value(BbsPresentation {
                    iss: c.issuer.clone(),
                    profile: BBS_PROFILE.into(),
                    proof: URL_SAFE_NO_PAD.encode(proof.to_bytes()),
                })
                .map_err(|e| bad(&e))?
            }
        };
        token.insert(item.query_id.clone(), vec![presentation]);
    }
    Ok(AuthorizationResponse {
        vp_token: Some(serde_json::to_string(&token).map_err(|e| WalletError::Io(e.to_string()))?),
        state: Some(request.state.clone()),
        error: None,
        error_description: None,
    })
}

/// Builds the approved presentations, posts them, and records the disclosure.
pub async fn respond(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    plan: &Plan,
    now: i64,
    rng: &dyn SecureRandom,
) -> Result<Value, WalletError> {
    let request = &plan.request;
    let audience = request.client_id.as_str();
    let response = build_response(wallet, plan, now, rng)?;
    let (_, answer) = http::post_form(client, &request.response_uri, response.to_form()).await?;
    for item in &plan.items {
        let mut disclosed = item.claims.clone();
        disclosed.extend(item.predicates.iter().cloned());
        if item.pseudonym {
            disclosed.push("pseudonym".into());
        }
        wallet.record_disclosure(DisclosureRecord {
            verifier: audience.to_owned(),
            credential: item.credential_id.clone(),
            disclosed,
            at: now,
        })?;
    }
    Ok(if answer.is_null() { json!({}) } else { answer })
}
