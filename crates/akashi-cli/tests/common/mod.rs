//! Shared harness of the CLI tests: a temp directory with its own key file, and the binary.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

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

    /// `anchors/`: what a counterparty trusts — the J-LIS roots of `roots/` and the TSA root
    /// `tsa_root` (a path under this environment) as `tsa-root.pem`. Returns its path.
    pub fn anchors_with(&self, tsa_root: &str) -> String {
        let dir = self.path("anchors");
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(self.path("roots")).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
        std::fs::copy(self.path(tsa_root), dir.join("tsa-root.pem")).unwrap();
        dir.to_string_lossy().into_owned()
    }

    /// [`Env::anchors_with`] the local TSA's root (`data/tsa/ca.pem`).
    pub fn anchors(&self) -> String {
        self.anchors_with("data/tsa/ca.pem")
    }

    /// J-LIS in `data`, Hanako's card in `hanako.card` as resident R1, roots in `roots/`.
    pub fn issue(&self) {
        self.issue_with(&[]);
    }

    /// As [`Env::issue`], with `extra` arguments for the registry (e.g. `--database URL`).
    pub fn issue_with(&self, extra: &[&str]) {
        let data = self.p("data");
        let card = self.p("hanako.card");
        self.ok(&["jlis", "init", "--data", &data]);
        let mut args = vec![
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
            &card,
        ];
        args.extend_from_slice(extra);
        self.ok(&args);
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

/// The running server; stopped with SIGTERM when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
    pub credential: String,
}

impl Server {
    pub fn start(env: &Env, credential: &str) -> Self {
        Self::start_with(env, credential, &[])
    }

    /// `akashi serve` on a free port with `extra` arguments (e.g. `--database URL`).
    pub fn start_with(env: &Env, credential: &str, extra: &[&str]) -> Self {
        Self::start_in(env, "data", credential, extra)
    }

    /// `akashi serve --data DIR/<data>`; its log goes to `<data>-server.log`, or to
    /// `server.log` for the default `data`.
    pub fn start_in(env: &Env, data: &str, credential: &str, extra: &[&str]) -> Self {
        Self::start_listening(env, data, "127.0.0.1:0", credential, extra)
    }

    /// As [`Server::start_in`], listening on `listen` (to restart on the same address).
    pub fn start_listening(
        env: &Env,
        data: &str,
        listen: &str,
        credential: &str,
        extra: &[&str],
    ) -> Self {
        let log_name = if data == "data" {
            "server.log".to_owned()
        } else {
            format!("{data}-server.log")
        };
        let data = env.p(data);
        let mut args = vec![
            "serve",
            "--data",
            &data,
            "--listen",
            listen,
            "--crl-max-age",
            "0",
        ];
        args.extend_from_slice(extra);
        // The server's structured log, for tests that assert what it never contains.
        let log = std::fs::File::create(env.path(&log_name)).unwrap();
        let mut child = env
            .command(&args)
            .env("AKASHI_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("{line:?}"))
            .to_owned();
        Self {
            child,
            addr,
            credential: credential.to_owned(),
        }
    }

    pub fn stop(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }

    /// A plain HTTP/1.1 request; returns (status line, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> (String, Vec<u8>) {
        self.request_as(&self.credential, method, path, content_type, body)
    }

    pub fn request_as(
        &self,
        credential: &str,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> (String, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {credential}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        )
        .unwrap();
        s.write_all(body).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        (
            head.lines().next().unwrap().to_owned(),
            raw[split + 4..].to_vec(),
        )
    }
}
