//! Criterion benchmarks of the ledger core: log append, status map, bundle
//! verification, and the compact bundle's size.
//!
//! Run: `cargo bench -p yinzheng-ledger --bench ledger`.

#![allow(clippy::cast_possible_truncation)] // bench data sizes are small

#[path = "../tests/it/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use prost::Message;
use std::hint::black_box;
use yinzheng_ledger::crypto::{Digest, Suite};
use yinzheng_ledger::merkle::{MemLogStore, MemSmtStore, MerkleLog, StatusMap, leaf_hash};
use yinzheng_ledger::{BundleVerifier, VerdictStatus};

fn log_append(c: &mut Criterion) {
    const N: u64 = 100_000;
    let leaves: Vec<Digest> = (0..N)
        .map(|i| leaf_hash(Suite::Sm, &i.to_be_bytes()))
        .collect();
    let mut g = c.benchmark_group("merkle_log");
    g.sample_size(10);
    g.throughput(Throughput::Elements(N));
    g.bench_function("append_leaf_hash_sm3_100k", |b| {
        b.iter_batched(
            || MerkleLog::open(Suite::Sm, 0, MemLogStore::default()),
            |mut log| {
                for l in &leaves {
                    log.append_leaf_hash(*l).unwrap();
                }
                log.root().unwrap()
            },
            BatchSize::LargeInput,
        )
    });
    let records: Vec<Vec<u8>> = (0..N).map(|i| i.to_be_bytes().repeat(37)).collect();
    g.bench_function("append_300B_records_sm3_100k", |b| {
        b.iter_batched(
            || MerkleLog::open(Suite::Sm, 0, MemLogStore::default()),
            |mut log| {
                for r in &records {
                    log.append(r).unwrap();
                }
                log.root().unwrap()
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn status_map(c: &mut Criterion) {
    let mut map = StatusMap::open(Suite::Sm, MemSmtStore::default());
    for i in 0..100_000u32 {
        map.insert(&Suite::Sm.hash(&i.to_be_bytes()), &i.to_le_bytes())
            .unwrap();
    }
    let mut g = c.benchmark_group("status_map_100k");
    g.throughput(Throughput::Elements(1));
    let mut i = 1_000_000u32;
    g.bench_function("insert", |b| {
        b.iter(|| {
            i += 1;
            map.insert(&Suite::Sm.hash(&i.to_be_bytes()), b"active")
                .unwrap()
        })
    });
    // A block's worth of writes (2,000 keys) one at a time vs in one batch,
    // each on a copy of the same 100k-entry map.
    let block: Vec<(Digest, Vec<u8>)> = (0..2000u32)
        .map(|k| {
            (
                Suite::Sm.hash(&(5_000_000 + k).to_be_bytes()),
                b"active".to_vec(),
            )
        })
        .collect();
    g.throughput(Throughput::Elements(block.len() as u64));
    g.bench_function("block_of_2000_one_at_a_time", |b| {
        b.iter_batched(
            || map.clone(),
            |mut m| {
                for (k, v) in &block {
                    m.insert(k, v).unwrap();
                }
                m
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("block_of_2000_batch", |b| {
        b.iter_batched(
            || map.clone(),
            |mut m| {
                m.insert_batch(block.iter().map(|(k, v)| (k, v.as_slice())))
                    .unwrap();
                m
            },
            BatchSize::LargeInput,
        )
    });
    g.throughput(Throughput::Elements(1));
    let key = Suite::Sm.hash(&7u32.to_be_bytes());
    g.bench_function("prove", |b| b.iter(|| map.prove(black_box(&key)).unwrap()));
    let root = map.root().unwrap();
    let proof = map.prove(&key).unwrap();
    println!(
        "status proof in a 100k-entry map: {} siblings",
        proof.siblings.len()
    );
    g.bench_function("verify", |b| {
        b.iter(|| {
            proof
                .verify(Suite::Sm, &root, &key, Some(&7u32.to_le_bytes()))
                .unwrap()
        })
    });
    g.finish();
}

fn bundles(c: &mut Criterion) {
    let mut f = fixture::Fixture::new();
    let records: Vec<_> = (0..1000)
        .map(|i| f.issue_record(&format!("B-{i:04}"), b"pdf"))
        .collect();
    f.commit(&records);
    f.commit(&[]);
    let full = f
        .chain
        .bundle(&records[10].id(), true)
        .unwrap()
        .encode_to_vec();
    let compact = f
        .chain
        .bundle(&records[10].id(), false)
        .unwrap()
        .encode_to_vec();
    println!(
        "4 validators, 1000 records/block: full bundle {} B, compact {} B",
        full.len(),
        compact.len()
    );
    let mut g = c.benchmark_group("bundle_verify_4_validators");
    g.throughput(Throughput::Elements(1));
    for (name, bytes) in [("full", &full), ("compact", &compact)] {
        g.bench_function(format!("{name}_cold"), |b| {
            b.iter_batched(
                || BundleVerifier::new(&f.genesis).unwrap(),
                |v| {
                    let verdict = v.verify_bytes(bytes, Some(b"pdf"));
                    assert_eq!(verdict.status, VerdictStatus::Valid);
                },
                BatchSize::SmallInput,
            )
        });
        let v = BundleVerifier::new(&f.genesis).unwrap();
        g.bench_function(format!("{name}_cached_checkpoint"), |b| {
            b.iter(|| {
                let verdict = v.verify_bytes(black_box(bytes), Some(b"pdf"));
                assert_eq!(verdict.status, VerdictStatus::Valid);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, log_append, status_map, bundles);
criterion_main!(benches);
