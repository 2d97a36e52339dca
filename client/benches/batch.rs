//! Counter batch throughput: many bundles sharing checkpoints, verified on all
//! cores with one verifier (checkpoint verifications cached).
//!
//! Run: `cargo bench -p yinzheng-client --bench batch`.

#![allow(clippy::cast_possible_truncation)] // bench sizes are small

#[path = "../../ledger/tests/it/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prost::Message;
use rayon::prelude::*;
use yinzheng_ledger::{BundleVerifier, VerdictStatus};

fn batch(c: &mut Criterion) {
    const N: usize = 1000;
    let mut f = fixture::Fixture::new();
    let records: Vec<_> = (0..N)
        .map(|i| f.issue_record(&format!("C-{i:04}"), b"pdf"))
        .collect();
    f.commit(&records);
    f.commit(&[]);
    let mut g = c.benchmark_group("counter_batch_1000_bundles_shared_checkpoints");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N as u64));
    for (name, with_status) in [("compact", false), ("full", true)] {
        let bundles: Vec<Vec<u8>> = records
            .iter()
            .map(|r| {
                f.chain
                    .bundle(&r.id(), with_status)
                    .unwrap()
                    .encode_to_vec()
            })
            .collect();
        for (threads, label) in [(1, "one_core"), (2, "two_cores")] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            g.bench_function(format!("{name}_{label}"), |b| {
                b.iter(|| {
                    // A fresh verifier per batch: each batch pays for its checkpoints once.
                    let v = BundleVerifier::new(&f.genesis).unwrap();
                    pool.install(|| {
                        bundles.par_iter().for_each(|bytes| {
                            let verdict = v.verify_bytes(bytes, Some(b"pdf"));
                            assert_eq!(verdict.status, VerdictStatus::Valid);
                        })
                    })
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, batch);
criterion_main!(benches);
