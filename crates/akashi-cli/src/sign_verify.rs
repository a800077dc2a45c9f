//! `akashi sign verify`: validation by anyone, offline, against trust anchors from a directory
//! of root certificates or from a signed trusted list whose operator the validator pins.

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use time::OffsetDateTime;

use akashi_sign::trusted_list::{read_trusted_list, TrustedList};
use akashi_sign::{validate_cades, validate_pades, Anchors, Report};

use crate::cmd_jpki::rfc3339;
use crate::cmd_sign::sign_error;
use crate::cmd_trust::parse_time;
use crate::error::{read, CliError};
use crate::{sign_report, Output};

/// Validate signatures: a PDF's (PAdES), or a detached CAdES signature with --sig.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("trust").required(true).args(["anchors", "trusted_list"])))]
pub struct VerifyArgs {
    file: PathBuf,
    /// The detached signature of FILE.
    #[arg(long)]
    sig: Option<PathBuf>,
    /// Directory of trusted root certificates (J-LIS roots, TSA roots).
    #[arg(long)]
    anchors: Option<PathBuf>,
    /// A signed trusted list (`akashi trust-list create`) giving the anchors, instead of
    /// --anchors; needs --tl-operator.
    #[arg(long, requires = "tl_operator")]
    trusted_list: Option<PathBuf>,
    /// The certificate of the trusted list's scheme operator (pinned: the list must be
    /// signed with its key).
    #[arg(long, requires = "trusted_list")]
    tl_operator: Option<PathBuf>,
    /// Validation time (RFC 3339; default now).
    #[arg(long)]
    at: Option<String>,
}

/// The trusted list the anchors came from, and whether it is past its next update.
struct ListUsed {
    list: TrustedList,
    stale: bool,
}

pub fn run(args: VerifyArgs, now: OffsetDateTime, out: &Output) -> Result<(), CliError> {
    let at = match &args.at {
        Some(t) => parse_time("--at", t)?,
        None => now,
    };
    let (anchors, used) = match (&args.anchors, &args.trusted_list, &args.tl_operator) {
        (Some(dir), None, None) => (Anchors::from_dir(dir).map_err(sign_error)?, None),
        (None, Some(list), Some(operator)) => {
            let operator = crate::cmd_trust::read_certificate(operator)?;
            let (list, anchors, stale) = read_trusted_list(&read(list)?, operator.der(), at)
                .map_err(|e| CliError::usage(format!("{}: {e}", args.trusted_list_name())))?;
            (anchors, Some(ListUsed { list, stale }))
        }
        _ => {
            return Err(CliError::usage(
                "give either --anchors DIR or --trusted-list FILE with --tl-operator CERT",
            ))
        }
    };
    let content = read(&args.file)?;
    let mut report = match &args.sig {
        Some(sig) => validate_cades(&content, &read(sig)?, &anchors, at),
        None => verify_unsigned_input(&content, &anchors, at)?,
    };
    if let Some(used) = used.as_ref().filter(|u| u.stale) {
        let warning = stale_warning(&used.list);
        eprintln!("warning: {warning}");
        for signature in &mut report.signatures {
            signature.notes.push(warning.clone());
        }
    }
    print_report(&report, used.as_ref(), out);
    if report.all_passed() {
        Ok(())
    } else {
        Err(CliError::invalid(
            "not every signature is TOTAL-PASSED (see the report)",
        ))
    }
}

impl VerifyArgs {
    fn trusted_list_name(&self) -> String {
        self.trusted_list
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    }
}

fn stale_warning(list: &TrustedList) -> String {
    format!(
        "the trusted list (sequence {}) is past its next update ({}): a newer list may have \
         withdrawn services it still grants",
        list.sequence_number,
        rfc3339(list.next_update)
    )
}

fn verify_unsigned_input(
    content: &[u8],
    anchors: &Anchors,
    at: OffsetDateTime,
) -> Result<Report, CliError> {
    if !content.starts_with(b"%PDF") {
        return Err(CliError::usage(
            "not a PDF: give the detached signature of this file with --sig",
        ));
    }
    Ok(validate_pades(content, anchors, at))
}

fn print_report(report: &Report, used: Option<&ListUsed>, out: &Output) {
    let mut value = serde_json::to_value(report).expect("report JSON");
    if let Some(used) = used {
        value["trusted_list"] = serde_json::json!({
            "scheme_operator": used.list.scheme_operator,
            "sequence_number": used.list.sequence_number,
            "issued": rfc3339(used.list.issued),
            "next_update": rfc3339(used.list.next_update),
            "stale": used.stale,
        });
    }
    out.result(&value, || {
        let mut text = String::new();
        if let Some(used) = used {
            text.push_str(&format!(
                "trusted list: {} (sequence {}, next update {}){}\n",
                used.list.scheme_operator,
                used.list.sequence_number,
                rfc3339(used.list.next_update),
                if used.stale { " — STALE" } else { "" }
            ));
        }
        text + &sign_report::text(report)
    });
}
