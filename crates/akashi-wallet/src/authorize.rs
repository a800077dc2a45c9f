//! Issuance through the authorization-code flow (OpenID4VCI §5, RFC 6749 §4.1 with PKCE
//! S256, RFC 7636): the wallet starts at the issuer's authorization endpoint with the scopes
//! it wants, the card answers the issuer's challenge (that is the "login"), the redirect
//! carries the code, and the code with the PKCE verifier buys the access token.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use akashi_card::Card;
use akashi_crypto::{sha256, SecureRandom};
use akashi_oid4vc::proofing::{AuthorizeAnswer, ProofingChallenge};
use akashi_oid4vc::vci::{TokenRequest, GRANT_AUTHORIZATION_CODE};

use crate::issuance::{card_answer, request_credential, Issuer, Received};
use crate::{http, Wallet, WalletError};

/// The wallet's OAuth client id at issuers (a public client: PKCE, no secret).
pub const CLIENT_ID: &str = "akashi-wallet";
/// Where the issuer sends the code: a private-use URI scheme of the wallet (RFC 8252 §7.1).
pub const REDIRECT_URI: &str = "jp.akashi.wallet:/callback";

fn random_b64(rng: &dyn SecureRandom) -> Result<String, WalletError> {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes)
        .map_err(|e| WalletError::Io(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn query(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("pairs of strings encode")
}

/// The code from the issuer's redirect, after checking it is ours and carries our state.
fn code_from_redirect(redirect: &str, state: &str) -> Result<String, WalletError> {
    let bad = |why: &str| WalletError::BadRequest(format!("authorization redirect: {why}"));
    let (base, params) = redirect.split_once('?').ok_or_else(|| bad("no query"))?;
    if base != REDIRECT_URI {
        return Err(bad("not the wallet's redirect URI"));
    }
    let params: BTreeMap<String, String> =
        serde_urlencoded::from_str(params).map_err(|_| bad("malformed query"))?;
    if params.get("state").map(String::as_str) != Some(state) {
        return Err(bad("state does not match"));
    }
    params.get("code").cloned().ok_or_else(|| bad("no code"))
}

/// Runs the flow for `configurations` (credential configuration ids of the issuer) and
/// requests each credential.
#[allow(clippy::too_many_arguments)]
pub async fn authorize_with_card(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    issuer_url: &str,
    configurations: &[&str],
    card: &mut dyn Card,
    sign_pin: &str,
    now: i64,
    rng: &dyn SecureRandom,
) -> Result<Vec<Received>, WalletError> {
    let issuer = Issuer::discover(client, issuer_url).await?;
    let scopes = configurations
        .iter()
        .map(|id| {
            issuer
                .metadata
                .credential_configurations_supported
                .get(*id)
                .and_then(|c| c.scope.clone())
                .ok_or_else(|| WalletError::BadRequest(format!("no scope for {id}")))
        })
        .collect::<Result<Vec<_>, _>>()?
        .join(" ");
    let verifier = random_b64(rng)?;
    let challenge = URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes()));
    let state = random_b64(rng)?;
    let url = format!(
        "{}?{}",
        issuer.authorization_endpoint,
        query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", &scopes),
            ("state", &state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
    );
    let card_challenge: ProofingChallenge =
        http::parse("authorization challenge", http::get(client, &url).await?)?;
    let request = card_answer(card_challenge, card, sign_pin, false)?;
    let body = serde_json::to_value(&request).map_err(|e| WalletError::Io(e.to_string()))?;
    let (_, answer) = http::post_json(client, &issuer.authorization_endpoint, &body, None).await?;
    let answer: AuthorizeAnswer = http::parse("authorization answer", answer)?;
    let code = code_from_redirect(&answer.redirect_uri, &state)?;
    let token = issuer
        .token(
            client,
            &TokenRequest {
                grant_type: GRANT_AUTHORIZATION_CODE.into(),
                code: Some(code),
                code_verifier: Some(verifier),
                redirect_uri: Some(REDIRECT_URI.into()),
                client_id: Some(CLIENT_ID.into()),
                ..Default::default()
            },
        )
        .await?;
    let mut out = Vec::new();
    for configuration in configurations {
        out.push(
            request_credential(wallet, client, &issuer, &token, configuration, now, rng).await?,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_must_be_ours_with_our_state() {
        let ok = format!("{REDIRECT_URI}?code=c1&state=s1");
        assert_eq!(code_from_redirect(&ok, "s1").unwrap(), "c1");
        assert!(code_from_redirect(&ok, "s2").is_err());
        assert!(code_from_redirect("https://evil.example/cb?code=c1&state=s1", "s1").is_err());
        assert!(code_from_redirect(&format!("{REDIRECT_URI}?state=s1"), "s1").is_err());
    }
}
