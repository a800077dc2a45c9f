//! Shared harness of the CLI tests: a temp directory with its own key file, and the binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn p(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }

    /// `akashi ARGS`, sealing with this environment's key file.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_akashi"));
        c.args(args)
            .env("AKASHI_KEY_FILE", self.path("master.key"))
            .env_remove("AKASHI_PASSPHRASE")
            .env_remove("AKASHI_CRASH_POINT");
        c
    }

    pub fn akashi(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs `akashi ARGS`, requires exit 0, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.akashi(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "akashi {args:?}: {}",
            text(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// J-LIS in `data`, Hanako's card in `hanako.card` as resident R1, roots in `roots/`.
    pub fn issue(&self) {
        let data = self.p("data");
        self.ok(&["jlis", "init", "--data", &data]);
        self.ok(&[
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
            &self.p("hanako.card"),
        ]);
        self.ok(&[
            "jlis",
            "export-roots",
            "--data",
            &data,
            "--out",
            &self.p("roots"),
        ]);
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn openssl(args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed (scripts/setup.sh)")
}
