//! create_generators (draft-irtf-cfrg-bbs-signatures §4.1.1), cached.
//!
//! ```text
//! v = expand_message(api_id || "MESSAGE_GENERATOR_SEED", seed_dst, expand_len)
//! for i in 1..=count:
//!    v = expand_message(v || I2OSP(i, 8), seed_dst, expand_len)
//!    generator_i = hash_to_curve_g1(v, api_id || "SIG_GENERATOR_DST_")
//! ```
//! Generators are public constants, so one list per (suite, api_id) is kept and
//! extended on demand; each hash-to-curve is paid once per process. Each list
//! also keeps tables for `(P1, generator_1, ..)`: window tables for public
//! scalars, constant-time tables for secret ones.

use crate::curve::{CtTables, FixedBases, G1};
use crate::suite::{Suite, EXPAND_LEN};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Multiplication tables over `(P1, Q_1, H_1, ...)`: row 0 is P1, row 1 is Q_1,
/// row `i + 2` is the generator of message `i`.
pub(crate) struct Tables {
    pub fixed: FixedBases,
    pub ct: CtTables,
}

impl Tables {
    fn new(suite: Suite, points: &[G1]) -> Self {
        let mut bases = vec![suite.p1()];
        bases.extend_from_slice(points);
        Tables {
            fixed: FixedBases::new(&bases),
            ct: CtTables::new(&bases),
        }
    }
}

struct Chain {
    v: Vec<u8>,
    points: Arc<Vec<G1>>,
    /// Rebuilt when the list grows.
    tables: Option<Arc<Tables>>,
}

type Cache = Mutex<HashMap<(Suite, Vec<u8>), Chain>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// A prefix of the cached generator list (no copy), with its tables.
#[derive(Clone)]
pub struct Generators {
    all: Arc<Vec<G1>>,
    count: usize,
    tables: Arc<Tables>,
}

impl std::ops::Deref for Generators {
    type Target = [G1];
    fn deref(&self) -> &[G1] {
        &self.all[..self.count]
    }
}

/// A list of generators `(Q_1, H_1, ...)` as the core operations take it, with
/// the tables of `(P1, Q_1, H_1, ...)` when it has them.
pub(crate) trait GeneratorList {
    fn points(&self) -> &[G1];
    fn tables(&self) -> Option<&Tables> {
        None
    }
}

impl GeneratorList for Generators {
    fn points(&self) -> &[G1] {
        self
    }
    fn tables(&self) -> Option<&Tables> {
        Some(&self.tables)
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
            tables: None,
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
        chain.tables = None;
    }
    let points = chain.points.clone();
    let tables = chain
        .tables
        .get_or_insert_with(|| Arc::new(Tables::new(suite, &points)))
        .clone();
    Generators {
        all: points,
        count,
        tables,
    }
}

/// A concatenation of two generator lists (blind and pseudonym interfaces:
/// `(Q_1, H_1..H_L) || (Q_2, J_1..J_K)`), cached with its tables.
#[derive(Clone)]
pub(crate) struct CombinedGenerators(Arc<(Vec<G1>, Tables)>);

impl GeneratorList for CombinedGenerators {
    fn points(&self) -> &[G1] {
        &self.0 .0
    }
    fn tables(&self) -> Option<&Tables> {
        Some(&self.0 .1)
    }
}

impl std::ops::Deref for CombinedGenerators {
    type Target = [G1];
    fn deref(&self) -> &[G1] {
        &self.0 .0
    }
}

/// `create_generators(first + 1, api_id) || create_generators(second + 1, blind_api_id)`.
pub(crate) fn combined(
    suite: Suite,
    api_id: &[u8],
    blind_api_id: &[u8],
    first: usize,
    second: usize,
) -> CombinedGenerators {
    type Combined = Mutex<HashMap<(Suite, Vec<u8>, usize, usize), CombinedGenerators>>;
    static COMBINED: OnceLock<Combined> = OnceLock::new();
    let key = (suite, api_id.to_vec(), first, second);
    let map = COMBINED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = map.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return found.clone();
    }
    let mut points = create_generators(suite, api_id, first + 1).to_vec();
    points.extend_from_slice(&create_generators(suite, blind_api_id, second + 1));
    let tables = Tables::new(suite, &points);
    let out = CombinedGenerators(Arc::new((points, tables)));
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, out.clone());
    out
}
