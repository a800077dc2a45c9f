//! Loading the CFRG fixtures straight from shared/specs/bbs/fixtures.
#![allow(dead_code)]

use akashi_bbs::Suite;
use serde_json::Value;
use std::path::PathBuf;

pub fn fixtures_dir() -> PathBuf {
    let shared = std::env::var("AKASHI_SHARED_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").to_owned());
    PathBuf::from(shared).join("specs/bbs/fixtures")
}

pub fn load(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `*.json` under `group/suite/sub`, sorted; panics if there are none, so a
/// moved fixture folder cannot make a test pass vacuously.
pub fn cases(group: &str, suite: Suite, sub: &str) -> Vec<(String, Value)> {
    let dir = fixtures_dir().join(group).join(suite.name()).join(sub);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    paths
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                load(&p),
            )
        })
        .collect()
}

pub fn one(group: &str, suite: Suite, file: &str) -> Value {
    load(&fixtures_dir().join(group).join(suite.name()).join(file))
}

/// Hex as written in the fixtures (some pseudonym fixtures drop a leading zero).
pub fn hx(v: &Value) -> Vec<u8> {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a hex string: {v}"));
    let padded = if s.len() % 2 == 1 {
        format!("0{s}")
    } else {
        s.to_owned()
    };
    hex::decode(padded).unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub fn hx_list(v: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .map(|a| a.iter().map(hx).collect())
        .unwrap_or_default()
}

pub fn indexes(v: &Value) -> Vec<usize> {
    v.as_array()
        .map(|a| a.iter().map(|i| i.as_u64().unwrap() as usize).collect())
        .unwrap_or_default()
}

pub fn valid(case: &Value) -> bool {
    case["result"]["valid"].as_bool().expect("result.valid")
}

pub fn scalar_hex(s: &akashi_bbs::Scalar) -> String {
    hex::encode(s.to_be_bytes())
}

/// The drafts' mocked random scalars: `SEED` (ASCII) and
/// `ciphersuite_id || "H2G_HM2S_" || which || "_MOCK_RANDOM_SCALARS_DST_"`.
pub fn mock(suite: Suite, seed: &Value, which: &str) -> akashi_bbs::SeededScalars {
    let seed = seed.as_str().unwrap().as_bytes().to_vec();
    let dst = [
        suite.id(),
        b"H2G_HM2S_",
        which.as_bytes(),
        b"_MOCK_RANDOM_SCALARS_DST_",
    ]
    .concat();
    akashi_bbs::SeededScalars::new(suite, &seed, &dst)
}

/// `{"0": hex, "2": hex}` as (indexes, messages) in numeric key order.
pub fn revealed(v: &Value) -> (Vec<usize>, Vec<Vec<u8>>) {
    let mut pairs: Vec<(usize, Vec<u8>)> = v
        .as_object()
        .map(|o| o.iter().map(|(k, x)| (k.parse().unwrap(), hx(x))).collect())
        .unwrap_or_default();
    pairs.sort();
    pairs.into_iter().unzip()
}
