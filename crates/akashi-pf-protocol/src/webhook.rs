//! Webhook signatures after the Standard Webhooks specification (standardwebhooks.com): the
//! headers `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
//! (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`) under a per-SP secret written
//! `whsec_` + base64. Any Standard Webhooks library verifies them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    #[error("webhook secret: {0}")]
    Secret(&'static str),
    #[error("webhook-timestamp: {0}")]
    Timestamp(&'static str),
    #[error("webhook-signature: no v1 signature matches")]
    Signature,
}

const PREFIX: &str = "whsec_";

/// How far a webhook's timestamp may be from the receiver's clock (the spec's default).
pub const TOLERANCE_SECONDS: i64 = 300;

fn key(secret: &str) -> Result<Vec<u8>, WebhookError> {
    let encoded = secret
        .strip_prefix(PREFIX)
        .ok_or(WebhookError::Secret("must start with whsec_"))?;
    STANDARD
        .decode(encoded)
        .map_err(|_| WebhookError::Secret("not base64 after whsec_"))
}

/// Formats 24–64 random bytes as a secret.
pub fn format_secret(bytes: &[u8]) -> String {
    format!("{PREFIX}{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` value for `body`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, WebhookError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).expect("any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Checks a received webhook at `now` (Unix seconds). `signatures` is the header value: one
/// or more space-separated `v1,…` entries (several during secret rotation).
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| WebhookError::Timestamp("not an integer"))?;
    if (now - ts).abs() > TOLERANCE_SECONDS {
        return Err(WebhookError::Timestamp("outside the tolerance window"));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).expect("any key length");
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    for candidate in signatures.split(' ') {
        let Some(b64) = candidate.strip_prefix("v1,") else {
            continue;
        };
        let Ok(tag) = STANDARD.decode(b64) else {
            continue;
        };
        // verify_slice compares in constant time.
        if mac.clone().verify_slice(&tag).is_ok() {
            return Ok(());
        }
    }
    Err(WebhookError::Signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks reference libraries (secret, id, timestamp,
    /// payload and the signature they compute).
    #[test]
    fn reference_example() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(secret, id, 1614265330, body).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        verify(secret, id, "1614265330", &signature, body, 1614265330).unwrap();
        assert_eq!(
            verify(secret, id, "1614265330", &signature, b"{}", 1614265330),
            Err(WebhookError::Signature)
        );
        assert_eq!(
            verify(secret, id, "1614265330", &signature, body, 1614265330 + 301),
            Err(WebhookError::Timestamp("outside the tolerance window"))
        );
    }
}
