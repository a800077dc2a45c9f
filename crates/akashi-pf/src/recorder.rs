//! Recording completed verifications with group commit: each request waits until what it
//! writes is committed, but concurrent requests share one transaction, so storage does not cap
//! the PF at one commit per verification. The batch's transaction ids go in with one statement
//! (`INSERT … ON CONFLICT DO NOTHING RETURNING id`): a job whose id was used before — or
//! earlier in the same batch — is a replay, answered as such, and writes nothing. A failing
//! statement fails the batch, and every request in it gets the error (nothing is committed).

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use tokio::sync::{mpsc, oneshot};

use akashi_store::{CustomerRecord, PfSerialRecord, Store, Txn, VaultAccessRecord, VaultRecord};

use crate::PfError;

/// Jobs taken into one transaction at most.
const BATCH: usize = 512;

/// What one verification writes.
pub(crate) struct Recording {
    pub transaction_id: String,
    pub sp_id: String,
    pub used_at: i64,
    pub expires_at: i64,
    /// Serials learnt from J-LIS's history (first sight of a person or a certificate).
    pub serials: Vec<PfSerialRecord>,
    /// (kind, serial) of the verified certificate: marked good unless known to be.
    pub verified: (String, String),
    pub verified_known_good: bool,
    /// The certificate for the vault, unless it is known to be there.
    pub vault: Option<VaultRecord>,
    /// The customer row: upserted for a proofing, inserted if absent for a login.
    pub customer: CustomerRecord,
    pub proofing: bool,
    /// The customer row is known to exist (a login needs no write for it).
    pub known_customer: bool,
}

type Job = (Recording, oneshot::Sender<Result<(), String>>);

const REPLAYED: &str = "replayed";

/// What the recorder knows is already in the store, so the common login writes one row.
#[derive(Default)]
pub(crate) struct Known {
    /// Certificates in the vault (removed on purge).
    pub vaulted: HashSet<(String, String)>,
    /// (SP, person) pairs with a customer row (rows are never deleted).
    pub customers: HashSet<(String, String)>,
    /// Serials whose recorded status is good (removed when the check records a change).
    pub good: HashSet<(String, String)>,
}

pub(crate) struct Recorder {
    store: Store,
    jobs: OnceLock<mpsc::Sender<Job>>,
    pub known: Mutex<Known>,
}

impl Recorder {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            jobs: OnceLock::new(),
            known: Mutex::new(Known::default()),
        }
    }

    /// Records `r`; returns once committed.
    pub async fn record(&self, r: Recording) -> Result<(), PfError> {
        let vault_key = r.vault.as_ref().map(|v| (v.kind.clone(), v.serial.clone()));
        let customer_key = (r.customer.sp_id.clone(), r.customer.person_id.clone());
        let verified = r.verified.clone();
        let jobs = self.jobs.get_or_init(|| {
            let (jobs, rx) = mpsc::channel::<Job>(BATCH);
            tokio::spawn(writer(self.store.clone(), rx));
            jobs
        });
        let (done, wait) = oneshot::channel();
        let outcome = match jobs.send((r, done)).await {
            Ok(()) => wait
                .await
                .unwrap_or_else(|_| Err("the writer stopped".into())),
            // The writer's runtime is gone (a CLI that made this PF in another runtime):
            // write alone.
            Err(mpsc::error::SendError((r, _))) => {
                let (done, _) = oneshot::channel();
                commit(&self.store, &[(r, done)]).await?.remove(0)
            }
        };
        match outcome {
            Ok(()) => {
                let mut known = self.known.lock().expect("known");
                if known.customers.len() >= 1_000_000 {
                    *known = Known::default();
                }
                if let Some(key) = vault_key {
                    known.vaulted.insert(key);
                }
                known.customers.insert(customer_key);
                known.good.insert(verified);
                Ok(())
            }
            Err(e) if e == REPLAYED => Err(PfError::TransactionReplayed),
            Err(e) => Err(PfError::Store(akashi_store::StoreError::Corrupt(format!(
                "recording failed: {e}"
            )))),
        }
    }
}

async fn writer(store: Store, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        match commit(&store, &jobs).await {
            Ok(outcomes) => {
                for ((_, done), outcome) in jobs.into_iter().zip(outcomes) {
                    let _ = done.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = jobs.len(), "PF recording batch failed");
                for (_, done) in jobs {
                    let _ = done.send(Err(e.to_string()));
                }
            }
        }
    }
}

/// One transaction for `jobs`; per job `Ok` or the replay marker.
async fn commit(store: &Store, jobs: &[Job]) -> Result<Vec<Result<(), String>>, PfError> {
    let mut tx = store.begin().await?;
    // The first job with an id in the batch claims it; a repeat inside the batch is a replay.
    let mut seen = HashSet::new();
    let fresh: Vec<bool> = jobs
        .iter()
        .map(|(r, _)| seen.insert(r.transaction_id.as_str()))
        .collect();
    let rows: Vec<(&str, &str, i64, i64)> = jobs
        .iter()
        .zip(&fresh)
        .filter(|(_, fresh)| **fresh)
        .map(|((r, _), _)| {
            (
                r.transaction_id.as_str(),
                r.sp_id.as_str(),
                r.used_at,
                r.expires_at,
            )
        })
        .collect();
    let inserted = tx.use_transactions(&rows).await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for ((r, _), fresh) in jobs.iter().zip(fresh) {
        if fresh && inserted.contains(&r.transaction_id) {
            apply(&mut tx, r).await?;
            outcomes.push(Ok(()));
        } else {
            outcomes.push(Err(REPLAYED.to_owned()));
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// One verification's writes beyond its transaction id; nothing for a repeat login.
async fn apply(tx: &mut Txn, r: &Recording) -> Result<(), PfError> {
    for s in &r.serials {
        tx.insert_pf_serial(s).await?;
    }
    if !r.verified_known_good {
        tx.set_pf_serial_status(&r.verified.0, &r.verified.1, "good")
            .await?;
    }
    if let Some(v) = &r.vault {
        if tx.vault_put(v).await? {
            tx.record_vault_access(&VaultAccessRecord {
                kind: v.kind.clone(),
                serial: v.serial.clone(),
                actor: format!("pf:{}", r.sp_id),
                purpose: "store after verification".into(),
                at: r.used_at,
            })
            .await?;
        }
    }
    if r.proofing {
        // Keeps `since`; refreshes the consent to updates given in this signed request.
        tx.upsert_customer(&r.customer).await?;
    } else if !r.known_customer {
        tx.insert_customer_if_absent(&r.customer).await?;
    }
    Ok(())
}
