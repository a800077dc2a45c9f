//! Runs Python with the pinned independent tools (jwcrypto from PyPI, installed by
//! scripts/setup.sh into $AKASHI_PY_TOOLS), as akashi-sdjwt's interoperability tests do.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs `script` with the pinned tools, `input` on stdin; returns stdout.
pub fn python(script: &str, input: &Value) -> Option<String> {
    let tools = match std::env::var("AKASHI_PY_TOOLS") {
        Ok(t) if t == "skip" => return None,
        Ok(t) => t,
        Err(_) => panic!(
            "AKASHI_PY_TOOLS is not set: run scripts/test.sh (scripts/setup.sh installs \
             jwcrypto), or set AKASHI_PY_TOOLS=skip to leave it out knowingly"
        ),
    };
    let mut child = Command::new("python3")
        .args(["-c", script])
        .env("PYTHONPATH", tools)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}
