//! Accounts and sessions as the engine hands them out.

use serde::{Deserialize, Serialize};

use akashi_jpki::BasicFourAttributes;
use akashi_store::{OpAccountRecord, OpSessionRecord};

use crate::assurance::{Aal, Ial, Level};
use crate::error::internal;
use crate::lifecycle::Lifecycle;
use crate::AuthError;

/// What the provider knows about a person, sealed at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum AccountClaims {
    /// Proofed with the card's signature certificate: the basic four attributes.
    Jpki { attributes: BasicFourAttributes },
    /// Logged in with a wallet credential: only the predicates it proved (no attributes).
    Wallet {
        claims: serde_json::Map<String, serde_json::Value>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Registered,
    /// No authenticator left: proofing again is the only way back.
    Recovery,
}

impl AccountState {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Registered => "registered",
            AccountState::Recovery => "recovery",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub ial: Ial,
    pub state: AccountState,
    pub claims: AccountClaims,
    pub(crate) record: OpAccountRecord,
}

impl Account {
    pub(crate) fn from_record(
        record: OpAccountRecord,
        claims: AccountClaims,
    ) -> Result<Self, AuthError> {
        Ok(Self {
            id: record.id.clone(),
            ial: Ial::from_number(record.ial).ok_or_else(|| internal("stored IAL"))?,
            state: match record.state.as_str() {
                "registered" => AccountState::Registered,
                "recovery" => AccountState::Recovery,
                other => return Err(internal(format!("stored account state {other:?}"))),
            },
            claims,
            record,
        })
    }

    /// Where the account stands, given its active authenticators and the current session.
    pub fn lifecycle(&self, authenticators: u32, session: Option<&Session>) -> Lifecycle {
        match (self.state, session) {
            (AccountState::Recovery, _) => Lifecycle::Recovery { ial: self.ial },
            (AccountState::Registered, Some(s)) => Lifecycle::Authenticated {
                ial: self.ial,
                aal: s.aal,
                authenticators,
            },
            (AccountState::Registered, None) => Lifecycle::Registered {
                ial: self.ial,
                authenticators,
            },
        }
    }
}

/// A login session. The handle (the browser's cookie) is only in [`NewSession`]; the store
/// keeps its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub account_id: String,
    pub ial: Ial,
    pub aal: Aal,
    /// RFC 8176 authentication method references.
    pub amr: Vec<String>,
    pub auth_time: i64,
    pub expires_at: i64,
    pub(crate) id_hash: String,
}

impl Session {
    pub fn level(&self) -> Level {
        Level::of(self.ial, self.aal)
    }

    /// A stable identifier of the session for the relying party (`sid`), not the cookie.
    pub fn sid(&self) -> &str {
        &self.id_hash[..32]
    }

    pub(crate) fn from_record(r: &OpSessionRecord) -> Result<Self, AuthError> {
        Ok(Self {
            account_id: r.account_id.clone(),
            ial: Ial::from_number(r.ial).ok_or_else(|| internal("stored IAL"))?,
            aal: Aal::from_number(r.aal).ok_or_else(|| internal("stored AAL"))?,
            amr: serde_json::from_str(&r.amr).map_err(internal)?,
            auth_time: r.auth_time,
            expires_at: r.expires_at,
            id_hash: r.id_hash.clone(),
        })
    }
}

/// A session just started: the handle goes to the browser once.
#[derive(Debug)]
pub struct NewSession {
    pub handle: String,
    pub session: Session,
}

/// A successful login or proofing.
#[derive(Debug)]
pub struct LoggedIn {
    pub account: Account,
    pub session: NewSession,
    /// The authenticator used (none for proofing and wallet login).
    pub authenticator_id: Option<String>,
}
