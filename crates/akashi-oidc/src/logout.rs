//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the RP names itself by the
//! ID token it received (`id_token_hint`, checked against this provider's keys, expiry
//! ignored) or its `client_id`; the post-logout redirect must be one it registered, exactly.

use serde::Deserialize;
use time::OffsetDateTime;

use crate::error::internal;
use crate::{OidcError, OidcProvider};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogoutParams {
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutOutcome {
    /// Where to send the browser (the RP's registered page), if it asked.
    pub redirect: Option<String>,
    /// Whether a session was ended.
    pub ended: bool,
}

impl OidcProvider {
    pub async fn logout(
        &self,
        params: LogoutParams,
        session_handle: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<LogoutOutcome, OidcError> {
        let bad = |m: &str| OidcError::InvalidRequest(m.to_owned());
        let mut hint_sub = None;
        let mut client_id = params.client_id.clone();
        if let Some(hint) = &params.id_token_hint {
            let claims = self
                .verify_id_token(hint)
                .map_err(|_| bad("id_token_hint is not an ID token this provider signed"))?;
            let aud = claims["aud"].as_str().unwrap_or_default().to_owned();
            if let Some(given) = &client_id {
                if *given != aud {
                    return Err(bad("id_token_hint was issued to another client"));
                }
            }
            client_id = Some(aud);
            hint_sub = claims["sub"].as_str().map(str::to_owned);
        }
        let client = match &client_id {
            Some(id) => Some(self.client(id).await?),
            None => None,
        };
        let redirect = match (&params.post_logout_redirect_uri, &client) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(bad(
                    "post_logout_redirect_uri needs id_token_hint or client_id",
                ))
            }
            (Some(uri), Some(c)) => {
                if !c.post_logout_redirect_uris.iter().any(|r| r == uri) {
                    return Err(bad(
                        "post_logout_redirect_uri is not registered for this client",
                    ));
                }
                let mut url = url::Url::parse(uri).map_err(internal)?;
                if let Some(state) = &params.state {
                    url.query_pairs_mut().append_pair("state", state);
                }
                Some(url.to_string())
            }
        };
        let session = self.browser_session(session_handle, now).await?;
        let mut ended = false;
        if let Some(s) = session {
            if let (Some(sub), Some(c)) = (&hint_sub, &client) {
                if self.pairwise_sub(&c.sector, &s.account_id) != *sub {
                    return Err(bad(
                        "id_token_hint names another person than this session's",
                    ));
                }
            }
            self.engine.log_off(&s, now).await?;
            ended = true;
        }
        Ok(LogoutOutcome { redirect, ended })
    }
}
