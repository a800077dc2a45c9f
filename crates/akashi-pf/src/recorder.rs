//! Recording completed verifications with group commit: each request waits until what it
//! writes is committed, but concurrent requests share one transaction, so storage does not cap
//! the PF at one commit per verification. A job that loses (its transaction id was used) is
//! answered with the replay error and writes nothing; a failing statement fails the batch,
//! and every request in it is answered with the error (nothing of it is committed).

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
    /// (kind, serial) of the verified certificate: marked good.
    pub verified: (String, String),
    /// The certificate for the vault, unless it is known to be there.
    pub vault: Option<VaultRecord>,
    /// The customer row: upserted for a proofing, inserted if absent for a login.
    pub customer: CustomerRecord,
    pub proofing: bool,
    /// The customer row is known to exist (a login needs no write for it).
    pub known_customer: bool,
}

type Job = (Recording, oneshot::Sender<Result<(), String>>);

/// Per-job outcome inside a batch: `Err(Replayed)` leaves the rest of the batch alone.
enum JobOutcome {
    Done,
    Replayed,
}

pub(crate) struct Recorder {
    store: Store,
    jobs: OnceLock<mpsc::Sender<Job>>,
    /// Certificates known to be in the vault (cleared on purge).
    pub vaulted: Mutex<HashSet<(String, String)>>,
    /// (SP, person) pairs known to have a customer row (rows are never deleted).
    pub customers: Mutex<HashSet<(String, String)>>,
}

impl Recorder {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            jobs: OnceLock::new(),
            vaulted: Mutex::new(HashSet::new()),
            customers: Mutex::new(HashSet::new()),
        }
    }

    /// Records `r`; returns once committed.
    pub async fn record(&self, r: Recording) -> Result<(), PfError> {
        let vault_key = r.vault.as_ref().map(|v| (v.kind.clone(), v.serial.clone()));
        let customer_key = (r.customer.sp_id.clone(), r.customer.person_id.clone());
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
                let mut tx = self.store.begin().await?;
                match apply(&mut tx, &r).await? {
                    JobOutcome::Replayed => return Err(PfError::TransactionReplayed),
                    JobOutcome::Done => tx.commit().await?,
                }
                Ok(())
            }
        };
        match outcome {
            Ok(()) => {
                if let Some(key) = vault_key {
                    self.vaulted.lock().expect("vaulted").insert(key);
                }
                let mut customers = self.customers.lock().expect("customers");
                if customers.len() >= 1_000_000 {
                    customers.clear();
                }
                customers.insert(customer_key);
                Ok(())
            }
            Err(e) if e == REPLAYED => Err(PfError::TransactionReplayed),
            Err(e) => Err(PfError::Store(akashi_store::StoreError::Corrupt(format!(
                "recording failed: {e}"
            )))),
        }
    }
}

const REPLAYED: &str = "replayed";

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
                    let _ = done.send(match outcome {
                        JobOutcome::Done => Ok(()),
                        JobOutcome::Replayed => Err(REPLAYED.into()),
                    });
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

async fn commit(store: &Store, jobs: &[Job]) -> Result<Vec<JobOutcome>, PfError> {
    let mut tx = store.begin().await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for (r, _) in jobs {
        outcomes.push(apply(&mut tx, r).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// One verification's writes. The transaction id goes first: a replay writes nothing.
async fn apply(tx: &mut Txn, r: &Recording) -> Result<JobOutcome, PfError> {
    if !tx
        .use_transaction(&r.transaction_id, &r.sp_id, r.used_at, r.expires_at)
        .await?
    {
        return Ok(JobOutcome::Replayed);
    }
    for s in &r.serials {
        tx.insert_pf_serial(s).await?;
    }
    tx.set_pf_serial_status(&r.verified.0, &r.verified.1, "good")
        .await?;
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
    Ok(JobOutcome::Done)
}
