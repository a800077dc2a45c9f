//! A process killed in the middle of a life event leaves the registry in the old state or the
//! new one, never between.

use std::process::{Command, Output};
use std::time::Duration;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn p(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_akashi"));
        c.args(args)
            .env("AKASHI_KEY_FILE", self.dir.path().join("master.key"))
            .env_remove("AKASHI_CRASH_POINT");
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.command(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "akashi {args:?}: {}",
            text(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn show(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&[
            "jlis",
            "resident",
            "show",
            "--data",
            &self.p("data"),
            "--id",
            "R1",
            "--json",
        ]))
        .unwrap()
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
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
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let data = env.p("data");
    env.ok(&["jlis", "init", "--data", &data]);
    env.ok(&[
        "jlis",
        "issue-card",
        "--data",
        &data,
        "--resident",
        "R1",
        "--name",
        "山田 花子",
        "--birth",
        "1990-04-01",
        "--sex",
        "female",
        "--address",
        "東京都千代田区霞が関二丁目1番2号",
        "--auth-pin",
        "1234",
        "--sign-pin",
        "ABC123",
        "--out",
        &env.p("hanako.card"),
    ]);
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
