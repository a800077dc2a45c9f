//! The wallet's HTTP: JSON and form requests, OAuth error answers as typed errors.

use serde::de::DeserializeOwned;
use serde_json::Value;

use akashi_oid4vc::OAuthError;

use crate::WalletError;

/// `scheme://host/.well-known/{name}{path}` for an identifier `scheme://host{path}` (RFC 8414
/// §3.1, OpenID4VCI §12.2.2).
pub fn well_known(identifier: &str, name: &str) -> String {
    let (scheme, rest) = identifier
        .split_once("://")
        .unwrap_or(("https", identifier));
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    format!(
        "{scheme}://{host}/.well-known/{name}{}",
        path.trim_end_matches('/')
    )
}

fn http(e: reqwest::Error) -> WalletError {
    WalletError::Http(e.to_string())
}

/// The answer's status and JSON body; an OAuth error body becomes [`WalletError::Refused`].
async fn answer(response: reqwest::Response) -> Result<(u16, Value), WalletError> {
    let status = response.status().as_u16();
    let text = response.text().await.map_err(http)?;
    let body: Value = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text)
            .map_err(|_| WalletError::Http(format!("HTTP {status}: not JSON")))?
    };
    if status >= 400 {
        let error: OAuthError = serde_json::from_value(body.clone()).unwrap_or(OAuthError {
            error: format!("http_{status}"),
            error_description: body
                .get("detail")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
        return Err(WalletError::Refused(error));
    }
    Ok((status, body))
}

pub(crate) fn parse<T: DeserializeOwned>(what: &str, body: Value) -> Result<T, WalletError> {
    serde_json::from_value(body).map_err(|e| WalletError::Http(format!("{what}: {e}")))
}

pub(crate) async fn get(client: &reqwest::Client, url: &str) -> Result<Value, WalletError> {
    answer(client.get(url).send().await.map_err(http)?)
        .await
        .map(|(_, b)| b)
}

pub(crate) async fn get_text(client: &reqwest::Client, url: &str) -> Result<String, WalletError> {
    let response = client.get(url).send().await.map_err(http)?;
    if !response.status().is_success() {
        return Err(WalletError::Http(format!(
            "{url}: HTTP {}",
            response.status()
        )));
    }
    response.text().await.map_err(http)
}

pub(crate) async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    bearer: Option<&str>,
) -> Result<(u16, Value), WalletError> {
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    answer(request.send().await.map_err(http)?).await
}

pub(crate) async fn post_form(
    client: &reqwest::Client,
    url: &str,
    form: String,
) -> Result<(u16, Value), WalletError> {
    let request = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form);
    answer(request.send().await.map_err(http)?).await
}
