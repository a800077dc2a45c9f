//! `akashi demo`: the JPKI trust anchor end to end, narrated, all roles in one process.

use std::path::Path;

use time::OffsetDateTime;

use akashi_card::{
    Card, CertificateSlot, HostError, JpkiCard, PinKind, SealedFileStore, VirtualCard,
    VirtualTransport,
};
use akashi_crypto::{verify_rsa_pkcs1, HashAlgorithm, OsRandom};
use akashi_jlis::{issue_card, Authority, CardIssueRequest, JlisError};
use akashi_jpki::{validate, CertificateKind, JpkiCertificate};

use crate::cmd_card::describe_pins;
use crate::cmd_jlis::{export_roots, person};
use crate::cmd_jpki::load_anchors;
use crate::cmd_registry::{block_on, card_id, new_resident_id, open_registry};
use crate::error::{create_dir, write, CliError};
use crate::keyring;

pub(crate) const AUTH_PIN: &str = "1234";
pub(crate) const SIGN_PIN: &str = "HANAKO2026";

pub(crate) fn step(n: u8, title: &str) {
    println!("\n[{n}/22] {title}");
}

pub fn run(data: &Path, key_file: Option<&Path>) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    println!("Akashi demo: the My Number Card (JPKI) as a trust anchor, end to end.");
    println!(
        "Data directory: {} (keys sealed with the local keyring)",
        data.display()
    );

    step(1, "J-LIS sets up its two certificate authorities");
    create_dir(data)?;
    let mut authority = match Authority::open(data, keyring::sealing_key(key_file)?) {
        Ok(a) => {
            println!("  reusing the J-LIS CAs already in {}", data.display());
            a
        }
        Err(JlisError::NotInitialised(_)) => {
            let a = Authority::init(data, keyring::sealing_key(key_file)?, now, &OsRandom)?;
            println!("  created the signature CA and the user-authentication CA (generation 1)");
            a
        }
        Err(e) => return Err(e.into()),
    };
    let roots_dir = data.join("roots");
    let roots = export_roots(&authority, &roots_dir)?;
    println!(
        "  published {} root certificate(s) in {}",
        roots.len(),
        roots_dir.display()
    );

    step(
        2,
        "The municipal office issues a My Number Card to Yamada Hanako",
    );
    let hanako = person(
        "山田 花子",
        "1990-04-01",
        "female",
        "東京都千代田区霞が関二丁目1番2号",
    )?;
    let cards = data.join("cards");
    create_dir(&cards)?;
    let card_path = cards.join("yamada-hanako.card");
    if card_path.exists() {
        std::fs::remove_file(&card_path)
            .map_err(|e| CliError::usage(format!("{}: {e}", card_path.display())))?;
    }
    let store = SealedFileStore::open(card_path.clone(), keyring::sealing_key(key_file)?)?;
    let request = CardIssueRequest {
        person: &hanako,
        auth_pin: AUTH_PIN,
        sign_pin: SIGN_PIN,
    };
    let registry = open_registry(data, None)?;
    let resident = new_resident_id()?;
    block_on(registry.add_resident(&resident, &hanako, now))?;
    let issued = issue_card(&mut authority, &request, store, now, &OsRandom)?;
    let c = &issued.certificates;
    block_on(registry.record_issued(
        &resident,
        &card_id(&c.authentication.certificate),
        &[(&c.signature, None), (&c.authentication, None)],
        now,
    ))?;
    println!(
        "  resident {resident} registered in the resident registry ({})",
        data.join("akashi.db").display()
    );
    println!("  the card generated two RSA-2048 key pairs; J-LIS certified them:");
    println!(
        "    signature certificate            serial {}",
        issued.certificates.signature.certificate.serial_hex()
    );
    println!(
        "    user-authentication certificate  serial {}",
        issued.certificates.authentication.certificate.serial_hex()
    );
    println!("  card file (sealed): {}", card_path.display());
    drop(issued);

    step(3, "A bank's app reads the card through its APDU interface");
    let mut card = JpkiCard::new(VirtualTransport(VirtualCard::open(SealedFileStore::open(
        card_path.clone(),
        keyring::sealing_key(key_file)?,
    )?)?));
    match card.read_certificate(CertificateSlot::Signature, None) {
        Err(HostError::SecurityStatusNotSatisfied { .. }) => {
            println!("  READ BINARY of the signature certificate without the PIN: 6982 (refused, as on a real card)")
        }
        other => {
            return Err(CliError::usage(format!(
                "the card let the signature certificate out without its PIN: {other:?}"
            )))
        }
    }
    let sign_der = card.read_certificate(CertificateSlot::Signature, Some(SIGN_PIN))?;
    println!(
        "  with the signature PIN: {} bytes of DER, {} APDUs so far",
        sign_der.len(),
        card.commands_sent()
    );
    let sign_cert = JpkiCertificate::from_der(&sign_der)?;
    write(
        &data.join("hanako-signature.pem"),
        sign_cert.to_pem().as_bytes(),
    )?;

    step(
        4,
        "Hanako signs her account-opening application with the card (犯収法 JPKI method)",
    );
    let application = "口座開設申込書: 普通預金 / 申込日 2026-11-23 / 山田花子".as_bytes();
    let signature = card.sign(application, SIGN_PIN)?;
    write(&data.join("application.txt"), application)?;
    write(&data.join("application.sig"), &signature)?;
    println!(
        "  SHA-256 DigestInfo sent to the card; it padded (PKCS#1 v1.5) and signed: {} bytes",
        signature.len()
    );

    step(
        5,
        "The bank verifies the signature and the certificate against the J-LIS roots",
    );
    let anchors = load_anchors(&roots_dir)?;
    let validated = validate(&sign_cert, &anchors, now, Some(CertificateKind::Signature))
        .map_err(|e| CliError::invalid(format!("certificate: {e}")))?;
    verify_rsa_pkcs1(
        &sign_cert.public_key_der()?,
        HashAlgorithm::Sha256,
        application,
        &signature,
    )
    .map_err(|e| CliError::invalid(format!("signature: {e}")))?;
    println!(
        "  chain: VALID (issued by root serial {}), signature: VALID",
        validated.issuer.serial_hex()
    );
    if let Some(a) = &validated.attributes {
        println!("  basic four attributes from the certificate (IAL3):");
        println!(
            "    name {}, born {}, sex {}, address {}",
            a.name,
            a.birth_date,
            a.sex.as_str(),
            a.address
        );
    }
    let mut tampered = application.to_vec();
    tampered[0] ^= 1;
    let refused = verify_rsa_pkcs1(
        &sign_cert.public_key_der()?,
        HashAlgorithm::Sha256,
        &tampered,
        &signature,
    )
    .is_err();
    println!(
        "  a changed application does not verify: {}",
        if refused { "refused" } else { "ACCEPTED (bug)" }
    );

    step(
        6,
        "PIN safety: a wrong PIN costs a try, persisted in the card before it answers",
    );
    match card.verify_pin(PinKind::Authentication, "0000") {
        Err(HostError::WrongPin { tries_left }) => {
            println!("  wrong authentication PIN: 63C{tries_left:X} ({tries_left} tries left)")
        }
        other => {
            return Err(CliError::usage(format!(
                "unexpected answer to a wrong PIN: {other:?}"
            )))
        }
    }
    card.verify_pin(PinKind::Authentication, AUTH_PIN)?;
    print!(
        "  the right PIN resets the counter:\n{}",
        indent(&describe_pins(&card.pin_status()?))
    );
    let face = card.read_card_face(AUTH_PIN)?;
    println!(
        "  text application (券面事項入力補助AP): {} / {} / {} / sex {}",
        face.name, face.address, face.birth_date, face.sex
    );

    drop(card);
    crate::demo_move::run(
        data,
        key_file,
        &mut authority,
        &registry,
        &resident,
        &card_path,
        &sign_cert,
    )?;
    block_on(async {
        let server =
            crate::demo_pf::run(data, key_file, authority, &registry, &resident, &card_path)
                .await?;
        crate::demo_private_id::run(data, key_file, &registry, &resident, &card_path, &server)
            .await?;
        crate::demo_contract::run(data, key_file, &registry, &card_path).await?;
        crate::demo_oidc::run(key_file, &card_path, &server).await
    })?;
    println!(
        "\nDone. Try: akashi jpki verify {} --anchors {}",
        data.join("hanako-signature.pem").display(),
        roots_dir.display()
    );
    Ok(())
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}
