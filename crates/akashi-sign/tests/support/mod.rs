//! A J-LIS authority in a temporary directory and (virtual) My Number Cards issued by it, for
//! the signing tests.
#![allow(dead_code)]

pub mod lta;
pub mod pyhanko;

use std::path::Path;

use time::OffsetDateTime;

use akashi_card::{Card, CertificateSlot, JpkiCard, MemoryStore, VirtualTransport};
use akashi_crypto::{OsRandom, SealingKey};
use akashi_jlis::{issue_card, Authority, CardIssueRequest, Registry};
use akashi_jpki::{BasicFourAttributes, CertificateKind, Sex};

pub const PIN: &str = "SIGN2026";

pub type TestCard = JpkiCard<VirtualTransport<MemoryStore>>;

pub fn sealing_key() -> SealingKey {
    SealingKey::from_bytes([4; 32])
}

/// J-LIS in `dir` at `now`; its signature root written to `dir/sign-root.pem`.
pub fn jlis(dir: &Path, now: OffsetDateTime) -> Authority {
    let authority = Authority::init(dir, sealing_key(), now, &OsRandom).unwrap();
    let root = &authority.generations(CertificateKind::Signature).unwrap()[0].certificate;
    std::fs::write(dir.join("sign-root.pem"), root.to_pem()).unwrap();
    authority
}

pub fn person(name: &str, born: time::Date) -> BasicFourAttributes {
    BasicFourAttributes {
        name: name.into(),
        address: "東京都千代田区霞が関二丁目1番2号".into(),
        birth_date: born,
        sex: Sex::Female,
    }
}

/// A card for `person`, issued at `now`, with signature PIN [`PIN`].
pub fn card(
    authority: &mut Authority,
    person: &BasicFourAttributes,
    now: OffsetDateTime,
) -> TestCard {
    let issued = issue_card(
        authority,
        &CardIssueRequest {
            person,
            auth_pin: "1234",
            sign_pin: PIN,
        },
        MemoryStore::default(),
        now,
        &OsRandom,
    )
    .unwrap();
    JpkiCard::new(VirtualTransport(issued.card))
}

pub fn signature_certificate(card: &mut TestCard) -> Vec<u8> {
    card.read_certificate(CertificateSlot::Signature, Some(PIN))
        .unwrap()
}

/// A card for a resident registered as `id` in `registry`, its certificates recorded (so
/// J-LIS's CRLs and life events cover them).
pub async fn registered_card(
    authority: &mut Authority,
    registry: &Registry,
    id: &str,
    person: &BasicFourAttributes,
    now: OffsetDateTime,
) -> TestCard {
    registry.add_resident(id, person, now).await.unwrap();
    let issued = issue_card(
        authority,
        &CardIssueRequest {
            person,
            auth_pin: "1234",
            sign_pin: PIN,
        },
        MemoryStore::default(),
        now,
        &OsRandom,
    )
    .unwrap();
    let c = &issued.certificates;
    registry
        .record_issued(
            id,
            &format!("card-{id}"),
            &[(&c.signature, None), (&c.authentication, None)],
            now,
        )
        .await
        .unwrap();
    JpkiCard::new(VirtualTransport(issued.card))
}

/// `pdf` with a hand-written incremental update (classic xref) that writes object `number`
/// as a stream holding `content`: a new object (a large attachment, for hashing) or a
/// replacement of a signed one (a forgery the validators must catch).
pub fn append_stream_object(pdf: &[u8], number: u32, content: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf);
    let prev: u64 = text
        .rsplit("startxref")
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let trailer = text.rsplit("trailer").next().unwrap();
    let number_after = |key: &str| -> u64 {
        let rest = &trailer[trailer.find(key).unwrap() + key.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap()
    };
    let size = number_after("/Size").max(u64::from(number) + 1);
    let root = number_after("/Root");
    let mut out = pdf.to_vec();
    out.push(b'\n');
    let offset = out.len();
    out.extend_from_slice(
        format!("{number} 0 obj\n<< /Length {} >>\nstream\n", content.len()).as_bytes(),
    );
    out.extend_from_slice(content);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\n{number} 1\n{offset:010} 00000 n\r\ntrailer\n<< /Size {size} /Root {root} 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}
