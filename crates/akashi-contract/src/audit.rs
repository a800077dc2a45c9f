//! The audit trail: every change of a contract appends one event whose hash covers the
//! previous event's hash, so a removed, reordered or edited event breaks the chain.

use serde::Serialize;
use sha2::{Digest, Sha256};

use akashi_store::ContractEventRecord;

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum AuditCheck {
    Intact {
        events: usize,
    },
    /// The first event whose hash or sequence number does not follow.
    Broken {
        at_seq: i64,
    },
}

/// SHA-256 over the previous hash and the event's fields, each length-prefixed so no two
/// field splits hash alike.
pub(crate) fn event_hash(
    previous: &[u8],
    contract_id: &str,
    seq: i64,
    at: i64,
    action: &str,
    detail: &str,
) -> Vec<u8> {
    let mut h = Sha256::new();
    for field in [
        previous,
        contract_id.as_bytes(),
        &seq.to_be_bytes(),
        &at.to_be_bytes(),
        action.as_bytes(),
        detail.as_bytes(),
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field);
    }
    h.finalize().to_vec()
}

/// The next event after `events` (the contract's trail so far).
pub(crate) fn next_event(
    events: &[ContractEventRecord],
    contract_id: &str,
    at: i64,
    action: &str,
    detail: serde_json::Value,
) -> ContractEventRecord {
    let (seq, previous) = events
        .last()
        .map(|e| (e.seq + 1, e.hash.clone()))
        .unwrap_or((1, vec![0; 32]));
    let detail = detail.to_string();
    ContractEventRecord {
        contract_id: contract_id.to_owned(),
        seq,
        at,
        action: action.to_owned(),
        hash: event_hash(&previous, contract_id, seq, at, action, &detail),
        detail,
    }
}

/// Recomputes the chain.
pub(crate) fn check(events: &[ContractEventRecord]) -> AuditCheck {
    let mut previous = vec![0u8; 32];
    for (i, e) in events.iter().enumerate() {
        let expected = event_hash(&previous, &e.contract_id, e.seq, e.at, &e.action, &e.detail);
        if e.seq != i as i64 + 1 || e.hash != expected {
            return AuditCheck::Broken { at_seq: e.seq };
        }
        previous = e.hash.clone();
    }
    AuditCheck::Intact {
        events: events.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail() -> Vec<ContractEventRecord> {
        let mut events = Vec::new();
        for (at, action) in [(1, "created"), (2, "invited"), (3, "signed")] {
            let e = next_event(&events, "c1", at, action, serde_json::json!({ "n": at }));
            events.push(e);
        }
        events
    }

    #[test]
    fn an_untouched_trail_is_intact() {
        assert_eq!(check(&trail()), AuditCheck::Intact { events: 3 });
    }

    #[test]
    fn an_edited_removed_or_reordered_event_breaks_the_chain() {
        let mut edited = trail();
        edited[1].detail = r#"{"n":9}"#.into();
        assert_eq!(check(&edited), AuditCheck::Broken { at_seq: 2 });

        let mut removed = trail();
        removed.remove(1);
        assert_eq!(check(&removed), AuditCheck::Broken { at_seq: 3 });

        let mut swapped = trail();
        swapped.swap(1, 2);
        assert_eq!(check(&swapped), AuditCheck::Broken { at_seq: 3 });
    }
}
