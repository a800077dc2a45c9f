//! The validation report as text: one block per signature, then the archive timestamps.

use std::fmt::Write;

use akashi_sign::validate::SignatureReport;
use akashi_sign::Report;

pub fn text(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "validation time: {}", report.validation_time);
    for (i, sig) in report.signatures.iter().enumerate() {
        signature(&mut s, i + 1, sig);
    }
    for ts in &report.archive_timestamps {
        let _ = writeln!(
            s,
            "archive timestamp {}: {} by {} (TSA certificate valid until {}) — {}",
            ts.field.as_deref().unwrap_or("-"),
            ts.time.as_deref().unwrap_or("?"),
            ts.tsa.as_deref().unwrap_or("?"),
            ts.tsa_certificate_not_after.as_deref().unwrap_or("?"),
            if ts.valid {
                "valid".to_string()
            } else {
                format!("NOT valid: {}", ts.reason.as_deref().unwrap_or("?"))
            }
        );
    }
    for finding in &report.document_findings {
        let _ = writeln!(s, "document: {finding}");
    }
    let _ = writeln!(
        s,
        "overall: {}",
        if report.all_passed() {
            "every signature TOTAL-PASSED"
        } else {
            "NOT every signature passed"
        }
    );
    s
}

fn signature(s: &mut String, n: usize, sig: &SignatureReport) {
    let _ = write!(s, "signature {n}");
    if let Some(field) = &sig.field {
        let _ = write!(s, " (field {field})");
    }
    let _ = writeln!(s, ": {}", sig.indication);
    if let Some(signer) = &sig.signer {
        match &signer.attributes {
            Some(a) => {
                let _ = writeln!(
                    s,
                    "  signer: {} (born {}, {}), {}",
                    a.name,
                    a.birth_date,
                    a.sex.as_str(),
                    a.address
                );
            }
            None => {
                let _ = writeln!(s, "  signer: {}", signer.subject);
            }
        }
        let _ = writeln!(
            s,
            "  certificate: serial {}, valid until {}",
            signer.certificate_serial, signer.certificate_not_after
        );
    }
    if let Some(t) = &sig.claimed_signing_time {
        let _ = writeln!(s, "  claimed signing time: {t}");
    }
    if let Some(t) = &sig.signature_timestamp {
        let _ = writeln!(s, "  signature timestamp: {t}");
    }
    if let Some(level) = sig.level {
        let _ = writeln!(s, "  level: {level}");
    }
    if let Some(sub) = sig.sub_indication {
        let _ = writeln!(
            s,
            "  {}: {}",
            serde_json::to_value(sub)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            sig.reason.as_deref().unwrap_or("")
        );
    }
    for note in &sig.notes {
        let _ = writeln!(s, "  note: {note}");
    }
}
