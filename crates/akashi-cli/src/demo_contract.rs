//! Demo steps 19–20: a lease signed by three parties with their own cards (PAdES, one
//! incremental update each, B-LTA at the end), then validated offline by anyone.

use std::path::Path;

use time::{Duration, OffsetDateTime};

use akashi_card::{
    Card, CertificateSlot, JpkiCard, SealedFileStore, VirtualCard, VirtualTransport,
};
use akashi_contract::{ContractDraft, Contracts, SigningOrder};
use akashi_crypto::OsRandom;
use akashi_jlis::Registry;
use akashi_sign::validate_pades;

use crate::cmd_jlis::person;
use crate::cmd_sign::{Services, PRIVACY_NOTE};
use crate::demo::{step, SIGN_PIN};
use crate::demo_pf::registered_card;
use crate::error::{write, CliError};
use crate::keyring;
use crate::sign_services::{LocalValidation, Tsas};

/// A card for a new resident.
async fn resident_card(
    data: &Path,
    key_file: Option<&Path>,
    registry: &Registry,
    id: &str,
    name: &str,
    now: OffsetDateTime,
) -> Result<Box<dyn Card>, CliError> {
    let someone = person(name, "1968-06-15", "male", "東京都港区芝公園四丁目2番8号")?;
    Ok(Box::new(
        registered_card(data, key_file, registry, id, &someone, now).await?,
    ))
}

pub async fn run(
    data: &Path,
    key_file: Option<&Path>,
    registry: &Registry,
    hanako_card: &Path,
) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    step(
        19,
        "A lease for three: the landlord, Hanako and a guarantor sign one PDF with their own cards",
    );
    let suffix = &crate::cmd_registry::new_resident_id()?[1..];
    let landlord = resident_card(
        data,
        key_file,
        registry,
        &format!("R7{suffix}"),
        "佐藤 一郎",
        now,
    )
    .await?;
    let guarantor = resident_card(
        data,
        key_file,
        registry,
        &format!("R8{suffix}"),
        "鈴木 三郎",
        now,
    )
    .await?;
    let hanako: Box<dyn Card> = Box::new(JpkiCard::new(VirtualTransport(VirtualCard::open(
        SealedFileStore::open(hanako_card.to_path_buf(), keyring::sealing_key(key_file)?)?,
    )?)));
    let lease = akashi_pdf::text_pdf(
        "Lease of flat 301",
        &[
            "Article 1. The landlord lets flat 301 to the tenant from 2027-01-01.",
            "Article 2. The rent is 95,000 yen a month.",
            "Article 3. The guarantor guarantees the tenant's obligations.",
        ],
    );
    let contracts = Contracts::new(registry.store().clone());
    let created = contracts
        .create(
            ContractDraft {
                title: "Lease of flat 301".into(),
                file_name: "lease.pdf".into(),
                document: lease,
                signers: ["Landlord", "Tenant", "Guarantor"]
                    .map(String::from)
                    .to_vec(),
                order: SigningOrder::Sequential,
            }
            .check()?,
            now,
            &OsRandom,
        )
        .await?;
    println!("  contract {} created: 3 signers, sequential", created.id);
    let invitations = contracts
        .invite(&created.id, &[], Duration::days(14), now, &OsRandom)
        .await?;
    println!("  3 invitations sent (the store keeps only their SHA-256)");
    println!("  each signer is told first: {PRIVACY_NOTE}");
    let services = Services {
        data: data.to_path_buf(),
        tsa: None,
        jlis: None,
        jlis_credential: None,
        jlis_roots: None,
    };
    let local = LocalValidation::open(&services, key_file, now).await?;
    let anchors = local.anchors()?;
    let tsa = Tsas::open(&services, key_file, now).await?;
    for (mut card, invitation) in [landlord, hanako, guarantor].into_iter().zip(&invitations) {
        let certificate = card.read_certificate(CertificateSlot::Signature, Some(SIGN_PIN))?;
        let session = contracts
            .begin_signing(&invitation.token, &certificate, now)
            .await?;
        let signature = card.sign(session.to_be_signed(), SIGN_PIN)?;
        let view = contracts
            .complete_signing(session, &signature, &tsa, &local.source(), &anchors, now)
            .await?;
        let signer = &view.signers[invitation.position - 1];
        println!(
            "  {}. {} signed with the card as {}: PAdES-B-T, an incremental update ({}/3)",
            signer.position,
            signer.label,
            signer.signed_by.as_deref().unwrap_or("?"),
            view.signed_count()
        );
    }
    let done = contracts.view(&created.id).await?;
    let audit = match done.audit {
        akashi_contract::AuditCheck::Intact { events } => {
            format!("{events} events, hash chain intact")
        }
        akashi_contract::AuditCheck::Broken { at_seq } => format!("BROKEN at event {at_seq}"),
    };
    println!(
        "  all signed: the contract is {} at level {} (DSS with J-LIS CRLs, document timestamp)",
        done.status,
        done.level.as_deref().unwrap_or("?"),
    );
    println!(
        "  audit trail: {audit} (akashi contract status {} --data {})",
        done.id,
        data.display()
    );

    step(
        20,
        "Anyone validates the lease offline: the file and the roots are enough",
    );
    let (_, pdf, _) = contracts.signed_files(&created.id).await?;
    let path = data.join("lease-signed.pdf");
    write(&path, &pdf)?;
    let report = validate_pades(&pdf, &anchors, now + Duration::minutes(1));
    for s in &report.signatures {
        println!(
            "  {}: {} ({})",
            s.field.as_deref().unwrap_or("?"),
            serde_json::to_value(s.indication)?.as_str().unwrap_or("?"),
            s.level.map(|l| l.to_string()).unwrap_or_default()
        );
    }
    let mut changed = pdf.clone();
    if let Some(at) = changed.windows(5).position(|w| w == b"95,00") {
        changed[at] = b'9';
        changed[at + 1] = b'0';
    }
    let forged = validate_pades(&changed, &anchors, now + Duration::minutes(1));
    let findings: Vec<String> = forged
        .signatures
        .iter()
        .map(|s| {
            let sub = s.sub_indication.and_then(|x| serde_json::to_value(x).ok());
            let indication = serde_json::to_value(s.indication).ok();
            match (indication, sub) {
                (Some(i), Some(sub)) => format!(
                    "{}/{}",
                    i.as_str().unwrap_or("?"),
                    sub.as_str().unwrap_or("?")
                ),
                (Some(i), None) => i.as_str().unwrap_or("?").to_owned(),
                _ => "?".into(),
            }
        })
        .collect();
    println!(
        "  the rent changed from 95,000 to 90,000 yen in the file: {}",
        findings.join(", ")
    );
    println!(
        "  try: akashi sign verify {} --anchors DIR (the J-LIS roots and {})",
        path.display(),
        data.join("tsa/ca.pem").display()
    );
    Ok(())
}
