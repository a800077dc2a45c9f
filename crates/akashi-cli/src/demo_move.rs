//! The demo's second half: Hanako moves house (引越し). J-LIS revokes her signature
//! certificate, the CRL says so, her authentication certificate stays good, and a new
//! signature certificate with the new address goes onto the same card.

use std::path::Path;

use time::OffsetDateTime;

use akashi_card::{
    Card, CertificateSlot, JpkiCard, SealedFileStore, VirtualCard, VirtualTransport,
};
use akashi_crypto::OsRandom;
use akashi_jlis::OcspResponder;
use akashi_jlis::{Authority, LifeEvent, Registry};
use akashi_jpki::{validate, CertificateKind, JpkiCertificate, TrustAnchors};
use akashi_revocation::{
    build_request, verify_basic_response, verify_crl, CertId, CertIdHash, CertStatus,
};

use crate::cmd_registry::block_on;
use crate::demo::step;
use crate::error::CliError;
use crate::keyring;

const NEW_ADDRESS: &str = "神奈川県横浜市中区日本大通1";

pub fn run(
    data: &Path,
    key_file: Option<&Path>,
    authority: &mut Authority,
    registry: &Registry,
    resident: &str,
    card_path: &Path,
    old_sign: &JpkiCertificate,
) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    step(
        7,
        "Hanako moves to Yokohama: the municipality records the move",
    );
    let changes = block_on(registry.apply(
        resident,
        &LifeEvent::Move {
            new_address: NEW_ADDRESS.into(),
        },
        now,
    ))?;
    for c in &changes {
        println!(
            "  {} certificate {}: {} (CRL reason {})",
            c.kind,
            c.serial,
            c.change,
            c.reason.unwrap_or(0)
        );
    }
    let revoked_in = |kind: CertificateKind, serial: &str| -> Result<bool, CliError> {
        let record = block_on(registry.latest_certificate(resident, kind))?
            .ok_or_else(|| CliError::usage("no certificate recorded"))?;
        let generation = authority
            .generations(kind)?
            .into_iter()
            .find(|g| i64::from(g.number) == record.generation)
            .ok_or_else(|| CliError::usage("unknown CA generation"))?;
        let crl = block_on(authority.crl(&generation, registry.store(), now))?;
        let parsed = verify_crl(&crl, &generation.certificate)
            .map_err(|e| CliError::usage(e.to_string()))?;
        Ok(parsed
            .entries
            .iter()
            .any(|e| akashi_jpki::serial_hex(&e.serial) == serial))
    };
    println!(
        "  signed CRL of the signature CA lists {}: {}",
        old_sign.serial_hex(),
        revoked_in(CertificateKind::Signature, &old_sign.serial_hex())?
    );
    let auth = block_on(registry.latest_certificate(resident, CertificateKind::Authentication))?
        .ok_or_else(|| CliError::usage("no authentication certificate"))?;
    println!(
        "  authentication certificate {} stays good (listed in its CRL: {})",
        auth.serial,
        revoked_in(CertificateKind::Authentication, &auth.serial)?
    );
    // The same question over OCSP, answered by the generation's delegated responder.
    let auth_serial = auth.serial.clone();
    for (kind, serial) in [
        (CertificateKind::Signature, old_sign.serial_hex()),
        (CertificateKind::Authentication, auth_serial),
    ] {
        println!(
            "  OCSP for the {kind} certificate {serial}: {}",
            ocsp_status(authority, registry, kind, &serial, now)?
        );
    }
    println!("  (`akashi serve` answers the same over HTTP, e.g. to `openssl ocsp -url`)");

    step(
        8,
        "A new signature certificate with the new address goes onto the same card",
    );
    let card = VirtualCard::open(SealedFileStore::open(
        card_path.to_path_buf(),
        keyring::sealing_key(key_file)?,
    )?)?;
    let (card, _) = block_on(akashi_jlis::reissue_signature(
        authority, registry, resident, card, now, &OsRandom,
    ))?;
    let mut host = JpkiCard::new(VirtualTransport(card));
    let der = host.read_certificate(CertificateSlot::Signature, Some(crate::demo::SIGN_PIN))?;
    let new_sign = JpkiCertificate::from_der(&der)?;
    let anchors = TrustAnchors::new(
        authority
            .generations(CertificateKind::Signature)?
            .into_iter()
            .map(|g| g.certificate)
            .collect(),
    );
    let valid = validate(&new_sign, &anchors, now, Some(CertificateKind::Signature))
        .map_err(|e| CliError::invalid(format!("new certificate: {e}")))?;
    let successors = block_on(async {
        let mut tx = registry.store().begin().await?;
        tx.successors("signature", &old_sign.serial_hex()).await
    })?;
    println!(
        "  new signature certificate {} is VALID; serial history {} -> {}",
        new_sign.serial_hex(),
        old_sign.serial_hex(),
        successors.join(" -> ")
    );
    if let Some(a) = valid.attributes {
        println!("  its address: {}", a.address);
    }
    println!(
        "  the card face now reads: {}",
        host.read_card_face(crate::demo::AUTH_PIN)?.address
    );
    // A bank that holds the old serial and that Hanako consented to learns the new address.
    let bank = format!("Demo Bank {}", &resident[1..]);
    let (verifier, _credential) = block_on(registry.register_verifier(&bank, now, &OsRandom))?;
    let before = block_on(registry.query_status(
        &verifier,
        CertificateKind::Signature,
        &old_sign.serial_hex(),
        now,
    ))?;
    println!(
        "  {bank} asks about {} without consent: {} (attributes: {})",
        before.serial,
        before.status,
        before.attributes.is_some()
    );
    block_on(registry.set_consent(resident, &bank, true, now))?;
    let after = block_on(registry.query_status(
        &verifier,
        CertificateKind::Signature,
        &old_sign.serial_hex(),
        now,
    ))?;
    if let (Some(serial), Some(a)) = (&after.current_serial, &after.attributes) {
        println!(
            "  with Hanako's consent it learns the current serial {serial} and address {}",
            a.address
        );
    }
    std::fs::write(data.join("hanako-signature-new.pem"), new_sign.to_pem())
        .map_err(|e| CliError::usage(format!("cannot write: {e}")))?;
    Ok(())
}

/// Asks the generation's OCSP responder about `serial`, as a registered verifier would.
fn ocsp_status(
    authority: &Authority,
    registry: &Registry,
    kind: CertificateKind,
    serial: &str,
    now: OffsetDateTime,
) -> Result<String, CliError> {
    let generation = authority.issuing_generation(kind, now)?;
    let responder = authority.responder(&generation, now, &OsRandom)?;
    let serial = akashi_jpki::SerialNumber::new(
        &hex::decode(serial).map_err(|e| CliError::usage(e.to_string()))?,
    )
    .map_err(|e| CliError::usage(e.to_string()))?;
    let id = CertId::new(CertIdHash::Sha256, &generation.certificate, serial)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let request = build_request(&[&id], Some(b"demo-nonce-00001"))
        .map_err(|e| CliError::usage(e.to_string()))?;
    let answer = block_on(async {
        let (verifier, _) = registry
            .register_verifier(
                &format!("OCSP demo {kind} {}", now.unix_timestamp_nanos()),
                now,
                &OsRandom,
            )
            .await?;
        let ocsp = OcspResponder::new(
            vec![responder],
            registry.store().clone(),
            time::Duration::ZERO,
        );
        Ok::<_, akashi_jlis::JlisError>(ocsp.respond(&verifier, &request, now).await)
    })?;
    let parsed = verify_basic_response(&answer, &generation.certificate)
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok(match parsed.responses.first().map(|r| r.status) {
        Some(CertStatus::Good) => "good (signed response verified)".into(),
        Some(CertStatus::Revoked { reason, .. }) => {
            format!(
                "revoked, {} (signed response verified)",
                reason.map_or("unspecified".into(), |r| r.to_string())
            )
        }
        _ => "unknown".into(),
    })
}
