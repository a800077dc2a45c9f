//! A process killed in the middle of a life event leaves the registry in the old state or the
//! new one, never between.

mod common;

use common::{text, Env};
use std::time::Duration;

trait Show {
    fn show(&self) -> serde_json::Value;
}

impl Show for Env {
    fn show(&self) -> serde_json::Value {
        let out = self.ok(&[
            "jlis",
            "resident",
            "show",
            "--data",
            &self.p("data"),
            "--id",
            "R1",
            "--json",
        ]);
        serde_json::from_str(&out).unwrap()
    }
}

const NEW: &str = "神奈川県横浜市中区日本大通1";

/// Either nothing of the move is visible, or all of it.
fn old_or_new(state: &serde_json::Value) -> bool {
    let moved = state["attributes"]["address"] == NEW;
    let sign_revoked = state["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "signature" && c["status"] == "revoked");
    let auth_good = state["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["kind"] == "authentication" && c["status"] == "good");
    let event = state["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "move");
    auth_good && moved == sign_revoked && moved == event
}

fn setup() -> Env {
    let env = Env::new();
    env.issue();
    env
}

#[test]
fn killed_after_revoking_before_commit_leaves_the_old_state() {
    let env = setup();
    let data = env.p("data");
    let out = env
        .command(&[
            "jlis",
            "event",
            "move",
            "--data",
            &data,
            "--resident",
            "R1",
            "--address",
            NEW,
        ])
        .env("AKASHI_CRASH_POINT", "event-before-commit")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the process was to die: {}",
        text(&out)
    );
    let state = env.show();
    assert!(old_or_new(&state), "{state}");
    assert_ne!(
        state["attributes"]["address"], NEW,
        "nothing of the move was committed: {state}"
    );
    // The registry is usable afterwards and the move goes through.
    env.ok(&[
        "jlis",
        "event",
        "move",
        "--data",
        &data,
        "--resident",
        "R1",
        "--address",
        NEW,
    ]);
    let state = env.show();
    assert!(
        old_or_new(&state) && state["attributes"]["address"] == NEW,
        "{state}"
    );
}

#[test]
fn sigkill_at_any_moment_leaves_the_old_or_the_new_state() {
    for delay_ms in [0u64, 5, 10, 20, 40, 80] {
        let env = setup();
        let data = env.p("data");
        let mut child = env
            .command(&[
                "jlis",
                "event",
                "move",
                "--data",
                &data,
                "--resident",
                "R1",
                "--address",
                NEW,
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let state = env.show();
        assert!(old_or_new(&state), "killed after {delay_ms} ms: {state}");
    }
}
