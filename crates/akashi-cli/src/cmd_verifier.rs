//! `akashi verifier …`: a relying party of the OpenID4VP verifier in `akashi serve`. Register
//! (in-process on the server's data directory, trusting issuers by their published keys), ask
//! for a presentation (DCQL query in, `openid4vp://` request out) and read the result: only
//! the disclosed claims, the predicates proven and the pseudonym.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use time::OffsetDateTime;

use akashi_credential::{born_on_or_before, BBS_PROFILE, VCT};
use akashi_crypto::OsRandom;
use akashi_oid4vc::{FORMAT_AKASHI_BBS, FORMAT_SD_JWT_VC};
use akashi_verifier::TrustedIssuer;
use akashi_wallet::well_known;

use crate::cmd_registry::{block_on, open_store, Db};
use crate::error::{read, CliError};
use crate::Output;

#[derive(Debug, Subcommand)]
pub enum VerifierCommand {
    /// Register a relying party at the verifier of `akashi serve --data DIR`; prints its API
    /// credential once.
    Register {
        name: String,
        #[command(flatten)]
        db: Db,
        /// An issuer whose credentials it accepts (e.g. http://127.0.0.1:8080/issuer): its
        /// SD-JWT keys and BBS key are fetched from its metadata now. Repeatable.
        #[arg(long = "trust-issuer", required = true)]
        trust_issuer: Vec<String>,
    },
    /// Ask for a presentation: prints the transaction id and the openid4vp:// request URI
    /// to hand to the wallet (`akashi wallet present URI`).
    Request {
        #[command(flatten)]
        rp: RpArgs,
        #[command(flatten)]
        what: Wanted,
    },
    /// The outcome of a transaction: pending, refused, or verified with exactly what was
    /// disclosed.
    Result {
        #[command(flatten)]
        rp: RpArgs,
        /// The transaction id `akashi verifier request` printed.
        id: String,
    },
}

/// Where the verifier runs and the relying party's credential.
#[derive(Debug, Args)]
pub struct RpArgs {
    /// The server's URL (`akashi serve`).
    #[arg(long)]
    pub url: String,
    /// The relying party's credential (`akashi verifier register`).
    #[arg(long, env = "AKASHI_RP_CREDENTIAL", hide_env_values = true)]
    pub credential: String,
}

/// What to ask for: one of the ready-made queries or a DCQL file.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Wanted {
    /// Proof of age ≥ N and a credential still valid today (BBS: nothing else disclosed,
    /// a pseudonym for this relying party).
    #[arg(long, value_name = "N")]
    age_over: Option<u8>,
    /// The municipality only (SD-JWT VC).
    #[arg(long)]
    municipality: bool,
    /// A DCQL query (JSON) of your own.
    #[arg(long, value_name = "FILE")]
    dcql: Option<PathBuf>,
}

/// BBS: born on or before today minus `years`, and valid until at least today.
pub fn age_query(today: time::Date, years: u8) -> Value {
    json!({ "credentials": [{
        "id": "age", "format": FORMAT_AKASHI_BBS,
        "meta": { "profile_values": [BBS_PROFILE], "predicates": [
            { "claim": "birthdate", "lte": born_on_or_before(today, i32::from(years)).to_string() },
            { "claim": "valid_until", "gte": today.to_string() } ] }
    }]})
}

/// SD-JWT VC: the municipality of the address, nothing else.
pub fn municipality_query() -> Value {
    json!({ "credentials": [{
        "id": "residence", "format": FORMAT_SD_JWT_VC,
        "meta": { "vct_values": [VCT] },
        "claims": [ { "path": ["address", "municipality"] } ]
    }]})
}

fn dcql(what: &Wanted) -> Result<Value, CliError> {
    if let Some(years) = what.age_over {
        return Ok(age_query(OffsetDateTime::now_utc().date(), years));
    }
    if what.municipality {
        return Ok(municipality_query());
    }
    let path = what
        .dcql
        .as_deref()
        .expect("clap requires one of the three");
    serde_json::from_slice(&read(path)?)
        .map_err(|e| CliError::usage(format!("{}: not a JSON DCQL query: {e}", path.display())))
}

/// The JSON body of an answer; an error answer becomes a message naming what was refused.
async fn body(what: &str, response: reqwest::Response) -> Result<Value, CliError> {
    let status = response.status().as_u16();
    let text = response.text().await?;
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status >= 400 {
        let detail = value["detail"]
            .as_str()
            .or_else(|| value["error_description"].as_str())
            .unwrap_or(text.trim());
        let code = value["code"].as_str().or_else(|| value["error"].as_str());
        let message = match code {
            Some(code) => format!("{what}: HTTP {status}: {detail} [{code}]"),
            None => format!("{what}: HTTP {status}: {detail}"),
        };
        return Err(if status == 401 || status >= 500 {
            CliError::usage(message)
        } else {
            CliError::invalid(message)
        });
    }
    if value.is_null() {
        return Err(CliError::usage(format!(
            "{what}: HTTP {status}: the answer is not JSON"
        )));
    }
    Ok(value)
}

/// A relying party's side of the verifier API.
pub struct RpClient {
    http: reqwest::Client,
    url: String,
    credential: String,
}

impl RpClient {
    pub fn new(url: &str, credential: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: url.trim_end_matches('/').to_owned(),
            credential: credential.to_owned(),
        }
    }

    /// POST /vp/v1/requests: `{transaction_id, request_uri, expires_at}`.
    pub async fn request(&self, dcql_query: &Value) -> Result<Value, CliError> {
        let r = self
            .http
            .post(format!("{}/vp/v1/requests", self.url))
            .bearer_auth(&self.credential)
            .header("content-type", "application/json")
            .body(json!({ "dcql_query": dcql_query }).to_string())
            .send()
            .await
            .map_err(|e| CliError::usage(format!("verifier at {}: {e}", self.url)))?;
        body("the verifier refused the request", r).await
    }

    /// GET /vp/v1/requests/{id}: `{status, result}`.
    pub async fn result(&self, id: &str) -> Result<Value, CliError> {
        let r = self
            .http
            .get(format!("{}/vp/v1/requests/{id}", self.url))
            .bearer_auth(&self.credential)
            .send()
            .await
            .map_err(|e| CliError::usage(format!("verifier at {}: {e}", self.url)))?;
        body("the verifier refused", r).await
    }
}

/// An issuer as a relying party trusts it: its SD-JWT keys (JWT VC issuer metadata) and its
/// BBS key (credential issuer metadata), fetched from its well-known URLs.
pub async fn trusted_issuer(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<TrustedIssuer, CliError> {
    let issuer = issuer.trim_end_matches('/');
    let fetch = |name: &'static str| {
        let url = well_known(issuer, name);
        async move {
            let r = http
                .get(&url)
                .send()
                .await
                .map_err(|e| CliError::usage(format!("issuer metadata {url}: {e}")))?;
            body(&format!("issuer metadata {url}"), r).await
        }
    };
    let jwks = fetch("jwt-vc-issuer").await?;
    let meta = fetch("openid-credential-issuer").await?;
    if jwks["issuer"].as_str() != Some(issuer) || meta["credential_issuer"].as_str() != Some(issuer)
    {
        return Err(CliError::invalid(format!(
            "the metadata at {issuer} names another issuer"
        )));
    }
    let bbs = meta["credential_configurations_supported"]
        .as_object()
        .and_then(|c| c.values().find_map(|v| v["akashi_bbs_public_key"].as_str()))
        .map(str::to_owned);
    Ok(TrustedIssuer {
        issuer: issuer.to_owned(),
        sd_jwt_keys: jwks["jwks"]["keys"].as_array().cloned().unwrap_or_default(),
        bbs_public_key: bbs,
    })
}

/// The lines a relying party reads in a verified result.
pub fn describe_result(result: &Value) -> String {
    let mut out = format!("status: {}\n", result["status"].as_str().unwrap_or("?"));
    let Some(credentials) = result["result"]["credentials"].as_object() else {
        return out;
    };
    for (query, c) in credentials {
        out.push_str(&format!(
            "  {query} ({}, issuer {}):\n",
            c["format"].as_str().unwrap_or("?"),
            c["issuer"].as_str().unwrap_or("?")
        ));
        let mut claims = Vec::new();
        crate::cmd_wallet::flatten("", &c["claims"], &mut claims);
        if claims.is_empty() {
            out.push_str("    claims: none\n");
        }
        for (path, value) in claims {
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            out.push_str(&format!("    claim {path} = {value}\n"));
        }
        for p in c["predicates"].as_array().into_iter().flatten() {
            let (op, bound) = match (p["lte"].as_str(), p["gte"].as_str()) {
                (Some(b), _) => ("<=", b),
                (_, Some(b)) => (">=", b),
                _ => ("?", ""),
            };
            out.push_str(&format!(
                "    predicate {} {op} {bound}: {}\n",
                p["claim"].as_str().unwrap_or("?"),
                if p["holds"] == true {
                    "holds"
                } else {
                    "not shown"
                }
            ));
        }
        if let Some(nym) = c["pseudonym"].as_str() {
            out.push_str(&format!("    pseudonym {nym}\n"));
        }
    }
    out
}

fn check_data(db: &Db) -> Result<(), CliError> {
    if db.database.is_none() && !db.data.join("akashi.db").exists() {
        return Err(CliError::usage(format!(
            "{} holds no Akashi database: pass the --data directory of `akashi serve`",
            db.data.display()
        )));
    }
    Ok(())
}

pub fn run(command: VerifierCommand, out: &Output) -> Result<(), CliError> {
    block_on(async {
        match command {
            VerifierCommand::Register {
                name,
                db,
                trust_issuer,
            } => {
                check_data(&db)?;
                let http = reqwest::Client::new();
                let mut trusted = Vec::new();
                for issuer in &trust_issuer {
                    trusted.push(trusted_issuer(&http, issuer).await?);
                }
                let store = open_store(&db.data, db.database.as_deref()).await?;
                // The public URL only shapes response URIs, which are not stored.
                let verifier = akashi_server::open_verifier(&store, "http://localhost", 0)?;
                let (rp, credential) = verifier
                    .register(&name, trusted.clone(), OffsetDateTime::now_utc(), &OsRandom)
                    .await?;
                let issuers: Vec<&str> = trusted.iter().map(|t| t.issuer.as_str()).collect();
                out.result(
                    &json!({ "id": rp.id, "name": rp.name, "credential": credential, "trusted_issuers": issuers }),
                    || {
                        format!(
                            "relying party {} ({}) trusting {}\ncredential (shown once; --credential or AKASHI_RP_CREDENTIAL):\n{credential}\n",
                            rp.name,
                            rp.id,
                            issuers.join(", ")
                        )
                    },
                );
            }
            VerifierCommand::Request { rp, what } => {
                let query = dcql(&what)?;
                let created = RpClient::new(&rp.url, &rp.credential)
                    .request(&query)
                    .await?;
                out.result(&created, || {
                    format!(
                        "transaction {}\nrequest URI (for the wallet: akashi wallet present URI):\n{}\n",
                        created["transaction_id"].as_str().unwrap_or("?"),
                        created["request_uri"].as_str().unwrap_or("?")
                    )
                });
            }
            VerifierCommand::Result { rp, id } => {
                let result = RpClient::new(&rp.url, &rp.credential).result(&id).await?;
                out.result(&result, || describe_result(&result));
            }
        }
        Ok(())
    })
}
