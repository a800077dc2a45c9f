//! Guessing a device key's PIN in parallel gains nothing: twelve wrong PINs sent at once (each
//! in its own login interaction) are counted one by one by the database — exactly four answers
//! say "4, 3, 2, 1 tries left", every other one finds the key locked — on SQLite and on
//! PostgreSQL, where a read-modify-write count would lose concurrent failures.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use akashi_crypto::{OsRandom, P256PrivateKey};

use support::op::*;
use support::{hanako, Bench};

const GUESSES: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_pin_guesses_are_all_counted_sqlite() {
    parallel_pin_guesses_are_all_counted(Bench::start(Duration::ZERO).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_pin_guesses_are_all_counted_postgres() {
    let Some(bench) = Bench::start_postgres(Duration::ZERO).await else {
        eprintln!("PostgreSQL run left out: AKASHI_TEST_POSTGRES=skip");
        return;
    };
    parallel_pin_guesses_are_all_counted(bench).await;
}

async fn parallel_pin_guesses_are_all_counted(bench: Bench) {
    let shop = register(&bench, shop_draft("shop.example")).await;
    let mut card = bench.card_for("R-HANAKO", &hanako()).await;
    let device = P256PrivateKey::generate(&OsRandom).unwrap();
    let mut browser = Browser::new(&bench);
    let (_, challenge) = pkce("register");
    let a = browser.authorize(&shop, &[], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    assert_eq!(browser.proof(&interaction, &mut card).await.status, 200);
    assert_eq!(browser.bind_device(&device, "4321").await.status, 201);

    // Twelve logged-off browsers, each with its own interaction and signed challenge.
    let mut attempts = Vec::new();
    for i in 0..GUESSES {
        let mut guesser = Browser::new(&bench);
        let (_, challenge) = pkce(&format!("guess-{i}"));
        let a = guesser.authorize(&shop, &[], &challenge).await;
        let interaction = Browser::interaction_path(&a);
        let view = guesser.get(&interaction).await.body;
        let tbs = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            view["to_be_signed"]["login"].as_str().unwrap(),
        )
        .unwrap();
        let body = device_response(&device, &tbs, &format!("{:04}", 1000 + i));
        attempts.push((guesser, interaction, body));
    }
    let answers = futures_join(attempts).await;
    let mut tries_left = BTreeSet::new();
    let mut locked = 0;
    for (status, description) in &answers {
        assert_eq!(*status, 403, "{description}");
        if let Some(n) = description
            .strip_prefix("wrong PIN; ")
            .and_then(|rest| rest.split(' ').next())
        {
            assert!(
                tries_left.insert(n.parse::<i64>().unwrap()),
                "two guesses saw {n} tries left: {answers:?}"
            );
        } else {
            assert!(description.contains("locked"), "{description}");
            locked += 1;
        }
    }
    assert_eq!(tries_left, BTreeSet::from([1, 2, 3, 4]), "{answers:?}");
    assert_eq!(locked, GUESSES - 4);

    // The key is locked with five failures; the right PIN no longer works.
    let account = browser.get("/oidc/account").await;
    assert_eq!(
        account.status, 401,
        "the last authenticator locked: recovery ended the session"
    );
    let (_, challenge) = pkce("right");
    let a = browser.authorize(&shop, &[], &challenge).await;
    let interaction = Browser::interaction_path(&a);
    let right = browser.device_login(&interaction, &device, "4321").await;
    assert_eq!(right.status, 403, "{}", right.body);
    assert_eq!(browser.proof(&interaction, &mut card).await.status, 200);
    let account = browser.get("/oidc/account").await.body;
    let key = &account["authenticators"][0];
    assert_eq!(
        (key["status"].as_str(), key["failed_attempts"].as_i64()),
        (Some("locked"), Some(5))
    );
}

/// Sends every attempt at once; (status, error_description) of each.
async fn futures_join(attempts: Vec<(Browser, String, serde_json::Value)>) -> Vec<(u16, String)> {
    let tasks: Vec<_> = attempts
        .into_iter()
        .map(|(mut guesser, interaction, body)| {
            tokio::spawn(async move {
                let answer = guesser.post(&format!("{interaction}/device"), body).await;
                (
                    answer.status,
                    answer.body["error_description"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
