//! The interaction's stored state (a grant row keyed by the hash of its handle) and the
//! decoding of the card's and device key's answers shared with the account page.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use time::OffsetDateTime;

use akashi_auth::{hash_hex, CardResponse, DeviceResponse};
use akashi_jose::jwk::{JwkKey, PublicJwk};
use akashi_store::OpGrantRecord;

use crate::error::internal;
use crate::interaction::InteractionState;
use crate::protocol::{CardLogin, DeviceLogin};
use crate::{OidcError, OidcProvider};

pub(crate) fn card_response(c: &CardLogin) -> Result<CardResponse, OidcError> {
    let b64 = |f: &str, v: &str| {
        STANDARD
            .decode(v.trim())
            .map_err(|_| OidcError::InvalidRequest(format!("{f} is not base64")))
    };
    Ok(CardResponse {
        certificate: b64("certificate", &c.certificate)?,
        signature: b64("signature", &c.signature)?,
    })
}

pub(crate) fn device_response(d: &DeviceLogin) -> Result<DeviceResponse, OidcError> {
    let bad = |m: &str| OidcError::InvalidRequest(format!("device key: {m}"));
    let jwk = PublicJwk::from_json(&d.jwk).map_err(|e| bad(&e.to_string()))?;
    let (x, y) = match jwk.key() {
        JwkKey::P256 { x, y } => (*x, *y),
        _ => return Err(bad("a P-256 key is needed")),
    };
    Ok(DeviceResponse {
        public_key: (x, y),
        signature: URL_SAFE_NO_PAD
            .decode(d.signature.trim())
            .map_err(|_| bad("signature is not base64url"))?,
        pin: zeroize::Zeroizing::new(d.pin.clone()),
    })
}

impl InteractionState {
    pub(crate) async fn insert(
        &self,
        provider: &OidcProvider,
        handle: &str,
        now: OffsetDateTime,
    ) -> Result<(), OidcError> {
        let mut tx = provider.store().begin_write().await?;
        tx.op_grant_insert(&OpGrantRecord {
            hash: hash_hex(handle.as_bytes()),
            kind: "interaction".into(),
            client_id: self.client_id.clone(),
            account_id: self.account_id.clone(),
            detail: serde_json::to_string(self).map_err(internal)?,
            expires_at: (now + provider.config.interaction_ttl).unix_timestamp(),
            used_at: None,
            parent: None,
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn load(
        provider: &OidcProvider,
        handle: &str,
        now: OffsetDateTime,
    ) -> Result<(Self, OpGrantRecord), OidcError> {
        let mut tx = provider.store().begin().await?;
        let grant = tx
            .op_grant(&hash_hex(handle.as_bytes()), "interaction")
            .await?;
        tx.commit().await?;
        let grant = grant
            .filter(|g| g.used_at.is_none() && g.expires_at >= now.unix_timestamp())
            .ok_or(OidcError::UnknownInteraction)?;
        Ok((
            serde_json::from_str(&grant.detail).map_err(internal)?,
            grant,
        ))
    }

    pub(crate) async fn save(
        &self,
        provider: &OidcProvider,
        mut grant: OpGrantRecord,
    ) -> Result<(), OidcError> {
        grant.detail = serde_json::to_string(self).map_err(internal)?;
        grant.account_id = self.account_id.clone();
        let mut tx = provider.store().begin_write().await?;
        tx.op_grant_update(&grant).await?;
        tx.commit().await?;
        Ok(())
    }
}
