//! `akashi tsa csr|install|policy|show` through the binary, with `openssl` as the external CA:
//! a refused certificate changes nothing (exit 1, the reason named); an installed one is used
//! for the next signature, which validates against the external CA as the TSA root.

mod common;

use std::path::Path;
use std::process::Command;

use common::{text, Env};

fn openssl_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (scripts/setup.sh installs it)");
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    text(&out)
}

const CA_CONFIG: &str = "[req]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[dn]
CN = Example Time-Stamping CA
O = Example
C = JP
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
";

/// The external CA signs `tsa.csr` with `extensions` into `out`.
fn issue(dir: &Path, extensions: &str, out: &str) {
    std::fs::write(dir.join("ext.cnf"), extensions).unwrap();
    openssl_in(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "extca.pem",
            "-CAkey",
            "extca.key",
            "-set_serial",
            "77",
            "-days",
            "365",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-out",
            out,
        ],
    );
}

#[test]
fn the_tsa_takes_its_certificate_from_an_external_ca() {
    let env = Env::new();
    env.issue();
    let dir = env.dir.path();
    let data = env.p("data");
    env.ok(&[
        "tsa",
        "csr",
        "--data",
        &data,
        "--out",
        &env.p("tsa.csr"),
        "--subject",
        "CN=Example TSA 7,O=Example,C=JP",
    ]);
    let text_req = openssl_in(
        dir,
        &["req", "-in", "tsa.csr", "-noout", "-verify", "-subject"],
    );
    assert!(text_req.contains("verify OK"), "{text_req}");
    assert!(text_req.contains("CN = Example TSA 7"), "{text_req}");
    std::fs::write(env.path("ca.cnf"), CA_CONFIG).unwrap();
    openssl_in(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "3650",
            "-config",
            "ca.cnf",
            "-keyout",
            "extca.key",
            "-out",
            "extca.pem",
        ],
    );

    // Without the timeStamping EKU: refused, exit 1, nothing changed.
    issue(dir, "keyUsage=critical,digitalSignature\n", "no-eku.pem");
    let before = std::fs::read(env.path("data/tsa/tsa.der")).unwrap();
    let out = env.akashi(&[
        "tsa",
        "install",
        "--data",
        &data,
        "--cert",
        &env.p("no-eku.pem"),
        "--chain",
        &env.p("extca.pem"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out)
            .contains("TSA certificate refused: it has no extended key usage id-kp-timeStamping"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read(env.path("data/tsa/tsa.der")).unwrap(), before);
    let show = env.ok(&["tsa", "show", "--data", &data]);
    assert!(show.contains("CA (local)"), "{show}");
    // A bad policy OID is refused before anything is installed.
    issue(
        dir,
        "extendedKeyUsage=critical,timeStamping\n",
        "tsa-ext.pem",
    );
    let install = |policy: &str| {
        env.akashi(&[
            "tsa",
            "install",
            "--data",
            &data,
            "--cert",
            &env.p("tsa-ext.pem"),
            "--chain",
            &env.p("extca.pem"),
            "--policy",
            policy,
        ])
    };
    let out = install("policy-1");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(std::fs::read(env.path("data/tsa/tsa.der")).unwrap(), before);

    let out = install("1.3.6.1.4.1.99999.7.1");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json = env.ok(&["--json", "tsa", "show", "--data", &data]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["ca_kind"], "external", "{json:#}");
    assert_eq!(json["policy"], "1.3.6.1.4.1.99999.7.1", "{json:#}");
    assert_eq!(
        json["certificate"]["subject"], "CN=Example TSA 7,O=Example,C=JP",
        "{json:#}"
    );
    assert!(
        json["ca"]["subject"]
            .as_str()
            .unwrap()
            .contains("CN=Example Time-Stamping CA"),
        "{json:#}"
    );
    env.ok(&[
        "tsa",
        "policy",
        "--data",
        &data,
        "--set",
        "1.3.6.1.4.1.99999.7.2",
    ]);
    let show = env.ok(&["tsa", "show", "--data", &data]);
    assert!(show.contains("policy: 1.3.6.1.4.1.99999.7.2"), "{show}");

    // The next signature is timestamped under the external CA and validates against it
    // (B-LT without the local CA's CRL: the external CA publishes its own).
    std::fs::write(env.path("contract.txt"), "請負契約書\n").unwrap();
    env.ok(&[
        "sign",
        "cades",
        &env.p("hanako.card"),
        "--pin",
        "ABC123",
        "--in",
        &env.p("contract.txt"),
        "--out",
        &env.p("contract.p7s"),
        "--data",
        &data,
    ]);
    let anchors = env.anchors_with("extca.pem");
    let report = env.ok(&[
        "sign",
        "verify",
        &env.p("contract.txt"),
        "--sig",
        &env.p("contract.p7s"),
        "--anchors",
        &anchors,
    ]);
    assert!(report.contains("signature 1: TOTAL-PASSED"), "{report}");
    assert!(report.contains("level: B-LT"), "{report}");
}
