//! The authorization server side of OpenID4VCI: credential offers with a pre-authorized code
//! after proofing, authorization codes (PKCE S256) after proofing in the authorization-code
//! flow, and the token endpoint (pre-authorized code, authorization code, refresh token).
//!
//! Codes and refresh tokens are random, stored as SHA-256 hashes and used once (a refresh
//! rotates); access tokens are stateless and short-lived. A refresh for a holder whose anchor
//! was revoked renews the holder from J-LIS (latest four attributes and the new serial) when
//! the holder consented and J-LIS provides them; otherwise the holder must prove with the card
//! again.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use akashi_crypto::{sha256, SecureRandom};
use akashi_jpki::CertificateKind;
use akashi_oid4vc::proofing::{AuthorizeAnswer, ProofingAnswer};
use akashi_oid4vc::vci::{
    CredentialOffer, Grants, PreAuthorizedGrant, TokenRequest, TokenResponse,
    GRANT_AUTHORIZATION_CODE, GRANT_PRE_AUTHORIZED, GRANT_REFRESH_TOKEN,
};
use akashi_store::{IssuerGrantRecord, IssuerHolderRecord, Txn};

use crate::proofing::{AuthorizationRequest, Proofed};
use crate::tokens::{self, ACCESS};
use crate::{IssuerError, IssuerService, CONFIG_BBS, CONFIG_SD_JWT};

const PRE_AUTHORIZED: &str = "pre-authorized";
const AUTHORIZATION_CODE: &str = "authorization-code";
const REFRESH: &str = "refresh";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessBody {
    pub h: String,
    pub exp: i64,
}

impl IssuerService {
    async fn new_grant(
        &self,
        tx: &mut Txn,
        kind: &str,
        holder: &str,
        detail: String,
        expires_at: i64,
        rng: &dyn SecureRandom,
    ) -> Result<String, IssuerError> {
        let mut bytes = [0u8; 32];
        rng.fill(&mut bytes).map_err(crate::error::internal)?;
        let code = URL_SAFE_NO_PAD.encode(bytes);
        tx.issuer_grant_insert(&IssuerGrantRecord {
            code_hash: tokens::hash(&code),
            kind: kind.to_owned(),
            holder_id: Some(holder.to_owned()),
            detail,
            expires_at,
            used_at: None,
        })
        .await?;
        Ok(code)
    }

    /// The credential offer (pre-authorized code) for a holder just proofed.
    pub async fn offer(
        &self,
        proofed: &Proofed,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<ProofingAnswer, IssuerError> {
        let mut tx = self.store.begin_write().await?;
        let exp = (now + self.config.code_ttl).unix_timestamp();
        let code = self
            .new_grant(
                &mut tx,
                PRE_AUTHORIZED,
                &proofed.holder_id,
                "{}".into(),
                exp,
                rng,
            )
            .await?;
        tx.commit().await?;
        let offer = CredentialOffer {
            credential_issuer: self.config.issuer_url.clone(),
            credential_configuration_ids: vec![CONFIG_SD_JWT.into(), CONFIG_BBS.into()],
            grants: Some(Grants {
                pre_authorized_code: Some(PreAuthorizedGrant {
                    pre_authorized_code: code,
                    tx_code: None,
                }),
                authorization_code: None,
            }),
        };
        Ok(ProofingAnswer {
            credential_offer_uri: offer.to_uri(),
            credential_offer: offer,
            anchor_status: proofed.anchor_status.clone(),
        })
    }

    /// The authorization response after proofing in the authorization-code flow.
    pub async fn authorization_code(
        &self,
        proofed: &Proofed,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<AuthorizeAnswer, IssuerError> {
        let auth = proofed
            .authorization
            .as_ref()
            .ok_or_else(|| IssuerError::Malformed("not an authorization request".into()))?;
        let mut tx = self.store.begin_write().await?;
        let exp = (now + self.config.code_ttl).unix_timestamp();
        let detail = serde_json::to_string(auth).map_err(crate::error::internal)?;
        let code = self
            .new_grant(
                &mut tx,
                AUTHORIZATION_CODE,
                &proofed.holder_id,
                detail,
                exp,
                rng,
            )
            .await?;
        tx.commit().await?;
        let mut params = vec![("code", code)];
        if let Some(state) = &auth.state {
            params.push(("state", state.clone()));
        }
        let query = serde_urlencoded::to_string(params).map_err(crate::error::internal)?;
        let sep = if auth.redirect_uri.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(AuthorizeAnswer {
            redirect_uri: format!("{}{sep}{query}", auth.redirect_uri),
        })
    }

    /// Checks an authorization request's parameters (before the card is asked to sign).
    pub fn authorization_request(
        &self,
        params: &std::collections::BTreeMap<String, String>,
    ) -> Result<AuthorizationRequest, IssuerError> {
        let get = |n: &str| {
            params
                .get(n)
                .cloned()
                .ok_or_else(|| IssuerError::Malformed(format!("{n} is missing")))
        };
        if get("response_type")? != "code" {
            return Err(IssuerError::Malformed("response_type must be code".into()));
        }
        if get("code_challenge_method")? != "S256" {
            return Err(IssuerError::Malformed(
                "code_challenge_method must be S256".into(),
            ));
        }
        let challenge = get("code_challenge")?;
        if challenge.len() != 43 {
            return Err(IssuerError::Malformed(
                "code_challenge must be base64url of SHA-256".into(),
            ));
        }
        let configurations: Vec<String> = match params.get("scope") {
            Some(scope) => scope
                .split(' ')
                .map(|s| match s {
                    "jp_identity" => Ok(CONFIG_SD_JWT.to_owned()),
                    "jp_identity_bbs" => Ok(CONFIG_BBS.to_owned()),
                    other => Err(IssuerError::Malformed(format!("unknown scope {other}"))),
                })
                .collect::<Result<_, _>>()?,
            None => vec![CONFIG_SD_JWT.into(), CONFIG_BBS.into()],
        };
        Ok(AuthorizationRequest {
            client_id: get("client_id")?,
            redirect_uri: get("redirect_uri")?,
            code_challenge: challenge,
            state: params.get("state").cloned(),
            configurations,
        })
    }

    /// The token endpoint.
    pub async fn token(
        &self,
        request: &TokenRequest,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<TokenResponse, IssuerError> {
        let at = now.unix_timestamp();
        let need = |v: &Option<String>, n: &str| {
            v.clone()
                .ok_or_else(|| IssuerError::Malformed(format!("{n} is missing")))
        };
        let (kind, code) = match request.grant_type.as_str() {
            GRANT_PRE_AUTHORIZED => (
                PRE_AUTHORIZED,
                need(&request.pre_authorized_code, "pre-authorized_code")?,
            ),
            GRANT_AUTHORIZATION_CODE => (AUTHORIZATION_CODE, need(&request.code, "code")?),
            GRANT_REFRESH_TOKEN => (REFRESH, need(&request.refresh_token, "refresh_token")?),
            other => return Err(IssuerError::UnsupportedGrant(other.to_owned())),
        };
        let hash = tokens::hash(&code);
        let mut tx = self.store.begin_write().await?;
        let grant = tx
            .issuer_grant(&hash, kind)
            .await?
            .filter(|g| g.used_at.is_none() && g.expires_at >= at)
            .ok_or(IssuerError::InvalidGrant)?;
        if kind == AUTHORIZATION_CODE {
            let auth: AuthorizationRequest =
                serde_json::from_str(&grant.detail).map_err(crate::error::internal)?;
            if request.redirect_uri.as_deref() != Some(auth.redirect_uri.as_str())
                || request.client_id.as_deref() != Some(auth.client_id.as_str())
            {
                return Err(IssuerError::RedirectMismatch);
            }
            let verifier = need(&request.code_verifier, "code_verifier")?;
            if URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes())) != auth.code_challenge {
                return Err(IssuerError::Pkce);
            }
        }
        let holder_id = grant.holder_id.clone().ok_or(IssuerError::InvalidGrant)?;
        let mut holder = tx
            .issuer_holder(&holder_id)
            .await?
            .ok_or(IssuerError::InvalidGrant)?;
        if holder.anchor_status == "revoked" {
            // Ask J-LIS outside the transaction; nothing is written if renewal is refused.
            drop(tx);
            holder = self.renew_from_jlis(holder, now).await?;
            tx = self.store.begin_write().await?;
            tx.issuer_holder_update(&holder).await?;
        }
        if !tx.issuer_grant_use(&hash, kind, at).await? {
            return Err(IssuerError::InvalidGrant);
        }
        let refresh_exp = (now + self.config.refresh_token_ttl).unix_timestamp();
        let refresh = self
            .new_grant(&mut tx, REFRESH, &holder.id, "{}".into(), refresh_exp, rng)
            .await?;
        tx.commit().await?;
        let ttl = self.config.access_token_ttl.whole_seconds();
        let access = tokens::seal(
            ACCESS,
            &AccessBody {
                h: holder.id,
                exp: at + ttl,
            },
            &self.keys.mac,
        );
        Ok(TokenResponse {
            access_token: access,
            token_type: "Bearer".into(),
            expires_in: ttl,
            refresh_token: Some(refresh),
        })
    }

    /// The holder behind an access token.
    pub(crate) fn access(&self, bearer: &str, now: OffsetDateTime) -> Result<String, IssuerError> {
        let body: AccessBody =
            tokens::open(ACCESS, bearer, &self.keys.mac).ok_or(IssuerError::InvalidToken)?;
        if now.unix_timestamp() > body.exp {
            return Err(IssuerError::InvalidToken);
        }
        Ok(body.h)
    }

    /// A holder whose anchor was revoked: the latest four and the new serial from J-LIS, if
    /// the holder consented (at proofing, and at J-LIS) and the person is still a resident.
    async fn renew_from_jlis(
        &self,
        mut holder: IssuerHolderRecord,
        now: OffsetDateTime,
    ) -> Result<IssuerHolderRecord, IssuerError> {
        let why = holder
            .anchor_reason
            .clone()
            .unwrap_or_else(|| "revoked".into());
        if !holder.consent_updates {
            return Err(IssuerError::AnchorRevoked(why));
        }
        let status = self
            .link
            .status(CertificateKind::Signature, &holder.anchor_serial, now)
            .await
            .map_err(|e| IssuerError::Jlis(e.to_string()))?;
        let (Some(serial), Some(attributes), Some("resident")) = (
            status.current_serial,
            status.attributes,
            status.resident_status.as_deref(),
        ) else {
            return Err(IssuerError::AnchorRevoked(why));
        };
        akashi_credential::IdentityClaims::from_attributes(&attributes)
            .map_err(|e| IssuerError::Malformed(format!("attributes from J-LIS: {e}")))?;
        holder.anchor_serial = serial;
        holder.anchor_status = "good".into();
        holder.anchor_reason = None;
        holder.attributes = self.seal_attributes(&attributes)?;
        holder.updated_at = now.unix_timestamp();
        tracing::info!(holder = %holder.id, "holder renewed from J-LIS");
        Ok(holder)
    }
}
