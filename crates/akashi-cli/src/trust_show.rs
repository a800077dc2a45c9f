//! `akashi trust-list show`: a checked list's services, their certificates and their status
//! at a time, as text or JSON.

use std::fmt::Write;

use time::OffsetDateTime;

use akashi_jpki::JpkiCertificate;
use akashi_sign::trusted_list::{ServiceStatus, TrustService, TrustedList};

use crate::cmd_jpki::rfc3339;
use crate::cmd_trust::status_word;
use crate::error::CliError;
use crate::Output;

struct Row<'a> {
    service: &'a TrustService,
    certificate: Option<JpkiCertificate>,
    status: Option<ServiceStatus>,
}

pub fn print(
    list: &TrustedList,
    at: OffsetDateTime,
    stale: bool,
    out: &Output,
) -> Result<(), CliError> {
    let rows: Vec<Row> = list
        .services
        .iter()
        .map(|service| Row {
            service,
            certificate: service
                .certificate_der()
                .ok()
                .and_then(|der| JpkiCertificate::from_der(&der).ok()),
            status: service.status_at(at),
        })
        .collect();
    let json = serde_json::json!({
        "scheme_operator": list.scheme_operator,
        "sequence_number": list.sequence_number,
        "issued": rfc3339(list.issued),
        "next_update": rfc3339(list.next_update),
        "at": rfc3339(at),
        "stale": stale,
        "services": rows.iter().map(|r| serde_json::json!({
            "name": r.service.name,
            "type": r.service.service_type,
            "status": r.status,
            "subject": r.certificate.as_ref().map(|c| c.subject().to_string()),
            "serial": r.certificate.as_ref().map(JpkiCertificate::serial_hex),
            "not_after": r.certificate.as_ref().map(|c| rfc3339(c.not_after())),
            "history": r.service.history.iter().map(|c| serde_json::json!({
                "status": c.status, "from": rfc3339(c.from)
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    out.result(&json, || text(list, &rows, at, stale));
    Ok(())
}

fn text(list: &TrustedList, rows: &[Row], at: OffsetDateTime, stale: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "trusted list of {} (sequence {}), issued {}, next update {}{}",
        list.scheme_operator,
        list.sequence_number,
        rfc3339(list.issued),
        rfc3339(list.next_update),
        if stale { " — STALE" } else { "" }
    );
    let _ = writeln!(s, "statuses at {}:", rfc3339(at));
    for row in rows {
        let kind = serde_json::to_value(row.service.service_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  {} ({kind}): {}",
            row.service.name,
            status_word(row.status)
        );
        match &row.certificate {
            Some(c) => {
                let _ = writeln!(
                    s,
                    "    {} serial {}, valid until {}",
                    c.subject(),
                    c.serial_hex(),
                    rfc3339(c.not_after())
                );
            }
            None => {
                let _ = writeln!(s, "    (the certificate cannot be read)");
            }
        }
        for change in &row.service.history {
            let _ = writeln!(
                s,
                "    {} from {}",
                status_word(Some(change.status)),
                rfc3339(change.from)
            );
        }
    }
    s
}
