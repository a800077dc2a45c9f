//! The audit log with group commit: queries wait until their audit records are durably
//! committed, but concurrent queries share one transaction, so the log does not cap the
//! responder at one commit per answer.

use tokio::sync::{mpsc, oneshot};

use akashi_store::{AuditRecord, Store};

use crate::JlisError;

/// Records taken into one transaction at most.
const BATCH: usize = 4096;

type Job = (Vec<AuditRecord>, oneshot::Sender<Result<(), String>>);

/// A handle to the audit writer task.
#[derive(Debug, Clone)]
pub struct AuditLog {
    jobs: mpsc::Sender<Job>,
}

impl AuditLog {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store) -> Self {
        let (jobs, rx) = mpsc::channel::<Job>(BATCH);
        tokio::spawn(writer(store, rx));
        Self { jobs }
    }

    /// Returns once `records` are committed; an error means they were not.
    pub async fn record(&self, records: Vec<AuditRecord>) -> Result<(), JlisError> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send((records, done))
            .await
            .map_err(|_| JlisError::AuditUnavailable("writer stopped".into()))?;
        wait.await
            .map_err(|_| JlisError::AuditUnavailable("writer stopped".into()))?
            .map_err(JlisError::AuditUnavailable)
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
        let outcome = commit(&store, &jobs).await.map_err(|e| e.to_string());
        for (_, done) in jobs {
            let _ = done.send(outcome.clone());
        }
    }
}

async fn commit(store: &Store, jobs: &[Job]) -> Result<(), akashi_store::StoreError> {
    let mut tx = store.begin_write().await?;
    for (records, _) in jobs {
        for r in records {
            tx.audit(r).await?;
        }
    }
    tx.commit().await
}
