//! The login and consent interaction between the authorization request and the code. Its
//! handle is the only thing in the browser's URL; its state (the validated request, the
//! stage, the challenge to sign) is stored. A login must reach the level the RP asked for
//! with the method used — a lower method is refused before anything changes — and the code
//! is only issued for a session that logged in within this interaction when a login was
//! required.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use akashi_auth::{to_be_signed, Aal, LoggedIn, Purpose, Session};
use akashi_crypto::SecureRandom;
use akashi_store::OpGrantRecord;

use crate::authorize::{ValidRequest, SCOPES};
use crate::error::internal;
use crate::interaction_state::{card_response, device_response};
use crate::protocol::{CardLogin, DeviceLogin, InteractionView, LoginChallenge, Next, ScopeView};
use crate::{OidcError, OidcProvider};
use akashi_auth::random_token;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Login,
    Consent,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct InteractionState {
    pub client_id: String,
    pub request: ValidRequest,
    pub stage: Stage,
    pub reason: Option<String>,
    pub challenge: String,
    pub started_at: i64,
    /// The account that logged in here (or whose session needs only consent).
    pub account_id: Option<String>,
    /// The handle of the passkey ceremony started here, if any.
    #[serde(default)]
    pub passkey_ceremony: Option<String>,
    /// The `state` of the wallet presentation request made here, if any.
    #[serde(default)]
    pub wallet_state: Option<String>,
}

/// A login within an interaction: where the browser goes next, its new session handle and
/// the provider's "known browser" token for the account (which account a passkey login on
/// this browser is for).
#[derive(Debug, Clone)]
pub struct InteractionLogin {
    pub next: Next,
    pub session_handle: String,
    pub known_browser: String,
}

/// How the person logs in within an interaction.
#[derive(Debug, Clone)]
pub enum LoginMethod {
    /// The card's authentication certificate (AAL3).
    Card(CardLogin),
    /// Proofing (or recovery) with the signature certificate: registers at IAL3, AAL3.
    Proofing(CardLogin),
    /// A bound wallet device key with its PIN (AAL2).
    Device(DeviceLogin),
    /// A passkey's answer (`PublicKeyCredential.toJSON()`) to the options asked for in this
    /// interaction (AAL2, or AAL3 when hardware-bound; only passkeys reaching the required
    /// level were offered).
    Passkey(serde_json::Value),
    /// The wallet's answer to the presentation request of this interaction, once it came
    /// (AAL1: see akashi-auth's wallet login).
    Wallet,
}

impl LoginMethod {
    fn aal(&self) -> Aal {
        match self {
            LoginMethod::Card(_) | LoginMethod::Proofing(_) | LoginMethod::Passkey(_) => Aal::Aal3,
            LoginMethod::Device(_) => Aal::Aal2,
            LoginMethod::Wallet => Aal::Aal1,
        }
    }
}

impl OidcProvider {
    /// What the login or consent screen shows.
    pub async fn interaction_view(
        &self,
        handle: &str,
        session_handle: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<InteractionView, OidcError> {
        let (state, _) = InteractionState::load(self, handle, now).await?;
        let client = self.client(&state.client_id).await?;
        let session = self.browser_session(session_handle, now).await?;
        let required = state.request.required_level();
        let needs = required.map(|l| l.needed_aal()).unwrap_or(Aal::Aal1);
        let mut methods = vec!["jpki_card".to_owned(), "jpki_proofing".to_owned()];
        if needs <= Aal::Aal2 {
            methods.push("device_key".into());
        }
        if self.engine.passkeys_enabled() {
            methods.push("passkey".into());
        }
        if self.wallet_login_enabled() && needs <= Aal::Aal1 {
            methods.push("wallet".into());
        }
        let provider = &self.config.issuer;
        let tbs = |p| STANDARD.encode(to_be_signed(provider, p, &state.challenge));
        Ok(InteractionView {
            interaction: handle.to_owned(),
            stage: match state.stage {
                Stage::Login => "login".into(),
                Stage::Consent => "consent".into(),
            },
            client_name: client.name,
            scopes: state
                .request
                .scopes
                .iter()
                .map(|s| ScopeView {
                    scope: s.clone(),
                    claims: SCOPES
                        .iter()
                        .find(|(n, _)| n == s)
                        .map(|(_, c)| c.iter().map(|c| (*c).to_owned()).collect())
                        .unwrap_or_default(),
                })
                .collect(),
            required_acr: required.map(|l| l.acr().to_owned()),
            reason: state.reason.clone(),
            session_acr: session.map(|s| s.level().acr().to_owned()),
            challenge: state.challenge.clone(),
            to_be_signed: LoginChallenge {
                proofing: tbs(Purpose::Proofing),
                login: tbs(Purpose::Login),
                bind: tbs(Purpose::Bind),
            },
            methods,
        })
    }

    /// A login within the interaction. Returns where to go next and the new session handle
    /// (the browser's cookie). On any refusal nothing changes.
    pub async fn interaction_login(
        &self,
        handle: &str,
        method: LoginMethod,
        session_handle: Option<&str>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<InteractionLogin, OidcError> {
        let (mut state, grant) = InteractionState::load(self, handle, now).await?;
        if let Some(level) = state.request.required_level() {
            if method.aal() < level.needed_aal() {
                return Err(OidcError::UnmetAuthenticationRequirements(format!(
                    "{} asks for {}; this method reaches {} at most",
                    state.client_id,
                    level.acr(),
                    method.aal()
                )));
            }
        }
        let current = self.browser_session(session_handle, now).await?;
        let provider = self.config.issuer.clone();
        let challenge = state.challenge.clone();
        let logged_in: LoggedIn = match &method {
            LoginMethod::Card(c) => {
                self.engine
                    .login_card(
                        &provider,
                        &challenge,
                        &card_response(c)?,
                        current.as_ref(),
                        now,
                        rng,
                    )
                    .await?
            }
            LoginMethod::Proofing(c) => {
                self.engine
                    .proof(
                        &provider,
                        &challenge,
                        &card_response(c)?,
                        current.as_ref(),
                        now,
                        rng,
                    )
                    .await?
            }
            LoginMethod::Device(d) => {
                self.engine
                    .login_device(
                        &provider,
                        &challenge,
                        &device_response(d)?,
                        current.as_ref(),
                        now,
                        rng,
                    )
                    .await?
            }
            LoginMethod::Passkey(response) => {
                let (account, pending) = self.take_login_ceremony(&state, &grant.hash, now).await?;
                self.engine
                    .finish_passkey_login(&account, response, pending, current.as_ref(), now, rng)
                    .await?
            }
            LoginMethod::Wallet => {
                let interaction_hash = grant.hash.clone();
                self.login_with_wallet(&mut state, &interaction_hash, current.as_ref(), now, rng)
                    .await?
            }
        };
        self.after_login(&mut state, grant, logged_in, now, rng)
            .await
    }

    /// Moves the interaction on after a successful login: consent, or the code.
    pub(crate) async fn after_login(
        &self,
        state: &mut InteractionState,
        grant: OpGrantRecord,
        logged_in: LoggedIn,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<InteractionLogin, OidcError> {
        let session = logged_in.session.session;
        let known_browser = self.known_browser(&session.account_id);
        // A used challenge is never signed again.
        state.challenge = random_token(rng)?;
        state.account_id = Some(session.account_id.clone());
        state.stage = Stage::Consent;
        let acr = session.level().acr().to_owned();
        if self
            .needs_consent(&state.request, &session.account_id)
            .await?
        {
            state.save(self, grant).await?;
            return Ok(InteractionLogin {
                next: Next {
                    next: "consent".into(),
                    location: None,
                    acr: Some(acr),
                },
                session_handle: logged_in.session.handle,
                known_browser,
            });
        }
        let location = self.finish(state, &grant, &session, now, rng).await?;
        Ok(InteractionLogin {
            next: Next {
                next: "redirect".into(),
                location: Some(location),
                acr: Some(acr),
            },
            session_handle: logged_in.session.handle,
            known_browser,
        })
    }

    /// The consent screen's answer.
    pub async fn interaction_consent(
        &self,
        handle: &str,
        approve: bool,
        session_handle: Option<&str>,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Next, OidcError> {
        let (state, grant) = InteractionState::load(self, handle, now).await?;
        if state.stage != Stage::Consent {
            return Err(OidcError::InvalidRequest("log in first".into()));
        }
        let session = self
            .browser_session(session_handle, now)
            .await?
            .filter(|s| Some(&s.account_id) == state.account_id.as_ref())
            .ok_or_else(|| {
                OidcError::InvalidRequest("the session that logged in is gone; log in again".into())
            })?;
        if !approve {
            let mut tx = self.store().begin_write().await?;
            tx.op_grant_use(&grant.hash, now.unix_timestamp()).await?;
            tx.commit().await?;
            let location = state
                .request
                .error_redirect(&self.config.issuer, &OidcError::AccessDenied);
            return Ok(Next {
                next: "redirect".into(),
                location: Some(location),
                acr: None,
            });
        }
        let mut tx = self.store().begin_write().await?;
        let mut scopes: Vec<String> =
            match tx.op_consent(&session.account_id, &state.client_id).await? {
                Some(json) => serde_json::from_str(&json).map_err(internal)?,
                None => vec![],
            };
        for s in &state.request.scopes {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        tx.op_consent_put(
            &session.account_id,
            &state.client_id,
            &serde_json::to_string(&scopes).map_err(internal)?,
            now.unix_timestamp(),
        )
        .await?;
        tx.commit().await?;
        let location = self.finish(&state, &grant, &session, now, rng).await?;
        Ok(Next {
            next: "redirect".into(),
            location: Some(location),
            acr: Some(session.level().acr().to_owned()),
        })
    }

    /// The person gives up (or cannot reach the level): the RP learns why.
    pub async fn interaction_abort(
        &self,
        handle: &str,
        now: OffsetDateTime,
    ) -> Result<Next, OidcError> {
        let (state, grant) = InteractionState::load(self, handle, now).await?;
        let mut tx = self.store().begin_write().await?;
        tx.op_grant_use(&grant.hash, now.unix_timestamp()).await?;
        tx.commit().await?;
        let error = match (state.stage, state.reason.as_deref()) {
            (Stage::Login, Some("step_up")) => OidcError::UnmetAuthenticationRequirements(
                "the person could not log in at the requested level".into(),
            ),
            _ => OidcError::AccessDenied,
        };
        Ok(Next {
            next: "redirect".into(),
            location: Some(state.request.error_redirect(&self.config.issuer, &error)),
            acr: None,
        })
    }

    /// Issues the code once the session satisfies the request; the interaction is used up.
    async fn finish(
        &self,
        state: &InteractionState,
        grant: &OpGrantRecord,
        session: &Session,
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<String, OidcError> {
        if state.reason.is_some() && session.auth_time < state.started_at {
            return Err(OidcError::InvalidRequest(
                "a login in this interaction is required".into(),
            ));
        }
        if let Some(level) = state.request.required_level() {
            if session.level() < level {
                return Err(OidcError::UnmetAuthenticationRequirements(format!(
                    "the session is at {}; {} was asked",
                    session.level().acr(),
                    level.acr()
                )));
            }
        }
        // The interaction is used up and the code stored in one transaction.
        let mut tx = self.store().begin_write().await?;
        if !tx.op_grant_use(&grant.hash, now.unix_timestamp()).await? {
            return Err(OidcError::UnknownInteraction);
        }
        let code = self
            .insert_code(&mut tx, &state.request, session, now, rng)
            .await?;
        tx.commit().await?;
        Ok(state
            .request
            .redirect(&self.config.issuer, &[("code", &code)]))
    }
}
