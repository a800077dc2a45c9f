//! An account's lifecycle, after the figure in seed 000: unregistered → registered at IALx →
//! authenticated at AALy → logged off (→ authenticated again). Authenticators are added and
//! removed only while authenticated; removing the last one leaves the account in recovery,
//! from which only proofing again leads back. Every operation of the engine goes through
//! [`Lifecycle::apply`], so an illegal transition is refused with a named error rather than
//! half-done.

use crate::assurance::{Aal, Ial};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Unregistered,
    Registered {
        ial: Ial,
        authenticators: u32,
    },
    Authenticated {
        ial: Ial,
        aal: Aal,
        authenticators: u32,
    },
    LoggedOff {
        ial: Ial,
        authenticators: u32,
    },
    /// No authenticator left: proofing again is the only way back.
    Recovery {
        ial: Ial,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Identity proofing (first registration, or recovery) with an authentication at `aal`
    /// that the proofing itself performed (the card's signature PIN).
    Proofed {
        ial: Ial,
        aal: Aal,
    },
    /// A login with one of the account's authenticators.
    Authenticated {
        aal: Aal,
    },
    /// An authenticator bound; it needs a session at `needs` or above.
    AuthenticatorAdded {
        needs: Aal,
    },
    /// An authenticator removed (revoked, or locked for good); it needs a session at `needs`.
    AuthenticatorRemoved {
        needs: Aal,
    },
    LoggedOff,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransitionError {
    #[error("there is no account: proof your identity with the card first")]
    NotRegistered,
    #[error("the account has no authenticator left: proof your identity with the card again")]
    RecoveryRequired,
    #[error("log in first")]
    NotAuthenticated,
    #[error("this needs a session at {needed} or above; this session is at {current}")]
    InsufficientAal { needed: Aal, current: Aal },
    #[error("the account has no authenticator to log in with")]
    NoAuthenticator,
}

impl Lifecycle {
    pub fn apply(self, event: Event) -> Result<Lifecycle, TransitionError> {
        use Lifecycle::*;
        match (self, event) {
            (Unregistered, Event::Proofed { ial, aal }) => Ok(Authenticated {
                ial,
                aal,
                authenticators: 0,
            }),
            (Recovery { .. }, Event::Proofed { ial, aal }) => Ok(Authenticated {
                ial,
                aal,
                authenticators: 0,
            }),
            (
                Registered {
                    authenticators: n, ..
                },
                Event::Proofed { ial, aal },
            )
            | (
                LoggedOff {
                    authenticators: n, ..
                },
                Event::Proofed { ial, aal },
            )
            | (
                Authenticated {
                    authenticators: n, ..
                },
                Event::Proofed { ial, aal },
            ) => Ok(Authenticated {
                ial,
                aal,
                authenticators: n,
            }),
            (Unregistered, _) => Err(TransitionError::NotRegistered),
            (Recovery { .. }, _) => Err(TransitionError::RecoveryRequired),
            (
                Registered {
                    authenticators: 0, ..
                },
                Event::Authenticated { .. },
            )
            | (
                LoggedOff {
                    authenticators: 0, ..
                },
                Event::Authenticated { .. },
            ) => Err(TransitionError::NoAuthenticator),
            (
                Registered {
                    ial,
                    authenticators,
                },
                Event::Authenticated { aal },
            )
            | (
                LoggedOff {
                    ial,
                    authenticators,
                },
                Event::Authenticated { aal },
            )
            | (
                Authenticated {
                    ial,
                    authenticators,
                    ..
                },
                Event::Authenticated { aal },
            ) => Ok(Authenticated {
                ial,
                aal,
                authenticators,
            }),
            (
                Authenticated {
                    ial,
                    aal,
                    authenticators,
                },
                Event::AuthenticatorAdded { needs },
            ) => {
                if aal < needs {
                    return Err(TransitionError::InsufficientAal {
                        needed: needs,
                        current: aal,
                    });
                }
                Ok(Authenticated {
                    ial,
                    aal,
                    authenticators: authenticators + 1,
                })
            }
            (
                Authenticated {
                    ial,
                    aal,
                    authenticators,
                },
                Event::AuthenticatorRemoved { needs },
            ) => {
                if aal < needs {
                    return Err(TransitionError::InsufficientAal {
                        needed: needs,
                        current: aal,
                    });
                }
                match authenticators.saturating_sub(1) {
                    0 => Ok(Recovery { ial }),
                    n => Ok(Authenticated {
                        ial,
                        aal,
                        authenticators: n,
                    }),
                }
            }
            (
                Authenticated {
                    ial,
                    authenticators,
                    ..
                },
                Event::LoggedOff,
            ) => Ok(LoggedOff {
                ial,
                authenticators,
            }),
            (Registered { .. } | LoggedOff { .. }, _) => Err(TransitionError::NotAuthenticated),
        }
    }

    /// An authenticated session at `needs` or above.
    pub fn require(self, needs: Aal) -> Result<(), TransitionError> {
        match self {
            Lifecycle::Authenticated { aal, .. } if aal >= needs => Ok(()),
            Lifecycle::Authenticated { aal, .. } => Err(TransitionError::InsufficientAal {
                needed: needs,
                current: aal,
            }),
            Lifecycle::Unregistered => Err(TransitionError::NotRegistered),
            Lifecycle::Recovery { .. } => Err(TransitionError::RecoveryRequired),
            _ => Err(TransitionError::NotAuthenticated),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lifecycle::Unregistered => "unregistered",
            Lifecycle::Registered { .. } => "registered",
            Lifecycle::Authenticated { .. } => "authenticated",
            Lifecycle::LoggedOff { .. } => "logged off",
            Lifecycle::Recovery { .. } => "recovery",
        }
    }
}
