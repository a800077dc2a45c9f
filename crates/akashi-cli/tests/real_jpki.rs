//! `akashi jpki verify` on the real J-LIS certificates of shared/fixtures/jpki-real.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    let dir = std::env::var("AKASHI_SHARED_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").to_owned());
    PathBuf::from(dir).join("fixtures/jpki-real")
}

fn roots_dir(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in names {
        std::fs::copy(
            fixtures().join(format!("{name}.pem")),
            dir.path().join(format!("{name}.pem")),
        )
        .unwrap();
    }
    dir
}

const ALL_ROOTS: [&str; 5] = [
    "auth_ca_2015",
    "auth_ca_2019",
    "auth_ca_2023",
    "sign_ca_2015",
    "sign_ca_2023",
];

fn akashi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_akashi"))
        .args(args)
        .output()
        .unwrap()
}

fn verify(cert: &Path, anchors: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "jpki",
        "verify",
        cert.to_str().unwrap(),
        "--anchors",
        anchors.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    akashi(&args)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn auth_user_2023_is_valid_now() {
    let roots = roots_dir(&ALL_ROOTS);
    let out = verify(&fixtures().join("auth_user_2023.pem"), roots.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("VALID user-authentication certificate"), "{t}");
    assert!(t.contains("CN=412594E75JACJM14104003A"), "{t}");
    assert!(t.contains("root serial 0133C349"), "{t}");
}

#[test]
fn auth_user_2020_is_valid_in_2022_and_json_says_so() {
    let roots = roots_dir(&ALL_ROOTS);
    let out = verify(
        &fixtures().join("auth_user_2020.pem"),
        roots.path(),
        &["--at", "2022-01-01T00:00:00Z", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["type"], "authentication");
    assert_eq!(v["serial"], "018C453E");
}

#[test]
fn after_not_after_it_fails_naming_validity() {
    let roots = roots_dir(&ALL_ROOTS);
    let out = verify(
        &fixtures().join("auth_user_2023.pem"),
        roots.path(),
        &["--at", "2027-12-07T15:00:00Z"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("validity: expired"), "{}", text(&out));
    let out = verify(&fixtures().join("auth_user_2020.pem"), roots.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("validity: expired"), "{}", text(&out));
}

#[test]
fn against_the_2023_root_only_it_fails_naming_the_signature() {
    let roots = roots_dir(&["auth_ca_2023"]);
    let out = verify(&fixtures().join("auth_user_2023.pem"), roots.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("signature: does not verify with any of the 1 trust anchor(s)"),
        "{}",
        text(&out)
    );
}

#[test]
fn with_one_byte_changed_it_fails() {
    let roots = roots_dir(&ALL_ROOTS);
    let pem = std::fs::read(fixtures().join("auth_user_2023.pem")).unwrap();
    let der = akashi_der(&pem);
    let dir = tempfile::tempdir().unwrap();
    // A byte inside the subject CN (signed data) and one inside the signature value.
    for (i, what) in [(230usize, "signature"), (der.len() - 10, "signature")] {
        let mut changed = der.clone();
        changed[i] ^= 0x20;
        let path = dir.path().join(format!("changed-{i}.der"));
        std::fs::write(&path, &changed).unwrap();
        let out = verify(&path, roots.path(), &[]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(what), "{}", text(&out));
    }
    // A byte in a length field makes it unparseable: the message says where.
    let mut broken = der.clone();
    broken[2] ^= 0x01;
    let path = dir.path().join("broken.der");
    std::fs::write(&path, &broken).unwrap();
    let out = verify(&path, roots.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("malformed DER"), "{}", text(&out));
}

#[test]
fn missing_anchors_and_bad_time_are_usage_errors() {
    let empty = tempfile::tempdir().unwrap();
    let out = verify(&fixtures().join("auth_user_2023.pem"), empty.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("no certificates"), "{}", text(&out));
    let roots = roots_dir(&ALL_ROOTS);
    let out = verify(
        &fixtures().join("auth_user_2023.pem"),
        roots.path(),
        &["--at", "yesterday"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("RFC 3339"), "{}", text(&out));
}

fn akashi_der(pem: &[u8]) -> Vec<u8> {
    akashi_jpki::JpkiCertificate::from_pem(pem)
        .unwrap()
        .der()
        .to_vec()
}
