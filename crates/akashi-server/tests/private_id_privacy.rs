//! What each party learns, asserted over the real HTTP endpoints with many holders:
//! - two relying parties given every BBS presentation of six holders (two visits each) find no
//!   16-byte string that recurs across presentations except the disclosed values, the public
//!   header and, at one verifier only, that verifier's pseudonym; nor any string of the
//!   signature the issuer produced — so neither they nor the issuer can join presentations;
//! - pseudonyms repeat at one verifier and differ across verifiers and holders;
//! - SD-JWT batch copies share no salt, signature, holder key or status-list index, and a
//!   presentation discloses exactly the approved claim (every disclosure decoded);
//! - the verifier's results hold only what was approved, and the server's logs (all crates,
//!   debug level) hold none of the attributes.

mod support;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use akashi_crypto::OsRandom;
use akashi_jpki::{BasicFourAttributes, Sex};
use akashi_wallet::presentation;

use support::{city_query, shop_query, Bench, Rp};

/// Everything the process logs, for the privacy assertions.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Person {
    resident: &'static str,
    family: &'static str,
    given: &'static str,
    birth: time::Date,
    prefecture: &'static str,
    municipality: &'static str,
    rest: &'static str,
}

impl Person {
    fn attributes(&self) -> BasicFourAttributes {
        BasicFourAttributes {
            name: format!("{}\u{3000}{}", self.family, self.given),
            address: format!("{}{}{}", self.prefecture, self.municipality, self.rest),
            birth_date: self.birth,
            sex: Sex::Male,
        }
    }
    /// Strings that must not appear where the holder did not approve them.
    fn secrets(&self) -> Vec<String> {
        vec![
            self.family.into(),
            self.given.into(),
            self.birth.to_string(),
            self.municipality.into(),
            self.rest.into(),
        ]
    }
}

fn people() -> Vec<Person> {
    use time::macros::date;
    let p = |resident, family, given, birth, prefecture, municipality, rest| Person {
        resident,
        family,
        given,
        birth,
        prefecture,
        municipality,
        rest,
    };
    vec![
        p(
            "P1",
            "佐藤",
            "一郎",
            date!(1961 - 02 - 03),
            "東京都",
            "新宿区",
            "西新宿二丁目8番1号",
        ),
        p(
            "P2",
            "鈴木",
            "次郎",
            date!(1975 - 07 - 21),
            "大阪府",
            "堺市堺区",
            "南瓦町3番1号",
        ),
        p(
            "P3",
            "高橋",
            "三奈",
            date!(1988 - 12 - 30),
            "北海道",
            "函館市",
            "東雲町4番13号",
        ),
        p(
            "P4",
            "田中",
            "四葉",
            date!(1999 - 01 - 15),
            "福岡県",
            "北九州市小倉北区",
            "城内1番1号",
        ),
        p(
            "P5",
            "伊藤",
            "五月",
            date!(2003 - 05 - 05),
            "愛知県",
            "豊橋市",
            "今橋町1番地",
        ),
        p(
            "P6",
            "渡辺",
            "六花",
            date!(1970 - 10 - 10),
            "沖縄県",
            "那覇市",
            "泉崎1丁目1番1号",
        ),
    ]
}

/// A BBS presentation as the verifier receives it, split at the pseudonym: the part before it
/// is the public header and the disclosed messages; the part after it carries the proof.
struct BbsSeen {
    holder: usize,
    verifier: usize,
    pseudonym: Vec<u8>,
    proof_part: Vec<u8>,
}

fn first_shared_window(parts: &[(usize, &[u8])]) -> Option<(usize, usize)> {
    let mut owner: HashMap<&[u8], usize> = HashMap::new();
    for (id, bytes) in parts {
        for w in bytes.windows(16) {
            match owner.get(w) {
                Some(other) if other != id => return Some((*other, *id)),
                _ => {
                    owner.insert(w, *id);
                }
            }
        }
    }
    None
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

fn jwt_payload(jwt: &str) -> Value {
    serde_json::from_slice(&unb64(jwt.split('.').nth(1).unwrap())).unwrap()
}

/// Decoded disclosures of an SD-JWT (issuance or presentation) as `[salt, name?, value]`.
fn disclosures(sd_jwt: &str) -> Vec<Vec<Value>> {
    sd_jwt
        .split('~')
        .skip(1)
        .filter(|d| !d.is_empty() && !d.contains('.'))
        .map(|d| serde_json::from_slice(&unb64(d)).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holders_cannot_be_linked_and_parties_learn_only_what_was_approved() {
    let logs = Captured::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();

    let bench = Bench::start(std::time::Duration::ZERO).await;
    let (t, today) = (bench.t(), bench.now.date());
    let trusted = vec![bench.trusted_issuer().await];
    let shops: Vec<Rp> = vec![
        bench.rp("Shop A", trusted.clone()).await,
        bench.rp("Shop B", trusted.clone()).await,
    ];
    let city = bench.rp("City", trusted).await;
    // Shop B also asks for the prefecture (a disclosed value that may recur).
    let mut shop_b_query = shop_query(today);
    shop_b_query["credentials"][0]["claims"] = json!([{ "path": ["prefecture"] }]);
    let queries = [shop_query(today), shop_b_query];

    let people = people();
    let mut seen = Vec::new();
    let mut issuer_signatures = Vec::new();
    let mut all_copies = Vec::new();
    for (h, person) in people.iter().enumerate() {
        let mut card = bench.card_for(person.resident, &person.attributes()).await;
        let mut wallet = bench.wallet(person.resident);
        let (sd_id, bbs_id) = bench.proof_and_receive(&mut wallet, &mut card).await;
        // What the issuer produced for this holder: the BBS signature (AKCR encoding: … ||
        // signature || nym_secret (32) || prover_blind (32)).
        let encoded = STANDARD
            .decode(wallet.credential(&bbs_id).unwrap().bbs_encoding().unwrap())
            .unwrap();
        let sig_end = encoded.len() - 64;
        issuer_signatures.push(encoded[sig_end - akashi_bbs::Signature::LEN..sig_end].to_vec());
        all_copies.extend(
            wallet
                .credential(&sd_id)
                .unwrap()
                .sd_jwt_copies()
                .into_iter()
                .map(|c| (h, c.to_owned())),
        );

        for visit in 0..2 {
            for (v, shop) in shops.iter().enumerate() {
                let (status, created) = bench.rp_request(shop, queries[v].clone()).await;
                assert_eq!(status, 201, "{created}");
                let plan = presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t)
                    .unwrap();
                let answer = presentation::answer(&mut wallet, &plan, t, &OsRandom).unwrap();
                let token: Value =
                    serde_json::from_str(answer.vp_token.as_deref().unwrap()).unwrap();
                let entry = &token["age"][0];
                let keys: HashSet<&str> = entry
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert_eq!(keys, HashSet::from(["iss", "profile", "proof"]), "{entry}");
                presentation::send(&mut wallet, &bench.http, &plan, &answer, t)
                    .await
                    .unwrap();
                let result = bench
                    .rp_result(shop, created["transaction_id"].as_str().unwrap())
                    .await;
                assert_eq!(result["status"], "verified", "{result}");
                let got = &result["result"]["credentials"]["age"];
                let expected_claims = match v {
                    0 => json!({}),
                    _ => json!({ "prefecture": person.prefecture }),
                };
                assert_eq!(got["claims"], expected_claims, "visit {visit}: {got}");
                for secret in person.secrets() {
                    assert!(
                        !result.to_string().contains(&secret),
                        "{secret} in {result}"
                    );
                }
                let bytes = unb64(entry["proof"].as_str().unwrap());
                let pseudonym = unb64(got["pseudonym"].as_str().unwrap());
                let at = bytes
                    .windows(48)
                    .position(|w| w == pseudonym.as_slice())
                    .expect("the pseudonym is in the presentation");
                seen.push(BbsSeen {
                    holder: h,
                    verifier: v,
                    proof_part: bytes[at + 48..].to_vec(),
                    pseudonym,
                });
            }
        }

        // The city gets the municipality only: every disclosure of the SD-JWT is decoded.
        let (_, created) = bench.rp_request(&city, city_query()).await;
        let plan =
            presentation::plan(&wallet, created["request_uri"].as_str().unwrap(), t).unwrap();
        let answer = presentation::answer(&mut wallet, &plan, t, &OsRandom).unwrap();
        let token: Value = serde_json::from_str(answer.vp_token.as_deref().unwrap()).unwrap();
        let sd_jwt = token["residence"][0].as_str().unwrap();
        let disclosed = disclosures(sd_jwt);
        assert_eq!(disclosed.len(), 1, "{disclosed:?}");
        assert_eq!(disclosed[0][1], "municipality");
        assert_eq!(disclosed[0][2], person.municipality);
        let plain = jwt_payload(sd_jwt.split('~').next().unwrap());
        for object in ["address", "age_equal_or_over"] {
            let keys: Vec<&String> = plain[object].as_object().unwrap().keys().collect();
            assert_eq!(keys, ["_sd"], "{object} has members in clear: {plain}");
        }
        for claim in ["family_name", "given_name", "birthdate", "sex"] {
            assert!(plain.get(claim).is_none(), "{claim} in clear: {plain}");
        }
        let plain = plain.to_string();
        for secret in person
            .secrets()
            .iter()
            .chain([&person.prefecture.to_string()])
        {
            assert!(!plain.contains(secret), "{secret} in clear: {plain}");
        }
        presentation::send(&mut wallet, &bench.http, &plan, &answer, t)
            .await
            .unwrap();
        let result = bench
            .rp_result(&city, created["transaction_id"].as_str().unwrap())
            .await;
        assert_eq!(
            result["result"]["credentials"]["residence"]["claims"],
            json!({ "address": { "municipality": person.municipality } }),
        );
        for secret in [person.family, person.given, person.rest, person.prefecture] {
            assert!(!result.to_string().contains(secret), "{secret} in {result}");
        }
    }

    // Pseudonyms: stable at one verifier, different across verifiers and holders.
    let mut by_pair: HashMap<(usize, usize), HashSet<&[u8]>> = HashMap::new();
    for s in &seen {
        by_pair
            .entry((s.holder, s.verifier))
            .or_default()
            .insert(&s.pseudonym);
    }
    assert_eq!(by_pair.len(), people.len() * shops.len());
    assert!(
        by_pair.values().all(|set| set.len() == 1),
        "one pseudonym per verifier"
    );
    let distinct: HashSet<&[u8]> = by_pair.values().flatten().copied().collect();
    assert_eq!(
        distinct.len(),
        by_pair.len(),
        "pseudonyms never repeat elsewhere"
    );

    // No 16-byte string recurs across the proof parts of all presentations, and none holds a
    // pseudonym or a string of a signature the issuer produced.
    let mut parts: Vec<(usize, &[u8])> = seen
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.proof_part.as_slice()))
        .collect();
    let n = parts.len();
    let issuer_and_nyms: Vec<Vec<u8>> = issuer_signatures
        .iter()
        .cloned()
        .chain(distinct.iter().map(|p| p.to_vec()))
        .collect();
    parts.extend(
        issuer_and_nyms
            .iter()
            .enumerate()
            .map(|(i, b)| (n + i, b.as_slice())),
    );
    if let Some((a, b)) = first_shared_window(&parts) {
        panic!("presentation parts {a} and {b} share a 16-byte string (of {n} presentations)");
    }
    assert_eq!(n, people.len() * shops.len() * 2);

    // Batch copies: no shared salt, issuer signature, holder key or status-list index.
    let (mut salts, mut signatures, mut keys, mut indexes) = (
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
        HashSet::new(),
    );
    for (_, copy) in &all_copies {
        let jwt = copy.split('~').next().unwrap();
        let payload = jwt_payload(jwt);
        assert!(signatures.insert(jwt.split('.').nth(2).unwrap().to_owned()));
        assert!(keys.insert(payload["cnf"]["jwk"].to_string()), "shared key");
        assert!(indexes.insert(payload["status"]["status_list"]["idx"].to_string()));
        for d in disclosures(copy) {
            assert!(salts.insert(d[0].to_string()), "shared salt {}", d[0]);
        }
    }
    assert_eq!(
        keys.len(),
        people.len() * akashi_wallet::issuance::DEFAULT_COPIES
    );
    assert!(salts.len() > keys.len() * 5);

    // The logs of every party in the process hold none of the attributes.
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.matches("response received").count() >= n,
        "the verifier's log lines were captured"
    );
    for person in &people {
        for secret in person.secrets() {
            assert!(!text.contains(&secret), "the logs hold {secret}");
        }
    }
}
