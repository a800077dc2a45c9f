//! Text output of `akashi contract`: a contract's status per signer and its audit trail.

use std::fmt::Write;
use std::path::Path;

use akashi_contract::{AuditCheck, ContractView};

pub fn text(v: &ContractView) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "contract {}: {}", v.id, v.title);
    let _ = writeln!(
        s,
        "  {} ({}, {} order), {}; {} of {} signed{}",
        v.file_name,
        v.kind.as_str(),
        v.order.as_str(),
        v.status,
        v.signed_count(),
        v.signers.len(),
        v.level
            .as_ref()
            .map(|l| format!(", level {l}"))
            .unwrap_or_default()
    );
    let _ = writeln!(s, "  document SHA-256 {}", v.document_sha256);
    let _ = writeln!(s, "  created {}", v.created_at);
    if let Some(done) = &v.completed_at {
        let _ = writeln!(s, "  completed {done}");
    }
    for signer in &v.signers {
        let _ = write!(
            s,
            "  {}. {:<12} {}",
            signer.position,
            signer.label,
            signer.status.as_str()
        );
        if let Some(at) = &signer.signed_at {
            let _ = write!(s, " at {at}");
        }
        if let Some(name) = &signer.signed_by {
            let _ = write!(s, " by {name}");
        }
        if let Some(until) = &signer.invitation_expires {
            let _ = write!(s, " (invitation valid until {until})");
        }
        s.push('\n');
    }
    let _ = match v.audit {
        AuditCheck::Intact { events } => writeln!(s, "  audit trail: {events} events, intact"),
        AuditCheck::Broken { at_seq } => {
            writeln!(s, "  audit trail: BROKEN at event {at_seq}")
        }
    };
    for e in &v.events {
        let _ = writeln!(s, "    {:>3} {} {} {}", e.seq, e.at, e.action, e.detail);
    }
    s
}

pub fn review(v: &ContractView, position: usize, saved: Option<&Path>) -> String {
    let mut s = String::new();
    let signer = &v.signers[position - 1];
    let _ = writeln!(
        s,
        "You are invited to sign \"{}\" as signer {position} ({}).",
        v.title, signer.label
    );
    let _ = writeln!(
        s,
        "  {} ({}), SHA-256 {}",
        v.file_name,
        v.kind.as_str(),
        v.document_sha256
    );
    let _ = writeln!(
        s,
        "  {} of {} signed so far",
        v.signed_count(),
        v.signers.len()
    );
    match saved {
        Some(path) => {
            let _ = writeln!(
                s,
                "  the document is saved in {}: read it before signing",
                path.display()
            );
        }
        None => s.push_str("  add --out FILE to save the document and read it before signing\n"),
    }
    s
}
