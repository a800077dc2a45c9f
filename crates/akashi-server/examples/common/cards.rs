//! A resident with a fresh virtual card, registered at J-LIS as issued (the load examples'
//! people).

use time::OffsetDateTime;

use akashi_card::{JpkiCard, MemoryStore, VirtualTransport};
use akashi_crypto::OsRandom;
use akashi_jlis::{issue_card, Authority, CardIssueRequest, Registry};
use akashi_jpki::BasicFourAttributes;

pub type Card = JpkiCard<VirtualTransport<MemoryStore>>;

/// Adds resident `id` and issues their card (authentication PIN 1234, signature PIN
/// `sign_pin`); the card id is `card-{id}`.
pub async fn resident_card(
    authority: &mut Authority,
    registry: &Registry,
    id: &str,
    person: &BasicFourAttributes,
    sign_pin: &str,
    now: OffsetDateTime,
) -> Card {
    registry.add_resident(id, person, now).await.unwrap();
    let issued = issue_card(
        authority,
        &CardIssueRequest {
            person,
            auth_pin: "1234",
            sign_pin,
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
