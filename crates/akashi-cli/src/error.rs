use std::fmt;

/// A CLI failure: the message names the problem; the exit code tells scripts what kind it was.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub exit_code: u8,
}

/// Exit codes: 1 = the thing checked is not valid (verification failed), 2 = could not run.
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            exit_code: EXIT_ERROR,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            exit_code: EXIT_INVALID,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

macro_rules! from_error {
    ($($t:ty),*) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> Self {
                CliError::usage(e.to_string())
            }
        }
    )*};
}

from_error!(
    akashi_crypto::CryptoError,
    akashi_jpki::JpkiError,
    akashi_jlis::JlisError,
    akashi_card::CardError,
    akashi_card::HostError,
    akashi_store::StoreError,
    serde_json::Error
);

impl From<akashi_pf::PfError> for CliError {
    fn from(e: akashi_pf::PfError) -> Self {
        match e.http_status() {
            422 | 409 | 410 => CliError::invalid(format!("{e} [{}]", e.code())),
            _ => CliError::usage(format!("{e} [{}]", e.code())),
        }
    }
}

impl From<akashi_sp::SpError> for CliError {
    fn from(e: akashi_sp::SpError) -> Self {
        match &e {
            akashi_sp::SpError::Refused(p) if matches!(p.status, 409 | 410 | 422) => {
                CliError::invalid(e.to_string())
            }
            _ => CliError::usage(e.to_string()),
        }
    }
}

impl From<akashi_wallet::WalletError> for CliError {
    fn from(e: akashi_wallet::WalletError) -> Self {
        use akashi_wallet::WalletError as W;
        match &e {
            W::Refused(_) | W::Unsatisfiable(_) | W::BadCredential(_) | W::NoFreshCopy(_) => {
                CliError::invalid(e.to_string())
            }
            _ => CliError::usage(e.to_string()),
        }
    }
}

impl From<akashi_verifier::VerifierError> for CliError {
    fn from(e: akashi_verifier::VerifierError) -> Self {
        CliError::usage(format!("{e} [{}]", e.code()))
    }
}

impl From<reqwest::Error> for CliError {
    fn from(e: reqwest::Error) -> Self {
        CliError::usage(format!("HTTP: {e}"))
    }
}

/// Reads a file, naming it in the error.
pub fn read(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}

/// Writes a file, naming it in the error.
pub fn write(path: &std::path::Path, data: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, data)
        .map_err(|e| CliError::usage(format!("cannot write {}: {e}", path.display())))
}

/// Creates a directory and its parents, naming it in the error.
pub fn create_dir(path: &std::path::Path) -> Result<(), CliError> {
    std::fs::create_dir_all(path)
        .map_err(|e| CliError::usage(format!("cannot create directory {}: {e}", path.display())))
}

impl From<akashi_contract::ContractError> for CliError {
    /// A signature that does not validate is "not valid" (exit 1); every other refusal
    /// (unknown invitation, not your turn, …) is a request that cannot run (exit 2).
    fn from(e: akashi_contract::ContractError) -> Self {
        match e {
            akashi_contract::ContractError::SignatureRejected { .. } => {
                CliError::invalid(e.to_string())
            }
            _ => CliError::usage(e.to_string()),
        }
    }
}
