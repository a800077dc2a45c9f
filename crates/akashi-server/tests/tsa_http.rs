//! The time-stamping authority of `akashi serve` over HTTP: `openssl ts -query` makes the
//! request, the server answers it at `/tsa`, `openssl ts -verify` accepts the token against the
//! TSA's root; other media types are refused, garbage is a rejection with its failure info.

#[path = "../../akashi-tsa/tests/support/openssl.rs"]
mod openssl_cli;

mod support;

use openssl_cli::openssl;

use support::Bench;

async fn post(bench: &Bench, content_type: &str, body: Vec<u8>) -> (u16, String, Vec<u8>) {
    let r = bench
        .http
        .post(format!("{}/tsa", bench.url))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssl_gets_and_verifies_timestamps_from_the_server() {
    let bench = Bench::start(std::time::Duration::ZERO).await;
    let dir = bench.dir();
    std::fs::write(dir.join("doc.pdf"), b"%PDF-1.7 a contract").unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "ts", "-query", "-data", "doc.pdf", "-sha256", "-cert", "-out", "q.tsq",
        ],
    );
    assert!(ok, "{out}");
    let (status, ct, body) = post(
        &bench,
        "application/timestamp-query",
        std::fs::read(dir.join("q.tsq")).unwrap(),
    )
    .await;
    assert_eq!((status, ct.as_str()), (200, "application/timestamp-reply"));
    std::fs::write(dir.join("r.tsr"), body).unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-queryfile",
            "q.tsq",
            "-in",
            "r.tsr",
            "-CAfile",
            "tsa/ca.pem",
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "{out}");

    // Another media type: refused before anything is parsed.
    let (status, ct, _) = post(&bench, "application/octet-stream", vec![0x30, 0]).await;
    assert_eq!((status, ct.as_str()), (415, "application/problem+json"));
    // Not DER: a rejection the client can read.
    let (status, _, body) = post(&bench, "application/timestamp-query", b"not DER".to_vec()).await;
    assert_eq!(status, 200);
    std::fs::write(dir.join("bad.tsr"), body).unwrap();
    let (_, text) = openssl(dir, &["ts", "-reply", "-in", "bad.tsr", "-text"]);
    assert!(text.contains("Status: Rejected"), "{text}");
    assert!(
        text.contains("the data submitted has the wrong format"),
        "{text}"
    );

    let doc = bench.get_json("/openapi.json").await;
    assert!(doc["paths"]["/tsa"]["post"].is_object());
}
