//! The acceptance test: pyHanko (installed by scripts/setup.sh into $AKASHI_PY_TOOLS), an
//! independent PAdES validator, checks three successive PAdES signatures made with this
//! crate's placeholders and akashi-cms's CAdES, their incremental updates, a DSS update, and
//! refuses a one-byte change in the first revision.

#[path = "../../akashi-tsa/tests/support/openssl.rs"]
mod openssl_cli;
#[path = "support/xref_stream.rs"]
mod xref_stream;

use std::path::Path;
use std::process::Command;

use akashi_pdf::{
    add_dss, prepare_signature, signatures, text_pdf, SignatureSpec, SubFilter, ValidationData,
};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl_cli::openssl;

/// The pinned tools directory, or `None` when AKASHI_PY_TOOLS=skip.
fn py_tools() -> Option<String> {
    match std::env::var("AKASHI_PY_TOOLS") {
        Ok(t) if t == "skip" => None,
        Ok(t) => Some(t),
        Err(_) => panic!(
            "AKASHI_PY_TOOLS is not set: run scripts/test.sh (scripts/setup.sh installs \
             pyHanko), or set AKASHI_PY_TOOLS=skip to leave it out knowingly"
        ),
    }
}

/// `pyhanko sign validate --pretty-print --trust ca.pem <file>`: (exit success, output).
fn pyhanko_validate(tools: &str, dir: &Path, file: &str) -> (bool, String) {
    let out = Command::new("python3")
        .args(["-m", "pyhanko", "sign", "validate", "--pretty-print"])
        .args(["--trust", "ca.pem", "--trust-replace", file])
        .env("PYTHONPATH", tools)
        .current_dir(dir)
        .output()
        .expect("python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn run(dir: &Path, args: &[&str]) {
    let (ok, out) = openssl(dir, args);
    assert!(ok, "openssl {args:?}: {out}");
}

/// A throwaway CA and one signer certificate (key usage for signatures) per name.
fn make_pki(dir: &Path, signers: &[&str]) {
    run(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Akashi PDF Test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    for name in signers {
        let (key, csr, pem, der) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.der"),
        );
        run(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                &format!("/CN={name}"),
            ],
        );
        run(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
            ],
        );
        run(dir, &["x509", "-in", &pem, "-outform", "DER", "-out", &der]);
    }
}

/// Signs `pdf` as `name` (a PAdES-B-B signature: no signing-time in the CMS, /M instead).
fn sign(dir: &Path, pdf: &[u8], name: &str) -> Vec<u8> {
    let spec = SignatureSpec {
        field_name: name,
        sub_filter: SubFilter::CadesDetached,
        signing_time: Some(time::OffsetDateTime::now_utc()),
        reason: Some("Agreed"),
        location: Some("Tokyo"),
        contents_capacity: 16384,
    };
    let prepared = prepare_signature(pdf, &spec).unwrap();
    let covered = prepared.signed_bytes().concat();
    let cert = std::fs::read(dir.join(format!("{name}.der"))).unwrap();
    let cms = akashi_cms::prepare(
        akashi_cms::ID_DATA,
        &covered,
        false,
        &cert,
        &akashi_cms::SignedAttributes {
            signing_time: None,
            signing_certificate_v2: true,
        },
    )
    .unwrap();
    let key = PKey::private_key_from_pem(&std::fs::read(dir.join(format!("{name}.key"))).unwrap())
        .unwrap();
    let mut signer = openssl::sign::Signer::new(MessageDigest::sha256(), &key).unwrap();
    signer.update(cms.to_be_signed()).unwrap();
    let signature = signer.sign_to_vec().unwrap();
    prepared
        .complete(&cms.complete(&signature).unwrap())
        .unwrap()
}

/// The pretty-printed report of pyHanko split per signature field.
fn sections<'a>(report: &'a str, names: &[&str]) -> Vec<&'a str> {
    let mut starts: Vec<usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let header = format!("Field {}: {n}\n", i + 1);
            report
                .find(&header)
                .unwrap_or_else(|| panic!("no {header:?} in:\n{report}"))
        })
        .collect();
    starts.push(report.len());
    starts.windows(2).map(|w| &report[w[0]..w[1]]).collect()
}

#[test]
fn pyhanko_accepts_three_signatures_and_a_dss() {
    let Some(tools) = py_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names = ["Alice", "Bob", "Carol"];
    make_pki(d, &names);
    let original = text_pdf(
        "Sales contract",
        &["Alice sells Bob and Carol one cat.", "Price: 100 yen."],
    );
    let one = sign(d, &original, "Alice");
    let two = sign(d, &one, "Bob");
    let three = sign(d, &two, "Carol");
    assert_eq!(signatures(&three).unwrap().len(), 3);
    std::fs::write(d.join("signed.pdf"), &three).unwrap();

    let (ok, report) = pyhanko_validate(&tools, d, "signed.pdf");
    println!("{report}");
    assert!(ok, "pyHanko refused the signatures:\n{report}");
    let parts = sections(&report, &names);
    for (i, part) in parts.iter().enumerate() {
        assert!(
            part.contains("The signature is cryptographically sound."),
            "{part}"
        );
        assert!(
            part.contains("The signer's certificate is trusted."),
            "{part}"
        );
        assert!(
            part.contains("Bottom line\n-----------\nThe signature is judged VALID."),
            "{part}"
        );
        if i < 2 {
            assert!(
                part.contains("The signature does not cover the entire file."),
                "{part}"
            );
            assert!(part.contains(ALLOWED), "{part}");
        } else {
            assert!(
                part.contains("The signature covers the entire file."),
                "{part}"
            );
        }
        assert!(
            !part.contains("SUSPICIOUS") && !part.contains("INVALID"),
            "{part}"
        );
    }

    // A DSS update after the last signature: every signature still valid.
    let data = ValidationData {
        certificates: vec![
            openssl_der(d, "ca.pem"),
            std::fs::read(d.join("Alice.der")).unwrap(),
            std::fs::read(d.join("Bob.der")).unwrap(),
        ],
        ocsp_responses: vec![],
        crls: vec![],
    };
    let cms: Vec<Vec<u8>> = signatures(&three)
        .unwrap()
        .into_iter()
        .map(|s| s.cms)
        .collect();
    let vri: Vec<&[u8]> = cms.iter().map(Vec::as_slice).collect();
    let with_dss = add_dss(&three, &data, &vri).unwrap();
    std::fs::write(d.join("dss.pdf"), &with_dss).unwrap();
    let (ok, report) = pyhanko_validate(&tools, d, "dss.pdf");
    println!("{report}");
    assert!(
        ok,
        "pyHanko refused the file after the DSS update:\n{report}"
    );
    for (i, part) in sections(&report, &names).iter().enumerate() {
        assert!(
            part.contains("The signature is cryptographically sound."),
            "{part}"
        );
        assert!(
            part.contains("Bottom line\n-----------\nThe signature is judged VALID."),
            "{part}"
        );
        assert!(
            part.contains("The signature does not cover the entire file."),
            "{part}"
        );
        // The last signature is followed by the DSS only; the others by signatures too.
        assert!(
            part.contains(if i == 2 { ALLOWED_LTA } else { ALLOWED }),
            "{part}"
        );
    }

    // One byte of the first revision's page content changed: the first signature fails.
    let text = String::from_utf8_lossy(&with_dss).to_string();
    let at = text.find("100 yen").unwrap();
    assert!(at < one.len());
    let mut tampered = with_dss.clone();
    tampered[at] = b'9';
    std::fs::write(d.join("tampered.pdf"), &tampered).unwrap();
    let (ok, report) = pyhanko_validate(&tools, d, "tampered.pdf");
    println!("{report}");
    assert!(!ok, "pyHanko accepted a changed first revision:\n{report}");
    // Every signature covers the first revision, so all three fail, the first included.
    for part in sections(&report, &names) {
        assert!(
            part.contains("The signature is cryptographically unsound."),
            "{part}"
        );
        assert!(
            part.contains("Bottom line\n-----------\nThe signature is judged INVALID."),
            "{part}"
        );
    }
}

/// What pyHanko says of later revisions that only add signatures.
const ALLOWED: &str = "All modifications relate to signing and form filling operations, and they appear to be compatible with the current document modification policy.";
/// What pyHanko says of later revisions that only add validation data.
const ALLOWED_LTA: &str = "All modifications relate to signature maintenance, and they appear to be compatible with the current document modification policy.";

#[test]
fn pyhanko_accepts_signatures_on_a_compressed_file() {
    let Some(tools) = py_tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let names = ["Alice", "Bob"];
    make_pki(d, &names);
    let original = xref_stream::xref_stream_pdf("Object streams and an xref stream.");
    let two = sign(d, &sign(d, &original, "Alice"), "Bob");
    let data = ValidationData {
        certificates: vec![openssl_der(d, "ca.pem")],
        ..Default::default()
    };
    let with_dss = add_dss(&two, &data, &[]).unwrap();
    std::fs::write(d.join("compressed.pdf"), &with_dss).unwrap();
    let (ok, report) = pyhanko_validate(&tools, d, "compressed.pdf");
    println!("{report}");
    assert!(ok, "pyHanko refused the signatures:\n{report}");
    for (i, part) in sections(&report, &names).iter().enumerate() {
        assert!(
            part.contains("The signature is cryptographically sound."),
            "{part}"
        );
        assert!(
            part.contains("Bottom line\n-----------\nThe signature is judged VALID."),
            "{part}"
        );
        assert!(
            part.contains(if i == 1 { ALLOWED_LTA } else { ALLOWED }),
            "{part}"
        );
    }
}

fn openssl_der(dir: &Path, pem: &str) -> Vec<u8> {
    run(
        dir,
        &["x509", "-in", pem, "-outform", "DER", "-out", "tmp.der"],
    );
    std::fs::read(dir.join("tmp.der")).unwrap()
}
