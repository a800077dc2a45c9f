//! The userinfo endpoint: the claims of the scopes the person consented to, for the client
//! the token was issued to (pairwise `sub`). A DPoP-bound token needs the `DPoP` scheme and a
//! fresh proof of the same key with the token's hash; a bearer token cannot be upgraded or
//! downgraded.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use akashi_auth::AccountClaims;

use crate::authorize::SCOPES;
use crate::error::internal;
use crate::token::AccessDetail;
use crate::{OidcError, OidcProvider};
use akashi_auth::hash_hex;

/// The claims `scopes` give from `claims` (only those; nothing else is ever added).
pub fn claims_for(scopes: &[String], claims: &AccountClaims) -> Map<String, Value> {
    let wanted: Vec<&str> = SCOPES
        .iter()
        .filter(|(s, _)| scopes.iter().any(|x| x == s))
        .flat_map(|(_, c)| c.iter().copied())
        .collect();
    let mut out = Map::new();
    match claims {
        AccountClaims::Jpki { attributes: a } => {
            for claim in wanted {
                let value = match claim {
                    "name" => json!(a.name),
                    "address" => json!({ "formatted": a.address }),
                    "birthdate" => json!(a.birth_date.to_string()),
                    "gender" => json!(a.sex.as_str()),
                    _ => continue,
                };
                out.insert(claim.to_owned(), value);
            }
        }
        AccountClaims::Wallet { claims } => {
            for claim in wanted {
                if let Some(v) = claims.get(claim) {
                    out.insert(claim.to_owned(), v.clone());
                }
            }
        }
    }
    out
}

impl OidcProvider {
    /// `authorization`: the request's Authorization header; `dpop`: its DPoP header.
    pub async fn userinfo(
        &self,
        authorization: Option<&str>,
        dpop: Option<&str>,
        method: &str,
        now: OffsetDateTime,
    ) -> Result<Value, OidcError> {
        let header =
            authorization.ok_or_else(|| OidcError::InvalidToken("no access token".into()))?;
        let (scheme, token) = header
            .split_once(' ')
            .ok_or_else(|| OidcError::InvalidToken("malformed Authorization header".into()))?;
        let token = token.trim();
        let grant = {
            let mut tx = self.store().begin().await?;
            let grant = tx.op_grant(&hash_hex(token.as_bytes()), "access").await?;
            tx.commit().await?;
            grant
        }
        .filter(|g| g.expires_at >= now.unix_timestamp())
        .ok_or_else(|| {
            OidcError::InvalidToken("the access token is unknown, expired or revoked".into())
        })?;
        let detail: AccessDetail = serde_json::from_str(&grant.detail).map_err(internal)?;
        match (&detail.jkt, scheme.to_ascii_lowercase().as_str()) {
            // A bearer token needs no write: userinfo stays a read.
            (None, "bearer") => {}
            (Some(jkt), "dpop") => {
                let proof = dpop.ok_or_else(|| {
                    OidcError::InvalidDpopProof("a DPoP proof is required".into())
                })?;
                let endpoint = self.config.endpoint("userinfo");
                let verified = self.verify_dpop(proof, method, &endpoint, Some(token), now)?;
                if &verified.jkt != jkt {
                    return Err(OidcError::InvalidDpopProof(
                        "the proof is not by the key the token is bound to".into(),
                    ));
                }
                let mut tx = self.store().begin_write().await?;
                self.record_dpop(&mut tx, &verified, now).await?;
                tx.commit().await?;
            }
            (Some(_), _) => {
                return Err(OidcError::InvalidToken(
                    "this token is DPoP-bound: use the DPoP scheme with a proof".into(),
                ))
            }
            (None, _) => return Err(OidcError::InvalidToken("use the Bearer scheme".into())),
        }
        let client = self.client(&grant.client_id).await?;
        let account = self.engine.account(&detail.account_id).await?;
        let mut claims = claims_for(&detail.scopes, &account.claims);
        claims.insert(
            "sub".into(),
            json!(self.pairwise_sub(&client.sector, &account.id)),
        );
        Ok(Value::Object(claims))
    }
}
