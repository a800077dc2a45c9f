//! The TSA certified by an external CA, played by the `openssl` command line: our PKCS#10
//! request verifies there, the CA issues the certificate from it, `install` refuses what RFC
//! 3161 §2.3 or the TSA's key forbid (changing nothing), and after the install `openssl ts
//! -verify` accepts our tokens against the external CA alone, with the configured policy.

#[path = "support/openssl.rs"]
mod openssl_cli;

use std::path::Path;

use openssl_cli::openssl;
use time::{Duration, OffsetDateTime};

use akashi_crypto::{OsRandom, SealingKey};
use akashi_store::Store;
use akashi_tsa::{
    certificates_from_pem, next_serial, request_pem, CertificateRefusal, Tsa, TsaAuthority,
    TsaError,
};

const CA_CONFIG: &str = "[req]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[dn]
CN = Example External CA
O = Example
C = JP
[v3_ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
";

/// A CA in `dir/NAME.pem` with its key in `dir/NAME.key`.
fn external_ca(dir: &Path, name: &str) {
    std::fs::write(
        dir.join("ca.cnf"),
        CA_CONFIG.replace("Example External CA", name),
    )
    .unwrap();
    let (ok, out) = openssl(
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
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
    assert!(ok, "{out}");
}

/// The CA `ca` issues a certificate for the request `csr` with the extensions `extensions`.
fn issue(dir: &Path, ca: &str, csr: &str, extensions: &str, out_name: &str) -> Vec<Vec<u8>> {
    std::fs::write(dir.join("ext.cnf"), extensions).unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            "4242",
            "-days",
            "365",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-out",
            out_name,
        ],
    );
    assert!(ok, "{out}");
    certificates_from_pem(&std::fs::read(dir.join(out_name)).unwrap()).unwrap()
}

fn read_pem(dir: &Path, name: &str) -> Vec<Vec<u8>> {
    certificates_from_pem(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

async fn stamp(tsa: &Tsa, store: &Store, dir: &Path, request: &str, reply: &str) {
    let req = std::fs::read(dir.join(request)).unwrap();
    let checked = tsa.check(&req).unwrap();
    let serial = next_serial(store, "default").await.unwrap();
    let response = tsa
        .grant(&checked, serial, OffsetDateTime::now_utc())
        .unwrap();
    std::fs::write(dir.join(reply), response).unwrap();
}

const GOOD: &str = "extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n";

#[tokio::test]
async fn a_tsa_certified_by_an_external_ca_issues_tokens_openssl_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let key = SealingKey::from_bytes([5; 32]);
    let now = OffsetDateTime::now_utc();
    let mut authority = TsaAuthority::open_or_create(dir, &key, now, &OsRandom).unwrap();
    let local_tsa = std::fs::read(dir.join("tsa/tsa.der")).unwrap();
    std::fs::copy(dir.join("tsa/ca.pem"), dir.join("local-ca.pem")).unwrap();

    // Our request: signed by the TSA key, asking for the timeStamping EKU.
    let csr = authority
        .certification_request("CN=Example Time-Stamping Unit,O=Example,C=JP")
        .unwrap();
    std::fs::write(dir.join("tsa.csr"), request_pem(&csr).unwrap()).unwrap();
    let (ok, out) = openssl(
        dir,
        &["req", "-in", "tsa.csr", "-noout", "-verify", "-text"],
    );
    assert!(ok && out.contains("verify OK"), "{out}");
    assert!(out.contains("Time Stamping"), "{out}");
    external_ca(dir, "extca");
    let chain = read_pem(dir, "extca.pem");

    // Refusals: each names its reason, and nothing changes on disk.
    let refused =
        |authority: &mut TsaAuthority, cert: &[Vec<u8>], chain: &[Vec<u8>], at| match authority
            .install(dir, &cert[0], chain, at)
        {
            Err(TsaError::Refused(why)) => why,
            other => panic!("not refused: {other:?}"),
        };
    let no_eku = issue(
        dir,
        "extca",
        "tsa.csr",
        "keyUsage=critical,digitalSignature\n",
        "a.pem",
    );
    assert_eq!(
        refused(&mut authority, &no_eku, &chain, now),
        CertificateRefusal::NoTimeStamping
    );
    let not_critical = issue(
        dir,
        "extca",
        "tsa.csr",
        "extendedKeyUsage=timeStamping\n",
        "b.pem",
    );
    assert_eq!(
        refused(&mut authority, &not_critical, &chain, now),
        CertificateRefusal::EkuNotCritical
    );
    let two = issue(
        dir,
        "extca",
        "tsa.csr",
        "extendedKeyUsage=critical,timeStamping,codeSigning\n",
        "c.pem",
    );
    assert!(matches!(
        refused(&mut authority, &two, &chain, now),
        CertificateRefusal::OtherEku(o) if o == "1.3.6.1.5.5.7.3.3"
    ));
    // A certificate for another key (another request).
    let (ok, out) = openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "other.key",
            "-subj",
            "/CN=Someone else",
            "-out",
            "other.csr",
        ],
    );
    assert!(ok, "{out}");
    let other = issue(dir, "extca", "other.csr", GOOD, "d.pem");
    assert_eq!(
        refused(&mut authority, &other, &chain, now),
        CertificateRefusal::WrongKey
    );
    // The right certificate, but before it is valid, or checked against another CA.
    let good = issue(dir, "extca", "tsa.csr", GOOD, "tsa-ext.pem");
    let now = OffsetDateTime::now_utc();
    assert!(matches!(
        refused(&mut authority, &good, &chain, now - Duration::days(2)),
        CertificateRefusal::NotValidNow { .. }
    ));
    external_ca(dir, "otherca");
    let why = refused(&mut authority, &good, &read_pem(dir, "otherca.pem"), now);
    assert!(matches!(why, CertificateRefusal::NoIssuer(_)), "{why:?}");
    assert_eq!(std::fs::read(dir.join("tsa/tsa.der")).unwrap(), local_tsa);
    assert!(!dir.join("tsa/installed.pem").exists());
    assert!(!authority.is_external());

    // Installed: the TSA now signs under the external CA's certificate, with a new policy.
    authority.install(dir, &good[0], &chain, now).unwrap();
    authority.set_policy(dir, "1.3.6.1.4.1.99999.7.1").unwrap();
    assert!(authority.set_policy(dir, "not an oid").is_err());
    drop(authority);
    let authority = TsaAuthority::open_or_create(dir, &key, now, &OsRandom).unwrap();
    assert!(authority.is_external());
    assert_eq!(authority.certificate(), good[0].as_slice());
    assert_eq!(authority.ca_certificate(), chain[0].as_slice());
    assert_eq!(authority.policy().to_string(), "1.3.6.1.4.1.99999.7.1");
    assert!(matches!(
        authority.crl(dir, &key, now),
        Err(TsaError::ExternalCa)
    ));
    assert_eq!(read_pem(dir, "tsa/ca.pem"), chain);
    let tsa = Tsa::new(authority);
    let store = Store::open_in_dir(dir).await.unwrap();
    std::fs::write(dir.join("contract.txt"), "賃貸借契約書").unwrap();
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "contract.txt",
            "-sha256",
            "-cert",
            "-out",
            "a.tsq",
        ],
    );
    assert!(ok, "{out}");
    stamp(&tsa, &store, dir, "a.tsq", "a.tsr").await;
    for ca in ["extca.pem", "tsa/ca.pem", "tsa/chain.pem"] {
        let (ok, out) = openssl(
            dir,
            &[
                "ts",
                "-verify",
                "-data",
                "contract.txt",
                "-in",
                "a.tsr",
                "-CAfile",
                ca,
            ],
        );
        assert!(ok && out.contains("Verification: OK"), "{ca}: {out}");
    }
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-data",
            "contract.txt",
            "-in",
            "a.tsr",
            "-CAfile",
            "local-ca.pem",
        ],
    );
    assert!(!ok, "verified against the retired local CA: {out}");
    let (ok, text) = openssl(dir, &["ts", "-reply", "-in", "a.tsr", "-text"]);
    assert!(
        ok && text.contains("Policy OID: 1.3.6.1.4.1.99999.7.1"),
        "{text}"
    );
    // A request for the old default policy is refused; one for the new policy is granted.
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "contract.txt",
            "-sha256",
            "-tspolicy",
            "1.3.6.1.4.1.65530.1.3.1",
            "-out",
            "b.tsq",
        ],
    );
    assert!(ok, "{out}");
    assert_eq!(
        tsa.check(&std::fs::read(dir.join("b.tsq")).unwrap())
            .unwrap_err(),
        akashi_tsa::TsaRejection::UnacceptedPolicy
    );
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "contract.txt",
            "-sha256",
            "-cert",
            "-tspolicy",
            "1.3.6.1.4.1.99999.7.1",
            "-out",
            "c.tsq",
        ],
    );
    assert!(ok, "{out}");
    stamp(&tsa, &store, dir, "c.tsq", "c.tsr").await;
    let (ok, out) = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-queryfile",
            "c.tsq",
            "-in",
            "c.tsr",
            "-CAfile",
            "extca.pem",
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "{out}");

    // An install interrupted after installed.pem: the next open finishes the exports.
    std::fs::write(dir.join("tsa/tsa.der"), &local_tsa).unwrap();
    drop(TsaAuthority::open_or_create(dir, &key, now, &OsRandom).unwrap());
    assert_eq!(std::fs::read(dir.join("tsa/tsa.der")).unwrap(), good[0]);
}
