//! Verifying sealed OFD documents: the 1.56 MB two-seal e-licence from the
//! samples beside the clone (when present) and a document sealed here, one at
//! a time on one core, and a batch across every core.
//!
//! `cargo bench -p yinzheng-seal --bench seals`

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use yinzheng_crypto::Sm2SigningKey;
use yinzheng_seal::{
    CertSpec, SealRequest, SealSpec, TrustAnchors, issue_cert, make_seal, ofd, seal_ofd, verify_ofd,
};

fn licence() -> Option<Vec<u8>> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/gbt38540/samples/v4_licence_yunnan_2seals_pages_edited.ofd");
    std::fs::read(p).ok()
}

/// A one-page document sealed once with a fresh seal (about 4 KB).
fn made() -> Vec<u8> {
    let t = 1_767_225_600;
    let key = Sm2SigningKey::generate().unwrap();
    let spec = CertSpec {
        subject: "CN=Bench,C=CN",
        serial: 1,
        not_before: t - 1000,
        not_after: t + 100_000_000,
        ca: false,
    };
    let cert = issue_cert(&spec, &key.verifying_key().to_bytes(), &key, None).unwrap();
    let seal = make_seal(
        &SealSpec {
            es_id: "1",
            name: "基准测试章",
            seal_type: 1,
            vid: "Yinzheng",
            created: t,
            valid_start: t,
            valid_end: t + 10_000_000,
            picture_type: "PNG",
            picture: &[0x89; 4096],
            size_mm: (40, 40),
            signer_certs: vec![&cert],
        },
        &key,
        &cert,
    )
    .unwrap();
    let doc = ofd::text_document("基准", &["一", "二"]).unwrap();
    let req = SealRequest {
        seal: &seal,
        key: &key,
        cert: &cert,
        time: t + 10,
        boundary: (0, 0, 40, 40),
    };
    seal_ofd(&doc, &req).unwrap()
}

fn bench(c: &mut Criterion) {
    let none = TrustAnchors::none();
    let mut g = c.benchmark_group("verify_ofd");
    g.sample_size(20);
    if let Some(doc) = licence() {
        g.throughput(Throughput::Elements(1));
        g.bench_function("licence_1.56MB_2_seals_one_core", |b| {
            b.iter(|| verify_ofd(&doc, &none).unwrap())
        });
        let batch = vec![doc; 16];
        g.throughput(Throughput::Elements(16));
        g.bench_function("licence_1.56MB_x16_all_cores", |b| {
            b.iter(|| {
                batch
                    .par_iter()
                    .map(|d| verify_ofd(d, &none).unwrap().signatures.len())
                    .sum::<usize>()
            })
        });
    } else {
        eprintln!(
            "the GB/T 38540 samples are not beside this clone: only the generated document is measured"
        );
    }
    let doc = made();
    g.throughput(Throughput::Elements(1));
    g.bench_function("sealed_page_one_core", |b| {
        b.iter(|| verify_ofd(&doc, &none).unwrap())
    });
    let batch = vec![doc; 256];
    g.throughput(Throughput::Elements(256));
    g.bench_function("sealed_page_x256_all_cores", |b| {
        b.iter(|| {
            batch
                .par_iter()
                .map(|d| verify_ofd(d, &none).unwrap().signatures.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
