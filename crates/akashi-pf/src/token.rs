//! Transaction references: the PF keeps no state for a started transaction. The reference
//! carries the SP, the purpose, the expiry and the SHA-256 of the to-be-signed bytes, under an
//! HMAC with the PF's token key; only completing it writes (the id, so it is accepted once).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use akashi_crypto::{constant_time_eq, hmac_sha256};
use akashi_pf_protocol::Purpose;

use crate::PfError;

const PREFIX: &str = "akt1.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TransactionToken {
    pub id: String,
    pub sp: String,
    pub purpose: Purpose,
    pub exp: i64,
    /// Hex SHA-256 of the to-be-signed bytes.
    pub tbs: String,
    /// The person consents to attribute updates for this SP.
    pub subscribe: bool,
}

impl TransactionToken {
    pub fn seal(&self, key: &[u8; 32]) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("token serialises"));
        let mac = URL_SAFE_NO_PAD.encode(hmac_sha256(key, body.as_bytes()));
        format!("{PREFIX}{body}.{mac}")
    }

    /// The token `text` if this PF made it (any change to it is `UnknownTransaction`).
    pub fn open(text: &str, key: &[u8; 32]) -> Result<Self, PfError> {
        let (body, mac) = text
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('.'))
            .ok_or(PfError::UnknownTransaction)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| PfError::UnknownTransaction)?;
        if !constant_time_eq(&mac, &hmac_sha256(key, body.as_bytes())) {
            return Err(PfError::UnknownTransaction);
        }
        let json = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| PfError::UnknownTransaction)?;
        serde_json::from_slice(&json).map_err(|_| PfError::UnknownTransaction)
    }
}

/// The text the card signs: readable by the person, bound to this transaction.
pub(crate) fn to_be_signed(
    sp_name: &str,
    token: &TransactionToken,
    expires: &str,
    transaction_data: Option<&str>,
) -> Vec<u8> {
    let mut text = format!(
        "Akashi PF signed request v1\npurpose: {}\nservice-provider: {sp_name}\ntransaction: {}\nexpires: {expires}\nconsent-to-attribute-updates: {}\n",
        token.purpose.as_str(),
        token.id,
        if token.subscribe { "yes" } else { "no" },
    );
    if let Some(data) = transaction_data {
        text.push_str("---\n");
        text.push_str(data);
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_is_refused() {
        let key = [7u8; 32];
        let token = TransactionToken {
            id: "T1".into(),
            sp: "S1".into(),
            purpose: Purpose::Login,
            exp: 100,
            tbs: "00".into(),
            subscribe: false,
        };
        let text = token.seal(&key);
        assert_eq!(TransactionToken::open(&text, &key).unwrap(), token);
        assert!(TransactionToken::open(&text, &[8u8; 32]).is_err());
        let mut other = token.clone();
        other.sp = "S2".into();
        let forged = format!(
            "{}.{}",
            other.seal(&key).rsplit_once('.').unwrap().0,
            text.rsplit_once('.').unwrap().1
        );
        assert!(matches!(
            TransactionToken::open(&forged, &key),
            Err(PfError::UnknownTransaction)
        ));
        assert!(TransactionToken::open("akt1.", &key).is_err());
    }
}
