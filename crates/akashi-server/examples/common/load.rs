//! The load generator of the examples: pre-built bodies POSTed to one URL over `connections`
//! keep-alive connections (each takes the next body until none is left), every latency kept.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one run measured.
pub struct LoadRun {
    /// Sorted.
    pub latencies: Vec<Duration>,
    /// Answers other than 200, and requests that failed.
    pub failures: usize,
    pub elapsed: Duration,
}

impl LoadRun {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at fraction `p` (0.5: the median), in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let n = self.latencies.len();
        self.latencies[((n as f64 * p) as usize).min(n - 1)].as_secs_f64() * 1e3
    }
}

pub async fn post_all(
    client: &reqwest::Client,
    url: &str,
    content_type: &'static str,
    bearer: Option<&str>,
    bodies: Vec<Vec<u8>>,
    connections: usize,
) -> LoadRun {
    let (url, bearer) = (url.to_owned(), bearer.map(str::to_owned));
    send_all(client, bodies, connections, move |client, body| {
        let mut request = client.post(&url).header("content-type", content_type);
        if let Some(token) = &bearer {
            request = request.bearer_auth(token);
        }
        request.body(body.clone())
    })
    .await
}

/// Sends one request per item (built by `build`) over `connections` keep-alive connections;
/// an answer other than 200 counts as a failure.
pub async fn send_all<T: Send + Sync + 'static>(
    client: &reqwest::Client,
    items: Vec<T>,
    connections: usize,
    build: impl Fn(&reqwest::Client, &T) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> LoadRun {
    let items = Arc::new(items);
    let build = Arc::new(build);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, items, next, build) =
            (client.clone(), items.clone(), next.clone(), build.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let t = Instant::now();
                match build(&client, item).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                    }
                    _ => failures += 1,
                }
                latencies.push(t.elapsed());
            }
            (latencies, failures)
        }));
    }
    let mut run = LoadRun {
        latencies: Vec::new(),
        failures: 0,
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        let (l, f) = t.await.unwrap();
        run.latencies.extend(l);
        run.failures += f;
    }
    run.elapsed = started.elapsed();
    run.latencies.sort();
    run
}
