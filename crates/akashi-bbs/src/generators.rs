//! create_generators (draft-irtf-cfrg-bbs-signatures §4.1.1), cached.
//!
//! ```text
//! v = expand_message(api_id || "MESSAGE_GENERATOR_SEED", seed_dst, expand_len)
//! for i in 1..=count:
//!    v = expand_message(v || I2OSP(i, 8), seed_dst, expand_len)
//!    generator_i = hash_to_curve_g1(v, api_id || "SIG_GENERATOR_DST_")
//! ```
//! Generators are public constants, so one list per (suite, api_id) is kept and
//! extended on demand; each hash-to-curve is paid once per process.

use crate::curve::{FixedBases, G1};
use crate::suite::{Suite, EXPAND_LEN};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

struct Chain {
    v: Vec<u8>,
    points: Arc<Vec<G1>>,
    /// Window tables for `(P1, generator_1, ..)`, rebuilt when the list grows.
    fixed: Option<Arc<FixedBases>>,
}

type Cache = Mutex<HashMap<(Suite, Vec<u8>), Chain>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A prefix of the cached generator list (no copy), with the window tables of
/// `(P1, generators..)` for fixed-base multi-scalar multiplication.
#[derive(Clone)]
pub struct Generators {
    all: Arc<Vec<G1>>,
    count: usize,
    fixed: Arc<FixedBases>,
}

/// A list of generators `(Q_1, H_1, ...)` as the core operations take it; the
/// standard lists also carry fixed-base tables for `(P1, Q_1, H_1, ...)`.
pub(crate) trait GeneratorList {
    fn points(&self) -> &[G1];
    fn fixed(&self) -> Option<&FixedBases> {
        None
    }
}

impl GeneratorList for Generators {
    fn points(&self) -> &[G1] {
        self
    }
    fn fixed(&self) -> Option<&FixedBases> {
        Some(&self.fixed)
    }
}

impl GeneratorList for [G1] {
    fn points(&self) -> &[G1] {
        self
    }
}

impl GeneratorList for Vec<G1> {
    fn points(&self) -> &[G1] {
        self
    }
}

impl std::ops::Deref for Generators {
    type Target = [G1];
    fn deref(&self) -> &[G1] {
        &self.all[..self.count]
    }
}

/// The first `count` generators for `api_id`, in creation order.
pub fn create_generators(suite: Suite, api_id: &[u8], count: usize) -> Generators {
    let mut map = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let seed_dst = [api_id, b"SIG_GENERATOR_SEED_"].concat();
    let chain = map
        .entry((suite, api_id.to_vec()))
        .or_insert_with(|| Chain {
            v: suite.expand_message(
                &[api_id, b"MESSAGE_GENERATOR_SEED"].concat(),
                &seed_dst,
                EXPAND_LEN,
            ),
            points: Arc::new(Vec::new()),
            fixed: None,
        });
    if chain.points.len() < count {
        let gen_dst = [api_id, b"SIG_GENERATOR_DST_"].concat();
        let mut points = chain.points.as_ref().clone();
        for i in points.len() + 1..=count {
            let input = [chain.v.as_slice(), &(i as u64).to_be_bytes()].concat();
            chain.v = suite.expand_message(&input, &seed_dst, EXPAND_LEN);
            points.push(suite.hash_to_g1(&chain.v, &gen_dst));
        }
        chain.points = Arc::new(points);
        chain.fixed = None;
    }
    let points = chain.points.clone();
    let fixed = chain
        .fixed
        .get_or_insert_with(|| {
            let mut bases = vec![suite.p1()];
            bases.extend_from_slice(&points);
            Arc::new(FixedBases::new(&bases))
        })
        .clone();
    Generators {
        all: points,
        count,
        fixed,
    }
}
