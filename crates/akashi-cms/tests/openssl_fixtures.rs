//! SignedData made by OpenSSL (`openssl cms -sign -binary -md sha256 -nosmimecap`, detached,
//! attached and without certificates; the fuzz seeds) decode with the right fields, and the
//! signed-attribute bytes returned are the input's own.

use akashi_cms::{parse_signed_data, ID_DATA, ID_SHA256, RSA_ENCRYPTION};

const TBS: &[u8] = b"Akashi PF signed request v1\npurpose: login\n";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fuzz/seeds/parse_signed_data/{name}.der",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

#[test]
fn openssl_signed_data() {
    for (name, attached, certs) in [
        ("detached", false, 1),
        ("attached", true, 1),
        ("nocerts", false, 0),
    ] {
        let der = fixture(name);
        let view = parse_signed_data(&der).unwrap();
        assert_eq!(view.econtent_type, ID_DATA, "{name}");
        assert_eq!(view.econtent.as_deref(), attached.then_some(TBS), "{name}");
        assert_eq!(view.certificates.len(), certs, "{name}");
        let s = &view.signer;
        assert_eq!(
            (s.digest_algorithm, s.signature_algorithm),
            (ID_SHA256, RSA_ENCRYPTION)
        );
        assert_eq!(s.content_type, ID_DATA);
        assert_eq!(s.message_digest, sha256(TBS), "{name}");
        assert_eq!(s.signature.len(), 256);
        assert!(s.issuer_and_serial.is_some());
        // The signed bytes are the input's [0] IMPLICIT field re-tagged SET OF.
        assert_eq!(s.signed_attrs[0], 0x31);
        let mut tagged = s.signed_attrs.clone();
        tagged[0] = 0xA0;
        assert!(
            der.windows(tagged.len()).any(|w| w == tagged.as_slice()),
            "{name}"
        );
    }
}

#[test]
fn hostile_input_names_the_problem() {
    let der = fixture("detached");
    for cut in [0, 1, 10, der.len() / 2, der.len() - 1] {
        let e = parse_signed_data(&der[..cut]).unwrap_err().to_string();
        assert!(e.starts_with("CMS"), "{e}");
    }
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(parse_signed_data(&trailing).is_err());
    // Not SignedData: an id-data ContentInfo.
    let data = [
        0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    assert!(parse_signed_data(&data).is_err());
}
