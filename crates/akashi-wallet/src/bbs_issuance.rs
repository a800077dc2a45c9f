//! The blind BBS credential over OpenID4VCI: the wallet commits to its holder secret
//! (`akashi_bbs_commitment` proof), the issuer signs over the commitment without learning the
//! secret, the wallet checks the signature against the published key and the claims it was
//! sent, and keeps the credential. A deferred answer (HTTP 202) keeps the holder's side of
//! the issuance in the [`Deferred`] until the issuer is ready.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use akashi_bbs::{
    request_issuance, IssuedCredential, NymEntropy, PendingIssuance, Signature, Suite,
};
use akashi_credential::{bbs_messages_from_claims, BBS_PROFILE};
use akashi_crypto::{sha256, SecureRandom};
use akashi_oid4vc::bbs::BbsIssued;
use akashi_oid4vc::vci::{CredentialResponse, TokenResponse};
use akashi_oid4vc::FORMAT_AKASHI_BBS;

use crate::issuance::{set_refresh, Deferred, Issuer, Received};
use crate::rng::Rng;
use crate::{http, StoredCredential, Wallet, WalletError};

/// Sends the commitment; stores the credential, or returns the deferral.
pub(crate) async fn request(
    wallet: &mut Wallet,
    client: &reqwest::Client,
    issuer: &Issuer,
    token: &TokenResponse,
    configuration: &str,
    now: i64,
    rng: &dyn SecureRandom,
) -> Result<Received, WalletError> {
    let (request, pending) =
        request_issuance(Suite::Sha256, wallet.bbs_holder_secret(), &mut Rng(rng));
    let body = json!({
        "credential_configuration_id": configuration,
        "proofs": { "akashi_bbs_commitment": [URL_SAFE_NO_PAD.encode(request.to_bytes())] },
    });
    let endpoint = &issuer.metadata.credential_endpoint;
    let (status, answer) =
        http::post_json(client, endpoint, &body, Some(&token.access_token)).await?;
    let response: CredentialResponse = http::parse("credential response", answer)?;
    if status == 202 {
        return Deferred::received(&response, token, configuration, Vec::new(), Some(pending));
    }
    finish(
        wallet,
        issuer,
        configuration,
        pending,
        response,
        token.refresh_token.clone(),
        now,
    )
}

/// Checks the issued signature over the sent claims and the holder's commitment, and keeps
/// the credential (its id derives from the signature).
pub(crate) fn finish(
    wallet: &mut Wallet,
    issuer: &Issuer,
    configuration: &str,
    pending: PendingIssuance,
    response: CredentialResponse,
    refresh_token: Option<String>,
    now: i64,
) -> Result<Received, WalletError> {
    let (pk, pk_text) = issuer.bbs_key()?;
    let object = response
        .credentials
        .and_then(|c| c.into_iter().next())
        .ok_or_else(|| WalletError::BadCredential("no credential in the response".into()))?;
    let issued: BbsIssued = http::parse("BBS credential", object.credential)?;
    if issued.profile != BBS_PROFILE {
        return Err(WalletError::BadCredential("unknown BBS profile".into()));
    }
    let (messages, valid_until) = bbs_messages_from_claims(&issued.claims)
        .map_err(|e| WalletError::BadCredential(e.to_string()))?;
    let bad = |e: &dyn std::fmt::Display| WalletError::BadCredential(e.to_string());
    let signature_bytes = URL_SAFE_NO_PAD
        .decode(&issued.signature)
        .map_err(|e| bad(&e))?;
    let signature = Signature::from_bytes(&signature_bytes).map_err(|e| bad(&e))?;
    let entropy_bytes: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&issued.nym_entropy)
        .map_err(|e| bad(&e))?
        .try_into()
        .map_err(|_| bad(&"entropy length"))?;
    let entropy = NymEntropy::from_bytes(&entropy_bytes).map_err(|e| bad(&e))?;
    let credential = pending
        .finish(
            &pk,
            &IssuedCredential { signature, entropy },
            BBS_PROFILE.as_bytes(),
            messages,
        )
        .map_err(|e| bad(&e))?;
    let expires = (valid_until + time::Duration::days(1))
        .midnight()
        .assume_utc()
        .unix_timestamp();
    let id = format!(
        "bbs-{}",
        URL_SAFE_NO_PAD.encode(&sha256(&signature_bytes)[..6])
    );
    let issuer_id = &issuer.metadata.credential_issuer;
    let mut stored = StoredCredential::new(
        &id,
        FORMAT_AKASHI_BBS,
        issuer_id,
        BBS_PROFILE,
        vec![STANDARD.encode(credential.to_bytes().as_slice())],
        now,
        Some(expires),
    );
    stored.configuration_id = Some(configuration.to_owned());
    stored.claims = Value::Object(issued.claims);
    stored.issuer_key = pk_text.into();
    wallet.put_credential(stored)?;
    set_refresh(wallet, issuer_id, refresh_token)?;
    Ok(Received::Stored(id))
}
