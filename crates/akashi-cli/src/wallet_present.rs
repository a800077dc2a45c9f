//! `akashi wallet present`: the holder sees exactly what would go to whom and decides. An
//! unreadable or unanswerable request sends nothing; a refusal tells the verifier
//! `access_denied` and discloses nothing.

use std::io::{BufRead, Write};

use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_wallet::presentation::{self, Plan};
use akashi_wallet::{Wallet, WalletError};

use crate::cmd_wallet::now;
use crate::{CliError, Output};

/// The plan as JSON: the verifier, and per credential what is disclosed and proven.
pub fn plan_json(plan: &Plan) -> Value {
    json!({
        "verifier": plan.request.client_id,
        "verifier_says_it_is": plan.request.client_metadata.as_ref().and_then(|m| m["client_name"].as_str()),
        "items": plan.items.iter().map(|i| json!({
            "query": i.query_id,
            "credential": i.credential_id,
            "format": i.format,
            "disclose": i.claims,
            "prove": i.predicates,
            "pseudonym": i.pseudonym,
        })).collect::<Vec<_>>(),
    })
}

/// `Plan::describe`, with the name the verifier gives itself (not verified: the client id is
/// what the answer is bound to).
pub fn describe(plan: &Plan) -> String {
    let mut text = plan.describe();
    if let Some(name) = plan
        .request
        .client_metadata
        .as_ref()
        .and_then(|m| m["client_name"].as_str())
    {
        text.push_str(&format!("  (the verifier calls itself \"{name}\")\n"));
    }
    text
}

fn ask() -> Result<bool, CliError> {
    eprint!("Send this? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("reading the answer: {e}")))?;
    if line.is_empty() {
        // No answer (end of input): a refusal; end the prompt's line.
        eprintln!();
    }
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Plans, shows, asks (unless `decision` is given), then sends or refuses.
pub async fn present(
    wallet: &mut Wallet,
    http: &reqwest::Client,
    request_uri: &str,
    decision: Option<bool>,
    out: &Output,
) -> Result<(), CliError> {
    let plan = presentation::plan(wallet, request_uri, now()).map_err(|e| match e {
        WalletError::BadRequest(why) => CliError::usage(format!(
            "not a presentation request this wallet accepts (openid4vp://?…): {why}; nothing was sent"
        )),
        WalletError::Unsatisfiable(why) => CliError::invalid(format!(
            "this wallet cannot answer the request: {why}; nothing was sent"
        )),
        other => other.into(),
    })?;
    let text = describe(&plan);
    if out.json {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
    let approved = match decision {
        Some(d) => d,
        None => ask()?,
    };
    let mut value = plan_json(&plan);
    if approved {
        let answer = presentation::respond(wallet, http, &plan, now(), &OsRandom).await?;
        value["sent"] = true.into();
        value["verifier_answer"] = answer;
        out.result(&value, || {
            format!(
                "sent to {}; recorded in the history\n",
                plan.request.client_id
            )
        });
    } else {
        presentation::refuse(http, &plan, "the holder declined").await?;
        value["sent"] = false.into();
        out.result(&value, || {
            "refused: the verifier was told access_denied; nothing was disclosed\n".into()
        });
    }
    Ok(())
}
