//! Time-stamps issued per second by the TSA, one core: checking the request and granting the
//! token (TSTInfo, signed attributes, RSA-2048 PKCS#1 v1.5 signature through OpenSSL, the
//! response DER), beside the RSA-2048 signing floor alone; and the same with the serial number
//! taken from SQLite (one write transaction per token).

use criterion::{criterion_group, criterion_main, Criterion};
use der::Encode;
use time::OffsetDateTime;
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use akashi_crypto::{OsRandom, RsaPrivateKey, SealingKey};
use akashi_store::Store;
use akashi_tsa::{next_serial, Tsa, TsaAuthority};

fn request() -> Vec<u8> {
    TimeStampReq {
        version: TspVersion::V1,
        message_imprint: MessageImprint {
            hash_algorithm: spki::AlgorithmIdentifier {
                oid: const_oid::db::rfc5912::ID_SHA_256,
                parameters: None,
            },
            hashed_message: der::asn1::OctetString::new([7u8; 32]).unwrap(),
        },
        req_policy: None,
        nonce: Some(der::asn1::Int::new(&[0x12, 0x34, 0x56, 0x78]).unwrap()),
        cert_req: true,
        extensions: None,
    }
    .to_der()
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let key = SealingKey::from_bytes([1; 32]);
    let now = OffsetDateTime::now_utc();
    let tsa = Tsa::new(TsaAuthority::open_or_create(dir.path(), &key, now, &OsRandom).unwrap());
    let req = request();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = runtime.block_on(Store::open_in_dir(dir.path())).unwrap();
    let floor = RsaPrivateKey::generate().unwrap();
    let mut group = c.benchmark_group("tsa");
    group.bench_function("floor: RSA-2048 PKCS#1 v1.5 sign", |b| {
        b.iter(|| floor.sign_pkcs1_sha256(&req).unwrap())
    });
    let mut serial = 0;
    group.bench_function("check + grant (token with certificate)", |b| {
        b.iter(|| {
            serial += 1;
            let checked = tsa.check(&req).unwrap();
            tsa.grant(&checked, serial, now).unwrap()
        })
    });
    group.bench_function("check + serial from SQLite + grant", |b| {
        b.iter(|| {
            let checked = tsa.check(&req).unwrap();
            let serial = runtime.block_on(next_serial(&store, "bench")).unwrap();
            tsa.grant(&checked, serial, now).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
