//! The account lifecycle against a reference model, over random event sequences: every
//! transition the state machine accepts is one the model allows (and the reverse), a refused
//! event leaves the account where it was, only proofing leads out of recovery or into the
//! first registration, authenticators change only within a session at the level they need,
//! and removing the last one always means recovery.

use proptest::prelude::*;

use akashi_auth::{Aal, Event, Ial, Lifecycle};

fn aal() -> impl Strategy<Value = Aal> {
    (1i64..=3).prop_map(|n| Aal::from_number(n).unwrap())
}

fn ial() -> impl Strategy<Value = Ial> {
    (1i64..=3).prop_map(|n| Ial::from_number(n).unwrap())
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (ial(), aal()).prop_map(|(ial, aal)| Event::Proofed { ial, aal }),
        aal().prop_map(|aal| Event::Authenticated { aal }),
        aal().prop_map(|needs| Event::AuthenticatorAdded { needs }),
        aal().prop_map(|needs| Event::AuthenticatorRemoved { needs }),
        Just(Event::LoggedOff),
    ]
}

/// The rules of seed 000's figure, written independently of `Lifecycle::apply`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Model {
    registered: bool,
    recovery: bool,
    ial: Option<Ial>,
    session: Option<Aal>,
    authenticators: u32,
}

impl Model {
    fn step(self, e: Event) -> Option<Model> {
        let mut m = self;
        match e {
            Event::Proofed { ial, aal } => {
                m.registered = true;
                m.recovery = false;
                m.ial = Some(ial);
                m.session = Some(aal);
                if self.recovery || !self.registered {
                    m.authenticators = 0;
                }
            }
            _ if !self.registered || self.recovery => return None,
            Event::Authenticated { aal } => {
                if self.authenticators == 0 && self.session.is_none() {
                    return None;
                }
                m.session = Some(aal);
            }
            Event::AuthenticatorAdded { needs } => {
                if self.session? < needs {
                    return None;
                }
                m.authenticators += 1;
            }
            Event::AuthenticatorRemoved { needs } => {
                if self.session? < needs {
                    return None;
                }
                m.authenticators = self.authenticators.saturating_sub(1);
                if m.authenticators == 0 {
                    m.recovery = true;
                    m.session = None;
                }
            }
            Event::LoggedOff => {
                self.session?;
                m.session = None;
            }
        }
        Some(m)
    }

    fn matches(&self, l: Lifecycle) -> bool {
        match l {
            Lifecycle::Unregistered => !self.registered,
            Lifecycle::Recovery { ial } => self.recovery && self.ial == Some(ial),
            Lifecycle::Authenticated {
                ial,
                aal,
                authenticators,
            } => {
                self.registered
                    && !self.recovery
                    && self.ial == Some(ial)
                    && self.session == Some(aal)
                    && self.authenticators == authenticators
            }
            Lifecycle::Registered {
                ial,
                authenticators,
            }
            | Lifecycle::LoggedOff {
                ial,
                authenticators,
            } => {
                self.registered
                    && !self.recovery
                    && self.session.is_none()
                    && self.ial == Some(ial)
                    && self.authenticators == authenticators
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_state_machine_follows_the_model(events in prop::collection::vec(event(), 0..40)) {
        let mut state = Lifecycle::Unregistered;
        let mut model = Model { registered: false, recovery: false, ial: None, session: None, authenticators: 0 };
        for e in events {
            let before = state;
            match (state.apply(e), model.step(e)) {
                (Ok(next), Some(m)) => {
                    prop_assert!(m.matches(next), "{before:?} --{e:?}--> {next:?}, model {m:?}");
                    if matches!(before, Lifecycle::Recovery { .. } | Lifecycle::Unregistered) {
                        let proofed = matches!(e, Event::Proofed { .. });
                        prop_assert!(proofed, "left {:?} by {:?}", before, e);
                    }
                    if let (Lifecycle::Authenticated { authenticators: 1, .. }, Event::AuthenticatorRemoved { .. }) = (before, e) {
                        let recovered = matches!(next, Lifecycle::Recovery { .. });
                        prop_assert!(recovered, "removing the last authenticator gave {:?}", next);
                    }
                    state = next;
                    model = m;
                }
                (Err(error), None) => {
                    // Refused: the caller keeps the old state; the error names why.
                    prop_assert!(!error.to_string().is_empty());
                }
                (accepted, allowed) => {
                    prop_assert!(false, "{before:?} --{e:?}--> {accepted:?}, model allows {allowed:?}");
                }
            }
            for needs in [Aal::Aal1, Aal::Aal2, Aal::Aal3] {
                let ok = matches!(state, Lifecycle::Authenticated { aal, .. } if aal >= needs);
                prop_assert_eq!(state.require(needs).is_ok(), ok);
            }
        }
    }
}
