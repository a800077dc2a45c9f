//! Why a passkey ceremony was refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use webauthn_rs::prelude::WebauthnError;

/// Why the configuration was refused or a ceremony failed. The messages name the problem for
/// an operator; the provider shows the user something shorter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PasskeyError {
    #[error("passkey configuration: {0}")]
    Config(String),
    #[error("passkey: hardware-bound registration needs at least one hardware root CA in the configuration")]
    NoHardwareRoots,
    #[error("passkey: the user handle, user name and display name must not be empty")]
    BadUser,
    #[error("passkey: the account has no passkey to authenticate with")]
    NoPasskeys,
    #[error("passkey: the browser's response is malformed: {0}")]
    BadResponse(String),
    #[error("passkey: the response was made on another origin than this provider's: {0}")]
    WrongOrigin(String),
    #[error(
        "passkey: the response answers another challenge (replayed, or from another ceremony): {0}"
    )]
    ChallengeMismatch(String),
    #[error("passkey: the authenticator did not verify the user (PIN or biometric): {0}")]
    UserNotVerified(String),
    #[error("passkey: the authenticator's signature does not verify: {0}")]
    BadSignature(String),
    #[error("passkey: the authenticator is not proven hardware-bound (its attestation does not chain to a configured hardware root, or its key can be synced): {0}")]
    NotHardwareBound(String),
    #[error("passkey: this authenticator is already registered to the account")]
    AlreadyRegistered,
    #[error("passkey: credential {} is not one of the account's passkeys", b64(.credential_id))]
    UnknownCredential { credential_id: Vec<u8> },
    #[error("passkey: the signature counter of credential {} did not advance past the stored one: the authenticator may have been cloned", b64(.credential_id))]
    CounterRegressed { credential_id: Vec<u8> },
    #[error("passkey: credential {} changed its backup eligibility since registration; it must be registered again", b64(.credential_id))]
    BackupEligibilityChanged { credential_id: Vec<u8> },
    #[error("passkey: refused: {0}")]
    Refused(String),
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Which ceremony a webauthn-rs error comes from: attestation-trust errors mean
/// [`PasskeyError::NotHardwareBound`] only where a hardware binding was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ceremony {
    Register { hardware: bool },
    Authenticate,
}

/// Maps a webauthn-rs refusal to ours, keeping its message. `credential_id` is the id the
/// response presented, for the errors about one credential.
pub(crate) fn refused(e: WebauthnError, ceremony: Ceremony, credential_id: &[u8]) -> PasskeyError {
    use WebauthnError as W;
    let m = e.to_string();
    let id = credential_id.to_vec();
    match e {
        W::InvalidRPOrigin | W::InvalidRPIDHash | W::CredentialCrossOrigin => {
            PasskeyError::WrongOrigin(m)
        }
        W::MismatchedChallenge | W::ChallengeNotFound => PasskeyError::ChallengeMismatch(m),
        W::UserNotVerified | W::UserNotPresent => PasskeyError::UserNotVerified(m),
        W::AuthenticationFailure => PasskeyError::BadSignature(m),
        W::InvalidUsername | W::InvalidUserUniqueId => PasskeyError::BadUser,
        W::MissingAttestationCaList => PasskeyError::NoHardwareRoots,
        W::CredentialNotFound => PasskeyError::UnknownCredential { credential_id: id },
        W::CredentialPossibleCompromise => PasskeyError::CounterRegressed { credential_id: id },
        W::CredentialBackupEligibilityInconsistent => {
            PasskeyError::BackupEligibilityChanged { credential_id: id }
        }
        W::CredentialExcludedFromRequest | W::CredentialAlreadyExists => {
            PasskeyError::AlreadyRegistered
        }
        W::AttestationTrustFailure
        | W::AttestationCertificateTrustStoreEmpty
        | W::AttestationNotVerifiable
        | W::AttestationNotSupported
        | W::AttestationLeafCertMissing
        | W::AttestationUntrustedAaguid
        | W::AttestationFormatMissingAaguid
        | W::AttestationChainNotTrusted(_)
        | W::CredentialMayNotBeHardwareBound
        | W::TrustFailure
            if ceremony == (Ceremony::Register { hardware: true }) =>
        {
            PasskeyError::NotHardwareBound(m)
        }
        W::CredentialMayNotBeHardwareBound if ceremony == Ceremony::Authenticate => {
            // Backed up without being backup-eligible.
            PasskeyError::BackupEligibilityChanged { credential_id: id }
        }
        W::InvalidClientDataType
        | W::ParseBase64Failure(_)
        | W::ParseCBORFailure(_)
        | W::ParseJSONFailure(_)
        | W::ParseNOMFailure
        | W::ParseInsufficientBytesAvailable
        | W::MissingAttestationCredentialData
        | W::AuthenticatorDataMissingExtension
        | W::InvalidExtensions
        | W::COSEKeyInvalidCBORValue
        | W::COSEKeyInvalidType
        | W::COSEKeyECDSAXYInvalid
        | W::COSEKeyRSANEInvalid
        | W::COSEKeyEDDSAXInvalid
        | W::COSEKeyInvalidAlgorithm => PasskeyError::BadResponse(m),
        _ => PasskeyError::Refused(m),
    }
}

/// A browser response that does not even parse.
pub(crate) fn malformed(e: serde_json::Error) -> PasskeyError {
    PasskeyError::BadResponse(e.to_string())
}
