//! `akashi card …`: use a My Number Card through its APDU interface. CARD is a virtual card
//! file, or (built with `--features pcsc`) `pcsc` / `pcsc:READER` for a real card.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;

use akashi_card::{
    Card, CertificateSlot, JpkiCard, PinStatus, SealedFileStore, Transport, TriesLeft, VirtualCard,
    VirtualTransport,
};
use akashi_jpki::JpkiCertificate;

use crate::error::{create_dir, read, write, CliError};
use crate::{keyring, Output};

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// Write the card's certificates as PEM (the signature certificate needs --sign-pin).
    Certs {
        card: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        sign_pin: Option<String>,
    },
    /// Sign a file with the signature key (SHA-256, PKCS#1 v1.5 on the card).
    Sign {
        card: String,
        /// The signature PIN.
        #[arg(long)]
        pin: String,
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a challenge with the user-authentication key (login).
    Authenticate {
        card: String,
        /// The authentication PIN.
        #[arg(long)]
        pin: String,
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Tries left for each PIN (spends none).
    PinStatus { card: String },
    /// The four attributes from the text application (券面事項入力補助AP).
    Face {
        card: String,
        /// The text application's 4-digit PIN.
        #[arg(long)]
        pin: String,
    },
}

/// Opens CARD: a virtual card file, or a PC/SC reader.
pub fn open(card: &str, key_file: Option<&Path>) -> Result<JpkiCard<Box<dyn Transport>>, CliError> {
    if card == "pcsc" || card.starts_with("pcsc:") {
        return open_pcsc(card.strip_prefix("pcsc:"));
    }
    let path = PathBuf::from(card);
    if !path.exists() {
        return Err(CliError::usage(format!(
            "card file {} does not exist",
            path.display()
        )));
    }
    let store = SealedFileStore::open(path, keyring::sealing_key(key_file)?)?;
    let transport: Box<dyn Transport> = Box::new(VirtualTransport(VirtualCard::open(store)?));
    Ok(JpkiCard::new(transport))
}

#[cfg(feature = "pcsc")]
fn open_pcsc(reader: Option<&str>) -> Result<JpkiCard<Box<dyn Transport>>, CliError> {
    let transport =
        akashi_card::PcscTransport::connect(reader).map_err(|e| CliError::usage(e.to_string()))?;
    Ok(JpkiCard::new(Box::new(transport)))
}

#[cfg(not(feature = "pcsc"))]
fn open_pcsc(_reader: Option<&str>) -> Result<JpkiCard<Box<dyn Transport>>, CliError> {
    Err(CliError::usage(
        "this akashi was built without PC/SC support: rebuild with --features pcsc",
    ))
}

fn tries(t: TriesLeft) -> String {
    match t {
        TriesLeft::Remaining(n) => format!("{n} tries left"),
        TriesLeft::Blocked => "BLOCKED".into(),
    }
}

pub fn describe_pins(s: &PinStatus) -> String {
    format!(
        "authentication PIN: {}\nsignature PIN:      {}\ntext PIN:           {}\n",
        tries(s.authentication),
        tries(s.signature),
        tries(s.text)
    )
}

/// Reads `input`, has the card sign it with `sign`, writes the signature to `sig`.
fn sign_file(
    card: &str,
    key_file: Option<&Path>,
    out: &Output,
    input: &Path,
    sig: &Path,
    sign: impl FnOnce(
        &mut JpkiCard<Box<dyn Transport>>,
        &[u8],
    ) -> Result<Vec<u8>, akashi_card::HostError>,
    with: &str,
) -> Result<(), CliError> {
    let message = read(input)?;
    let signature = sign(&mut open(card, key_file)?, &message)?;
    write(sig, &signature)?;
    out.result(
        &json!({ "signature": sig, "bytes": signature.len() }),
        || {
            format!(
                "signed {} with {with}: {} ({} bytes)\n",
                input.display(),
                sig.display(),
                signature.len()
            )
        },
    );
    Ok(())
}

pub fn run(command: CardCommand, key_file: Option<&Path>, out: &Output) -> Result<(), CliError> {
    match command {
        CardCommand::Certs {
            card,
            out: dir,
            sign_pin,
        } => {
            let mut card = open(&card, key_file)?;
            create_dir(&dir)?;
            let mut slots = vec![
                (CertificateSlot::Authentication, "authentication.pem"),
                (CertificateSlot::AuthenticationCa, "authentication-ca.pem"),
                (CertificateSlot::SignatureCa, "signature-ca.pem"),
            ];
            if sign_pin.is_some() {
                slots.push((CertificateSlot::Signature, "signature.pem"));
            }
            let mut written = Vec::new();
            for (slot, name) in slots {
                let pin = if slot == CertificateSlot::Signature {
                    sign_pin.as_deref()
                } else {
                    None
                };
                let der = card.read_certificate(slot, pin)?;
                let cert = JpkiCertificate::from_der(&der)?;
                let path = dir.join(name);
                write(&path, cert.to_pem().as_bytes())?;
                written.push(path);
            }
            out.result(&json!({ "written": written }), || {
                let mut s: String = written
                    .iter()
                    .map(|p| format!("wrote {}\n", p.display()))
                    .collect();
                if sign_pin.is_none() {
                    s.push_str("(the signature certificate needs --sign-pin)\n");
                }
                s
            });
        }
        CardCommand::Sign {
            card,
            pin,
            input,
            out: sig,
        } => {
            sign_file(
                &card,
                key_file,
                out,
                &input,
                &sig,
                |c, m| c.sign(m, &pin),
                "the signature key",
            )?;
        }
        CardCommand::Authenticate {
            card,
            pin,
            input,
            out: sig,
        } => {
            let with = "the authentication key";
            sign_file(
                &card,
                key_file,
                out,
                &input,
                &sig,
                |c, m| c.authenticate(m, &pin),
                with,
            )?;
        }
        CardCommand::PinStatus { card } => {
            let status = open(&card, key_file)?.pin_status()?;
            out.result(&serde_json::to_value(status)?, || describe_pins(&status));
        }
        CardCommand::Face { card, pin } => {
            let face = open(&card, key_file)?.read_card_face(&pin)?;
            out.result(&serde_json::to_value(&face)?, || {
                format!(
                    "name:       {}\naddress:    {}\nbirth date: {}\nsex:        {}\n",
                    face.name, face.address, face.birth_date, face.sex
                )
            });
        }
    }
    Ok(())
}
