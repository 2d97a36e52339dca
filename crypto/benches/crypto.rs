//! Criterion benchmarks of the primitives that bound Yinzheng's throughput.
//!
//! Run: `cargo bench -p yinzheng-crypto --bench crypto`. Figures go to
//! `docs/benchmarks.md`, next to `openssl speed` from the same run.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use yinzheng_crypto::{
    BatchItem, Signature, Signer, SigningKey, Suite, Verifier, VerifyingKey, verify_batch,
};

fn sm2(c: &mut Criterion) {
    let sk = SigningKey::generate(Suite::Sm).unwrap();
    let vk = sk.verifying_key();
    let msg = [7u8; 256];
    let sig = sk.sign(&msg).unwrap();
    let pk = vk.to_bytes();
    let mut g = c.benchmark_group("sm2");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sign", |b| b.iter(|| sk.sign(black_box(&msg)).unwrap()));
    yinzheng_crypto::warm_up();
    // Distinct signatures, cycled: a variable-time verifier fed the same
    // signature over and over learns its branches and looks faster than it is.
    let msgs: Vec<Vec<u8>> = (0..256u32).map(|i| i.to_be_bytes().repeat(64)).collect();
    let sigs: Vec<_> = msgs.iter().map(|m| sk.sign(m).unwrap()).collect();
    let VerifyingKey::Sm2(plain) = &vk else {
        unreachable!()
    };
    let mut i = 0usize;
    // A key's first uses: `Z_A` and the odd multiples cached, `[t]P` by wNAF.
    g.bench_function("verify_ordinary", |b| {
        b.iter(|| {
            i = (i + 1) % msgs.len();
            plain
                .verify_ordinary(black_box(&msgs[i]), black_box(&sigs[i]))
                .unwrap()
        })
    });
    // A hot key (what an issuer's key becomes after 64 verifications).
    plain.make_hot();
    g.bench_function("verify_hot_key", |b| {
        b.iter(|| {
            i = (i + 1) % msgs.len();
            vk.verify(black_box(&msgs[i]), black_box(&sigs[i])).unwrap()
        })
    });
    // The plain `sm2` crate path (constant-time, complete formulas), same key and inputs.
    g.bench_function("verify_reference_sm2_crate", |b| {
        b.iter(|| {
            i = (i + 1) % msgs.len();
            plain
                .verify_reference(black_box(&msgs[i]), black_box(&sigs[i]))
                .unwrap()
        })
    });
    // Building a hot key's table (with decoding the key and `Z_A`).
    g.bench_function("hot_table_build", |b| {
        b.iter(|| {
            let k = VerifyingKey::from_bytes(Suite::Sm, black_box(&pk)).unwrap();
            let VerifyingKey::Sm2(k) = k else {
                unreachable!()
            };
            k.make_hot();
            k
        })
    });
    g.bench_function("verify_uncached", |b| {
        b.iter(|| {
            let k = VerifyingKey::from_bytes(Suite::Sm, black_box(&pk)).unwrap();
            k.verify(black_box(&msg), &sig).unwrap()
        })
    });
    g.bench_function("decode_der_signature", |b| {
        let der = sig.to_der().unwrap();
        b.iter(|| Signature::decode(Suite::Sm, black_box(&der)).unwrap())
    });
    g.finish();
}

fn sm3(c: &mut Criterion) {
    let mut g = c.benchmark_group("sm3");
    for size in [64usize, 1024, 1 << 20] {
        let data = vec![0xabu8; size];
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(format!("{size}B"), |b| {
            b.iter(|| Suite::Sm.hash(black_box(&data)))
        });
    }
    let data = vec![0xabu8; 1024];
    g.throughput(Throughput::Bytes(1024));
    g.bench_function("sha256_1024B", |b| {
        b.iter(|| Suite::Intl.hash(black_box(&data)))
    });
    // A tree's interior nodes: 1,024 inputs of 65 bytes (0x03 ‖ left ‖
    // right), one at a time and side by side.
    let nodes: Vec<Vec<u8>> = (0..1024u32)
        .map(|i| {
            let mut n = vec![0x03u8; 65];
            n[1..5].copy_from_slice(&i.to_be_bytes());
            n
        })
        .collect();
    let refs: Vec<&[u8]> = nodes.iter().map(Vec::as_slice).collect();
    g.throughput(Throughput::Elements(1024));
    g.bench_function("65B_x1024_one_at_a_time", |b| {
        b.iter(|| {
            black_box(&refs)
                .iter()
                .map(|m| Suite::Sm.hash(m))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("65B_x1024_same_length", |b| {
        b.iter(|| Suite::Sm.hash_same_length(black_box(&refs)))
    });
    g.finish();
}

fn ed25519(c: &mut Criterion) {
    let sk = SigningKey::generate(Suite::Intl).unwrap();
    let vk = sk.verifying_key();
    let msg = [7u8; 256];
    let sig = sk.sign(&msg).unwrap();
    let mut g = c.benchmark_group("ed25519");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sign", |b| b.iter(|| sk.sign(black_box(&msg)).unwrap()));
    g.bench_function("verify", |b| {
        b.iter(|| vk.verify(black_box(&msg), &sig).unwrap())
    });
    g.finish();
}

fn batch(c: &mut Criterion) {
    const N: usize = 1024;
    let mut g = c.benchmark_group("verify_batch");
    g.sample_size(20);
    for suite in Suite::ALL {
        let keys: Vec<SigningKey> = (0..16)
            .map(|_| SigningKey::generate(suite).unwrap())
            .collect();
        let vks: Vec<VerifyingKey> = keys.iter().map(SigningKey::verifying_key).collect();
        let msgs: Vec<Vec<u8>> = (0..N).map(|i| i.to_le_bytes().repeat(32)).collect();
        let sigs: Vec<Signature> = msgs
            .iter()
            .enumerate()
            .map(|(i, m)| keys[i % 16].sign(m).unwrap())
            .collect();
        let items: Vec<BatchItem<'_>> = msgs
            .iter()
            .zip(&sigs)
            .enumerate()
            .map(|(i, (m, s))| BatchItem {
                key: &vks[i % 16],
                msg: m,
                sig: s,
            })
            .collect();
        g.throughput(Throughput::Elements(N as u64));
        g.bench_function(format!("{suite}_{N}_all_cores"), |b| {
            b.iter_batched(
                || (),
                |()| verify_batch(black_box(&items)),
                BatchSize::SmallInput,
            )
        });
        g.bench_function(format!("{suite}_{N}_one_core"), |b| {
            b.iter(|| {
                items
                    .iter()
                    .map(|it| it.key.verify(it.msg, it.sig))
                    .collect::<Vec<_>>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, sm2, sm3, ed25519, batch);
criterion_main!(benches);
